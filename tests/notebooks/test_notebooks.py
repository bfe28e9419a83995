"""Every notebook runs top to bottom on a warehouse built from the samples and draws a plot."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from tests.conftest import ROOT
from tests.sample_warehouse import build

pytestmark = pytest.mark.slow  # a warehouse built by the CLI and every notebook executed

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

GLYPHS_ARE_ERRORS = """import warnings
warnings.filterwarnings("error", message=r"Glyph \\d+ .*missing from font")"""

# the font matplotlib resolves for labels has a glyph for every character of the Japanese
# values the notebooks plot (municipalities, contractors, data items, axis labels)
FONT_COVERS_LABELS = """from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
_font = FT2Font(findfont(FontProperties(family=plt.rcParams["font.family"]), fallback_to_default=False))
_labels = "市区町村諮問の件数" + "".join(
    v for (v,) in con.execute(
        "SELECT municipality FROM meetings UNION SELECT name_normalized FROM contractors "
        "UNION SELECT item_normalized FROM data_items"
    ).fetchall() if v
)
_missing = sorted({c for c in _labels if not c.isspace() and not _font.get_char_index(ord(c))})
assert not _missing, f"{_font.family_name} has no glyph for {''.join(_missing)}"
print("labels drawn with", _font.family_name)"""


def _execute(nb, db, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Run the notebook `nb` in place on the warehouse `db`, its figures under tmp_path."""
    monkeypatch.setenv("SHINGIKAI_DB", str(db))
    monkeypatch.setenv("SHINGIKAI_FIGURES", str(tmp_path / "figures"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # kernel "python3" resolves to ipykernel of the running interpreter (the venv): no install needed
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute(env=dict(os.environ))


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
    nb = nbformat.read(path, as_version=4)
    sources = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "filterwarnings" not in sources, "notebooks must not hide warnings (missing glyphs)"
    # a label drawn with a glyph the font lacks is an error, not a box in the figure
    nb.cells.insert(0, new_code_cell(GLYPHS_ARE_ERRORS))
    nb.cells.append(new_code_cell(FONT_COVERS_LABELS))
    _execute(nb, db, tmp_path, monkeypatch)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), f"{path.name} produced no plot"
    assert list((tmp_path / "figures").glob("*.png")), "figures were not saved"


def test_the_font_check_fails_for_a_font_without_japanese(fresh_db):
    """What the notebooks did on a machine whose font cache had no Japanese font: DejaVu Sans."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib_fontja

    matplotlib_fontja.japanize()  # registers IPAexGothic with matplotlib
    fresh_db.execute("INSERT INTO meetings (document_id, municipality) VALUES ('d', '練馬区')")
    for family, fails in ((["DejaVu Sans"], True), (["IPAexGothic"], False)):
        with plt.rc_context({"font.family": family}):
            try:
                exec(FONT_COVERS_LABELS, {"plt": plt, "con": fresh_db})
                failed = False
            except AssertionError as exc:
                failed = True
                assert "DejaVu Sans has no glyph for" in str(exc) and "練" in str(exc)
        assert failed == fails, family


@pytest.fixture(scope="session")
def empty_db(tmp_path_factory):
    """A lake with the schema and no document (a warehouse before its first ingest)."""
    from shingikai.warehouse import Writer

    path = tmp_path_factory.mktemp("empty") / "w.ducklake"
    with Writer(path):
        pass
    return path


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_on_an_empty_warehouse_says_no_data(path, empty_db, tmp_path, monkeypatch):
    """Each plot of nothing says so (it was bare axes from -0.04 to 0.04)."""
    nb = nbformat.read(path, as_version=4)
    _execute(nb, empty_db, tmp_path, monkeypatch)
    plots = [c for c in nb.cells if c.cell_type == "code" and 'save_and_show(fig, "' in c.source]
    assert plots
    for cell in plots:
        printed = "".join(o.get("text", "") for o in cell.get("outputs", []))
        assert "no data: " in printed, cell.source[:200]
