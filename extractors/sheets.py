"""Label/value sheets: the formal attachment of a 諮問 (委託先, 所管課名, 取扱う個人情報 ...).

A sheet row is read from a table (`extractors.tables`: any rendering) or from a numbered
line `N label value` whose label is one of the labels such sheets use. A table is read one
of two ways, by what its cells mean:
- labels down the first column (`委託先 | 株式会社X`): each row is a label and its value; a
  row whose first cell is empty continues the label above (a wrapped or two-level row);
- a header row naming what each column holds (`区分 | 項目`, `項目 | 備考`, `諮問 | 委託先 |
  提供する項目`): each column whose header has a family gives one row per table, its
  cells the parts of the value.
Lines after a numbered row that have no label of their own continue its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from extractors.common import lines
from extractors.tables import Cell, Table, find_tables

# label families; the label text is matched after removing blanks
LABELS: dict[str, re.Pattern[str]] = {
    "contractor": re.compile(
        r"^(委託先|再委託先|結合先|提供先|受託者|受託事業者|委託事業者|委託業者|契約の?相手方|結合の相手方|提供を受ける者|指定管理者|相手先)(?:[・、](?:委託先|再委託先|結合先|提供先|受託者))*(名|等)?(\(.{1,12}\)|（.{1,12}）)?$"
    ),
    "department": re.compile(r"^(所管課|担当課|所管部署|主管課|担当部署|所管)(名)?$"),
    "items": re.compile(
        r"(取り?扱う個人情報|個人情報の項目|個人情報の(?:類型|種類)|記録項目|送受信(する)?項目|提供(する)?項目|対象(と|となる)?個人情報|委託する個人情報|個人情報の内容|取り?扱う情報|扱う個人情報|(?:送受信|送信|受信|提供|利用|委託|記録|収集|取得|照会|取り?扱わせる|引き?渡す|渡す|送付|入力|登録|保有|連携|共有|閲覧|記載|印字)(?:する|される|ことができる)?(?:個人情報|情報|項目|データ)(?:の項目|の内容)?等?(?:\(.{1,12}\)|（.{1,12}）)?$)"
    ),
    "title": re.compile(r"^(件名|業務名|事務事業名|事業名|業務登録名|事務の名称|諮問事項|事項)$"),
    "blanket": re.compile(r"事前一括承認"),
}

_NUMBERED = re.compile(r"^(\d{1,2}|[(（]\d{1,2}[)）])\s*[.．、)]?\s*(\S{2,24}?)(?:\s+|\t)(.+)$")
_LABEL_CHARS = re.compile(r"^[^\s、。,]{2,24}$")


@dataclass(frozen=True)
class SheetRow:
    """A label and its value; `parts` are the value's pieces when it lies in several cells or lines."""

    label: str
    family: str | None
    value: str
    label_start: int
    value_start: int
    value_end: int
    parts: tuple[tuple[int, int], ...] = ()
    by_column: bool = False  # a column of a table read by its header, not a formal sheet's row
    per_subject: bool = False  # the table has a row per 諮問 (第N号 down its first column)

    @property
    def spans(self) -> list[tuple[int, int]]:
        return list(self.parts) or [(self.value_start, self.value_end)]


def label_family(label: str) -> str | None:
    key = re.sub(r"\s|^\d+\s*[.．、)]?", "", label)
    for family, rx in LABELS.items():
        if rx.search(key):
            return family
    return None


def sheet_rows(text: str, start: int = 0, end: int | None = None) -> list[SheetRow]:
    """Label/value rows in text[start:end]: the tables' rows, then numbered label lines outside them."""
    tables = [t for t in find_tables(text) if t.end > start and (end is None or t.start < end)]
    rows: list[SheetRow] = [r for t in tables for r in table_rows(text, t)]
    inside = [(t.start, t.end) for t in tables]
    current: dict | None = None
    for line in lines(text, start, end):
        if any(s <= line.start <= e for s, e in inside):
            if current:
                rows.append(_finish(text, current))
            current = None
            continue
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
    return sorted(rows, key=lambda r: r.label_start)


