"""Label | value tables printed without rulings, found by the gutter between their two columns.

A table drawn without borders (a web page's layout table printed by a browser,
a word processor's table with its borders off) leaves pdfplumber no edges to
find cells by. Its text lines then mix the columns: a label wrapped over two
or three lines, or centred on its value, shares baselines with the value's
lines, and reading line by line gives `電子メールアドレ個人情報` for a value
line and a label line. What still tells the table is the gutter: an x at which
every line of the block either starts its right-hand part or has nothing, with
a narrow left column. Such a block is written as `label<TAB>value` rows, as a
ruled table is (`extractors.reading._table_lines`), so the same readers apply.

Rows are told by the space between them (cell padding) where the values'
lines are spaced evenly; a value block takes the label it overlaps, as a label
is printed at the top or the middle of its row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import median
from typing import Any

Obj = dict[str, Any]

# the left column is a label column: at most this share of the text width
_LABEL_SHARE = 0.5
# a gap between lines this much (in font sizes) over the usual one starts a new row
_ROW_GAP = 0.3


@dataclass
class Fragment:
    """A run of characters of one line, with no gap as wide as a gutter inside it."""

    chars: list[Obj]

    @property
    def x0(self) -> float:
        return float(self.chars[0]["x0"])

    @property
    def x1(self) -> float:
        return float(self.chars[-1]["x1"])

    @property
    def top(self) -> float:
        return min(float(c["top"]) for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(float(c["bottom"]) for c in self.chars)

    @property
    def text(self) -> str:
        return "".join(c["text"] for c in self.chars).strip()


@dataclass
class Line:
    fragments: list[Fragment]

    @property
    def top(self) -> float:
        return min(f.top for f in self.fragments)

    @property
    def bottom(self) -> float:
        return max(f.bottom for f in self.fragments)


@dataclass
class Band:
    """Lines of one unruled two-column table; `gutter` is where its right column starts."""

    lines: list[Line]
    gutter: float

    @property
    def bbox_top(self) -> float:
        return self.lines[0].top

    @property
    def bbox_bottom(self) -> float:
        return self.lines[-1].bottom


def _lines(chars: list[Obj]) -> list[list[Obj]]:
    """Upright characters (spaces too) grouped into lines by their vertical middle, left to right."""
    rows: list[list[Obj]] = []
    for c in sorted(
        (c for c in chars if c.get("upright", True)), key=lambda c: (c["top"] + c["bottom"]) / 2
    ):
        middle = (c["top"] + c["bottom"]) / 2
        if rows:
            first = rows[-1][0]
            if abs(middle - (first["top"] + first["bottom"]) / 2) < 0.4 * max(
                first["bottom"] - first["top"], 1.0
            ):
                rows[-1].append(c)
                continue
        rows.append([c])
    out = []
    for row in rows:
        row.sort(key=lambda c: c["x0"])
        while row and not row[-1]["text"].strip():
            row.pop()
        while row and not row[0]["text"].strip():
            row.pop(0)
        if row:
            out.append(row)
    return out


def _size(chars: list[Obj]) -> float:
    return float(median(c["bottom"] - c["top"] for c in chars))


def _split(line: list[Obj], gutter: float) -> tuple[list[Obj], list[Obj]] | None:
    """The line's characters left and right of the gutter, or None when the line runs across it.

    The left part must end a visible gap (a quarter of the font size) before
    the gutter: prose set solid can have a character boundary exactly there.
    """
    left = [c for c in line if c["x0"] < gutter - 0.5]
    right = [c for c in line if c["x0"] >= gutter - 0.5]
    ink = [c for c in left if c["text"].strip()]
    if ink and max(c["x1"] for c in ink) > gutter - 0.25 * _size(line):
        return None
    return (left if ink else []), right


def find_bands(chars: list[Obj], page_x0: float, page_x1: float) -> list[Band]:
    """Blocks of consecutive lines that hold a label | value table drawn without rulings.

    A candidate gutter is an x at which characters start, after a gap or at a
    line's start, on at least two lines, no further right than half the
    text width. The block around it is a run of lines that each leave a gap
    at the gutter. It counts as a table only when a label line stands alone
    there (a label wrapped, or centred on a longer value), which line-by-line
    reading gets wrong; a two-column block whose labels each sit on one line
    beside their value reads right already and is left as it is.
    """
    lines = _lines(chars)
    if len(lines) < 3:
        return []
    left_edge = min(ln[0]["x0"] for ln in lines)
    width = max(ln[-1]["x1"] for ln in lines) - left_edge
    size = _size([c for ln in lines for c in ln])
    starts: dict[int, set[int]] = {}
    for i, ln in enumerate(lines):
        ink = [c for c in ln if c["text"].strip()]
        for prev, c in zip([None, *ink], ink, strict=False):
            if prev is None or c["x0"] - prev["x1"] >= 0.3 * size:
                starts.setdefault(round(c["x0"]), set()).add(i)
    bands: list[Band] = []
    used: set[int] = set()
    for x, where in sorted(starts.items(), key=lambda kv: -len(kv[1])):
        if len(where) < 2 or not size <= x - left_edge <= _LABEL_SHARE * width:
            continue
        gutter = float(x)
        run: list[int] = []
        for i, ln in enumerate(lines):
            if i not in used and _split(ln, gutter) is not None:
                run.append(i)
                continue
            _keep(run, lines, gutter, bands, used)
            run = []
        _keep(run, lines, gutter, bands, used)
    return sorted(bands, key=lambda b: b.bbox_top)


def _keep(
    run: list[int], lines: list[list[Obj]], gutter: float, bands: list[Band], used: set[int]
) -> None:
    """Keep the run as a band when it has both columns and a label line standing alone."""
    parts: dict[int, tuple[list[Obj], list[Obj]]] = {}
    for i in run:
        split = _split(lines[i], gutter)
        if split is not None:  # every line of a run splits
            parts[i] = split
    # a label line without a value at either end is prose above or below the table (a value
    # line without a label is kept: the value of a row whose label is centred on it)
    while run and not parts[run[0]][1] and not _close(lines, run):
        run.pop(0)
    while run and not parts[run[-1]][1]:
        run.pop()
    if len(run) < 3:
        return
    both = sum(1 for i in run if parts[i][0] and parts[i][1])
    left_only = sum(1 for i in run if parts[i][0] and not parts[i][1])
    if both < 2 or left_only < 2:
        return
    if _wrapped_labels(lines, run, parts) < 2 and _interleaved(lines, run, parts) < 2:
        return
    if _flows(lines, run, parts):
        return
    band = Band([], gutter)
    for i in run:
        left, right = parts[i]
        band.lines.append(Line([Fragment(p) for p in (left, right) if p]))
    bands.append(band)
    used.update(run)


def _wrapped_labels(
    lines: list[list[Obj]], run: list[int], parts: dict[int, tuple[list[Obj], list[Obj]]]
) -> int:
    """How many labels wrap: a left part as wide as the column's widest, the next line's left part close below.

    Labels wrapped by the width of their column are what mixes the columns
    when read line by line; a column of short names or dates beside a second
    column (a list of members, an addressee and a sender) has none.
    """
    widths = {i: _width(parts[i][0]) for i in run}
    widest = max(widths.values())
    labelled = [i for i in run if parts[i][0]]
    count = 0
    for i, j in zip(labelled, labelled[1:], strict=False):
        gap = min(c["top"] for c in parts[j][0]) - max(c["bottom"] for c in parts[i][0])
        size = _size(parts[i][0])
        if widths[i] >= widest - 1.5 * size and gap < 0.5 * size:
            count += 1
    return count


def _interleaved(
    lines: list[list[Obj]], run: list[int], parts: dict[int, tuple[list[Obj], list[Obj]]]
) -> int:
    """How many lines of one column sit half a line off the other's: a label centred on its value.

    Lines of one flow of text never overlap; a label line that overlaps a
    value line above or below it by a quarter of its height was set in a cell
    of its own.
    """
    count = 0
    for i, j in zip(run, run[1:], strict=False):
        (li, ri), (lj, rj) = parts[i], parts[j]
        if not ((li and not ri and rj and not lj) or (ri and not li and lj and not rj)):
            continue
        overlap = max(c["bottom"] for c in lines[i]) - min(c["top"] for c in lines[j])
        if overlap > 0.25 * _size(lines[i]):
            count += 1
    return count


def _width(chars: list[Obj]) -> float:
    ink = [c for c in chars if c["text"].strip()]
    return float(ink[-1]["x1"] - ink[0]["x0"]) if ink else 0.0


def _flows(
    lines: list[list[Obj]], run: list[int], parts: dict[int, tuple[list[Obj], list[Obj]]]
) -> bool:
    """Text runs on from the right column into the left one: prose with a hanging indent.

    A line whose right part reaches the right edge without ending a sentence,
    followed closely by a line with only a left part, wrapped there, and then
    by a new left-hand entry: in a table the next label is a row below, past
    the cells' padding, or the value goes on past a label line between.
    """
    right_edge = max(c["x1"] for i in run for c in lines[i])
    for at, (i, j) in enumerate(zip(run, run[1:], strict=False)):
        right = [c for c in parts[i][1] if c["text"].strip()]
        if not right or not parts[j][0] or parts[j][1]:
            continue
        after = run[at + 2] if at + 2 < len(run) else None
        if after is not None and not parts[after][0]:
            continue  # the value goes on beside the label: a label line between its lines
        size = _size(right)
        if (
            right[-1]["x1"] >= right_edge - 1.5 * size
            and right[-1]["text"] not in "。．.!?！？"
            and _close(lines, [i, j], 0.5)
        ):
            return True
    return False


def _close(lines: list[list[Obj]], run: list[int], share: float = 0.3) -> bool:
    """The run's first line lies as close to the next as lines of one paragraph do: a wrapped label."""
    if len(run) < 2:
        return False
    first, second = lines[run[0]], lines[run[1]]
    gap = min(c["top"] for c in second) - max(c["bottom"] for c in first)
    return gap < share * _size(first)


