"""The ingest flow's batches: cut by bytes largest first, named after their documents, streamed as done."""

from __future__ import annotations

from pathlib import Path

from flows.ingest import MAX_BATCH, batch_name, plan_batches, stream_as_completed
from shingikai.discover import SourceFile


def files(tmp_path: Path, sizes: list[int]) -> list[SourceFile]:
    out = []
    tmp_path.mkdir(exist_ok=True)
    for i, size in enumerate(sizes):
        path = tmp_path / f"doc{i}.txt"
        path.write_bytes(b"x" * size)
        out.append(SourceFile(path, f"in/doc{i}.txt"))
    return out


def test_a_large_document_gets_a_batch_of_its_own_and_goes_first(tmp_path: Path):
    todo = files(tmp_path, [10] * 40 + [400])  # 800 bytes; 2 workers: about 100 bytes a batch
    chunks = plan_batches(todo, workers=2)
    assert [f.source_path for f in chunks[0]] == ["in/doc40.txt"]
    assert all(sum(f.path.stat().st_size for f in c) <= 100 for c in chunks[1:])
    assert sorted(f.source_path for c in chunks for f in c) == sorted(f.source_path for f in todo)


def test_batches_hold_at_most_max_batch_documents(tmp_path: Path):
    # one worker: a budget of a quarter of the bytes, twice MAX_BATCH one-byte documents
    chunks = plan_batches(files(tmp_path / "a", [1] * (8 * MAX_BATCH)), workers=1)
    assert [len(c) for c in chunks] == [MAX_BATCH] * 8
    # the samples: four documents, two workers: one task each, both workers busy
    assert [len(c) for c in plan_batches(files(tmp_path / "b", [5, 5, 5, 5]), workers=2)] == [1] * 4


def test_task_run_names_say_which_documents(tmp_path: Path):
    todo = files(tmp_path, [1, 1, 1])
    assert batch_name(todo[:1]) == "extract in/doc0.txt"
    assert batch_name(todo) == "extract in/doc0.txt … in/doc2.txt (3 docs)"


class Future:
    """Done when its batch is released; callbacks run then (at once if already done), as Prefect's do."""

    def __init__(self, chunk: list[SourceFile], done: bool):
        self.chunk, self.done, self.callbacks = chunk, done, []

    def release(self) -> None:
        self.done = True
        for callback in self.callbacks:
            callback(self)

    def add_done_callback(self, fn) -> None:  # type: ignore[no-untyped-def]
        if self.done:
            fn(self)
        else:
            self.callbacks.append(fn)

    def result(self) -> list[str]:
        assert self.done
        return [f.source_path.upper() for f in self.chunk]


def test_a_slow_batch_holds_up_only_itself(tmp_path: Path):
    chunks = [[f] for f in files(tmp_path, [1, 1, 1, 1])]
    futures: dict[str, Future] = {}
    log: list[str] = []

    def submit(chunk: list[SourceFile]) -> Future:
        name = chunk[0].source_path
        log.append(f"submit {name}")
        futures[name] = Future(chunk, done=name != "in/doc0.txt")  # doc0 is slow
        return futures[name]

    stream = stream_as_completed(submit, chunks, window=2)  # type: ignore[arg-type]
    assert next(stream) == (chunks[1], ["IN/DOC1.TXT"])
    assert log == ["submit in/doc0.txt", "submit in/doc1.txt", "submit in/doc2.txt"]
    assert next(stream)[0] == chunks[2]
    assert log[-1] == "submit in/doc3.txt"
    assert next(stream)[0] == chunks[3]
    futures["in/doc0.txt"].release()
    assert next(stream) == (chunks[0], ["IN/DOC0.TXT"])
    assert list(stream) == []
