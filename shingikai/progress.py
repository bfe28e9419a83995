"""How far an ingest has got: a progress bar on a terminal, a plain line now and then otherwise.

`progress_for(total)` picks the form: a rich bar (files done / total, documents per second,
time left, failures so far) when stderr is an interactive terminal, else `PlainProgress`,
which writes one line every `every` seconds (and none for a run shorter than that), so logs
of a nightly run show it moving without filling up.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import IO, Protocol


class Progress(Protocol):
    def advance(self, done: int, failed: int = 0, work: int = 0) -> None: ...

    def close(self) -> None: ...


def rate_line(done: int, total: int, failed: int, seconds: float, left: float | None = None) -> str:
    """`extracted 120/2000 documents (60.1 docs/s, about 31 s left, 2 failed)`.

    `left`: the seconds still to go if known better than from documents per second (by bytes).
    """
    rate = done / seconds if seconds > 0 else 0.0
    if left is None and rate > 0:
        left = (total - done) / rate
    eta = f", about {left:.0f} s left" if left is not None and done < total else ""
    return f"extracted {done}/{total} documents ({_rate(rate)} docs/s{eta}, {failed} failed)"


def _rate(rate: float) -> str:
    return f"{rate:.1f}" if rate >= 1 else f"{rate:.2f}"


class PlainProgress:
    """One line on `stream` at most every `every` seconds.

    With `total_work` (e.g. bytes), the time left is estimated from the work done rather than
    from the documents done: the largest documents go first, so early documents are slow.
    """

    def __init__(
        self,
        total: int,
        stream: IO[str] | None = None,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        total_work: int = 0,
    ):
        self.total, self.every, self.clock, self.total_work = total, every, clock, total_work
        self.stream = stream or sys.stderr
        self.done = self.failed = self.work = 0
        self.started = self.last = clock()

    def advance(self, done: int, failed: int = 0, work: int = 0) -> None:
        self.done += done
        self.failed += failed
        self.work += work
        now = self.clock()
        if now - self.last >= self.every and self.done < self.total:
            self.last = now
            seconds = now - self.started
            left = None
            if self.total_work and self.work:
                left = seconds * (self.total_work - self.work) / self.work
            print(
                rate_line(self.done, self.total, self.failed, seconds, left),
                file=self.stream,
                flush=True,
            )

    def close(self) -> None:
        pass


class BarProgress:
    """A rich progress bar on stderr: files done / total, docs/s, time left, failures.

    The bar (and so the time left) moves by `work` when a `total_work` is given, by documents otherwise.
    """

    def __init__(self, total: int, stream: IO[str] | None = None, total_work: int = 0):
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        self.total, self.by_work = total, bool(total_work)
        self.done = self.failed = 0
        self.bar = Progress(
            TextColumn("extracting"),
            BarColumn(),
            TextColumn("{task.fields[files]}/{task.fields[total_files]} files"),
            TextColumn("{task.fields[rate]} docs/s"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]} failed"),
            console=Console(file=stream or sys.stderr),
            transient=True,
        )
        self.started = time.monotonic()
        self.task = self.bar.add_task(
            "extract",
            total=total_work or total,
            files=0,
            total_files=total,
            rate="-",
            failed=0,
        )
        self.bar.start()

    def advance(self, done: int, failed: int = 0, work: int = 0) -> None:
        self.done += done
        self.failed += failed
        seconds = time.monotonic() - self.started
        rate = _rate(self.done / seconds) if seconds > 0 else "-"
        self.bar.update(
            self.task,
            advance=work if self.by_work else done,
            files=self.done,
            rate=rate,
            failed=self.failed,
        )

    def close(self) -> None:
        self.bar.stop()


def progress_for(total: int, stream: IO[str] | None = None, total_work: int = 0) -> Progress:
    """A bar when `stream` (default stderr) is an interactive terminal, plain lines otherwise."""
    stream = stream or sys.stderr
    if stream.isatty():
        return BarProgress(total, stream, total_work)
    return PlainProgress(total, stream, total_work=total_work)
