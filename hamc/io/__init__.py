"""Files: the .npz network format (write, load, check) and atomic writes."""
