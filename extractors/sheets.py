"""Label/value sheets: the formal attachment of a 諮問 (委託先, 所管課名, 取扱う個人情報 ...).

A sheet row is either `label<TAB>value` (tables, tab-separated cells) or a
numbered line `N label value` whose label is one of the labels such sheets use.
Lines after a row that have no label of their own continue its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.common import lines

# label families; the label text is matched after removing blanks
LABELS: dict[str, re.Pattern[str]] = {
    "contractor": re.compile(
        r"^(委託先|結合先|提供先|受託者|受託事業者|委託事業者|委託業者|契約の?相手方|結合の相手方|提供を受ける者|指定管理者|相手先)(名|等)?(\(.{1,12}\)|（.{1,12}）)?$"
    ),
    "department": re.compile(r"^(所管課|担当課|所管部署|主管課|担当部署|所管)(名)?$"),
    "items": re.compile(
        r"(取り?扱う個人情報|個人情報の項目|個人情報の(?:類型|種類)|記録項目|送受信(する)?項目|提供(する)?項目|対象(と|となる)?個人情報|委託する個人情報|個人情報の内容|取り?扱う情報|扱う個人情報)"
    ),
    "title": re.compile(r"^(件名|業務名|事務事業名|事業名|業務登録名|事務の名称|諮問事項|事項)$"),
    "blanket": re.compile(r"事前一括承認"),
}

_NUMBERED = re.compile(r"^(\d{1,2}|[(（]\d{1,2}[)）])\s*[.．、)]?\s*(\S{2,24}?)(?:\s+|\t)(.+)$")
_LABEL_CHARS = re.compile(r"^[^\s、。,]{2,24}$")


@dataclass(frozen=True)
class SheetRow:
    label: str
    family: str | None
    value: str
    label_start: int
    value_start: int
    value_end: int


def label_family(label: str) -> str | None:
    key = re.sub(r"\s|^\d+\s*[.．、)]?", "", label)
    for family, rx in LABELS.items():
        if rx.search(key):
            return family
    return None


def sheet_rows(text: str, start: int = 0, end: int | None = None) -> list[SheetRow]:
    """Label/value rows in text[start:end], with continuation lines folded into values."""
    rows: list[SheetRow] = []
    current: dict | None = None
    for line in lines(text, start, end):
        found = _row(line.text)
        if found is not None:
            if current:
                rows.append(_finish(text, current))
            label, value_off = found
            current = {
                "label": label,
                "label_start": line.start,
                "value_start": line.start + value_off,
                "value_end": line.end,
            }
        elif (
            current is not None
            and line.text.strip()
            and not _breaks_row(line.text)
            and not _ends_list(current, line.text)
        ):
            current["value_end"] = line.end
        elif current is not None:
            rows.append(_finish(text, current))
            current = None
    if current:
        rows.append(_finish(text, current))
    return rows


def _row(line: str) -> tuple[str, int] | None:
    if "\t" in line:
        label, _, _ = line.partition("\t")
        if label.strip() and len(label.strip()) <= 40:
            return label.strip(), len(label) + 1
        return None
    m = _NUMBERED.match(line)
    if m and label_family(m.group(2)):
        return m.group(2), m.start(3)
    alone = re.match(r"^(?:\d{1,2}|[(（]\d{1,2}[)）])\s*[.．、)]?\s*(\S{2,24})$", line)
    if alone and label_family(alone.group(1)):
        return alone.group(1), len(line)
    return None


def _ends_list(current: dict, line: str) -> bool:
    """A list value (items, parties) does not run on into prose or a new bracketed heading."""
    family = label_family(current["label"])
    return family in ("items", "contractor") and bool(re.match(r"^[【(（]", line) or "。" in line)


def _breaks_row(line: str) -> bool:
    # a new numbered or bracketed heading ends the value of the row above
    return (
        bool(re.match(r"^(\d{1,2}\s|\(\d+\)|[IVX]+\s|【諮問|諮問第|第\s*\d+)", line))
        and "\t" not in line
    )


def _finish(text: str, cur: dict) -> SheetRow:
    label = cur["label"]
    return SheetRow(
        label,
        label_family(label),
        text[cur["value_start"] : cur["value_end"]],
        cur["label_start"],
        cur["value_start"],
        cur["value_end"],
    )


# a value under its label in the discussion or a handout quoted in it, outside a formal sheet
# (no row that would cut the item's region): `取り扱う個人情報：氏名、住所`, `【委託先】X`,
# the label alone above its value, `取扱う個人情報 氏名、住所` (a list after a blank)
_LABELLED = re.compile(
    r"(?m)^[ \t\u3000・●○■□◆◇\-]*(?:(?:\d{1,2}|[(（]\d{1,2}[)）]|[①-⑳])\s*[.．、)]?\s*)?"
    r"(?:【([^【】\n]{2,24})】|([^\s:：、。【】]{2,24}?)\s*[:：])[ \t\u3000]*([^\n]*)$"
    r"|^[ \t\u3000・●○■□◆◇\-]*([^\s:：、。【】]{2,24})[ \t\u3000]*$"
    r"|^[ \t\u3000・●○■□◆◇\-]*([^\s:：、。【】]{2,24})[ \t\u3000]+([^\s。][^\n。]*[、,，][^\n。]*)$"
)


# what a link or a provision sends, as a label of its own (not a sheet row: a formal sheet
# uses these words in headings about the items too, `提供する個人情報の範囲について`)
_SENT_ITEMS = re.compile(r"(?:提供|送信|送付)する(?:項目|個人情報)$")


def labelled_values(text: str, start: int, end: int, family: str) -> list[tuple[int, int]]:
    """Spans of the values under a label of a family (取り扱う個人情報, 委託先) in text[start:end]."""
    out = []
    for m in _LABELLED.finditer(text, start, end):
        label = m.group(1) or m.group(2) or m.group(4) or m.group(5)
        family_of = label_family(label)
        if family_of is None and _SENT_ITEMS.search(label):
            family_of = "items"
        if family_of != family or re.search(r"[はをがの]$|について", label):
            continue
        value = 6 if m.group(5) else 3
        s, e = m.span(value) if (m.group(value) or "").strip() else (m.end(), m.end())
        if s == e:  # the label alone: the list is the next line
            nl = text.find("\n", m.end(), end)
            if nl < 0:
                continue
            s = nl + 1
            e = text.find("\n", s, end)
            e = end if e < 0 else e
            if not text[s:e].strip() or "。" in text[s:e]:
                continue
        e = s + len(text[s:e].rstrip("。 \t\u3000"))
        out.append((s, e))
    return out


_PIPE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")


def _pipe_cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each cell of a `a | b |` line, blanks trimmed, empty trailing cell dropped."""
    cells, pos = [], start
    for i in range(start, end + 1):
        if i == end or text[i] == "|":
            s, e = pos, i
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            cells.append((s, e))
            pos = i + 1
    if text[start:end].lstrip().startswith("|"):
        cells = cells[1:]
    if cells and cells[-1][0] == cells[-1][1]:
        cells = cells[:-1]
    return cells


def pipe_rows(text: str) -> list[SheetRow]:
    """Rows of tables flattened with `|` (markdown-like), each cell under its column's label.

    The header is every `|` line above the rule line `---|---`, read left to right (a
    header that wraps onto a second line continues the first); each data line's cells
    take the header labels in order.
    """
    rows: list[SheetRow] = []
    all_lines = list(lines(text))
    for k, line in enumerate(all_lines):
        if not _PIPE_RULE.match(line.text):
            continue
        header: list[str] = []
        j = k - 1
        while j >= 0 and k - j <= 4 and "|" in all_lines[j].text:
            j -= 1
        for h in all_lines[j + 1 : k]:
            header += [text[s:e] for s, e in _pipe_cells(text, h.start, h.end)]
        for data in all_lines[k + 1 :]:
            if "|" not in data.text:
                break
            for col, (s, e) in enumerate(_pipe_cells(text, data.start, data.end)):
                if col < len(header) and s < e and label_family(header[col]):
                    rows.append(
                        SheetRow(
                            header[col], label_family(header[col]), text[s:e], data.start, s, e
                        )
                    )
    return rows
