"""Extract each evaluation set in-process into a DuckDB file and score it with the shared scorer.

usage: python tools/score_sets.py [OUT_DIR] [SET ...]   (run from the checkout's root)

Sets: seeds, seeds-pdf, real, real-pdf, full, full-html, full-pdf, blind, blind2, blind3 (all when none is named),
or NAME=FOLDER[:GOLD] for the documents in any folder (gold: ../shared/gold unless given), e.g.
the seeds printed by other producers (tools/render_pdfs.py). For each set,
OUT_DIR/NAME.duckdb is the warehouse, OUT_DIR/NAME.txt the scorer's per-measure
report and OUT_DIR/NAME.json its numbers; the headline is printed. No Prefect, no
worker pool: quick enough to run before and after every change.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb

from extractors.pipeline import extract_bytes
from shingikai.warehouse import apply_schema, load

SHARED = Path("../shared")
SETS = {
    "seeds": (SHARED / "corpus/seeds", SHARED / "gold"),
    "seeds-pdf": (SHARED / "corpus/pdf", SHARED / "gold"),
    "real": (SHARED / "corpus/real", SHARED / "gold/real"),
    "real-pdf": (SHARED / "corpus/real-pdf", SHARED / "gold/real"),
    "full": (SHARED / "corpus/full", SHARED / "gold/full"),
    "full-html": (SHARED / "corpus/full", SHARED / "gold/full"),
    "full-pdf": (SHARED / "corpus/full-pdf", SHARED / "gold/full"),
    # invented documents written without reading the extractors (tests/fixtures/blind/README.md)
    "blind": (Path("tests/fixtures/blind"), Path("tests/fixtures/blind")),
    # a second batch by a writer who had read neither the extractors nor the first batch's documents
    "blind2": (Path("tests/fixtures/blind2"), Path("tests/fixtures/blind2")),
    # a third batch, kept unread until the third session (now read and worked on)
    "blind3": (Path("tests/fixtures/blind3"), Path("tests/fixtures/blind3")),
    # a fourth batch (from the third session on), kept unread: blind3 is read since then
    "blind4": (Path("tests/fixtures/blind4"), Path("tests/fixtures/blind4")),
}
# the full documents come as .txt and .html in one folder: each rendering is a set of its own
SUFFIX = {"full": ".txt", "full-html": ".html"}


def documents(name: str, folder: Path) -> list[Path]:
    """The set's documents: every file but the README; of the seed PDFs only the five with gold."""
    out = [
        p
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "README.md" and p.suffix != ".json"
    ]
    if name == "seeds-pdf":
        out = [p for p in out if p.suffix == ".pdf" and p.stem[0].isdigit()]
    if name in SUFFIX:
        out = [p for p in out if p.suffix == SUFFIX[name]]
    return out


def score_set(name: str, out: Path) -> str:
    folder, gold = SETS[name]
    db = out / f"{name}.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    try:
        apply_schema(con)
        for p in documents(name, folder):
            load(con, extract_bytes(p.read_bytes(), f"{folder.name}/{p.name}"))
    finally:
        con.close()
    report = subprocess.run(
        [sys.executable, str(SHARED / "tools/score.py"), str(db), str(gold)]
        + ["--json", str(out / f"{name}.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    (out / f"{name}.txt").write_text(report.stdout + report.stderr, encoding="utf-8")
    lines = report.stdout.strip().splitlines()
    return lines[-1] if lines else report.stderr.strip()


def named_set(arg: str) -> str:
    """A set given as NAME=FOLDER[:GOLD] is added to SETS under NAME; a known name is itself."""
    if "=" not in arg:
        if arg not in SETS:
            sys.exit(
                f"unknown set {arg!r}: name one of {', '.join(SETS)} or give NAME=FOLDER[:GOLD]"
            )
        return arg
    name, _, where = arg.partition("=")
    folder, _, gold = where.partition(":")
    if not Path(folder).is_dir():
        sys.exit(f"set {name}: {folder} is not a folder")
    SETS[name] = (Path(folder), Path(gold) if gold else SHARED / "gold")
    return name


def main(argv: list[str]) -> None:
    out = Path(argv[0] if argv else "/tmp/score_sets")
    out.mkdir(parents=True, exist_ok=True)
    for name in [named_set(a) for a in argv[1:]] or list(SETS):
        started = time.perf_counter()
        headline = score_set(name, out)
        print(f"== {name} ({time.perf_counter() - started:.1f}s)\n{headline}")


if __name__ == "__main__":
    main(sys.argv[1:])
