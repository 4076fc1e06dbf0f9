"""The example notebook runs top to bottom in a fresh python3 kernel, and its fine-tuning lowers the loss."""
from __future__ import annotations

import os
import re

import nbformat
from nbclient import NotebookClient

from conftest import EXAMPLES, REPO

NOTEBOOK = EXAMPLES / "notebooks" / "cat_dog_to_pytorch.ipynb"


def test_the_notebook_runs_and_fine_tuning_approaches_the_entropy_floor(monkeypatch):
    # this checkout's hamc in the kernel, whether or not it is pip-installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    text = "\n".join(out.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                     for out in cell.get("outputs", []))
    assert "exhaustive: True" in text
    assert float(re.search(r"max \|torch - network\| = (\S+)", text).group(1)) <= 1e-12
    floor = float(re.search(r"floor \(entropy of the target\) (\S+)", text).group(1))
    losses = [float(v) for v in re.findall(r"loss (\d\.\d+)", text)]
    assert len(losses) == 11 and losses[0] - floor > 0.1          # the old priors are far from the new data
    assert losses[-1] - floor < 0.02 * (losses[0] - floor)        # forty steps close 98% of the gap