_SUBJECT_NUMBER = r"^(?:諮問)?\s*(?:第\s*\d+\s*号|No\.?\s*\d+)"
# a column header that says the column holds the items, though no sheet labels a row so
_ITEMS_HEADER = re.compile(r"^(?:記録|個人情報の|データ|提供|利用|対象)?項目(?:名)?$")


# the column that names a party, beside one headed by its role
_NAME_HEADER = re.compile(
    r"^(?:名称|氏名又は名称|氏名・名称|事業者名|法人名|団体名|商号|名称等|名称及び所在地)$"
)


def _key(cell: str) -> str:
    return re.sub(r"\s", "", cell)


def _column_family(header: str) -> str | None:
    family = label_family(header)
    if family in ("items", "contractor"):
        return family
    return "items" if _ITEMS_HEADER.match(_key(header)) else None


def _labels_down(text: str, table: Table) -> bool:
    """The first column holds sheet labels (事務の名称, 委託先 ...): a label/value table."""
    heads = [label_family(c.text(text)) for c in table.rows[0]]
    below = table.rows[1][0].text(text) if len(table.rows) > 1 and table.rows[1] else ""
    if sum(1 for f in heads if f) >= 2 and below and not label_family(below):
        return False  # labels across the top (結合先 | 送受信する個人情報 | 目的): a header row
    if heads[0] in ("contractor", "items", "department"):
        return True  # no header row: the table opens with a label (受託者 | 株式会社X)
    firsts = [r[0].text(text) for r in table.rows[1:] if r and r[0].spans]
    known = sum(1 for f in firsts if label_family(f))
    return known >= 2 or (bool(firsts) and known * 3 >= len(firsts) and known > 0)


def table_rows(text: str, table: Table) -> list[SheetRow]:
    """The sheet rows a table gives: by its header's columns, or by the labels down its first column.

    A row that reads as a header (`区分 | 項目`) inside a table opens a table of its own: two
    tables drawn one after the other, with nothing between them once blank lines are gone.
    """
    out: list[SheetRow] = []
    start = 0
    for k in range(1, len(table.rows) + 1):
        if k == len(table.rows) or _opens_table(text, table.rows[k]):
            out += _rows_of(text, Table(table.start, table.end, table.rows[start:k], table.ruled))
            start = k
    return out


def _opens_table(text: str, row: list[Cell]) -> bool:
    cells = [c.text(text) for c in row]
    return (
        len(cells) > 1
        and not label_family(cells[0])
        and any(_column_family(c) == "items" for c in cells)
    )


def _rows_of(text: str, table: Table) -> list[SheetRow]:
    if not table.rows:
        return []
    header = [c.text(text) for c in table.rows[0]]
    columns = {c: f for c, h in enumerate(header) if (f := _column_family(h))}
    if columns and len(table.rows) > 1 and not _labels_down(text, table):
        # a column naming each row's subject (件名, 事項) makes the table a sheet of its own, one
        # row per subject; without one, the columns list what the discussion around them handles
        titled = any(label_family(h) == "title" for h in header)
        numbered = sum(1 for r in table.rows[1:] if re.match(_SUBJECT_NUMBER, r[0].text(text)))
        columns.update(
            {c: f for c, h in enumerate(header) if c not in columns and (f := label_family(h))}
        )
        for c in [c for c, f in columns.items() if f == "contractor"]:
            if c + 1 < len(header) and _NAME_HEADER.match(_key(header[c + 1])):
                # `提供先 | 名称`: the first column says what kind of party, the next names it
                del columns[c]
                columns[c + 1] = "contractor"
        by_column: list[SheetRow] = []
        for col, family in columns.items():
            cells = [
                sp
                for cells_of_row in table.rows[1:]
                if col < len(cells_of_row)
                for sp in _value_spans(cells_of_row[col], family, text)
            ]
            if cells:
                found = _row_of(text, header[col], family, table.rows[0][col].start, cells)
                by_column.append(replace(found, by_column=not titled, per_subject=numbered >= 2))
        return by_column
    out: list[SheetRow] = []
    label, label_start = "", -1
    parts: list[tuple[int, int]] = []
    for row in table.rows:
        first = row[0].text(text) if row[0].spans else ""
        values = [sp for c in row[1:] for sp in c.spans]
        if first and (len(first) <= 40):
            if label and parts:
                out.append(_row_of(text, label, label_family(label), label_start, parts))
            label, label_start, parts = first, row[0].start, []
        elif first:
            continue
        parts += _row_value(row, label_family(label) if label else None, text) if values else []
    if label and parts:
        out.append(_row_of(text, label, label_family(label), label_start, parts))
    return out