def band_rows(band: Band, opens_item: Callable[[str], object]) -> list[tuple[str, str]]:
    """The band's rows as (label, value); a value with no label beside it continues the row above.

    `opens_item(line)` says whether a value line opens a list item (a bullet, an
    enumerator): it starts a line of its own, wrap or not.
    """
    left = _column([f for ln in band.lines for f in ln.fragments if f.x0 < band.gutter - 0.5])
    right = _column([f for ln in band.lines for f in ln.fragments if f.x0 >= band.gutter - 0.5])
    # the leading of the column whose cells hold more lines (one-line labels have none)
    found = [x for x in (_leading(left), _leading(right)) if x is not None]
    usual = min(found) if found else 0.0
    labels, values = _blocks(left, usual), _blocks(right, usual)
    if not labels or not values:
        return []
    right_edge = _wrap_edge([f for block in values for f in block])
    groups = _assign(labels, values)
    out = []
    lead = [f for block in groups[0] for f in block]
    if lead:
        out.append(("", _value_text(lead, right_edge, opens_item)))
    for label, blocks in zip(labels, groups[1:], strict=True):
        value = [f for block in blocks for f in block]
        out.append(("".join(f.text for f in label), _value_text(value, right_edge, opens_item)))
    return out


def _wrap_edge(fragments: list[Fragment]) -> float:
    """Where the value column's lines wrap: the right end that most lines reach.

    Not simply the rightmost end: a row of more cells than the others (a
    four-column row in a two-column table) reaches further than the value
    column's wrapped lines do. At least three lines must end there; else the
    rightmost end.
    """
    ends = sorted((f.x1 for f in fragments), reverse=True)
    size = median(f.bottom - f.top for f in fragments)
    best, best_n = ends[0], 0
    for e in ends:
        n = sum(1 for x in ends if e - 1.5 * size <= x <= e)
        if n > best_n:
            best, best_n = e, n
    return best if best_n >= 3 else ends[0]


