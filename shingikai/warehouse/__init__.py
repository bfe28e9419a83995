"""The warehouse, a DuckLake (`lake`): the one loader and its writers (`store`), read-only queries,
the data dictionary, export."""

from shingikai.warehouse.store import (
    DEFAULT_DB,
    DOCUMENT_TABLES,
    OutOfSpace,
    WarehouseBusy,
    Writer,
    apply_schema,
    connect_readonly,
    default_db,
    known_documents,
    known_locations,
    load,
    load_many,
    memory_warehouse,
    raise_if_out_of_space,
    readonly,
)

__all__ = [
    "DEFAULT_DB",
    "DOCUMENT_TABLES",
    "OutOfSpace",
    "Writer",
    "WarehouseBusy",
    "apply_schema",
    "connect_readonly",
    "default_db",
    "known_documents",
    "known_locations",
    "load",
    "load_many",
    "memory_warehouse",
    "raise_if_out_of_space",
    "readonly",
]
