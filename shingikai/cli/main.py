"""The `shingikai` command: thin wrappers that shape arguments and call library functions."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import asdict
from datetime import date, datetime, time
from pathlib import Path

from shingikai.cli.common import NothingDone, UsageError, add_db_option, silence_stdout

# Prefect runs an ephemeral API on this machine; it has nothing to report home
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("shingikai")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "unknown"


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
    if summary.seen == 0:
        where = ", ".join(str(p) for p in args.paths)
        raise NothingDone(
            f"no documents found in {where}: nothing was ingested "
            "(PDF, .txt, .md and .html files are read, hidden folders and README files skipped)"
        )
    print("\n".join(summary.lines()))
    copies = _copies(Path(args.db))
    if copies:
        print(
            f"copies: {copies} files record a meeting that another file records too; "
            "the views count each meeting once (documents.duplicate_of, view meetings_once)"
        )
    return 0


def _copies(db: Path) -> int:
    from shingikai.warehouse import readonly

    if not db.exists():
        return 0
    with readonly(db) as con:
        row = con.execute(
            "SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL"
        ).fetchone()
    return int(row[0]) if row else 0


def cmd_extract(args: argparse.Namespace) -> int:
    from extractors.pipeline import extract_bytes

    path = Path(args.file)
    if path.is_dir():
        raise UsageError(
            f"{path} is a folder: extract reads one file (to load a folder: shingikai ingest {path})"
        )
    extraction = extract_bytes(path.read_bytes(), path.name)
    data = asdict(extraction)
    if not args.with_text and data.get("text"):
        data["text"].pop("raw_text", None)
        data["text"].pop("raw_offsets", None)
    # JSON is the only format; --json is accepted so scripts can say what they expect
    print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
    return 0 if extraction.document.status == "ok" else 1


def _read_sql(args: argparse.Namespace) -> str:
    """The statement: the argument, else the file given with -f, else standard input ("-" or a pipe)."""
    if args.file is not None:
        if args.sql is not None:
            raise UsageError("give the SQL either as an argument or with -f/--file, not both")
        return Path(args.file).read_text(encoding="utf-8")
    if args.sql == "-" or (args.sql is None and not sys.stdin.isatty()):
        return sys.stdin.read()
    if args.sql is None:
        raise UsageError("give a SQL statement, -f FILE, or pipe the SQL into standard input")
    return args.sql


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from shingikai.render import write_result
    from shingikai.warehouse.query import QueryRefused, run_query

    sql = _read_sql(args)
    if not sql.strip():
        raise UsageError("the SQL statement is empty")
    try:
        columns, rows = run_query(Path(args.db), sql)
    except QueryRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except duckdb.PermissionException as exc:  # e.g. FROM 'file.csv': external access is off
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # a mistake in the SQL: say what DuckDB said, without a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    shown = rows[: args.max_rows] if args.format == "table" else rows
    terminal = (
        shutil.get_terminal_size().columns if sys.stdout.isatty() and not args.output else None
    )
    write_result(
        columns, shown, args.format, width=args.width, dest=args.output, line_width=terminal
    )
    if len(shown) < len(rows):
        print(
            f"({len(rows)} rows, the first {len(shown)} shown: -n/--max-rows N shows more)",
            file=sys.stderr,
        )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from shingikai.evaluation import evaluate, format_report
    from shingikai.warehouse import readonly

    gold = Path(args.gold)
    if not gold.is_dir():
        raise UsageError(f"no gold folder at {gold.absolute()}")
    n_gold = len(list(gold.glob("*.json")))
    if not n_gold:
        raise UsageError(f"no gold files (*.json) in {gold.absolute()}")
    with readonly(Path(args.db)) as con:
        result = evaluate(con, gold)
    found = sum(g["documents"] for name, g in result["groups"].items() if name != "missing")
    if not found:  # every gold file scored as missing: the wrong folder or the wrong warehouse
        raise NothingDone(
            f"none of the {n_gold} gold files in {gold} matches a document in {args.db} "
            "(a gold file NAME.json scores the documents named NAME.*): nothing was scored"
        )
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
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser(
        "ingest",
        help="ingest council documents into the warehouse (incremental)",
        description="Discover PDF, text, markdown and HTML files under PATHs, extract every new or changed one, and publish the warehouse atomically.",
    )
    s.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path("data/raw")],
        help="files or folders (default: data/raw)",
    )
    add_db_option(s)
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
    s.add_argument(
        "sql", nargs="?", help="the SQL statement; - (or a pipe) reads it from standard input"
    )
    s.add_argument("-f", "--file", type=Path, help="read the SQL statement from FILE")
    add_db_option(s)
    s.add_argument(
        "--format",
        choices=["table", "csv", "json", "parquet"],
        default="table",
        help="output format (default table; parquet needs -o)",
    )
    s.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write to FILE instead of standard output (CSV files get a UTF-8 BOM for Excel)",
    )
    s.add_argument(
        "-n", "--max-rows", type=int, default=200, help="rows shown in table format (default 200)"
    )
    s.add_argument(
        "--width",
        type=int,
        default=40,
        help="widest cell in table format, in columns (wide characters count 2; default 40)",
    )
    s.set_defaults(func=cmd_query)

    s = sub.add_parser(
        "eval",
        help="score the warehouse against gold annotations",
        description="Score documents in the warehouse against gold JSON files (matched by file stem): per-field precision, recall, F1 or accuracy, and a headline.",
    )
    s.add_argument("--gold", type=Path, required=True, help="folder of gold JSON files")
    add_db_option(s)
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
    from shingikai.render import OutputError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader stopped early (`shingikai query ... | head`): stop quietly, as Unix tools do
        silence_stdout()
        return 141
    except NothingDone as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (UsageError, OutputError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
