"""The warehouse as a DuckLake: extensions from disk, the DDL on the lake, keys and CHECKs enforced by
the loader, snapshots and time travel, conversion and the single-file export."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import pytest

from extractors.pipeline import extract_bytes
from models import DDL_PATH
from shingikai import warehouse
from shingikai.warehouse import extensions, lake
from shingikai.warehouse.constraints import ConstraintViolation, lake_ddl, table_constraints
from shingikai.warehouse.convert import convert
from shingikai.warehouse.export import export
from shingikai.warehouse.query import run_query
from tests.conftest import SAMPLES
from tests.ingest_helpers import copy_lake, recorded_files, snapshot, tables_of


def test_extensions_load_from_the_packages_without_download():
    con = extensions.connect(extensions=(extensions.DUCKLAKE, extensions.SQLITE))
    try:
        settings = dict(
            con.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('autoinstall_known_extensions', 'autoload_known_extensions')"
            ).fetchall()
        )
        assert settings == {
            "autoinstall_known_extensions": "false",
            "autoload_known_extensions": "false",
        }
        loaded = dict(
            con.execute(
                "SELECT extension_name, installed FROM duckdb_extensions() WHERE loaded "
                "AND extension_name IN ('ducklake', 'sqlite_scanner', 'postgres_scanner')"
            ).fetchall()
        )
        # loaded from the package files, never installed into ~/.duckdb
        assert loaded == {"ducklake": False, "sqlite_scanner": False}
        assert (extensions.extensions_dir() / "ducklake.duckdb_extension").is_file()
    finally:
        con.close()


@pytest.fixture(scope="module")
def extractions():
    files = [p for p in sorted(SAMPLES.glob("*_*.*")) if p.suffix in (".txt", ".md")][:3]
    return [extract_bytes(p.read_bytes(), f"samples/{p.name}") for p in files]


@pytest.fixture(scope="module")
def two_snapshots(tmp_path_factory, extractions):
    """A lake loaded in two commits: the first document, then the other two."""
    db = tmp_path_factory.mktemp("lake") / "w.ducklake"
    with warehouse.Writer(db) as w:
        warehouse.load_many(w.con, extractions[:1])
        first = lake.last_snapshot(w.con)
        warehouse.load_many(w.con, extractions[1:])
        second = lake.last_snapshot(w.con)
    return db, first, second


def _comments(con) -> set[tuple]:
    return set(
        con.execute(
            "SELECT 'table', table_name, NULL, comment FROM duckdb_tables() "
            "WHERE database_name = current_database() UNION ALL "
            "SELECT 'column', table_name, column_name, comment FROM duckdb_columns() "
            "WHERE database_name = current_database() UNION ALL "
            "SELECT 'view', view_name, NULL, comment FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal"
        ).fetchall()
    )


def test_lake_has_the_ddl_tables_comments_and_views(two_snapshots):
    db, _, _ = two_snapshots
    mem = warehouse.memory_warehouse()
    with warehouse.readonly(db) as con:
        got = _comments(con)
    want = _comments(mem)
    views = {c[1] for c in want if c[0] == "view"}
    # DuckLake refuses comments on a view's columns: the lake has those columns uncommented
    # (lake.lake_views); the schema command and a single-file export keep them (tested there)
    assert {c for c in want if c[0] == "column" and c[1] in views and c[3]}
    assert {c for c in got if c[0] == "column" and c[1] in views} == {
        (*c[:3], None) for c in want if c[0] == "column" and c[1] in views
    }
    assert {c for c in got if not (c[0] == "column" and c[1] in views)} == {
        c for c in want if not (c[0] == "column" and c[1] in views)
    }
    assert all(c[3] for c in got if c[0] != "column" or c[1] in dict(table_constraints()))
    # views resolve in the lake
    with warehouse.readonly(db) as con:
        assert con.execute("SELECT count(*) FROM consultations_with_meeting").fetchone()[0] > 0


def test_the_schema_is_applied_once(two_snapshots):
    db, _, second = two_snapshots
    with warehouse.Writer(db) as w:
        assert lake.last_snapshot(w.con) == second  # a new writer adds no snapshot of its own


def _definitions(ddl: str) -> str:
    """The DDL without its comments (which may well use the words)."""
    return "\n".join(line for line in ddl.splitlines() if not line.startswith(("COMMENT ON", "--")))


def test_lake_ddl_drops_what_ducklake_refuses_and_only_that():
    ddl = DDL_PATH.read_text(encoding="utf-8")
    stripped = lake_ddl(ddl)
    for word in ("PRIMARY KEY", "UNIQUE", "CHECK"):
        assert word not in _definitions(stripped).upper()
    rules = table_constraints()
    definitions = _definitions(ddl)
    assert sum(len(r.checks) for r in rules.values()) == definitions.count("CHECK (")
    assert sum(len(r.keys) for r in rules.values()) == definitions.count(
        "PRIMARY KEY"
    ) + definitions.count("UNIQUE")
    assert stripped.count("COMMENT ON") == ddl.count("COMMENT ON")


def _broken(extraction, **changes):
    doc = dataclasses.replace(extraction.document, **changes)
    return dataclasses.replace(extraction, document=doc)


def _reidentified(extraction, document_id, source_path):
    """`extraction` as another document: every row's document_id replaced, the other ids kept."""

    def record(r):
        return dataclasses.replace(r, document_id=document_id) if hasattr(r, "document_id") else r

    changes = {}
    for f in dataclasses.fields(extraction):
        value = getattr(extraction, f.name)
        if isinstance(value, list):
            changes[f.name] = [record(v) for v in value]
        elif dataclasses.is_dataclass(value):
            changes[f.name] = record(value)
    out = dataclasses.replace(extraction, **changes)
    out.document.source_path = source_path
    return out


