"""The `shingikai` command: one parser; each command a short function that shapes its arguments
and calls the library (`shingikai.*`), or a flow (`flows.*`) for the commands that orchestrate."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from dataclasses import asdict
from datetime import date, datetime, time
from pathlib import Path

from shingikai.cli.common import NothingDone, UsageError, silence_stdout
from shingikai.paths import DEFAULT_DB, DEFAULT_RAW, DEFAULT_SOURCES, default_db

_Sub = argparse._SubParsersAction  # type: ignore[type-arg]


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


def _limits(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The per-document limits of `ingest` and `extract` (one set of options for both)."""
    from extractors.reading import Limits

    return Limits(
        max_bytes=int(args.max_mb * 1024 * 1024),
        max_pages=args.max_pages,
        max_chars=args.max_chars,
        timeout_s=args.timeout,
        memory_bytes=int(args.max_memory_gb * 1024**3),
    )


def cmd_ingest(args: argparse.Namespace) -> int:
    from flows.launch import (
        ServerStartError,
        run_ingest,
    )  # Prefect: only in commands that run a flow

    try:
        summary = run_ingest(
            [str(p) for p in args.paths],
            str(args.db),
            force=args.force,
            limits=_limits(args),
            dask=args.dask,
            workers=args.workers,
            verbose=args.verbose,
        )
    except ServerStartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    if summary.seen == 0:
        where = ", ".join(str(p) for p in args.paths)
        raise NothingDone(
            f"no documents found in {where}: nothing was ingested "
            "(PDF, .txt, .md and .html files are read, hidden folders and README files skipped)"
        )
    print("\n".join(summary.lines()))
    copies = _copies(args.db)
    if copies:
        print(
            f"copies: {copies} files record a meeting that another file records too; "
            "the views count each meeting once (documents.duplicate_of, view meetings_once)"
        )
    return 0


def _copies(db: Path | str) -> int:
    from shingikai.warehouse import readonly
    from shingikai.warehouse.store import exists

    if not exists(db):
        return 0
    with readonly(db) as con:
        row = con.execute(
            "SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL"
        ).fetchone()
    return int(row[0]) if row else 0


