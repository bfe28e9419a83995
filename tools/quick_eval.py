"""Extract documents in-process and score them against gold, without Prefect (for iterating on extractors).

Usage: python tools/quick_eval.py GOLD_DIR DOC_DIR [DOC_DIR...] [--errors]
"""

from __future__ import annotations

import sys
from pathlib import Path

from extractors.pipeline import extract_bytes
from shingikai.discover import discover
from shingikai.evaluation import evaluate, format_report
from shingikai.warehouse import load, memory_warehouse


def main(argv: list[str]) -> None:
    show = "--errors" in argv
    args = [a for a in argv if a != "--errors"]
    gold, dirs = Path(args[0]), [Path(a) for a in args[1:]]
    con = memory_warehouse()
    for f in discover(dirs):  # the files ingest would read, named as ingest names them
        load(con, extract_bytes(f.path.read_bytes(), f.source_path))
    print(format_report(evaluate(con, gold), show_errors=show))


if __name__ == "__main__":
    main(sys.argv[1:])
