"""Item regions: the stretch of text that deals with each consultation, and its sheet.

An item's region runs from where the proceedings take it up (its number or a title
prefix no other item shares) to where the next item is taken up. A 答申 is one
region. Formal sheets (label/value rows) after the proceedings are attachments: they
end a discussion's region and are given to the consultation whose title heads them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from extractors import agenda
from extractors.agenda import Item
from extractors.common import lines
from extractors.sheets import SheetRow

_ENDS_SECTION = re.compile(r"^(?:\(\d+\)\s*|\d+\s*)?(その他|閉会|次回|以上)\s*$", re.M)


@dataclass
class ItemRegion:
    """A consultation, the text[start:end] that deals with it, and the sheet rows given to it."""

    item: Item
    start: int
    end: int
    sheet: list[SheetRow] = field(default_factory=list)
    # where the region would end had no attachment cut it: a discussion that quotes a sheet
    # (資料1 …届出書 as a table) goes on, and reaches its decision, after the sheet
    uncut_end: int | None = None
    # for a results-table row: the stretch where the proceedings discuss the item, which may
    # say how the vote went when the row gives only the outcome
    discussion: tuple[int, int] | None = None
    # in a 答申 that answers several 諮問 under headings of their own (`第１　諮問第８号に
    # ついて`, `Ⅱ　諮問第三号…`): the item's own section, where its 所管課 and tables stand
    section: tuple[int, int] | None = None


def item_regions(
    text: str,
    consults: list[Item],
    reports: list[Item],
    body_start: int,
    *,
    toshin: bool,
    rows: list[SheetRow],
    result_spans: dict[int, tuple[int, int]],
) -> list[ItemRegion]:
    """One region per consultation, in order; a results-table row is its own region."""
    uncut = _bounds(text, consults + reports, body_start, toshin)
    bounds = uncut if toshin else _cut_at_attachments(uncut, rows, body_start)
    sheets = _assign_sheets(text, rows, consults)
    sections = _sections(text, consults) if toshin else []
    out = []
    for i, item in enumerate(consults):
        start, end = result_spans.get(i, bounds[i])
        row = i in result_spans
        whole = None if row else uncut[i][1]
        talk = bounds[i] if row and bounds[i] != (start, end) else None
        section = sections[i] if sections else None
        out.append(ItemRegion(item, start, end, sheets.get(i, []), whole, talk, section))
    return out


# a heading's enumerator: `第１`, `Ⅱ`, `２．`, `（３）`
_HEAD_ENUM = re.compile(
    r"^[ \t　]*(第[0-9０-９一二三四五六七八九十]{1,3}(?![0-9０-９一二三四五六七八九十]*[号回期条項章年月日])"
    # Roman numerals as normalised text gives them (Ⅱ -> II)
    r"|(?:IX|IV|V?I{1,3}|V|X)(?=[ \t　.．])[.．]?"
    r"|[0-9０-９]{1,2}(?:[.．]|(?=[ \t　]))|[(（][0-9０-９]{1,2}[)）])[ \t　]*"
)


# an attachment's caption ends the last part: `別表１　…`, `別紙`
_ATTACHMENT = re.compile(
    r"^[ \t　]*(?:別表|別紙|別記)[ \t　]*[0-9０-９]{0,2}(?![0-9０-９])(?!\s*[のにをはが、])"
)


def _enum_class(enum: str) -> str:
    return enum[0] if enum[0] in "第(（" else "roman" if enum[0] in "IVX" else "digit"


def _sections(text: str, consults: list[Item]) -> list[tuple[int, int]]:
    """Each 諮問's own section of a 答申 that heads one per 諮問, in order; [] when it does not.

    A section is a heading line (an enumerator, then the item's number or title) up to the
    next heading of the same kind of enumerator (the next 諮問's, or `第３　付言`) or, for the
    last, an attachment's caption (`別表１`).
    """
    if len(consults) < 2:
        return []
    heads: list[tuple[int, str]] = []
    for item in consults:
        found = []
        for line in lines(text):
            m = _HEAD_ENUM.match(line.text)
            if not m:
                continue
            rest = line.text[m.end() :]
            n = agenda.NUMBER_RE.match(rest)
            named = n is not None and agenda.number_of(n) == item.number
            if item.number is None and item.title:
                named = rest.startswith(item.title[:12])
            if named:
                found.append((line.start, _enum_class(m.group(1))))
        if not found:
            return []
        heads.append(found[-1])  # listed first, taken up under a heading of its own later
    starts = [h[0] for h in heads]
    if (
        starts != sorted(starts)
        or len(set(starts)) != len(starts)
        or len({h[1] for h in heads}) > 1
    ):
        return []
    out = []
    for k, (s, kind) in enumerate(heads):
        e = starts[k + 1] if k + 1 < len(heads) else len(text)
        if k + 1 == len(heads):  # the last section ends at the next heading of its kind
            for line in lines(text, text.find("\n", s) + 1 or len(text)):
                m = _HEAD_ENUM.match(line.text)
                if (m and _enum_class(m.group(1)) == kind) or _ATTACHMENT.match(line.text):
                    e = line.start
                    break
        out.append((s, e))
    if any(text[s:e].strip().count("\n") < 1 for s, e in out):
        return []  # a list line that names the item is not its section
    return out


def _anchors(text: str, item: Item, others: list[Item], body_start: int) -> list[int]:
    """Where the proceedings return to the item: its number or its (distinguishing) title."""
    found = []
    if item.number is not None:
        for m in agenda.NUMBER_RE.finditer(text, body_start):
            if (
                agenda.number_of(m) == item.number
                and agenda.is_item_mention(text, m)
                or _decision_reference(text, m, item.number)
            ):
                found.append(m.start())
        # `諮問第9号および第10号` refers to the second by `第10号`
        for m in re.finditer(
            rf"諮問\s*第\s*\d+\s*号\s*(?:と|および|及び|、)\s*(?:諮問)?\s*第\s*({item.number})\s*号",
            text[body_start:],
        ):
            found.append(body_start + m.start())
    if item.title:
        key = _distinguishing_prefix(
            item.title, [o.title for o in others if o is not item and o.title]
        )
        pos = text.find(key, body_start)
        while pos >= 0:
            if item.title_span is None or pos != item.title_span[0]:
                found.append(text.rfind("\n", 0, pos) + 1)
            pos = text.find(key, pos + 1)
    return sorted(set(found))


def _decision_reference(text: str, m: re.Match[str], number: int) -> bool:
    after = text[m.end() : m.end() + 60]
    return agenda.number_of(m) == number and bool(
        re.match(
            r"\s*(?:について|は|の採決|と諮問|および|及び|、|の説明|の審議|の質疑|に入|を議題|に係る説明)",
            after,
        )
    )


def _distinguishing_prefix(title: str, others: list[str]) -> str:
    for n in range(12, len(title) + 1):
        prefix = title[:n]
        if not any(o.startswith(prefix) for o in others):
            return prefix
    return title


def _bounds(text: str, items: list[Item], body_start: int, toshin: bool) -> list[tuple[int, int]]:
    """(start, end) of each item's region, in the order of `items`."""
    if toshin or len(items) == 1 and body_start >= len(text):
        return [(0, len(text)) for _ in items]
    starts = []
    for item in items:
        anchors = _anchors(text, item, items, body_start)
        starts.append(anchors[0] if anchors else item.start)
    order = sorted(range(len(items)), key=lambda i: starts[i])
    out: list[tuple[int, int]] = [(0, 0)] * len(items)
    for k, i in enumerate(order):
        s = starts[i]
        if k == 0 and body_start < s:
            # the first item's explanation may come before the body names it
            s = body_start
        later = [starts[j] for j in order[k + 1 :] if starts[j] > s]
        e = later[0] if later else len(text)
        other = _ENDS_SECTION.search(text, s + 1, e)
        if other:
            e = other.start()
        out[i] = (s, e)
    return out


def _cut_at_attachments(
    bounds: list[tuple[int, int]], rows: list[SheetRow], body_start: int
) -> list[tuple[int, int]]:
    """Attachments (formal sheets after the proceedings) belong to no item's discussion."""
    starts = sorted(
        r.label_start for r in rows if r.family and not r.by_column and r.label_start > body_start
    )
    out = []
    for s, e in bounds:
        cut = next((x for x in starts if s < x < e), None)
        out.append((s, cut if cut is not None and cut - s > 200 else e))
    return out


def _assign_sheets(
    text: str, rows: list[SheetRow], consults: list[Item]
) -> dict[int, list[SheetRow]]:
    """Give each block of sheet rows to the consultation (by index) whose title heads it."""
    useful = [r for r in rows if r.family]
    blocks: list[list[SheetRow]] = []
    # where the text takes up a consultation: no sheet runs on across one
    mentions = sorted({item.start for item in consults})
    for r in useful:
        families = {x.family for x in blocks[-1]} if blocks else set()
        # a family seen again, or a title after the lists, starts the next sheet
        repeated = (r.family in families and r.family != "blanket") or (
            r.family == "title" and families - {"title", "blanket"}
        )
        last = blocks[-1][-1] if blocks else None
        if (
            repeated
            and last is not None
            and r.family == last.family == "contractor"
            and r.label != last.label
            and re.fullmatch(r"[\s|+\-=]*", text[last.value_end : r.label_start])
        ):
            repeated = False  # parties in two roles on consecutive rows (提供先, 結合先): one sheet
        crossed = bool(blocks) and any(
            blocks[-1][-1].value_end < m < r.label_start for m in mentions
        )
        if (
            blocks
            and not repeated
            and not crossed
            and r.label_start - blocks[-1][-1].value_end < 1500
        ):
            blocks[-1].append(r)
        else:
            blocks.append([r])
    out: dict[int, list[SheetRow]] = {}
    if not consults:
        return out
    prev_end = 0
    for block in blocks:
        if not any(r.family in ("contractor", "items", "department") for r in block):
            continue
        # the sheet's heading: somewhere between the previous sheet and this one
        head = text[max(prev_end, block[0].label_start - 3000) : block[0].label_start]
        prev_end = block[-1].value_end
        titles = [r.value for r in block if r.family == "title"]
        best, score = None, 0.0
        for i, item in enumerate(consults):
            if not item.title:
                continue
            s = max(
                [_similar(item.title, line) for line in head.split("\n")[-30:]]
                + [_similar(item.title, t) for t in titles]
                + [0.0]
            )
            if s > score:
                best, score = i, s
        if best is None or score < 0.6:
            if len(consults) == 1:
                best = 0
            else:
                continue
        out.setdefault(best, []).extend(block)
    return out


def _similar(a: str, b: str) -> float:
    b = b.strip()
    if not b:
        return 0.0
    if a in b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b).ratio()
