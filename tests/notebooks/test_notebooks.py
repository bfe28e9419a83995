"""Every notebook runs top to bottom on a warehouse built from the samples and draws a plot."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import ROOT
from tests.sample_warehouse import build

pytestmark = pytest.mark.slow  # a warehouse built by the CLI and every notebook executed

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="session")
def db(tmp_path_factory):
    return build(tmp_path_factory)


def test_expected_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {
        "overview.ipynb",
        "contractors.ipynb",
        "incidents_outcomes.ipynb",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_and_plots(path, db, tmp_path, monkeypatch):
    monkeypatch.setenv("SHINGIKAI_DB", str(db))
    monkeypatch.setenv("SHINGIKAI_FIGURES", str(tmp_path / "figures"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    # kernel "python3" resolves to ipykernel of the running interpreter (the venv): no install needed
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute(env=dict(os.environ))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name} produced no plot"
    assert list((tmp_path / "figures").glob("*.png")), "figures were not saved"