def test_loader_enforces_checks_and_keys(tmp_path, extractions):
    db = tmp_path / "w.ducklake"
    good = extractions[0]
    with warehouse.Writer(db) as w:
        warehouse.load(w.con, good)
        before = snapshot(db)
        # a CHECK: status outside its allowed values
        with pytest.raises(ConstraintViolation, match="CHECK"):
            warehouse.load_many(w.con, [_broken(extractions[1], status="bogus")])
        # a key twice in one batch: two consultations with the same id
        other = extractions[1]
        assert other.consultations, "sample without consultations"
        dup = dataclasses.replace(other, consultations=other.consultations * 2)
        with pytest.raises(ConstraintViolation, match="consultation_id"):
            warehouse.load_many(w.con, [dup])
        # a key already loaded by another document
        clash = dataclasses.replace(
            other,
            consultations=[
                dataclasses.replace(other.consultations[0], consultation_id=c.consultation_id)
                for c in good.consultations[:1]
            ],
        )
        with pytest.raises(ConstraintViolation, match="already loaded"):
            warehouse.load_many(w.con, [clash])
        # another document whose id begins as a loaded one's: the ids made of those first 16
        # characters (consultations) are still looked up in the tables, and clash
        twin = _reidentified(good, good.document.document_id[:16] + "f" * 48, "samples/twin.txt")
        assert twin.document.document_id != good.document.document_id and twin.consultations
        with pytest.raises(ConstraintViolation, match="consultation_id.*already loaded"):
            warehouse.load_many(w.con, [twin])
        # nothing of a refused batch is left, and good batches still load
        assert snapshot(db) == before
        warehouse.load(w.con, other)
    assert len(snapshot(db)["documents"]) == 2
    # the same batches are refused by DuckDB itself in a single file with the full DDL
    mem = warehouse.memory_warehouse()
    with pytest.raises(duckdb.ConstraintException):
        warehouse.load_many(mem, [_broken(extractions[1], status="bogus")])


def test_time_travel_and_the_snapshot_of_each_document(two_snapshots, extractions):
    db, first, second = two_snapshots
    ids = [e.document.document_id for e in extractions]
    at_first = run_query(db, "SELECT document_id FROM documents", at=first)
    assert list(at_first["document_id"]) == ids[:1]
    latest = run_query(db, "SELECT document_id, snapshot_id FROM documents ORDER BY snapshot_id")
    assert dict(zip(latest["document_id"], latest["snapshot_id"], strict=True)) == {
        ids[0]: first,
        ids[1]: second,
        ids[2]: second,
    }
    with warehouse.readonly(db) as con:
        when = con.execute(
            "SELECT snapshot_time FROM snapshots() WHERE snapshot_id = ?", [first]
        ).fetchone()[0]
    at_time = run_query(db, "SELECT count(*) AS n FROM documents", at=str(when))
    assert int(at_time["n"][0]) == 1


