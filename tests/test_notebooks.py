"""The analyst notebooks run top to bottom on the shipped sample."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path, monkeypatch):
    monkeypatch.setenv("QUICKSTART_OUT", str(tmp_path / "run"))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    errors = [o for cell in notebook.cells if cell.cell_type == "code"
              for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert (tmp_path / "run" / "recommendations.md").exists()


def test_notebooks_use_the_public_api_without_changing_folder():
    for path in NOTEBOOKS:
        sources = [cell.source for cell in nbformat.read(path, as_version=4).cells
                   if cell.cell_type == "code"]
        code = "\n".join(sources)
        assert "chdir" not in code, path.name
        assert "from pipeline import" in code and "runner" not in code, path.name


def test_there_is_a_quickstart():
    assert [p.name for p in NOTEBOOKS][:1] == ["01_quickstart.ipynb"]
