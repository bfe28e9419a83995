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

    written = export(Path(args.db), Path(args.dir), args.format, at=args.at)
    for name, kind, path, rows in written:
        print(f"{kind:<5} {name:<32} {rows:>7} rows  {path}")
    if args.format == "duckdb":
        print(f"{len(written)} tables and views written to {args.dir}")
    else:
        print(f"{len(written)} files written to {args.dir}")
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from shingikai.warehouse.convert import convert

    where, copied = convert(Path(args.file), args.db)
    for table, rows in copied.items():
        print(f"{table:<32} {rows:>7} rows")
    print(f"converted {args.file} into the lake {where}")
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
        help="write every table and view to Parquet or CSV files, or one DuckDB file",
        description="Copy every warehouse table and view to DIR/<name>.parquet or .csv, or (--format duckdb) "
        "the whole snapshot with its tables, views and comments to one DuckDB FILE, from a read-only connection.",
    )
    s.add_argument(
        "dir", metavar="DIR|FILE", type=Path, help="output folder, or file for --format duckdb"
    )
    s.add_argument(
        "--format",
        choices=["parquet", "csv", "duckdb"],
        default="parquet",
        help="file format (default parquet)",
    )
    s.add_argument("--at", metavar="SNAPSHOT|TIMESTAMP", help="export the warehouse as it was then")
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

    s = sub.add_parser(
        "convert",
        help="convert a single-file DuckDB warehouse into a lake",
        description="Copy every table of FILE (a warehouse of the single-file layout) into a new DuckLake, "
        "in one snapshot. FILE is only read.",
    )
    s.add_argument("file", type=Path, help="the single-file warehouse (.duckdb)")
    s.add_argument("--db", help="the new lake (default: FILE with the suffix .ducklake)")
    s.set_defaults(func=cmd_convert)
