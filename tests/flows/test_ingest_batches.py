"""The ingest flow's batches: sizes, task-run names, and results streamed in order with a window."""

from __future__ import annotations

from pathlib import Path

from flows.ingest import MAX_BATCH, batch_name, batch_size, batches, stream_in_order
from shingikai.discover import SourceFile


def files(n: int) -> list[SourceFile]:
    return [SourceFile(Path(f"/in/doc{i}.txt"), f"in/doc{i}.txt") for i in range(n)]


def test_batch_sizes_keep_every_worker_busy_and_tasks_few():
    assert batch_size(4, 2) == 1  # the samples: one task per document, both workers busy
    assert batch_size(200, 2) == 25  # eight tasks
    assert batch_size(2000, 2) == MAX_BATCH  # forty tasks, not two thousand
    assert batch_size(1, 8) == 1
    chunks = batches(files(7), 3)
    assert [len(c) for c in chunks] == [3, 3, 1]
    assert [f for c in chunks for f in c] == files(7)


def test_task_run_names_say_which_documents():
    assert batch_name(files(1)) == "extract in/doc0.txt"
    assert batch_name(files(3)) == "extract in/doc0.txt … in/doc2.txt (3 docs)"


class Future:
    def __init__(self, chunk: list[SourceFile], log: list[str]):
        self.chunk, self.log = chunk, log

    def result(self) -> list[str]:
        self.log.append(f"result {self.chunk[0].source_path}")
        return [f.source_path.upper() for f in self.chunk]


def test_results_come_in_order_with_the_next_batch_already_submitted():
    log: list[str] = []

    def submit(chunk: list[SourceFile]) -> Future:
        log.append(f"submit {chunk[0].source_path}")
        return Future(chunk, log)

    chunks = batches(files(4), 1)
    out = []
    for chunk, result in stream_in_order(submit, chunks, window=2):  # type: ignore[arg-type]
        log.append(f"load {chunk[0].source_path}")
        out.append(result)
    assert out == [["IN/DOC0.TXT"], ["IN/DOC1.TXT"], ["IN/DOC2.TXT"], ["IN/DOC3.TXT"]]
    assert log[:6] == [
        "submit in/doc0.txt",
        "submit in/doc1.txt",  # two in flight
        "result in/doc0.txt",
        "submit in/doc2.txt",  # submitted before the first batch is loaded
        "load in/doc0.txt",
        "result in/doc1.txt",
    ]
    assert log.count("submit in/doc3.txt") == 1 and log[-1] == "load in/doc3.txt"
