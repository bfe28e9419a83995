"""The `shingikai` command: thin wrappers that shape arguments and call library functions."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import asdict
from datetime import date, datetime, time
from pathlib import Path

from shingikai.warehouse import DEFAULT_DB

# Prefect runs an ephemeral API on this machine; it has nothing to report home
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _json_default(o: object) -> object:
    if isinstance(o, (date, datetime, time)):
        return o.isoformat()
    raise TypeError(type(o).__name__)


def cmd_ingest(args: argparse.Namespace) -> int:
    from extractors.reading import Limits
    from flows.ingest import run_ingest

    limits = Limits(
        max_bytes=int(args.max_mb * 1024 * 1024),
        max_pages=args.max_pages,
        timeout_s=args.timeout,
        memory_bytes=int(args.max_memory_gb * 1024**3),
    )
    summary = run_ingest(
        [str(p) for p in args.paths], str(args.db), force=args.force, limits=limits
    )
    print("\n".join(summary.lines()))
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from extractors.pipeline import extract_bytes

    path = Path(args.file)
    extraction = extract_bytes(path.read_bytes(), path.name)
    data = asdict(extraction)
    if not args.with_text and data.get("text"):
        data["text"].pop("raw_text", None)
        data["text"].pop("raw_offsets", None)
    # JSON is the only format; --json is accepted so scripts can say what they expect
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
    return 0 if extraction.document.status == "ok" else 1


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from shingikai.warehouse.query import QueryRefused, run_query

    try:
        frame = run_query(Path(args.db), args.sql, at=args.at)
    except QueryRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except duckdb.PermissionException as exc:  # e.g. FROM 'file.csv': external access is off
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # a mistake in the SQL: say what DuckDB said, without a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.format == "csv":
        frame.to_csv(sys.stdout, index=False)
    elif args.format == "json":
        print(frame.to_json(orient="records", force_ascii=False, date_format="iso"))
    else:
        import pandas as pd

        with pd.option_context(
            "display.max_rows",
            args.max_rows,
            "display.max_columns",
            None,
            "display.width",
            200,
            "display.max_colwidth",
            60,
        ):
            print(frame.to_string(index=False) if len(frame) else "(no rows)")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from shingikai.evaluation import evaluate, format_report
    from shingikai.warehouse import readonly

    with readonly(Path(args.db)) as con:
        result = evaluate(con, Path(args.gold))
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_report(result, show_errors=args.errors))
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from shingikai.warehouse.dictionary import data_dictionary

    print(data_dictionary(markdown=args.markdown))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="shingikai", description="Turn council minutes into a DuckDB research warehouse."
    )
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser(
        "ingest",
        help="ingest council documents into the warehouse (incremental)",
        description="Discover PDF, text, markdown and HTML files under PATHs, extract every new or changed one, and commit them to the warehouse a batch at a time (each commit a snapshot readers see whole).",
    )
    s.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("data/raw")],
        help="files or folders (default: data/raw)",
    )
    s.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default: {DEFAULT_DB})"
    )
    s.add_argument("--force", action="store_true", help="re-extract files that are already loaded")
    s.add_argument(
        "--timeout", type=float, default=300.0, help="seconds one document may take (default 300)"
    )
    s.add_argument(
        "--max-mb", type=float, default=200.0, help="largest file read, in MB (default 200)"
    )
    s.add_argument("--max-pages", type=int, default=2000, help="most PDF pages read (default 2000)")
    s.add_argument(
        "--max-memory-gb",
        type=float,
        default=6.0,
        help="memory (address space) one document's extraction may use, in GiB (default 6)",
    )
    s.set_defaults(func=cmd_ingest)

    s = sub.add_parser(
        "extract",
        help="extract one document and print its records as JSON (no database)",
        description="Read, normalise and extract one file; print every record as JSON.",
    )
    s.add_argument("file", type=Path, help="a PDF, .txt, .md or .html file")
    s.add_argument("--json", action="store_true", help="print JSON (the default and only format)")
    s.add_argument("--with-text", action="store_true", help="include the raw text and offset map")
    s.set_defaults(func=cmd_extract)

    s = sub.add_parser(
        "query",
        help="run read-only SQL against the warehouse and print a table",
        description="Run one read-only SQL statement (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN). Anything that writes is refused.",
    )
    s.add_argument("sql", help="the SQL statement")
    s.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default: {DEFAULT_DB})"
    )
    s.add_argument(
        "--format",
        choices=["table", "csv", "json"],
        default="table",
        help="output format (default table)",
    )
    s.add_argument(
        "--max-rows", type=int, default=200, help="rows shown in table format (default 200)"
    )
    s.add_argument(
        "--at",
        metavar="SNAPSHOT|TIMESTAMP",
        help="read the warehouse as it was at a snapshot id or a time, e.g. 3 or '2026-11-30 21:00'",
    )
    s.set_defaults(func=cmd_query)

    s = sub.add_parser(
        "eval",
        help="score the warehouse against gold annotations",
        description="Score documents in the warehouse against gold JSON files (matched by file stem): per-field precision, recall, F1 or accuracy, and a headline.",
    )
    s.add_argument("--gold", type=Path, required=True, help="folder of gold JSON files")
    s.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default: {DEFAULT_DB})"
    )
    s.add_argument("--json", action="store_true", help="print the scores as JSON")
    s.add_argument("--errors", action="store_true", help="list every mismatch behind the scores")
    s.set_defaults(func=cmd_eval)

    s = sub.add_parser(
        "schema",
        help="print the data dictionary (tables, columns, comments)",
        description="Print every table and view with its columns and their comments, read from the DDL.",
    )
    s.add_argument("--markdown", action="store_true", help="print as markdown")
    s.set_defaults(func=cmd_schema)

    from shingikai.cli import extra

    extra.register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