def cmd_extract(args: argparse.Namespace) -> int:
    from shingikai.sandbox import extract_in_sandbox

    path = Path(args.file)
    if path.is_dir():
        raise UsageError(
            f"{path} is a folder: extract reads one file (to load a folder: shingikai ingest {path})"
        )
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    # the same sandbox and limits as ingest: a hostile file cannot hang or exhaust the machine
    extraction = extract_in_sandbox(path, path.name, _limits(args))
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
    from shingikai.warehouse.query import QueryLimit, QueryRefused, execute_query

    sql = _read_sql(args)
    if not sql.strip():
        raise UsageError("the SQL statement is empty")
    try:
        result = execute_query(
            Path(args.db),
            sql,
            max_rows=args.max_rows,
            timeout_s=args.timeout,
            memory_gb=args.max_memory_gb,
            at=args.at,
        )
    except QueryLimit as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except QueryRefused as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except duckdb.PermissionException as exc:  # e.g. FROM 'file.csv': external access is off
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except duckdb.Error as exc:  # a mistake in the SQL: say what DuckDB said, without a traceback
        print(f"error: {exc}", file=sys.stderr)
        return 1
    terminal = (
        shutil.get_terminal_size().columns if sys.stdout.isatty() and not args.output else None
    )
    write_result(
        result.columns,
        result.rows,
        args.format,
        width=args.width,
        dest=args.output,
        line_width=terminal,
    )
    if result.truncated:
        print(
            f"(only the first {args.max_rows} rows: raise --max-rows to see more)", file=sys.stderr
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
        written = export(
            Path(args.db), Path(args.dir), args.format, bom=not args.no_bom, at=args.at
        )
    except FileExistsError as exc:
        raise UsageError(str(exc)) from None
    for name, kind, path, rows in written:
        print(f"{kind:<5} {name:<32} {rows:>7} rows  {path}")
    what = "tables and views" if args.format == "duckdb" else "files"
    print(f"{len(written)} {what} written to {args.dir}")
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from shingikai.warehouse.convert import convert

    where, copied = convert(Path(args.file), args.db)
    for table, rows in copied.items():
        print(f"{table:<32} {rows:>7} rows")
    print(f"converted {args.file} into the lake {where}")
    return 0


def cmd_maintain(args: argparse.Namespace) -> int:
    from shingikai.warehouse.lake import interval, keep_snapshots_policy, maintain, single_file

    if single_file(args.db) is not None:
        raise UsageError(
            f"{args.db} is a single-file warehouse: only a lake (.ducklake) has files to tidy"
        )
    keep_snapshots = args.keep_snapshots or keep_snapshots_policy()
    try:
        interval(args.keep_for)
        interval(keep_snapshots)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    done = maintain(args.db, keep_for=args.keep_for, keep_snapshots=keep_snapshots)
    print(
        f"data files read by the latest snapshot: {done.files_before} -> {done.files_after}; "
        f"snapshots older than {keep_snapshots} expired: {done.expired}; "
        f"files deleted: {done.removed}"
    )
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


def _check_sources(path: Path) -> None:
    """Read the sources file before any flow starts, so a mistake in it is one line."""
    from shingikai.fetch import SourcesError, load_sources

    try:
        load_sources(path)
    except SourcesError as exc:
        raise UsageError(str(exc)) from None


def cmd_fetch(args: argparse.Namespace) -> int:
    from flows.nightly import run_fetch

    _check_sources(args.sources)

    summary = run_fetch(
        sources=str(args.sources),
        raw=str(args.raw),
        delay=args.delay,
        retries=args.retries,
        backoff=args.backoff,
        timeout=args.http_timeout,
        deadline=args.download_timeout,
    )
    print("\n".join(summary.lines()))
    return 1 if summary.failed else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.nightly import NoServer, serve_nightly
    from shingikai.run_parameters import ParameterRefused, default_roots

    _check_sources(args.sources)

    roots = [p.resolve() for p in args.allow_root] or default_roots(args.sources, args.raw, args.db)
    params = {
        "sources": str(Path(args.sources).resolve()),
        "raw": str(Path(args.raw).resolve()),
        "db": str(Path(args.db).resolve()),
        "delay": args.delay,
        "retries": args.retries,
        "backoff": args.backoff,
    }
    try:
        serve_nightly(
            name=args.name, cron=args.cron, timezone=args.timezone, parameters=params, roots=roots
        )
    except (NoServer, ParameterRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _env_path(name: str, default: Path) -> Path:
    return Path(os.environ.get(name, str(default)))


def _add_db(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--db",
        type=Path,
        default=default_db(),
        help=f"warehouse file (default: $SHINGIKAI_DB, else {DEFAULT_DB})",
    )


def _add_ingest(sub: _Sub) -> None:
    s = sub.add_parser(
        "ingest",
        help="ingest council documents into the warehouse (incremental)",
        description="Discover PDF, text, markdown and HTML files under PATHs, extract every new or changed one, and commit them to the warehouse a batch at a time (each commit a snapshot readers see whole).",
    )
    s.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[DEFAULT_RAW],
        help="files or folders (default: data/raw)",
    )
    _add_db(s)
    s.add_argument("--force", action="store_true", help="re-extract files that are already loaded")
    _add_limits(s)
    s.add_argument(
        "--dask",
        nargs="?",
        const="local",
        default=None,
        metavar="ADDRESS|local",
        help="run extraction on Dask: 'local' starts a temporary local cluster, "
        "an address (tcp://host:8786) uses an existing scheduler",
    )
    s.add_argument(
        "--workers",
        type=int,
        default=None,
        help="extraction processes (default: one per CPU), or workers of a local Dask cluster (default 2)",
    )
    s.add_argument(
        "--verbose",
        action="store_true",
        help="show Prefect's log lines (every flow and task run) as well",
    )
    s.set_defaults(func=cmd_ingest)


def _add_limits(s: argparse.ArgumentParser) -> None:
    """The per-document limits, the same for `ingest` and `extract`."""
    s.add_argument(
        "--timeout", type=float, default=300.0, help="seconds one document may take (default 300)"
    )
    s.add_argument(
        "--max-mb", type=float, default=200.0, help="largest file read, in MB (default 200)"
    )
    s.add_argument("--max-pages", type=int, default=2000, help="most PDF pages read (default 2000)")
    s.add_argument(
        "--max-chars",
        type=int,
        default=20_000_000,
        help="most characters of text read from one document (default 20,000,000)",
    )
    s.add_argument(
        "--max-memory-gb",
        type=float,
        default=6.0,
        help="memory (address space) one document's extraction may use, in GiB (default 6)",
    )


def _add_extract(sub: _Sub) -> None:
    s = sub.add_parser(
        "extract",
        help="extract one document and print its records as JSON (no database)",
        description="Read, normalise and extract one file; print every record as JSON.",
    )
    s.add_argument("file", type=Path, help="a PDF, .txt, .md or .html file")
    s.add_argument("--json", action="store_true", help="print JSON (the default and only format)")
    s.add_argument("--with-text", action="store_true", help="include the raw text and offset map")
    _add_limits(s)
    s.set_defaults(func=cmd_extract)


def _add_query(sub: _Sub) -> None:
    s = sub.add_parser(
        "query",
        help="run read-only SQL against the warehouse and print a table",
        description="Run one read-only SQL statement (SELECT, WITH, DESCRIBE, SHOW, EXPLAIN). Anything that writes is refused.",
    )
    s.add_argument(
        "sql", nargs="?", help="the SQL statement; - (or a pipe) reads it from standard input"
    )
    s.add_argument("-f", "--file", type=Path, help="read the SQL statement from FILE")
    _add_db(s)
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
        "-n",
        "--max-rows",
        type=int,
        default=200,
        help="rows fetched and printed, in every format (default 200)",
    )
    s.add_argument(
        "--width",
        type=int,
        default=40,
        help="widest cell in table format, in columns (wide characters count 2; default 40)",
    )
    s.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds the query may run before it is stopped (default 60)",
    )
    s.add_argument(
        "--max-memory-gb",
        type=float,
        default=2.0,
        help="memory the query may use, in GiB (default 2)",
    )
    s.add_argument(
        "--at",
        metavar="SNAPSHOT|TIMESTAMP",
        help="read the warehouse as it was at a snapshot id or a time, e.g. 3 or '2026-11-30 21:00'",
    )
    s.set_defaults(func=cmd_query)


