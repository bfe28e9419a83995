"""Attachments of a 答申 or a record: `別表１　諮問第18号において取り扱う個人情報`, then its entries.

An attachment is a caption line (別表, 別紙, 別記, with its number) whose words say what it
lists (the items handled, the parties that receive them), then the numbered or bulleted
lines under it. It belongs to the 諮問 its caption names (`諮問第18号において…`), else to the
one item whose own text refers to it (`委託先は別表２のとおり`). Its entries become sheet rows,
so one reader interprets them with every other list: items split as items, parties as parties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.common import NUM, lines, to_int
from extractors.sheets import LIST_LEAD, SheetRow, label_family, sheet_rows

_CAPTION = re.compile(r"^[ \t\u3000]*(別表|別紙|別記)[ \t\u3000]*([0-9]{1,2})?[ \t\u3000:：]*(.*)$")
_NUMBER = re.compile(rf"諮問\s*第\s*({NUM})\s*号")
_ITEM_WORDS = re.compile(r"個人情報|項目|記録事項|情報の内容")
_PARTY_WORDS = re.compile(r"委託先|再委託先|結合先|提供先|受託者|指定管理者|相手方")
# an entry: its enumerator or bullet, then the entry (`1.　生年月日`, `・氏名`, `(3) 住所`)
_ENTRY = re.compile(LIST_LEAD + r"(?=\S)")
# an entry that names a party's role first: `委託先（運用保守）　株式会社X`
_ROLE = re.compile(
    r"^((?:再委託先|委託先|結合先|提供先|受託者|指定管理者)(?:[(（][^()（）]{1,20}[)）])?)[ \t\u3000]+(?=\S)"
)


@dataclass(frozen=True)
class Attachment:
    """A captioned list: its key (別表2), the 諮問 number its caption names, and its rows."""

    key: str
    number: int | None
    start: int
    end: int
    rows: tuple[SheetRow, ...]


def attachments(text: str) -> list[Attachment]:
    """Every captioned list of items or parties in the text."""
    out = []
    all_lines = list(lines(text))
    for i, line in enumerate(all_lines):
        m = _CAPTION.match(line.text)
        if not m:
            continue
        caption = m.group(3)
        items = bool(_ITEM_WORDS.search(caption)) or label_family(caption) == "items"
        parties = bool(_PARTY_WORDS.search(caption))
        if not (items or parties):
            continue
        entries = _entries(all_lines[i + 1 :])
        rows: tuple[SheetRow, ...] = ()
        end = entries[-1][1] if entries else line.end
        if len(entries) >= 2 or (parties and entries):
            rows = _rows(text, caption, line.start, entries, items=items and not parties)
        n = _NUMBER.search(caption)
        if not rows and n:
            # parts of its own under a caption naming its 諮問 (`(1) 委託先` over a table,
            # `(2) 取り扱う個人情報` over a list): the rows read in them, up to the next caption,
            # a closing heading or prose
            end = _extent_end(all_lines, i)
            rows = tuple(
                r
                for r in sheet_rows(text, line.end, end)
                if r.family in ("items", "contractor") and r.value.strip()
            )
        if not rows:
            continue
        key = m.group(1) + (m.group(2) or "")
        out.append(Attachment(key, to_int(n.group(1)) if n else None, line.start, end, rows))
    return out


# a heading that closes the attachments (`付言`, `以上`): what follows is none of theirs
_CLOSING = re.compile(r"^[ \t\u3000]*(?:付言|附言|付記|以上|備考)[ \t\u3000]*$")


# a line no attachment's part holds: a sentence, the next 諮問 or section, a speaker's mark
_ENDS_PARTS = re.compile(r"^[ \t\u3000]*(?:[^\t]*。|諮問第|第\s*\d|[＜<〈○◯]|【)")


def _extent_end(all_lines: list, i: int) -> int:  # type: ignore[type-arg]
    """Where the attachment captioned on line `i` ends: at the next caption or closing heading."""
    for line in all_lines[i + 1 :]:
        if _CAPTION.match(line.text) or _CLOSING.match(line.text) or _ENDS_PARTS.match(line.text):
            return line.start - 1 if line.start else 0
    return all_lines[-1].end


def _entries(following: list) -> list[tuple[int, int]]:  # type: ignore[type-arg]
    """(start, end) of each entry under a caption: list lines, with a wrapped line joined."""
    out: list[tuple[int, int]] = []
    for line in following:
        if not line.text.strip():
            if out:
                break
            continue
        m = _ENTRY.match(line.text)
        if m:
            out.append((line.start + m.end(), line.end))
        elif out and (line.text[:1] in " \t\u3000(（") and len(line.text.strip()) <= 60:
            continue  # a wrapped entry's second line (an address, a remark): no entry of its own
        else:
            break
    return out


def _rows(
    text: str, caption: str, caption_start: int, entries: list[tuple[int, int]], *, items: bool
) -> tuple[SheetRow, ...]:
    if items:
        return (_row(text, caption, "items", caption_start, entries),)
    parties = []
    for s, e in entries:
        role = _ROLE.match(text[s:e])
        if role:
            parties.append((s + role.end(), e))
    return (_row(text, caption, "contractor", caption_start, parties),) if parties else ()


def _row(
    text: str, label: str, family: str, label_start: int, spans: list[tuple[int, int]]
) -> SheetRow:
    value = "\n".join(text[s:e] for s, e in spans)
    return SheetRow(label, family, value, label_start, spans[0][0], spans[0][1], tuple(spans))


def referred(text: str, key: str, start: int, end: int) -> bool:
    """The text[start:end] refers to the attachment `key` (`別表2のとおり`, `別表2に掲げる`)."""
    kind, number = key[:2], key[2:]
    return bool(number) and re.search(rf"{kind}\s*{number}(?![0-9])", text[start:end]) is not None
