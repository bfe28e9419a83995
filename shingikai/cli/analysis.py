"""Analysis commands: search, export, show."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from shingikai.warehouse import DEFAULT_DB


def cmd_search(args: argparse.Namespace) -> int:
    from shingikai.search import format_hits, search

    hits = search(Path(args.db), args.keywords, limit=args.limit)
    if args.json:
        print(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=2))
    else:
        print(format_hits(hits))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from shingikai.warehouse.export import export

    written = export(Path(args.db), Path(args.dir), args.format)
    for name, kind, path, rows in written:
        print(f"{kind:<5} {name:<32} {rows:>7} rows  {path}")
    print(f"{len(written)} files written to {args.dir}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from shingikai.show import DocumentNotFound, show

    try:
        out, n = show(Path(args.db), args.document, Path(args.out) if args.out else None)
    except DocumentNotFound as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{out} ({n} highlighted values)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser(
        "search",
        help="find utterances and consultation titles containing keywords",
        description="Segment the keywords with Sudachi (SplitMode.C) and list every utterance and "
        "consultation title whose words include all of them: document, date, speaker, snippet. Read-only.",
    )
    s.add_argument("keywords", help='keywords, e.g. "個人情報 委託"')
    s.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default: {DEFAULT_DB})"
    )
    s.add_argument("--limit", type=int, default=50, help="most hits shown (default 50)")
    s.add_argument("--json", action="store_true", help="print hits as JSON")
    s.set_defaults(func=cmd_search)

    s = sub.add_parser(
        "export",
        help="write every table and view to Parquet or CSV files",
        description="Copy every warehouse table and view to DIR/<name>.parquet or .csv, from a read-only connection.",
    )
    s.add_argument("dir", type=Path, help="output folder (created if missing)")
    s.add_argument(
        "--format",
        choices=["parquet", "csv"],
        default="parquet",
        help="file format (default parquet)",
    )
    s.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default: {DEFAULT_DB})"
    )
    s.set_defaults(func=cmd_export)

    s = sub.add_parser(
        "show",
        help="write an HTML page of one document with every extracted value highlighted",
        description="Render DOCUMENT (a document_id prefix or source_path) as one self-contained HTML page: "
        "its text with contractors, data items, evidence, reports and conditions highlighted, "
        "and a table of records linking to the spans.",
    )
    s.add_argument("document", help="document_id prefix or source_path")
    s.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default: {DEFAULT_DB})"
    )
    s.add_argument("--out", type=Path, help="output HTML file (default show-<id>.html)")
    s.set_defaults(func=cmd_show)