def _add_eval(sub: _Sub) -> None:
    s = sub.add_parser(
        "eval",
        help="score the warehouse against gold annotations",
        description="Score documents in the warehouse against gold JSON files (matched by file stem): per-field precision, recall, F1 or accuracy, and a headline.",
    )
    s.add_argument("--gold", type=Path, required=True, help="folder of gold JSON files")
    _add_db(s)
    s.add_argument("--json", action="store_true", help="print the scores as JSON")
    s.add_argument("--errors", action="store_true", help="list every mismatch behind the scores")
    s.set_defaults(func=cmd_eval)


def _add_schema(sub: _Sub) -> None:
    s = sub.add_parser(
        "schema",
        help="print the data dictionary (tables, columns, comments)",
        description="Print every table and view with its columns and their comments, read from the DDL.",
    )
    s.add_argument("--markdown", action="store_true", help="print as markdown")
    s.set_defaults(func=cmd_schema)


def _add_search(sub: _Sub) -> None:
    s = sub.add_parser(
        "search",
        help="find utterances, consultation titles, contractors and data items containing keywords",
        description="Segment the keywords with Sudachi (SplitMode.C) and list every utterance, "
        "consultation title, contractor and data item whose words include all of them: document, "
        "date, municipality, speaker, snippet with every keyword in 【】. Copies of a meeting are "
        "searched once. Read-only.",
    )
    s.add_argument("keywords", help='keywords, e.g. "個人情報 委託"')
    _add_db(s)
    s.add_argument("-n", "--limit", type=int, default=50, help="most hits shown (default 50)")
    s.add_argument("--json", action="store_true", help="print hits as JSON")
    s.set_defaults(func=cmd_search)


def _add_export(sub: _Sub) -> None:
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
    s.add_argument(
        "--no-bom",
        action="store_true",
        help="CSV without the UTF-8 byte-order mark that Japanese Excel needs to read UTF-8",
    )
    s.add_argument("--at", metavar="SNAPSHOT|TIMESTAMP", help="export the warehouse as it was then")
    _add_db(s)
    s.set_defaults(func=cmd_export)


def _add_convert(sub: _Sub) -> None:
    s = sub.add_parser(
        "convert",
        help="convert a single-file DuckDB warehouse into a lake",
        description="Copy every table of FILE (a warehouse of the single-file layout) into a new DuckLake, "
        "in one snapshot. FILE is only read.",
    )
    s.add_argument("file", type=Path, help="the single-file warehouse (.duckdb)")
    s.add_argument("--db", help="the new lake (default: FILE with the suffix .ducklake)")
    s.set_defaults(func=cmd_convert)


def _add_maintain(sub: _Sub) -> None:
    s = sub.add_parser(
        "maintain",
        help="merge the lake's small files and delete the files no snapshot needs",
        description="Merge the small Parquet files each ingest batch writes (every snapshot stays "
        "readable), expire the snapshots older than --keep-snapshots, then delete the files no snapshot reads any more and those a killed ingest left "
        "uncommitted, once older than --keep-for. The nightly flow runs it after ingesting.",
    )
    _add_db(s)
    s.add_argument(
        "--keep-for",
        default="1 day",
        metavar="INTERVAL",
        help="keep unneeded files this long, for queries still reading them (default: 1 day)",
    )
    s.add_argument(
        "--keep-snapshots",
        metavar="INTERVAL",
        help="expire snapshots older than this: time travel reaches back this far "
        "(default: $SHINGIKAI_KEEP_SNAPSHOTS, else 90 days)",
    )
    s.set_defaults(func=cmd_maintain)


