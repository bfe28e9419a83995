"""Analysis commands: search, export, show."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from shingikai.cli.common import UsageError, add_db_option


def cmd_search(args: argparse.Namespace) -> int:
    from shingikai.search import format_hits, search_counted

    if not args.keywords.strip():
        raise UsageError('give at least one keyword, e.g. shingikai search "個人情報 委託"')
    try:
        hits, total = search_counted(Path(args.db), args.keywords, limit=args.limit)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps([asdict(h) for h in hits], ensure_ascii=False, indent=2))
        if total > len(hits):
            print(f"{total} hits in all, {len(hits)} shown (-n/--limit N)", file=sys.stderr)
    else:
        for line in format_hits(hits, total).splitlines():  # a closed pipe is noticed at once
            print(line)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from shingikai.warehouse.export import export

    try:
        written = export(Path(args.db), Path(args.dir), args.format, bom=not args.no_bom)
    except FileExistsError as exc:
        raise UsageError(str(exc)) from None
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
        help="find utterances, consultation titles, contractors and data items containing keywords",
        description="Segment the keywords with Sudachi (SplitMode.C) and list every utterance, "
        "consultation title, contractor and data item whose words include all of them: document, "
        "date, municipality, speaker, snippet with every keyword in 【】. Copies of a meeting are "
        "searched once. Read-only.",
    )
    s.add_argument("keywords", help='keywords, e.g. "個人情報 委託"')
    add_db_option(s)
    s.add_argument("-n", "--limit", type=int, default=50, help="most hits shown (default 50)")
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
        "--no-bom",
        action="store_true",
        help="CSV without the UTF-8 byte-order mark that Japanese Excel needs to read UTF-8",
    )
    add_db_option(s)
    s.set_defaults(func=cmd_export)

    s = sub.add_parser(
        "show",
        help="write an HTML page of one document with every extracted value highlighted",
        description="Render DOCUMENT (a document_id prefix, a source_path, or the file itself) as one "
        "self-contained HTML page: its text with contractors, data items, evidence, reports and "
        "conditions highlighted and page numbers marked, a link to the source file, the other "
        "files that record the same meeting, and a table of records linking to the spans.",
    )
    s.add_argument(
        "document", help="document_id prefix, source_path, or the file as given to ingest"
    )
    add_db_option(s)
    s.add_argument(
        "-o",
        "--out",
        "--output",
        dest="out",
        type=Path,
        help="output HTML file (default data/show/<document_id prefix>.html, git-ignored)",
    )
    s.set_defaults(func=cmd_show)