def _assign(
    labels: list[list[Fragment]], values: list[list[Fragment]]
) -> list[list[list[Fragment]]]:
    """Value blocks (in order) split into one run per label, and a run before the first label.

    A label sits at the top of its row or in its middle, so the split chosen
    puts each label's top at its values' top, or its middle at their middle,
    as nearly as can be (dynamic programming over the cut points). The run before
    the first label is what lies wholly above it: a line above the table, or a
    row continued from the page before.
    """
    n, m = len(values), len(labels)
    inf = float("inf")

    def cost(j: int, a: int, b: int) -> float:  # label j takes values[a:b]
        if a == b:
            return size  # a label without a value is rare
        top, bottom = values[a][0].top, values[b - 1][-1].bottom
        ltop, lbottom = labels[j][0].top, labels[j][-1].bottom
        # rows come in order: no value of this row starts below the next label's top
        # or ends above the previous label's top
        if j + 1 < m and values[b - 1][0].top >= labels[j + 1][0].top:
            return inf
        if j > 0 and values[a][-1].bottom <= labels[j - 1][0].top:
            return inf
        return min(abs(top - ltop), abs((top + bottom) - (ltop + lbottom)) / 2)

    size = median(f.bottom - f.top for block in labels for f in block)
    lead = 0
    while lead < n and values[lead][-1].bottom <= labels[0][0].top:
        lead += 1
    # best[j][b]: the least cost of giving values[:b] to the lead run and labels[:j]
    best = [[inf] * (n + 1) for _ in range(m + 1)]
    cut = [[0] * (n + 1) for _ in range(m + 1)]
    for b in range(lead + 1):
        best[0][b] = 0.0
    for j in range(1, m + 1):
        for b in range(n + 1):
            for a in range(b + 1):
                if best[j - 1][a] < inf:
                    c = best[j - 1][a] + cost(j - 1, a, b)
                    if c < best[j][b]:
                        best[j][b], cut[j][b] = c, a
    groups: list[list[list[Fragment]]] = []
    b = n
    for j in range(m, 0, -1):
        a = cut[j][b]
        groups.insert(0, values[a:b])
        b = a
    groups.insert(0, values[:b])
    return groups


