"""The compiled network: Network/Layer/GateBlock (model.py), activation functions, shared (per-site) layouts."""
