"""The worked notebook runs top to bottom on the real data and tells the founding case's answer."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "friendship_2016.ipynb"


def test_friendship_2016_notebook_runs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    printed = "".join(
        output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
    )
    assert "Rattu lies in Gilgit-Baltistan, administered by Pakistan, claimed by India and Pakistan." in printed
    assert "Cherat lies in undisputed Pakistan" in printed
    images = [o for cell in notebook.cells for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(images) == 1  # the three worldviews side by side
