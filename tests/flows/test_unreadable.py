"""Files that cannot be read do not stop a run (issue 13, finding 2).

A file with mode 000 or one deleted between discovery and hashing becomes a `documents` row
with status `failed` and the reason; unreadable folders, symbolic-link loops, dangling links
and links out of the input folders are not followed and are listed in the summary.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import shingikai.discover as discovery
from extractors.reading import Limits
from shingikai.sandbox import extract_in_sandbox
from shingikai.warehouse import connect_readonly
from tests.conftest import ROOT, SAMPLES
from tests.ingest_helpers import cli_env, ingest_cmd

SAMPLE = SAMPLES / "kaedehara_2018_08_kaigiroku.txt"


def _without_root_privileges(cmd: list[str]) -> list[str]:
    """As root, permissions are not enforced: drop the capabilities that bypass them."""
    if os.geteuid() != 0:
        return cmd
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-all", *cmd]


@pytest.mark.slow  # the real CLI in a subprocess, through Prefect
def test_unreadable_files_and_folders_do_not_stop_the_run(tmp_path: Path):
    raw = tmp_path / "raw"
    (raw / "city").mkdir(parents=True)
    shutil.copy(SAMPLE, raw / "city" / SAMPLE.name)
    locked = raw / "city" / "locked.txt"
    locked.write_text("会議録", "utf-8")
    locked.chmod(0)
    closed = raw / "closed"
    closed.mkdir()
    (closed / "inside.txt").write_text("会議録", "utf-8")
    closed.chmod(0)
    (raw / "city" / "loop").symlink_to(raw)  # leads back to an ancestor
    (raw / "city" / "gone.txt").symlink_to(raw / "nowhere.txt")
    outside = tmp_path / "secret.txt"
    outside.write_text("not a council document", "utf-8")
    (raw / "city" / "secret.txt").symlink_to(outside)
    (raw / "city" / "same.txt").symlink_to(raw / "city" / SAMPLE.name)  # inside: followed
    db = tmp_path / "w.ducklake"
    try:
        run = subprocess.run(
            _without_root_privileges(ingest_cmd([raw], db)),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env=cli_env(),
        )
    finally:
        closed.chmod(0o755)
        locked.chmod(0o644)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    con = connect_readonly(db)
    docs = {
        p: (s, e)
        for p, s, e in con.execute("SELECT source_path, status, error FROM documents").fetchall()
    }
    locations = sorted(r[0] for r in con.execute("SELECT path FROM document_locations").fetchall())
    con.close()
    assert docs[f"raw/city/{SAMPLE.name}"] == ("ok", None)
    status, error = docs["raw/city/locked.txt"]
    assert status == "failed" and "permission denied" in error, error
    assert len(docs) == 2, docs
    assert locations == [f"city/{SAMPLE.name}", "city/locked.txt", "city/same.txt"]
    out = run.stdout
    assert "not followed while discovering files: 4" in out, out
    assert f"folder cannot be read (Permission denied): {closed}" in out
    assert f"symbolic link loop (not followed): {raw / 'city' / 'loop'}" in out
    assert f"dangling symbolic link (its target does not exist): {raw / 'city' / 'gone.txt'}" in out
    assert f"symbolic link leads out of the input folders, to {outside.resolve()}" in out


def test_file_deleted_between_discovery_and_hashing(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(SAMPLE, raw / "a.txt")
    (raw / "b.txt").write_text("会議録", "utf-8")
    files = discovery.discover([raw])
    (raw / "b.txt").unlink()
    todo, skipped = discovery.plan(files, tmp_path / "none.ducklake")
    assert skipped == 0
    actions = {f.relative: (f.action, f.error) for f in todo}
    assert actions["a.txt"] == (discovery.Action.EXTRACT, None)
    action, error = actions["b.txt"]
    assert action == discovery.Action.UNREADABLE and "disappeared" in error, error
    assert todo[1].document_id == discovery.unreadable_id(str(raw.resolve()), "b.txt")


def test_file_deleted_before_extraction_is_reported_as_such(tmp_path: Path):
    gone = tmp_path / "gone.txt"
    doc = extract_in_sandbox(gone, "raw/gone.txt", Limits(), document_id="ab" * 32).document
    assert doc.status == "failed" and doc.document_id == "ab" * 32
    assert "disappeared before it could be read" in doc.error, doc.error
    assert "internal error" not in doc.error


@pytest.mark.parametrize("how", ["deleted", "unreadable"])
def test_a_file_lost_after_planning_is_read_again_once_restored(tmp_path: Path, how: str):
    """A file gone (or made unreadable) between planning and extraction gets a `failed` row under
    its real sha256; once it is back, the next ingest reads it again. Before, that run said
    `skipped (unchanged): 1` and the row stayed failed, without text, for good. A file that was
    read and failed to extract is not retried (it waits for a new extractor version)."""
    from shingikai import warehouse
    from shingikai.ingest import commit_batch

    raw = tmp_path / "raw"
    raw.mkdir()
    path = raw / SAMPLE.name
    shutil.copy(SAMPLE, path)
    db = tmp_path / "w.ducklake"
    files = discovery.discover([raw])
    todo, _ = discovery.plan(files, db)
    assert [f.action for f in todo] == [discovery.Action.EXTRACT]
    if how == "deleted":
        path.unlink()
    extraction = extract_in_sandbox(
        path if how == "deleted" else tmp_path,
        todo[0].source_path,
        Limits(),
        document_id=todo[0].document_id,
    )  # a folder stands for a file that cannot be read (root reads any mode)
    assert extraction.document.status == "failed"
    commit_batch(db, todo, [extraction])
    warehouse.close_reused_writers()
    shutil.copy(SAMPLE, path)  # restored
    todo, skipped = discovery.plan(discovery.discover([raw]), db)
    assert skipped == 0 and [f.action for f in todo] == [discovery.Action.EXTRACT]
    # read this time: loaded, and the next run has nothing to do
    commit_batch(db, todo, [extract_in_sandbox(path, todo[0].source_path, Limits())])
    warehouse.close_reused_writers()
    with connect_readonly(db) as con:
        assert con.execute("SELECT status FROM documents").fetchall() == [("ok",)]
    assert discovery.plan(discovery.discover([raw]), db) == ([], 1)
