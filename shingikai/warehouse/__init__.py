"""The warehouse, a DuckLake (`lake`): the one loader and its writers (`store`), read-only queries,
the data dictionary, export."""

from shingikai.warehouse.store import (
    DEFAULT_DB,
    DOCUMENT_TABLES,
    Writer,
    apply_schema,
    connect_readonly,
    known_documents,
    load,
    load_many,
    memory_warehouse,
    readonly,
)

__all__ = [
    "DEFAULT_DB",
    "DOCUMENT_TABLES",
    "Writer",
    "apply_schema",
    "connect_readonly",
    "known_documents",
    "load",
    "load_many",
    "memory_warehouse",
    "readonly",
]
