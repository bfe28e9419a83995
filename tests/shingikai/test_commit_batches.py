"""Batches of one process that finish while another commits go in together, in the next commit
(issue 24): fewer, larger commits when commits cannot keep up, each batch still whole in one
snapshot, and each task told the outcome of its own documents."""

from __future__ import annotations

import threading
import time

from models.vocab import Status
from shingikai import ingest, warehouse
from shingikai.discover import SourceFile
from shingikai.sandbox import failed
from shingikai.warehouse import lake
from tests.ingest_helpers import snapshot


def _batch(tmp_path, name: str, n: int, status: Status):
    files, extractions = [], []
    for k in range(n):
        path = tmp_path / f"{name}{k}.txt"
        path.write_text(f"{name} {k}", "utf-8")
        doc_id = f"{name}{k}".encode().hex().ljust(64, "0")
        f = SourceFile(path, f"raw/{path.name}", document_id=doc_id, root=str(tmp_path))
        f.relative = path.name
        files.append(f)
        extractions.append(failed(path, f.source_path, status, "a stand-in", None, doc_id))
    return files, extractions


def test_batches_waiting_for_a_commit_go_in_together(tmp_path, monkeypatch):
    db = tmp_path / "w.ducklake"
    with warehouse.Writer(db):
        pass  # the lake and its schema
    real = ingest.load_batch
    first_started, release = threading.Event(), threading.Event()
    calls: list[int] = []

    def held_first(con, files, extractions):  # the first commit takes its time
        calls.append(len(files))
        if len(calls) == 1:
            first_started.set()
            assert release.wait(30)
        return real(con, files, extractions)

    monkeypatch.setattr(ingest, "load_batch", held_first)
    statuses = [Status.UNSUPPORTED, Status.ENCRYPTED, Status.NEEDS_OCR, Status.FAILED]
    batches = [_batch(tmp_path, f"b{i}-", i + 1, s) for i, s in enumerate(statuses)]
    before = len(lake.snapshots(db))
    results: dict[int, list] = {}

    def task(i: int) -> None:
        results[i] = ingest.commit_batch(db, *batches[i])

    threads = [threading.Thread(target=task, args=(0,))]
    threads[0].start()
    assert first_started.wait(30)
    threads += [threading.Thread(target=task, args=(i,)) for i in (1, 2, 3)]
    for t in threads[1:]:
        t.start()
    deadline = time.monotonic() + 30
    while len(ingest._COMMITTERS[str(db)].waiting) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    release.set()
    for t in threads:
        t.join(60)
    warehouse.close_reused_writers()
    # the first batch alone, then the three that waited in one commit
    assert calls == [1, 2 + 3 + 4]
    assert len(lake.snapshots(db)) - before == 2
    # each task hears of its own documents only
    for i, status in enumerate(statuses):
        assert [o.status for o in results[i]] == [str(status)] * (i + 1)
    loaded = {r[0] for r in snapshot(db)["documents"]}
    assert loaded == {f.document_id for files, _ in batches for f in files}


def test_an_error_reaches_every_batch_of_its_commit(tmp_path, monkeypatch):
    db = tmp_path / "w.ducklake"

    def full_disk(con, files, extractions):
        raise warehouse.OutOfSpace(28, "no space left on device")

    monkeypatch.setattr(ingest, "load_batch", full_disk)
    committer = ingest._COMMITTERS.setdefault(str(db), ingest._Committer())
    waiting = ingest._Waiting(*_batch(tmp_path, "w", 1, Status.FAILED))
    committer.waiting.append(waiting)  # a batch that waited for this commit
    try:
        ingest.commit_batch(db, *_batch(tmp_path, "c", 1, Status.FAILED))
    except warehouse.OutOfSpace:
        pass
    else:
        raise AssertionError("the commit's error was not raised")
    assert waiting.done and isinstance(waiting.error, warehouse.OutOfSpace)
    warehouse.close_reused_writers()
