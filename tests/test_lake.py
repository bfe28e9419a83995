"""The warehouse as a DuckLake: extensions from disk, the DDL on the lake, keys and CHECKs enforced by
the loader, snapshots and time travel, conversion and the single-file export."""

from __future__ import annotations

from shingikai.warehouse import extensions


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
