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
    def advance(self, done: int, failed: int = 0) -> None: ...

    def close(self) -> None: ...


def rate_line(done: int, total: int, failed: int, seconds: float) -> str:
    """`extracted 120/2000 documents (60.1 docs/s, about 31 s left, 2 failed)`."""
    rate = done / seconds if seconds > 0 else 0.0
    left = f", about {(total - done) / rate:.0f} s left" if rate > 0 and done < total else ""
    return f"extracted {done}/{total} documents ({_rate(rate)} docs/s{left}, {failed} failed)"


def _rate(rate: float) -> str:
    return f"{rate:.1f}" if rate >= 1 else f"{rate:.2f}"


class PlainProgress:
    """One line on `stream` at most every `every` seconds."""

    def __init__(
        self,
        total: int,
        stream: IO[str] | None = None,
        every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.total, self.every, self.clock = total, every, clock
        self.stream = stream or sys.stderr
        self.done = self.failed = 0
        self.started = self.last = clock()

    def advance(self, done: int, failed: int = 0) -> None:
        self.done += done
        self.failed += failed
        now = self.clock()
        if now - self.last >= self.every and self.done < self.total:
            self.last = now
            print(
                rate_line(self.done, self.total, self.failed, now - self.started),
                file=self.stream,
                flush=True,
            )

    def close(self) -> None:
        pass


class BarProgress:
    """A rich progress bar on stderr: files done / total, docs/s, time left, failures."""

    def __init__(self, total: int, stream: IO[str] | None = None):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.failed = 0
        self.bar = Progress(
            TextColumn("extracting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} docs/s"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[failed]} failed"),
            console=Console(file=stream or sys.stderr),
            transient=True,
        )
        self.started = time.monotonic()
        self.task = self.bar.add_task("extract", total=total, rate="-", failed=0)
        self.bar.start()

    def advance(self, done: int, failed: int = 0) -> None:
        self.failed += failed
        completed = self.bar.tasks[0].completed + done
        seconds = time.monotonic() - self.started
        rate = _rate(completed / seconds) if seconds > 0 else "-"
        self.bar.update(self.task, advance=done, rate=rate, failed=self.failed)

    def close(self) -> None:
        self.bar.stop()


def progress_for(total: int, stream: IO[str] | None = None) -> Progress:
    """A bar when `stream` (default stderr) is an interactive terminal, plain lines otherwise."""
    stream = stream or sys.stderr
    if stream.isatty():
        return BarProgress(total, stream)
    return PlainProgress(total, stream)