def _column(parts: list[Fragment]) -> list[Fragment]:
    return sorted({id(f): f for f in parts}.values(), key=lambda f: f.top)


def _leading(frags: list[Fragment]) -> float | None:
    """The usual gap between two lines of one cell of the column: the median of the narrow gaps."""
    size = median(f.bottom - f.top for f in frags) if frags else 0.0
    narrow = [
        b.top - a.bottom
        for a, b in zip(frags, frags[1:], strict=False)
        if b.top - a.bottom < 0.5 * size
    ]
    return max(0.0, median(narrow)) if narrow else None


def _blocks(frags: list[Fragment], usual: float) -> list[list[Fragment]]:
    """Fragments of one column grouped into cells: a gap wider than the usual leading splits."""
    if not frags:
        return []
    size = median(f.bottom - f.top for f in frags)
    blocks = [[frags[0]]]
    for a, f in zip(frags, frags[1:], strict=False):
        if f.top - a.bottom > usual + _ROW_GAP * size:
            blocks.append([f])
        else:
            blocks[-1].append(f)
    return blocks


def _value_text(
    value: list[Fragment], right_edge: float, opens_item: Callable[[str], object]
) -> str:
    """A value cell's lines, joined where a line runs to the column's right edge (a wrap)."""
    out = ""
    joined = True
    for f in value:
        text = f.text
        if not text:
            continue
        if out and (not joined or opens_item(text)):
            out += "\n"
        out += text
        width = (f.x1 - f.x0) / max(len(text), 1)
        joined = f.x1 >= right_edge - 2.5 * width
    return out
