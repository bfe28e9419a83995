"""`shingikai fetch`, `shingikai serve`, and `--dask/--workers` on `shingikai ingest`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from shingikai.warehouse import DEFAULT_DB


def _env_path(name: str, default: Path) -> Path:
    return Path(os.environ.get(name, str(default)))


def cmd_fetch(args: argparse.Namespace) -> int:
    from flows.nightly import fetch_flow

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ALLOW_EPHEMERAL_MODE", "true")
    summary = fetch_flow(
        sources=str(args.sources),
        raw=str(args.raw),
        delay=args.delay,
        retries=args.retries,
        backoff=args.backoff,
        timeout=args.http_timeout,
    )
    print("\n".join(summary.lines()))
    return 1 if summary.failed else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from flows.nightly import serve_nightly

    params = {
        "sources": str(Path(args.sources).resolve()),
        "raw": str(Path(args.raw).resolve()),
        "db": str(Path(args.db).resolve()),
        "delay": args.delay,
        "retries": args.retries,
        "backoff": args.backoff,
    }
    serve_nightly(name=args.name, cron=args.cron, timezone=args.timezone, parameters=params)
    return 0


def _common(s: argparse.ArgumentParser) -> None:
    s.add_argument(
        "--sources",
        type=Path,
        default=_env_path("SHINGIKAI_SOURCES", Path("data/sources.toml")),
        help="sources file, TOML or JSON (default data/sources.toml, or $SHINGIKAI_SOURCES)",
    )
    s.add_argument(
        "--raw",
        type=Path,
        default=_env_path("SHINGIKAI_RAW", Path("data/raw")),
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


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser(
        "fetch",
        help="download new or changed documents listed in the sources file",
        description="Read each municipality's index page, download matching same-host links "
        "(size-limited, politely, with retries) into RAW/<municipality>/, and keep a "
        "ledger so unchanged documents are not downloaded again.",
    )
    _common(s)
    s.add_argument(
        "--http-timeout", type=float, default=30.0, help="seconds per HTTP request (default 30)"
    )
    s.set_defaults(func=cmd_fetch)

    s = sub.add_parser(
        "serve",
        help="serve the nightly fetch+ingest flow on a cron schedule (Prefect deployment)",
        description="Register the nightly flow (fetch, then ingest) as a Prefect deployment with a "
        "cron schedule and run it when due. Needs PREFECT_API_URL pointing at a server.",
    )
    _common(s)
    s.add_argument(
        "--db",
        type=Path,
        default=_env_path("SHINGIKAI_DB", DEFAULT_DB),
        help=f"warehouse file (default {DEFAULT_DB}, or $SHINGIKAI_DB)",
    )
    s.add_argument("--cron", default="0 2 * * *", help='cron schedule (default "0 2 * * *")')
    s.add_argument(
        "--timezone", default="Asia/Tokyo", help="timezone of the schedule (default Asia/Tokyo)"
    )
    s.add_argument("--name", default="nightly", help="deployment name (default nightly)")
    s.set_defaults(func=cmd_serve)

    ingest = sub.choices.get("ingest")
    if ingest is not None:
        ingest.add_argument(
            "--dask",
            nargs="?",
            const="local",
            default=None,
            metavar="ADDRESS|local",
            help="run extraction on Dask: 'local' starts a temporary local cluster, "
            "an address (tcp://host:8786) uses an existing scheduler",
        )
        ingest.add_argument(
            "--workers",
            type=int,
            default=None,
            help="extraction processes (default: one per CPU), or workers of a local Dask cluster (default 2)",
        )
