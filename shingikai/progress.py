"""How far an ingest has got: a progress bar on a terminal, a plain line now and then otherwise.

`progress_for(total)` picks the form: a rich bar (files done / total, documents per second,
time left, failures so far) when stderr is an interactive terminal, else `PlainProgress`,
which writes one line every `every` seconds (and none for a run shorter than that), so logs
of a nightly run show it moving without filling up.

Before the first document is extracted, a run may spend half a minute finding files,
starting Prefect and loading GiNZA: `Steps` says which, from the first second.
"""

from __future__ import annotations

import sys
import threading
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
        steps: Steps | None = None,
    ):
        self.total, self.every, self.clock, self.total_work = total, every, clock, total_work
        self.stream = stream or sys.stderr
        self.steps = steps
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
            if self.steps is not None:
                self.steps.printed()

    def close(self) -> None:
        pass


class BarProgress:
    """A rich progress bar on stderr: files done / total, docs/s, time left, failures.

    The bar (and so the time left) moves by `work` when a `total_work` is given, by documents otherwise.
    """

    def __init__(
        self,
        total: int,
        stream: IO[str] | None = None,
        total_work: int = 0,
        steps: Steps | None = None,
    ):
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
        self.steps = steps
        if steps is not None:
            steps.pause()  # a line printed under the bar would break it
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
        if self.steps is not None:
            self.steps.resume()


def progress_for(total: int, stream: IO[str] | None = None, total_work: int = 0) -> Progress:
    """A bar when `stream` (default stderr) is an interactive terminal, plain lines otherwise.

    Under a command's `Steps`, the steps' repeated line keeps quiet while this one speaks.
    """
    stream = stream or sys.stderr
    if stream.isatty():
        return BarProgress(total, stream, total_work, steps=Steps.active)
    return PlainProgress(total, stream, total_work=total_work, steps=Steps.active)


class Steps:
    """What a command is doing, on stderr from its first second: `[  2.1 s] starting Prefect`.

    `step(what)` prints one line, with the seconds since the command started (`started`).
    Lines of its first `hold` seconds are held back and printed when they are over, so a
    command that ends at once (nothing new, a mistake said in one line) prints none of them.
    While a step lasts and nothing else is printed for `every` seconds, the step is said
    again with how long it has lasted and `detail()` (e.g. whether the workers have loaded
    GiNZA): a log off a terminal shows the run alive, as docs/nightly.md promises. A progress
    bar pauses it. `Steps.active` is the command's (one per process), for its flow's progress.
    """

    active: Steps | None = None

    def __init__(
        self,
        stream: IO[str] | None = None,
        every: float = 10.0,
        hold: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        started: float | None = None,
    ):
        self.stream = stream or sys.stderr
        self.every, self.hold, self.clock = every, hold, clock
        self.started = clock() if started is None else started
        self.what = ""
        self.held: list[tuple[float, str]] | None = []  # None once the hold is over
        self.since = self.last = self.started
        self.paused = False
        self.detail: Callable[[], str] = lambda: ""
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def elapsed(self) -> float:
        """Seconds since the command started."""
        return self.clock() - self.started

    def _line(self, text: str, at: float | None = None) -> None:
        at = self.elapsed() if at is None else at
        print(f"[{at:5.1f} s] {text}", file=self.stream, flush=True)
        self.last = self.clock()

    def _release(self) -> bool:
        """Print the held lines if the hold is over; whether it is."""
        if self.held is not None and self.elapsed() >= self.hold:
            held, self.held = self.held, None
            for at, text in held:
                self._line(text, at)
        return self.held is None

    def step(self, what: str) -> None:
        """A new step begins: say so (held back during the first `hold` seconds)."""
        with self._lock:
            self.what, self.since = what, self.clock()
            if self._release():
                self._line(what)
            else:
                assert self.held is not None
                self.held.append((self.elapsed(), what))

    def printed(self) -> None:
        """Something else was just printed: the run is visibly alive."""
        self.last = self.clock()

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused, self.last = False, self.clock()

    def beat(self) -> None:
        """Print the held lines once the hold is over; say the current step again if nothing
        was printed for `every` seconds."""
        with self._lock:
            if self.paused or not self.what or not self._release():
                return
            if self.clock() - self.last < self.every:
                return
            detail = self.detail()
            lasted = self.clock() - self.since
            self._line(f"… {self.what} ({lasted:.0f} s so far{'; ' + detail if detail else ''})")

    def __enter__(self) -> Steps:
        Steps.active = self
        self._thread = threading.Thread(target=self._run, daemon=True, name="shingikai-steps")
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.beat()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        Steps.active = None
