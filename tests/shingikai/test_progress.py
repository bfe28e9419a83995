"""Progress of an ingest: plain periodic lines off a terminal, a bar on one."""

from __future__ import annotations

import io

from shingikai.progress import BarProgress, PlainProgress, Steps, progress_for, rate_line


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_plain_lines_at_most_every_interval_with_rate_eta_and_failures():
    out, clock = io.StringIO(), Clock()
    progress = PlainProgress(100, out, every=10, clock=clock)
    clock.now += 5
    progress.advance(10)  # 5 s in: too early for a line
    assert out.getvalue() == ""
    clock.now += 5
    progress.advance(10, failed=1)  # 10 s, 20 done: 2 docs/s, 80 left -> 40 s
    clock.now += 3
    progress.advance(10)  # 3 s after the last line: quiet
    lines = out.getvalue().splitlines()
    assert lines == ["extracted 20/100 documents (2.0 docs/s, about 40 s left, 1 failed)"]
    clock.now += 20
    progress.advance(70)  # done: the summary follows, no line
    progress.close()
    assert len(out.getvalue().splitlines()) == 1


def test_time_left_from_bytes_when_the_largest_documents_go_first():
    out, clock = io.StringIO(), Clock()
    progress = PlainProgress(100, out, every=10, clock=clock, total_work=1000)
    clock.now += 10
    progress.advance(2, work=500)  # two large documents: half the bytes in 10 s
    assert out.getvalue().splitlines() == [
        "extracted 2/100 documents (0.20 docs/s, about 10 s left, 0 failed)"
    ]


def test_rate_line_for_slow_starts_and_the_end():
    assert (
        rate_line(1, 4, 0, 40.0)
        == "extracted 1/4 documents (0.03 docs/s, about 120 s left, 0 failed)"
    )
    assert rate_line(4, 4, 2, 2.0) == "extracted 4/4 documents (2.0 docs/s, 2 failed)"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bar_and_a_pipe_plain_lines():
    assert isinstance(progress_for(3, io.StringIO()), PlainProgress)
    tty = Tty()
    bar = progress_for(3, tty, total_work=300)
    assert isinstance(bar, BarProgress)
    bar.advance(2, failed=1, work=250)
    task = bar.bar.tasks[0]
    assert (task.completed, task.total) == (250, 300)  # the bar moves by bytes
    assert (task.fields["files"], task.fields["total_files"], task.fields["failed"]) == (2, 3, 1)
    bar.close()
    assert "2/3 files" in tty.getvalue()


def test_steps_are_held_for_a_second_then_said_with_the_time_since_the_start():
    out, clock = io.StringIO(), Clock()
    steps = Steps(out, every=10, hold=1, clock=clock, started=clock.now - 0.5)
    steps.step("finding files in raw")
    clock.now += 0.2
    steps.step("loading Prefect")
    steps.beat()
    assert out.getvalue() == ""  # a command over within the hold says nothing of its steps
    clock.now += 0.3
    steps.beat()
    assert out.getvalue().splitlines() == [
        "[  0.5 s] finding files in raw",
        "[  0.7 s] loading Prefect",
    ]


def test_a_long_step_is_said_again_while_nothing_else_is_printed():
    out, clock = io.StringIO(), Clock()
    steps = Steps(out, every=10, hold=0, clock=clock)
    steps.detail = lambda: "extraction workers loading GiNZA"
    steps.step("loading Prefect")
    clock.now += 9
    steps.beat()
    clock.now += 1
    steps.beat()
    clock.now += 5
    steps.printed()  # e.g. a progress line: the run is visibly alive
    clock.now += 9
    steps.beat()
    assert out.getvalue().splitlines() == [
        "[  0.0 s] loading Prefect",
        "[ 10.0 s] … loading Prefect (10 s so far; extraction workers loading GiNZA)",
    ]
    steps.pause()  # a bar is on the terminal
    clock.now += 30
    steps.beat()
    assert len(out.getvalue().splitlines()) == 2


def test_plain_progress_lines_keep_the_steps_quiet():
    out, clock = io.StringIO(), Clock()
    steps = Steps(out, every=10, hold=0, clock=clock)
    steps.step("extracting 100 files")
    progress = PlainProgress(100, out, every=10, clock=clock, steps=steps)
    clock.now += 10
    progress.advance(10)
    steps.beat()
    assert [line.split("]")[-1].strip() for line in out.getvalue().splitlines()] == [
        "extracting 100 files",
        "extracted 10/100 documents (1.0 docs/s, about 90 s left, 0 failed)",
    ]