def _add_show(sub: _Sub) -> None:
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
    _add_db(s)
    s.add_argument(
        "-o",
        "--out",
        "--output",
        dest="out",
        type=Path,
        help="output HTML file (default data/show/<document_id prefix>.html, git-ignored)",
    )
    s.set_defaults(func=cmd_show)


def _add_fetch_options(s: argparse.ArgumentParser) -> None:
    """Options shared by `fetch` and `serve`: where the sources are, where files go, politeness."""
    s.add_argument(
        "--sources",
        type=Path,
        default=_env_path("SHINGIKAI_SOURCES", DEFAULT_SOURCES),
        help="sources file, TOML or JSON (default data/sources.toml, or $SHINGIKAI_SOURCES)",
    )
    s.add_argument(
        "--raw",
        type=Path,
        default=_env_path("SHINGIKAI_RAW", DEFAULT_RAW),
        help="where documents are saved (default data/raw, or $SHINGIKAI_RAW)",
    )
    s.add_argument(
        "--delay", type=float, default=1.0, help="seconds between HTTP requests (default 1)"
    )
    s.add_argument("--retries", type=int, default=3, help="retries on 5xx and timeouts (default 3)")
    s.add_argument(
        "--backoff",
        type=float,
        default=2.0,
        help="first retry wait in s, doubled each time (default 2)",
    )


def _add_fetch(sub: _Sub) -> None:
    s = sub.add_parser(
        "fetch",
        help="download new or changed documents listed in the sources file",
        description="Read each municipality's index page, download matching same-host links "
        "(size-limited, politely, with retries) into RAW/<municipality>/, and keep a "
        "ledger so unchanged documents are not downloaded again.",
    )
    _add_fetch_options(s)
    s.add_argument(
        "--http-timeout", type=float, default=30.0, help="seconds per HTTP request (default 30)"
    )
    s.add_argument(
        "--download-timeout",
        type=float,
        default=600.0,
        help="seconds one download may take in all, retries included (default 600)",
    )
    s.set_defaults(func=cmd_fetch)


def _add_serve(sub: _Sub) -> None:
    s = sub.add_parser(
        "serve",
        help="serve the nightly fetch+ingest flow on a cron schedule (Prefect deployment)",
        description="Register the nightly flow (fetch, then ingest) as a Prefect deployment with a "
        "cron schedule and run it when due. Needs PREFECT_API_URL pointing at a server that "
        "answers; without one it stops at once.",
    )
    _add_fetch_options(s)
    _add_db(s)
    s.add_argument("--cron", default="0 2 * * *", help='cron schedule (default "0 2 * * *")')
    s.add_argument(
        "--timezone", default="Asia/Tokyo", help="timezone of the schedule (default Asia/Tokyo)"
    )
    s.add_argument("--name", default="nightly", help="deployment name (default nightly)")
    s.add_argument(
        "--allow-root",
        type=Path,
        action="append",
        default=[],
        help="a folder runs may read and write in (repeatable); runs created through the Prefect "
        "API with paths elsewhere are refused (default: the folders of --sources, --raw and --db)",
    )
    s.set_defaults(func=cmd_serve)


COMMANDS = (
    _add_ingest,
    _add_extract,
    _add_query,
    _add_eval,
    _add_schema,
    _add_search,
    _add_export,
    _add_convert,
    _add_maintain,
    _add_show,
    _add_fetch,
    _add_serve,
)


def build_parser() -> argparse.ArgumentParser:
    """The one parser: every command with its options and its handler."""
    p = argparse.ArgumentParser(
        prog="shingikai", description="Turn council minutes into a DuckDB research warehouse."
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    import duckdb

    from shingikai.render import OutputError
    from shingikai.warehouse import (
        CatalogUnreachable,
        OutOfSpace,
        WarehouseBusy,
        catalog_unreachable,
    )
    from shingikai.warehouse.lake import SingleFileWarehouse

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
    except (UsageError, OutputError, FileNotFoundError, SingleFileWarehouse) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (WarehouseBusy, OutOfSpace, CatalogUnreachable) as exc:  # the operator's: one line
        print(f"error: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 1
    except duckdb.Error as exc:
        if not catalog_unreachable(exc):
            raise
        first = str(exc).splitlines()[0][:300]
        print(f"error: the warehouse's catalog could not be reached: {first}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # what was running has been stopped on the way out
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
