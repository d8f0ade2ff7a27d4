"""The notebooks run top to bottom against a fresh pipeline run, so they never rot."""

from __future__ import annotations

import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path, sample_run, monkeypatch, tmp_path):
    """Against the published copy alone: the working database is not where CJX_DB points, so a notebook that
    opened it (and would block the next run) fails here."""
    from cjx.store.publish import published_dir

    db, _, _ = sample_run
    shutil.copytree(published_dir(db).resolve(), tmp_path / "published")
    monkeypatch.setenv("CJX_DB", str(tmp_path / "cjx.duckdb"))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert code[-1].outputs, "the last cell shows a result"


def test_notebooks_are_committed_without_outputs():
    for path in NOTEBOOKS:
        notebook = nbformat.read(path, as_version=4)
        assert all(
            not cell.get("outputs") and not cell.get("execution_count")
            for cell in notebook.cells
            if cell.cell_type == "code"
        ), path.name