def _row_value(row: list[Cell], family: str | None, text: str) -> list[tuple[int, int]]:
    """A label row's value: the cells after the label on its line as one span, then continuations."""
    cells = [c for c in row[1:] if c.spans]
    if not cells:
        return []
    first_line = [c.spans[0] for c in cells]
    s, e = first_line[0][0], first_line[-1][1]
    if "\n" in text[s:e]:  # a boxed row: each cell's lines are pieces of their own
        return [sp for c in cells for sp in _value_spans(c, family, text)]
    out = [(s, e)]
    for c in cells:
        out += _value_spans(c, family, text)[1:]
    return out


def _value_spans(cell: Cell, family: str | None, text: str) -> list[tuple[int, int]]:
    """A cell's lines; a list (items, parties) stops where prose or a bracketed heading begins."""
    out = []
    for k, (s, e) in enumerate(cell.spans):
        if k and family in ("items", "contractor") and re.match(r"^[【(（]|.*。", text[s:e]):
            break
        out.append((s, e))
    return out


def _row_of(
    text: str, label: str, family: str | None, label_start: int, parts: list[tuple[int, int]]
) -> SheetRow:
    merged: list[tuple[int, int]] = []
    for s, e in parts:
        # pieces on consecutive lines (a cell's lines, a column's cells) read as one value, so a
        # bracket opened on one line closes on the next
        if merged and not text[merged[-1][1] : s].strip():
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    value = "\n".join(text[s:e] for s, e in merged)
    return SheetRow(label, family, value, label_start, merged[0][0], merged[0][1], tuple(merged))


def _row(line: str) -> tuple[str, int] | None:
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
        bool(
            re.match(
                r"^(\d{1,2}\s|\(\d+\)|[IVX]+\s|【諮問|諮問第|第\s*\d+|(?:別表|別紙|別記)\s*\d)",
                line,
            )
        )
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
        if s == e:  # the label alone: the list is the next line, or the list lines below it
            below = _list_below(text, m.end(), end)
            if below:
                out += below
                continue
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


# a list line: a bullet or an enumerator, then a short entry (`・年齢`, `1.氏名(漢字及びカナ)`)
LIST_LEAD = (
    r"^[ \t\u3000]*(?:[・•●○◯◆◇\-‐*＊]|[(（]?\d{1,2}[)）.．、]|[①-⑳]|[ア-ン][.．、)）])[ \t\u3000]*"
)
_LIST_LINE = re.compile(LIST_LEAD + r"(?=[^\s。]{1,60}$)")


def _list_below(text: str, pos: int, end: int) -> list[tuple[int, int]]:
    """The entries of the bulleted or numbered lines right under a label, one span each."""
    out: list[tuple[int, int]] = []
    for line in lines(text, text.find("\n", pos, end) + 1 if "\n" in text[pos:end] else end, end):
        m = _LIST_LINE.match(line.text)
        if not m:
            break
        out.append((line.start + m.end(), line.end))
    return out if len(out) >= 2 else []


def within(rows: list[SheetRow], start: int, end: int) -> list[SheetRow]:
    """The rows' values clipped to text[start:end] (a results table's row per consultation)."""
    out = []
    for r in rows:
        parts = tuple((s, e) for s, e in r.spans if start <= s and e <= end)
        if parts:
            out.append(replace(r, value_start=parts[0][0], value_end=parts[0][1], parts=parts))
    return out
