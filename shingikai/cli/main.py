"""The `shingikai` command: one parser; each command a short function that shapes its arguments
and calls the library (`shingikai.*`), or a flow (`flows.*`) for the commands that orchestrate."""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
from dataclasses import asdict
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, NoReturn

from shingikai.cli import corrections as corrections_cli
from shingikai.cli.common import NothingDone, UsageError, add_db, silence_stdout
from shingikai.paths import DEFAULT_RAW, DEFAULT_SOURCES

_Sub = argparse._SubParsersAction  # type: ignore[type-arg]


class _Parser(argparse.ArgumentParser):
    """argparse, with a mistake said in one line (the usage it prints first is a screenful)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see {self.prog} --help)\n")


def _number(kind: type[int] | type[float], low: float, above: bool = False) -> Any:
    """An argparse type: a finite `kind` at least `low` (more than `low` when `above`)."""

    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value) or value < low or (above and value == low):
            bound = "more than" if above else "at least"
            raise argparse.ArgumentTypeError(f"{text} is not allowed: give {bound} {low:g}")
        return value

    parse.__name__ = kind.__name__
    return parse


POSITIVE = _number(float, 0, above=True)  # seconds, sizes: 0 or less means nothing


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
    from shingikai.progress import Steps

    # what the run is doing, from its first second (Prefect and GiNZA take a while to start)
    with Steps(started=args.started) as steps:
        steps.step(f"finding files in {', '.join(str(p) for p in args.paths)}")
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
                steps=steps,
                temporary_server=args.temporary_server,
            )
        except ServerStartError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 3
        summary.seconds = steps.elapsed()  # the whole run's, not only the flow's
    if summary.seen == 0:
        where = ", ".join(str(p) for p in args.paths)
        raise NothingDone(
            f"no documents found in {where}: nothing was ingested "
            "(PDF, .txt, .md and .html files are read, hidden folders and README files skipped)"
        )
    print("\n".join(summary.lines()))
    copies = summary.copies if summary.copies is not None else _copies(args.db)
    if copies:
        print(
            f"copies: {copies} files record a meeting that another file records too; "
            "the views count each meeting once (documents.duplicate_of, view meetings_once)"
        )
    corrected = corrections_cli.ingest_note(Path(args.db))
    if corrected:
        print(corrected)
    if summary.new and summary.failed == summary.new:  # a script must not take this for success
        print(
            f"error: none of the {summary.new} new files could be loaded (the reasons are above)",
            file=sys.stderr,
        )
        return 1
    return 0


def _process_started() -> float:
    """When this process started, on the time.monotonic() clock (the interpreter's start counts)."""
    import time as clock

    import psutil

    return clock.monotonic() - max(0.0, clock.time() - psutil.Process().create_time())


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
        path = Path(args.file)
        if path.is_dir():
            raise UsageError(f"{path} is a folder: -f/--file reads the SQL from one file")
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read the SQL from {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{path} is not UTF-8 text: -f/--file reads a SQL file") from None
    if args.sql == "-" or (args.sql is None and not sys.stdin.isatty()):
        return sys.stdin.read()
    if args.sql is None:
        raise UsageError("give a SQL statement, -f FILE, or pipe the SQL into standard input")
    return args.sql


# a file's format from its suffix when --format does not say
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".xlsx": "xlsx"}
# rows fetched for "every row": what DuckDB's fetchmany takes as "no limit"
EVERY_ROW = sys.maxsize - 1


def _query_output(args: argparse.Namespace) -> tuple[str, int]:
    """The format and the most rows of a query's result: a file gets every row unless -n says
    otherwise (the screen 200), -n 0 is every row, and a file's suffix names its format."""
    out = args.output
    fmt = args.format
    if out is not None:
        if out.is_dir():
            raise UsageError(
                f"{out} is a folder: -o/--output writes one file, e.g. {out / 'result.csv'}"
            )
        if not out.parent.is_dir():
            raise UsageError(f"no folder {out.parent} to write {out.name} into")
        by_suffix = SUFFIX_FORMATS.get(out.suffix.lower())
        if fmt is None:
            fmt = by_suffix or "table"
        elif by_suffix is not None and by_suffix != fmt:
            raise UsageError(f"{out} ends in {out.suffix} but --format is {fmt}: make them agree")
    fmt = fmt or "table"
    if args.max_rows is None:
        return fmt, EVERY_ROW if out is not None else 200
    return fmt, args.max_rows or EVERY_ROW


def cmd_query(args: argparse.Namespace) -> int:
    import duckdb

    from shingikai.render import write_result
    from shingikai.warehouse.query import QueryLimit, QueryRefused, check_output, execute_query

    sql = _read_sql(args)
    if not sql.strip():
        raise UsageError("the SQL statement is empty")
    fmt, max_rows = _query_output(args)
    try:
        if args.output is not None:
            check_output(
                args.output, args.db, args.force, ask=sys.stdin.isatty() and args.sql != "-"
            )
        result = execute_query(
            Path(args.db),
            sql,
            max_rows=max_rows,
            timeout_s=args.timeout,
            memory_gb=args.max_memory_gb,
            at=args.at,
            bound_process=True,
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
        print(f"error: {duckdb_message(exc)}", file=sys.stderr)
        return 1
    terminal = (
        shutil.get_terminal_size().columns if sys.stdout.isatty() and not args.output else None
    )
    try:
        write_result(
            result.columns,
            result.rows,
            fmt,
            width=args.width,
            dest=args.output,
            line_width=terminal,
        )
    except OSError as exc:
        if args.output is None:  # standard output (a closed pipe is main's to handle)
            raise
        print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if result.truncated:
        print(
            f"(only the first {max_rows} rows: raise --max-rows to see more)",
            file=sys.stderr,
        )
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from shingikai.evaluation import evaluate, format_report
    from shingikai.warehouse import readonly

    if args.corrections:  # researchers' corrections and confirmations as the gold
        return corrections_cli.cmd_eval_corrections(args)
    if args.gold is None:
        raise UsageError("give --gold DIR (hand-made gold files) or --corrections")
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


def _existing_warehouse(db: Path) -> None:
    """Only `ingest` and `convert` create a warehouse: any other command given a --db that names
    none says so before it writes anything (a typo must not leave an empty lake or folder)."""
    from shingikai.warehouse.lake import location, single_file

    path = single_file(db)
    if not (path.exists() if path is not None else location(db).exists()):
        where = path.absolute() if path is not None else location(db)
        raise FileNotFoundError(
            f"no warehouse at {where}: run `shingikai ingest` first, "
            "or name one with --db or $SHINGIKAI_DB"
        )


def cmd_export(args: argparse.Namespace) -> int:
    from shingikai.warehouse.export import export

    _existing_warehouse(Path(args.db))
    try:
        written = export(
            Path(args.db), Path(args.dir), args.format, bom=not args.no_bom, at=args.at
        )
    except FileExistsError as exc:
        raise UsageError(str(exc)) from None
    notes = [name for name, kind, _, _ in written if kind == "note"]
    written = [w for w in written if w[1] != "note"]
    for name, kind, path, rows in written:
        print(f"{kind:<5} {name:<32} {rows:>7} rows  {path}")
    for note in notes:
        print(f"note: {note}")
    if args.format in ("duckdb", "xlsx"):
        print(
            f"{len(written)} tables and views written to {written[0][2] if written else args.dir}"
        )
    else:
        print(f"{len(written)} files written to {args.dir}")
    return 0


def cmd_convert(args: argparse.Namespace) -> int:
    from shingikai.warehouse.convert import convert

    try:
        where, copied = convert(Path(args.file), args.db)
    except ValueError as exc:  # not a single-file warehouse, or a lake already there
        raise UsageError(str(exc)) from None
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
    _existing_warehouse(Path(args.db))
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


# ---- digest (issue 21)
def cmd_digest(args: argparse.Namespace) -> int:
    from shingikai.digest import WatchError, write_digest

    try:
        digest = write_digest(Path(args.db), args.watch, args.out, args.show_dir)
    except WatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{digest.markdown_path} and {digest.html_path}: {len(digest.entries)} 諮問 new or moved")
    return 0


def _add_digest(sub: _Sub) -> None:
    s = sub.add_parser(
        "digest",
        help="list the 諮問 new or moved a stage since the last digest that match a watch list",
        description="Write a Markdown and an HTML digest of the 諮問 that are new, or moved a "
        "stage, since the last digest written to the same folder, and match the watch list "
        "(terms, contractors, data items, local governments: a TOML file, see docs/watch.md), "
        "with a `show` page for every document they name. The nightly flow does the same after "
        "each ingest when given a watch list.",
    )
    s.add_argument("--watch", type=Path, required=True, help="the watch list (TOML)")
    _add_db(s)
    s.add_argument(
        "-o",
        "--out",
        type=Path,
        default=Path("data/digest"),
        help="folder of the digests and of what they reported (default data/digest, git-ignored)",
    )
    s.add_argument(
        "--show-dir",
        type=Path,
        default=None,
        help="folder of the show pages the digest links to (default: show beside --out)",
    )
    s.set_defaults(func=cmd_digest)


# ---- end digest


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


def _db_param(db: str | Path) -> str:
    """`--db` as a run's parameter: a path made absolute (after its `ducklake:` or `sqlite:`
    prefix, kept), a PostgreSQL location as written. A run's process reads a relative path
    from its own folder, not the operator's."""
    text = str(db)
    rest = text.removeprefix("ducklake:")
    if rest.startswith(("postgres:", "postgresql:")):
        return text
    rest = rest.removeprefix("sqlite:")
    return text[: len(text) - len(rest)] + str(Path(rest).resolve())


def _nightly_parameters(args: argparse.Namespace) -> dict[str, Any]:
    """The nightly runs' parameters from `serve`'s or `deploy`'s options, paths made absolute."""
    params: dict[str, Any] = {
        "sources": str(Path(args.sources).resolve()),
        "raw": str(Path(args.raw).resolve()),
        "db": _db_param(args.db),
        "delay": args.delay,
        "retries": args.retries,
        "backoff": args.backoff,
    }
    if args.watch is not None:  # issue 21: the nightly digest
        params["watch"] = str(Path(args.watch).resolve())
        params["digest"] = str(Path(args.digest_dir).resolve())
    return params


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.nightly import NoServer, serve_nightly
    from shingikai.run_parameters import ParameterRefused, default_roots

    _check_sources(args.sources)

    roots = [p.resolve() for p in args.allow_root] or default_roots(args.sources, args.raw, args.db)
    if args.watch is not None and not args.allow_root:  # issue 21: the digest's own folders
        roots = sorted({*roots, args.watch.resolve().parent, args.digest_dir.resolve()})
    try:
        serve_nightly(
            name=args.name,
            cron=args.cron,
            timezone=args.timezone,
            parameters=_nightly_parameters(args),
            roots=roots,
            dbs=[_db_param(db) for db in args.allow_db] or None,
        )
    except (NoServer, ParameterRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    from flows.nightly import NoServer, WrongPool, deploy_nightly

    _check_sources(args.sources)
    try:
        said = deploy_nightly(
            pool=args.pool,
            name=args.name,
            cron=args.cron,
            timezone=args.timezone,
            parameters=_nightly_parameters(args),
        )
    except (NoServer, WrongPool) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(said)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from flows.nightly import NoServer, WrongPool, start_worker
    from shingikai.run_parameters import ParameterRefused

    try:
        start_worker(
            pool=args.pool,
            roots=[p.resolve() for p in args.allow_root],
            dbs=[_db_param(db) for db in args.allow_db] or None,
            name=args.worker_name,
        )
    except (NoServer, WrongPool, ParameterRefused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0  # not reached: the process became the worker


def cmd_server(args: argparse.Namespace) -> int:
    from flows import local_server

    if args.action == "start":
        server = local_server.start()
        how = "already running" if server.reused else "started"
        print(f"local Prefect server {how}: {server.api_url} (pid {server.state.pid})")
    elif args.action == "stop":
        try:
            state = local_server.stop(force=args.force)
        except local_server.ServerInUse as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(
            f"stopped the local Prefect server (pid {state.pid})"
            if state
            else "no local Prefect server was running"
        )
    else:
        print("\n".join(local_server.status().lines()))
    return 0


def _env_path(name: str, default: Path) -> Path:
    return Path(os.environ.get(name, str(default)))


_add_db = add_db


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
        type=_number(int, 1),
        default=None,
        help="extraction processes (default: one per CPU), or workers of a local Dask cluster (default 2)",
    )
    s.add_argument(
        "--verbose",
        action="store_true",
        help="show Prefect's log lines (every flow and task run) as well",
    )
    s.add_argument(
        "--temporary-server",
        action="store_true",
        help="without PREFECT_API_URL, start a Prefect server for this run only instead of "
        "reusing the local one (as SHINGIKAI_PREFECT_SERVER=temporary does)",
    )
    s.set_defaults(func=cmd_ingest)


def _add_limits(s: argparse.ArgumentParser) -> None:
    """The per-document limits, the same for `ingest` and `extract`."""
    s.add_argument(
        "--timeout",
        type=POSITIVE,
        default=300.0,
        help="seconds one document may take (default 300)",
    )
    s.add_argument(
        "--max-mb", type=POSITIVE, default=200.0, help="largest file read, in MB (default 200)"
    )
    s.add_argument(
        "--max-pages", type=_number(int, 1), default=2000, help="most PDF pages read (default 2000)"
    )
    s.add_argument(
        "--max-chars",
        type=_number(int, 1),
        default=20_000_000,
        help="most characters of text read from one document (default 20,000,000)",
    )
    s.add_argument(
        "--max-memory-gb",
        type=POSITIVE,
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
        choices=["table", "csv", "json", "parquet", "xlsx"],
        default=None,
        help="output format (default: from the suffix of -o FILE, .csv .json .parquet .xlsx, else "
        "table; parquet and xlsx need -o; csv lines end in LF)",
    )
    s.add_argument(
        "-o",
        "--output",
        type=Path,
        help="write to FILE instead of standard output (CSV files get a UTF-8 BOM for Excel)",
    )
    s.add_argument(
        "--force", action="store_true", help="replace the -o file if it exists, without asking"
    )
    s.add_argument(
        "-n",
        "--max-rows",
        type=_number(int, 0),
        default=None,
        help="most rows fetched, in every format; 0: every row (default: 200 on the screen, "
        "every row into -o FILE)",
    )
    s.add_argument(
        "--width",
        type=_number(int, 1),
        default=40,
        help="widest cell in table format, in columns (wide characters count 2; default 40)",
    )
    s.add_argument(
        "--timeout",
        type=POSITIVE,
        default=60.0,
        help="seconds the query may run before it is stopped (default 60)",
    )
    s.add_argument(
        "--max-memory-gb",
        type=POSITIVE,
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
        description="Score documents in the warehouse against gold JSON files (matched by file stem): per-field precision, recall, F1 or accuracy, and a headline; or (--corrections) the extractor against the values researchers corrected or confirmed.",
    )
    s.add_argument("--gold", type=Path, help="folder of gold JSON files")
    s.add_argument(
        "--corrections",
        action="store_true",
        help="score the extractor against every value researchers corrected or confirmed",
    )
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
    s.add_argument(
        "-n", "--limit", type=_number(int, 1), default=50, help="most hits shown (default 50)"
    )
    s.add_argument("--json", action="store_true", help="print hits as JSON")
    s.set_defaults(func=cmd_search)


def _add_export(sub: _Sub) -> None:
    s = sub.add_parser(
        "export",
        help="write every table and view to Parquet or CSV files, an Excel workbook, or one DuckDB file",
        description="Copy every warehouse table and view to DIR/<name>.parquet or .csv (lines ending in LF), "
        "to the sheets of one Excel workbook FILE (--format xlsx: a sheet per table and view, a header row; "
        "a table past Excel's 1,048,576 rows continues on further sheets), or (--format duckdb) "
        "the whole snapshot with its tables, views and comments to one DuckDB FILE, from a read-only connection.",
    )
    s.add_argument(
        "dir",
        metavar="DIR|FILE",
        type=Path,
        help="output folder, or file for --format xlsx or duckdb",
    )
    s.add_argument(
        "--format",
        choices=["parquet", "csv", "xlsx", "duckdb"],
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
        "files that record the same meeting, the other documents of each 諮問's history (its "
        "earlier and later meetings and its 答申, linked to their pages), and a table of records "
        "linking to the spans.",
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
        "--delay",
        type=_number(float, 0),
        default=1.0,
        help="seconds between HTTP requests (default 1)",
    )
    s.add_argument(
        "--retries", type=_number(int, 0), default=3, help="retries on 5xx and timeouts (default 3)"
    )
    s.add_argument(
        "--backoff",
        type=_number(float, 0),
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
        "--http-timeout", type=POSITIVE, default=30.0, help="seconds per HTTP request (default 30)"
    )
    s.add_argument(
        "--download-timeout",
        type=POSITIVE,
        default=600.0,
        help="seconds one download may take in all, retries included (default 600)",
    )
    s.set_defaults(func=cmd_fetch)


def _add_schedule_options(s: argparse.ArgumentParser) -> None:
    """Options shared by `serve` and `deploy`: the runs' parameters and the schedule."""
    _add_fetch_options(s)
    _add_db(s)
    s.add_argument("--cron", default="0 2 * * *", help='cron schedule (default "0 2 * * *")')
    s.add_argument(
        "--timezone", default="Asia/Tokyo", help="timezone of the schedule (default Asia/Tokyo)"
    )
    s.add_argument("--name", default="nightly", help="deployment name (default nightly)")
    s.add_argument(
        "--watch",
        type=Path,
        default=None,
        help="a watch list (TOML, docs/watch.md): after each ingest, write a digest of the 諮問 "
        "new or moved a stage that match it (a Prefect artifact and files in --digest-dir)",
    )
    s.add_argument(
        "--digest-dir",
        type=Path,
        default=Path("data/digest"),
        help="folder of the nightly digests (default data/digest)",
    )


def _add_allow_db(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--allow-db",
        action="append",
        default=[],
        help="a warehouse runs may write (repeatable): a .ducklake catalog or a PostgreSQL "
        "lake's `postgres:...`; runs given any other --db are refused (default: a .ducklake "
        "inside the allowed roots)",
    )


def _add_serve(sub: _Sub) -> None:
    s = sub.add_parser(
        "serve",
        help="serve the nightly fetch+ingest flow on a cron schedule (Prefect deployment)",
        description="Register the nightly flow (fetch, then ingest) as a Prefect deployment with a "
        "cron schedule and run it when due. Needs PREFECT_API_URL pointing at a server that "
        "answers; without one it stops at once.",
    )
    _add_schedule_options(s)
    s.add_argument(
        "--allow-root",
        type=Path,
        action="append",
        default=[],
        help="a folder runs may read and write in (repeatable); runs created through the Prefect "
        "API with paths elsewhere are refused (default: the folders of --sources, --raw and --db)",
    )
    _add_allow_db(s)
    s.set_defaults(func=cmd_serve)


def _add_deploy(sub: _Sub) -> None:
    s = sub.add_parser(
        "deploy",
        help="deploy the nightly flow to a Prefect process work pool (run by `shingikai worker`)",
        description="Create the process work pool POOL unless it exists, and deploy the nightly "
        "flow (fetch, then ingest) to it with a cron schedule, its code loaded from this "
        "checkout. A worker (`shingikai worker --pool POOL`) executes the runs; which folders "
        "and warehouses they may use is said when the worker is started, not here. Needs "
        "PREFECT_API_URL pointing at a server that answers.",
    )
    s.add_argument("--pool", required=True, help="the process work pool (created if missing)")
    _add_schedule_options(s)
    s.set_defaults(func=cmd_deploy)


def _add_worker(sub: _Sub) -> None:
    s = sub.add_parser(
        "worker",
        help="start a Prefect worker for a process work pool, with the folders and warehouses "
        "its runs may use",
        description="Run `prefect worker start --pool POOL --type process` with the operator's "
        "allowed folders and warehouses in its environment (SHINGIKAI_ALLOWED_ROOTS, "
        "SHINGIKAI_ALLOWED_DBS): each nightly run it executes is refused at once if its "
        "parameters name anything else. Needs PREFECT_API_URL pointing at a server that answers.",
    )
    s.add_argument("--pool", required=True, help="the process work pool to poll")
    s.add_argument(
        "--allow-root",
        type=Path,
        action="append",
        required=True,
        help="a folder runs may read and write in (repeatable): the sources file, raw files, "
        "watch list and digests must be inside one",
    )
    _add_allow_db(s)
    s.add_argument("--name", dest="worker_name", help="the worker's name (default: Prefect's)")
    s.set_defaults(func=cmd_worker)


def _add_server(sub: _Sub) -> None:
    s = sub.add_parser(
        "server",
        help="the local Prefect server that ingest runs reuse: status, start, stop",
        description="Without PREFECT_API_URL the first `shingikai ingest` starts a local Prefect "
        "server (127.0.0.1, its state under $SHINGIKAI_STATE_DIR or ~/.local/state/shingikai) "
        "that later runs reuse; it ends itself after $SHINGIKAI_SERVER_IDLE_MINUTES (default "
        "60) without a run. SHINGIKAI_PREFECT_SERVER=temporary gives each run its own instead.",
    )
    s.add_argument("action", choices=("status", "start", "stop"), nargs="?", default="status")
    s.add_argument("--force", action="store_true", help="stop it even while a run is using it")
    s.set_defaults(func=cmd_server)


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
    _add_deploy,
    _add_worker,
    _add_server,  # issue 24
    *corrections_cli.COMMANDS,  # correct, confirm, corrections
    _add_digest,  # issue 21
)


def build_parser() -> argparse.ArgumentParser:
    """The one parser: every command with its options and its handler."""
    p = _Parser(
        prog="shingikai", description="Turn council minutes into a DuckDB research warehouse."
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(sub)
    return p


def duckdb_message(exc: BaseException) -> str:
    """DuckDB's message without the Python frames it appends for an error raised in a Python
    file system ("At: ..."), which say nothing to the person."""
    lines = str(exc).splitlines()
    if "At:" in lines:
        lines = lines[: lines.index("At:")]
    return "\n".join(lines).strip()


def _usage_errors() -> tuple[type[BaseException], ...]:
    """What a person fixes from the message alone (imported only when something went wrong:
    the warehouse's modules load DuckDB, which `ingest` should not wait for to say a word)."""
    from shingikai.render import OutputError
    from shingikai.warehouse.lake import SingleFileWarehouse

    return (UsageError, OutputError, FileNotFoundError, SingleFileWarehouse)


def _operator_errors() -> tuple[type[BaseException], ...]:
    """The operator's to fix (a busy warehouse, a full disk): one line."""
    from shingikai.warehouse import CatalogUnreachable, OutOfSpace, WarehouseBusy
    from shingikai.warehouse.lake import UnfinishedLake

    return (WarehouseBusy, OutOfSpace, UnfinishedLake, CatalogUnreachable)


def _duckdb_error() -> type[BaseException]:
    import duckdb

    return duckdb.Error


def main(argv: list[str] | None = None) -> int:
    try:
        return _run(argv)
    except KeyboardInterrupt:  # what was running has been stopped on the way out
        print("interrupted", file=sys.stderr)
        return 130


def _run(argv: list[str] | None) -> int:
    import time as clock

    # the command's start: the process's when this is the command line, else now (a test)
    started = _process_started() if argv is None else clock.monotonic()
    args = build_parser().parse_args(argv)
    args.started = started
    try:
        return args.func(args)
    except BrokenPipeError:
        # the reader stopped early (`shingikai query ... | head`): stop quietly, as Unix tools do
        silence_stdout()
        return 141
    except NothingDone as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except _usage_errors() as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except _operator_errors() as exc:  # the operator's to fix: one line
        print(f"error: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 1
    except _duckdb_error() as exc:  # a catalog out of reach, or a damaged warehouse: one line
        from shingikai.warehouse import catalog_unreachable

        if catalog_unreachable(exc):
            first = str(exc).splitlines()[0][:300]
            print(f"error: the warehouse's catalog could not be reached: {first}", file=sys.stderr)
        else:  # a corrupt catalog, a missing data file
            print(
                f"error: the warehouse {args.db} could not be read: {duckdb_message(exc)}",
                file=sys.stderr,
            )
        return 1
    except OSError as exc:  # a folder that cannot be written, a disk full outside the loader
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