def test_export_duckdb_is_a_self_contained_snapshot(two_snapshots, tmp_path):
    db, first, _ = two_snapshots
    out = tmp_path / "snapshot.duckdb"
    written = export(db, out, "duckdb")
    assert {name for name, kind, _, _ in written if kind == "view"} >= {
        "consultations_with_meeting"
    }
    assert snapshot(out) == snapshot(db)
    con = duckdb.connect(str(out), read_only=True)  # plain DuckDB, no extension
    try:
        assert _comments(con) == _comments(warehouse.memory_warehouse())
        kinds = {
            r[0] for r in con.execute("SELECT constraint_type FROM duckdb_constraints()").fetchall()
        }
        assert {"PRIMARY KEY", "CHECK"} <= kinds
        assert con.execute("SELECT count(*) FROM consultations_with_meeting").fetchone()[0] > 0
    finally:
        con.close()
    old = tmp_path / "first.duckdb"
    export(db, old, "duckdb", at=first)
    assert len(snapshot(old)["documents"]) == 1
    with pytest.raises(FileExistsError):
        export(db, out, "duckdb")


def test_convert_a_single_file_warehouse(tmp_path, extractions):
    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    warehouse.apply_schema(con)
    warehouse.load_many(con, extractions)
    con.close()
    # a single file is read as it is, but keeps no snapshots
    assert int(run_query(old, "SELECT count(*) AS n FROM documents")["n"][0]) == 3
    with pytest.raises(lake.SingleFileWarehouse, match="shingikai convert"):
        lake.snapshots(old)
    where, copied = convert(old)
    assert Path(where) == tmp_path / "old.ducklake"
    assert copied["documents"] == 3
    assert snapshot(Path(where)) == snapshot(old)
    with pytest.raises(FileExistsError):
        convert(old)


def test_a_column_added_to_the_ddl_is_added_to_the_lake(two_snapshots, tmp_path, monkeypatch):
    db, _, _ = two_snapshots
    copy = tmp_path / "w.ducklake"
    copy_lake(db, copy)
    ddl = DDL_PATH.read_text(encoding="utf-8").replace(
        "    source_url VARCHAR,\n", "    source_url VARCHAR,\n    reviewed_by VARCHAR,\n", 1
    )
    assert "reviewed_by" in ddl
    ddl += "\nCOMMENT ON COLUMN documents.reviewed_by IS 'Who checked the rows by hand.';\n"
    changed = tmp_path / "schema.sql"
    changed.write_text(ddl, encoding="utf-8")
    monkeypatch.setattr(lake, "DDL_PATH", changed)
    with warehouse.Writer(copy) as w:
        rows = w.con.execute("SELECT count(*), count(reviewed_by) FROM documents").fetchone()
        comment = w.con.execute(
            "SELECT comment FROM duckdb_columns() WHERE database_name = 'lake' "
            "AND table_name = 'documents' AND column_name = 'reviewed_by'"
        ).fetchone()
    assert rows == (3, 0)
    assert comment == ("Who checked the rows by hand.",)


def test_maintain_merges_small_files_keeps_time_travel_and_removes_leftovers(
    two_snapshots, extractions, tmp_path
):
    db = tmp_path / "w.ducklake"
    copy_lake(two_snapshots[0], db)
    with warehouse.Writer(db) as w:  # more small commits: a document replaced, one re-added
        warehouse.load_many(w.con, extractions[:1])
        warehouse.load_many(w.con, extractions[2:])
    history = lake.snapshots(db)
    before = {s[0]: snapshot_at(db, s[0]) for s in history}
    loaded_by = run_query(db, "SELECT document_id, snapshot_id FROM documents ORDER BY 1")
    files = db.with_name(db.name + ".files")
    leftover = files / "main" / "documents" / "ducklake-left-by-a-killed-writer.parquet"
    duckdb.sql("SELECT 1 AS x").write_parquet(str(leftover))
    n_before = len(list(files.rglob("*.parquet")))
    kept = lake.maintain(db, keep_for="1 day")  # nothing is old enough to delete yet
    assert kept.removed == 0 and leftover.exists()
    assert kept.files_after < kept.files_before
    done = lake.maintain(db, keep_for="0 seconds")
    assert done.removed > 0 and not leftover.exists()
    on_disk = len(list(files.rglob("*.parquet")))
    # left on disk: exactly the files the catalog records, for the latest or an older snapshot
    assert on_disk < n_before and on_disk == recorded_files(db)
    # every snapshot reads as before: merging keeps time travel
    assert {s[0]: snapshot_at(db, s[0]) for s in history} == before
    # and documents.snapshot_id still says which commit loaded each document
    assert run_query(db, "SELECT document_id, snapshot_id FROM documents ORDER BY 1").equals(
        loaded_by
    )
    with pytest.raises(ValueError, match="not an interval"):
        lake.maintain(db, keep_for="1; DROP TABLE documents")


