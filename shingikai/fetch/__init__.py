"""Nightly fetching: the polite HTTP crawler that downloads council documents into `data/raw/`."""

from shingikai.fetch.crawler import (
    DEFAULT_RAW,
    DEFAULT_SOURCES,
    DOWNLOAD_DEADLINE_S,
    LEDGER_NAME,
    Fetcher,
    FetchSummary,
    Refused,
    Source,
    fetch_all,
    fetch_source,
    find_links,
    load_sources,
    read_ledger,
    urls_by_path,
    write_ledger,
)

__all__ = [
    "DEFAULT_RAW",
    "DEFAULT_SOURCES",
    "DOWNLOAD_DEADLINE_S",
    "LEDGER_NAME",
    "FetchSummary",
    "Fetcher",
    "Refused",
    "Source",
    "fetch_all",
    "fetch_source",
    "find_links",
    "load_sources",
    "read_ledger",
    "urls_by_path",
    "write_ledger",
]
