"""Tables in the normalised text, however they were written: cells with row, column and offsets.

Every reader hands tables over as lines: a PDF's ruled table and an HTML `<table>` as
tab-separated rows (see `extractors.reading` and `extractors.normalize`), a text file's
columns aligned with blanks as tab-separated rows too (normalize turns the gaps into tabs),
and text tables drawn with bars as they are: `| a | b |` (markdown, `｜` after NFKC) and
boxed tables whose rows are framed by `+----+----+` rules. This module only finds the
geometry; what a column or a row label means is read in `extractors.sheets`.

A boxed row may take several lines (a cell wrapped inside its frame): those lines are one
row, each cell gathering its pieces. A tab-separated row may be followed by plain lines that
continue its last cell (a PDF cell with a list in it); they join that cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.common import Line, lines

_BOX_RULE = re.compile(r"^\s*\+[-=]{2,}(?:\+[-=]{2,})*\+?\s*$")
# a markdown rule may mark alignment with colons (`|:-:|---|`)
MD_DASHES = r"(?::-+:?|-+:|-{3,})"
_PIPE_RULE = re.compile(rf"^\s*[|+]?\s*{MD_DASHES}\s*(?:[|+]\s*{MD_DASHES}\s*)+[|+]?\s*$")
# a heading or a new numbered section ends a table: what follows is no cell's continuation
_HEADING = re.compile(
    r"^(\d{1,2}\s|\(\d+\)|[IVX]+\s|【|諮問第|第\s*\d+|(?:資料|別表|別紙|参考|表)\s*[0-9一二三四五六七八九十])"
)


@dataclass
class Cell:
    """One cell: its row and column in the table and the spans of text it holds (one per line)."""

    row: int
    col: int
    spans: list[tuple[int, int]] = field(default_factory=list)

    def text(self, text: str) -> str:
        return "\n".join(text[s:e] for s, e in self.spans)

    @property
    def start(self) -> int:
        return self.spans[0][0] if self.spans else -1


@dataclass
class Table:
    """A table: its rows of cells, in order, and where it lies in the text."""

    start: int
    end: int
    rows: list[list[Cell]]
    ruled: bool = False  # rows framed by rules (a boxed table): the lines of a row are one row


def _trimmed(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s] in " \t":
        s += 1
    while e > s and text[e - 1] in " \t":
        e -= 1
    return s, e


def _cells(text: str, line: Line, sep: str, *, outer: bool = True) -> list[tuple[int, int]]:
    """(start, end) of each cell of a line split on `sep`, blanks trimmed; outer bars open no cell
    (`outer`: in a table drawn with one bar between columns, a bar first leaves the first empty)."""
    cells, pos = [], line.start
    for i in range(line.start, line.end + 1):
        if i == line.end or text[i] == sep:
            cells.append(_trimmed(text, pos, i))
            pos = i + 1
    if not outer:
        return cells
    if sep == "|" and line.text.lstrip().startswith("|"):
        cells = cells[1:]
    if sep == "|" and line.text.rstrip().endswith("|") and cells and cells[-1][0] == cells[-1][1]:
        cells = cells[:-1]
    return cells


def _is_bar_row(line: str) -> bool:
    s = line.strip()
    return (s.startswith("|") and s.endswith("|") and len(s) > 2) or s.count("|") >= 2


def _kind(line: str) -> str | None:
    if _BOX_RULE.match(line) or _PIPE_RULE.match(line):
        return "rule"
    if "\t" in line:
        return "tab"
    if _is_bar_row(line):
        return "bar"
    return None


def _single_bars(all_lines: list[Line]) -> set[int]:
    """Lines of a table drawn with one bar between two columns under a `----+----` rule
    (`区分 | 項目`): a run of lines with bars that holds a rule and two rows or more."""
    out: set[int] = set()
    i = 0
    while i < len(all_lines):
        j = i
        while j < len(all_lines) and (
            "|" in all_lines[j].text or _kind(all_lines[j].text) == "rule"
        ):
            j += 1
        run = range(i, j)
        rules = [k for k in run if _kind(all_lines[k].text) == "rule"]
        if rules and j - i - len(rules) >= 2:
            out |= {k for k in run if k not in rules and _kind(all_lines[k].text) is None}
        i = j + 1 if j == i else j
    return out


def find_tables(text: str) -> list[Table]:
    """Every table in the text, in order (a sentence, a heading or a blank line ends one)."""
    out: list[Table] = []
    current: list[tuple[str, Line]] = []
    all_lines = list(lines(text))
    single = _single_bars(all_lines)
    for n, line in enumerate(all_lines):
        kind = "bar1" if n in single else _kind(line.text)
        if kind == "bar1":
            current.append((kind, line))
            continue
        if kind is None and current and current[-1][0] in ("tab", "cont"):
            # plain lines after a tab row continue its last cell, up to a heading or a blank
            if line.text.strip() and not _HEADING.match(line.text) and "。" not in line.text:
                current.append(("cont", line))
                continue
        if kind is None:
            if current:
                out.append(_table(text, current))
            current = []
            continue
        if current and {kind, current[-1][0]} in ({"tab", "bar"}, {"tab", "bar1"}):
            out.append(_table(text, current))
            current = []
        current.append((kind, line))
    if current:
        out.append(_table(text, current))
    return [t for t in out if t.rows]


def _framed_rows(found: list[tuple[str, Line]]) -> bool:
    """Rules frame each row (three bodies of lines or more between rules): a row's lines are
    one row. A table ruled only under its header and at its ends has a row per line."""
    bodies, inside = 0, False
    for kind, _ in found:
        if kind == "rule":
            inside = False
        elif not inside:
            bodies, inside = bodies + 1, True
    return bodies >= 3


def _table(text: str, found: list[tuple[str, Line]]) -> Table:
    ruled = sum(1 for k, _ in found if k == "rule") >= 2 and any(k == "bar" for k, _ in found)
    framed = ruled and _framed_rows(found)
    rows: list[list[Cell]] = []
    open_row = False  # a boxed row still gathering lines
    for kind, line in found:
        if kind == "rule":
            open_row = False
            if _PIPE_RULE.match(line.text) and not _BOX_RULE.match(line.text) and len(rows) > 1:
                # a markdown header wrapped over several lines: read left to right, one row
                header = [c for r in rows for c in r]
                rows = [[Cell(0, col, c.spans) for col, c in enumerate(header)]]
            continue
        if kind == "cont":
            if rows and rows[-1]:
                last = rows[-1][-1]
                s, e = _trimmed(text, line.start, line.end)
                if s < e:
                    last.spans.append((s, e))
            continue
        spans = _cells(text, line, "\t" if kind == "tab" else "|", outer=kind != "bar1")
        if len(spans) < 2 and not (ruled and open_row):
            continue
        if ruled and not framed and spans and spans[0][0] < spans[0][1]:
            open_row = False  # a row per line: only a line whose first cell is empty goes on
        if ruled and open_row and rows:
            row = rows[-1]
            for col, (s, e) in enumerate(spans):
                if s == e:
                    continue
                while len(row) <= col:
                    row.append(Cell(len(rows) - 1, len(row)))
                row[col].spans.append((s, e))
            continue
        row = [Cell(len(rows), col, [(s, e)] if s < e else []) for col, (s, e) in enumerate(spans)]
        rows.append(row)
        open_row = ruled
    return Table(found[0][1].start, found[-1][1].end, rows, ruled)