def snapshot_at(db: Path, at: int) -> dict:
    with warehouse.readonly(db, at=at) as con:
        return tables_of(con)


def _half_made(db: Path, state: str) -> None:
    """A lake as a first ingest killed at its start leaves it."""
    if state == "no schema":  # DuckLake's own tables made, the schema's snapshot not committed
        lake.connect(db, create=True).close()
    elif state == "empty catalog":  # the SQLite catalog made, nothing in it
        lake._create_sqlite_catalog(lake.location(db))
    else:  # an empty file
        db.touch()


HALF_MADE = ["no schema", "empty catalog", "empty file"]
COMMANDS = {
    "query": ["query", "SELECT count(*) AS n FROM documents", "--format", "csv"],
    "export": ["export", "{out}", "--format", "csv"],
    "search": ["search", "個人情報"],
    "maintain": ["maintain"],
}


@pytest.mark.parametrize(
    "command, state",
    [("query", state) for state in HALF_MADE]
    + [(c, "no schema") for c in COMMANDS if c != "query"],
)
def test_every_command_finishes_a_half_made_lake(tmp_path, state, command, capsys):
    """Each command that opens a lake finishes its creation first: before, every one of them
    failed on such a lake ("Table with name documents does not exist", or "creating a new
    DuckLake is explicitly disabled")."""
    from shingikai.cli.main import main

    db = tmp_path / "w.ducklake"
    _half_made(db, state)
    argv = [a.format(out=tmp_path / "out") for a in COMMANDS[command]]
    code = main([*argv, "--db", str(db)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code == 0, captured.err
    if command == "query":
        assert captured.out.split() == ["n", "0"]
    assert lake.applied_digest(lake.connect(db, read_only=True)) == lake.schema_digest()
    assert set(tables_of(lake.connect(db, read_only=True))) >= {"documents", "meetings"}
    assert warehouse.known_documents(db) == {}


def test_a_postgres_catalog_that_never_answers_is_an_error_not_a_hang(
    tmp_path, capsys, monkeypatch
):
    """A server that accepts the connection and says nothing: before, `query --timeout 5` hung
    until the socket closed; libpq's connect timeout ends it with one line."""
    import socket
    import time

    from shingikai.cli.main import main

    monkeypatch.setattr(lake, "PG_CONNECT_TIMEOUT_S", 2, raising=False)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        db = f"postgres:dbname=x user=x host=127.0.0.1 port={port}"
        started = time.monotonic()
        code = main(["query", "SELECT 1", "--db", db, "--timeout", "5"])
        took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code != 0 and took < 30, took
    assert err.startswith("error: ") and "Traceback" not in err and "timeout" in err.lower(), err


@pytest.fixture(scope="module")
def damaged(tmp_path_factory, two_snapshots):
    """Copies of a lake: one with a data file gone, one whose catalog is not a database."""
    base = tmp_path_factory.mktemp("damaged")
    missing, corrupt = base / "missing.ducklake", base / "corrupt.ducklake"
    copy_lake(two_snapshots[0], missing)
    next(missing.with_name(missing.name + ".files").rglob("documents/*.parquet")).unlink()
    corrupt.write_bytes(b"not a catalog " * 600)
    return {"missing": missing, "corrupt": corrupt, "good": two_snapshots[0], "dir": base}


ONE_LINE = [
    ("good", ["query", "SELECT 1", "--at", "²"]),
    ("missing", ["query", "SELECT * FROM documents"]),
    ("missing", ["export", "{dir}/out1"]),
    ("missing", ["search", "個人情報"]),
    ("corrupt", ["export", "{dir}/out2"]),
    ("corrupt", ["maintain"]),
    ("corrupt", ["query", "SELECT 1"]),
    (None, ["convert", "{dir}/missing.ducklake"]),
]


@pytest.mark.parametrize("which, argv", ONE_LINE)
def test_a_damaged_warehouse_or_a_bad_value_is_one_line(damaged, which, argv, capsys):
    """Before, each of these printed a traceback of 19 to 53 lines."""
    from shingikai.cli.main import main

    args = [a.format(dir=damaged["dir"]) for a in argv]
    code = main([*args, "--db", str(damaged[which])] if which else args)
    err = capsys.readouterr().err
    assert code in (1, 2) and err.startswith("error: ") and len(err.splitlines()) == 1, err
