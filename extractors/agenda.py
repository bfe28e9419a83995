"""Agenda items: which 諮問 and 報告 a document deals with, and where.

Layout says what an item is: a 諮問第N号 at the start of a line or before a
quoted title, an enumerated line under an agenda heading, the title line of a
答申. A number mentioned inside a sentence (a past 諮問 whose follow-up is
reported, a legal basis in parentheses) is not an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.common import NUM, Line, lines, strip_span, to_int

NUMBER_RE = re.compile(rf"諮問\s*(?:第\s*({NUM})\s*号|(?:No|NO|番号)\.?\s*(\d+))")
_LEAD = re.compile(
    r"^[\s\-・●○◯◎■□◆◇▼▽※〇(（)）\[\]【】0-9①-⑳ア-ン一二三四五六七八九十IVX.．、:：]*"
    r"(?:(?:議\s*題|議事|案件|次第|諮問事項|審議事項|審議案件)[\s】\]:：(（)）0-9]*)?$"
)
_PAST_ANSWER = re.compile(
    r"^\s*(?:[「『][^」』\n]{0,200}[」』])?\s*(?:の答申|に対する答申|に係る答申|で答申|の答申に)"
)
_PASSING = re.compile(
    r"(前回|前々回|過去|以前|昨年|先日|先般|既に|年度の|答申に付|回答|付け|付の|承認\()$"
)
_QUOTED = re.compile(r"^\s*[「『]([^」』\n]{3,200})[」』]")
DEPT_WORD = r"(?:課|室|館|所|センター|係|部|局|担当|事務所|委員会|園|署|庁|本部|グループ)"
_DEPT = re.compile(
    rf"^\s*[(（【〔]([^()（）【】〔〕\n]{{2,60}}?{DEPT_WORD}(?:[、・,][^()（）【】〔〕\n]{{2,30}}?{DEPT_WORD})*)[)）】〕]"
)
_TITLE_TAIL = re.compile(r"(\s*[-―—─‐]{2,}.*|\s*資料\s*\d+.*|\s*[(（]\s*答申\s*[)）].*)$")
_TITLE_TRAIL_PUNCT = " \t:：、。,「」『』"
_PROCEEDINGS = re.compile(
    r"^[\s【■□◆●\[]*(\d+\s*[.．、]?\s*)?(記録$|審議の概要|審議の要旨|議事の要旨|会議の内容|議事の内容|審議の内容|審議経過|発言内容|会議経過|議事経過|審議経過|審議内容|会議内容|議事録|議事内容|発言要旨|議事の経過|会議の経過|審議の経過|質疑応答)"
)
_SPEAKER_START = re.compile(
    r"^[-・]?\s*[(（](?![0-9一二三四五六七八九十]+[)）])[^()（）\n]{1,20}[)）]\s*\S|^[○◯◎]\S{1,15}\s|^[^\s:：、。]{0,14}(?:会長|委員|課長|部長|局長|所長)[:：]"
)
CATEGORY_WORDS = re.compile(r"委託|結合|接続|目的外|提供|収集|記録項目|一括承認|指定管理|取扱|利用")
_REPORT_HEAD = re.compile(
    r"^[\s【■□◆●\[]*(?:[IVX]+\s*|\d+\s*|[(（]\d+[)）]\s*)?報告(事項)?\s*$|^(?:[IVX]+\s*|\d+\s*|[(（]\d+[)）]\s*)?報告(事項)?[:：\s]"
)
_CONSULT_HEAD = re.compile(
    r"^[\s【■□◆●\[]*(?:[IVX]+\s*|\d+\s*|[(（]\d+[)）]\s*)?(諮問(事項)?|審議(事項)?|議\s*題|案件|審議案件)[\s】\]:：]*$"
)
_OTHER_HEAD = re.compile(r"^[\s【■□◆●\[]*(?:[IVX]+\s*|\d+\s*|[(（]\d+[)）]\s*)?(その他|閉会|次回)")
_ENUM = re.compile(
    r"^\s*(?:[(（]\s*(\d+|[ア-ン])\s*[)）]|(\d+)\s*[.．、\s]|([ア-ン])[\s.．、]|(案件\s*\d+)[\s.．:：]?|([①-⑳]))\s*"
)


@dataclass
class Item:
    """An agenda item: a 諮問 (kind consultation) or a 報告 (kind report)."""

    kind: str
    number: int | None
    number_text: str | None
    title: str | None
    title_span: tuple[int, int] | None
    department: str | None
    department_span: tuple[int, int] | None
    start: int  # the mention that made it an item
    end: int
    anchors: list[int] = field(default_factory=list)  # where the body returns to it


def proceedings_start(text: str) -> int:
    """Where the proceedings (speech or discussion) begin; the agenda is before."""
    for line in lines(text):
        if _PROCEEDINGS.match(line.text.strip()):
            return line.end
    for line in lines(text):
        if _SPEAKER_START.match(line.text):
            return line.start
    return len(text)


def _line_at(text: str, pos: int) -> Line:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    e = len(text) if e < 0 else e
    return Line(s, e, text[s:e])


def is_item_mention(text: str, m: re.Match[str]) -> bool:
    line = _line_at(text, m.start())
    before = text[line.start : m.start()]
    if _PASSING.search(before.rstrip("のにでと 「")) or _PAST_ANSWER.match(
        text[m.end() : m.end() + 240]
    ):
        return False
    if _LEAD.match(before):
        return True
    return bool(_QUOTED.match(text[m.end() : m.end() + 205]))


def numbered_items(text: str) -> list[Item]:
    """諮問 items with numbers, from the agenda when it lists them, else from the body."""
    agenda_end = proceedings_start(text)
    mentions = [m for m in NUMBER_RE.finditer(text) if is_item_mention(text, m)]
    in_agenda = [m for m in mentions if m.start() < agenda_end]
    chosen = in_agenda or mentions
    items: dict[int, Item] = {}
    for m in chosen:
        number = to_int(m.group(1) or m.group(2))
        if number is None:
            continue
        title, tspan, dept, dspan = title_after(text, m.end())
        item = items.get(number)
        if item is None:
            items[number] = Item(
                "consultation", number, m.group(0), title, tspan, dept, dspan, m.start(), m.end()
            )
        else:
            if item.title is None and title:
                item.title, item.title_span = title, tspan
            if item.department is None and dept:
                item.department, item.department_span = dept, dspan
    found = sorted(items.values(), key=lambda i: i.start)
    for item in found:
        if item.department is None and item.title:
            item.department, item.department_span = department_elsewhere(text, item.title)
    return found


def department_elsewhere(text: str, title: str) -> tuple[str | None, tuple[int, int] | None]:
    """The department written after another occurrence of the title (a list of handouts, a heading)."""
    pos = text.find(title)
    while pos >= 0:
        dept, span = department_after(text, pos + len(title))
        if dept:
            return dept, span
        pos = text.find(title, pos + 1)
    return None, None


def title_after(
    text: str, pos: int
) -> tuple[str | None, tuple[int, int] | None, str | None, tuple[int, int] | None]:
    """The title (and department) that follow an item's number or enumerator."""
    q = _QUOTED.match(text[pos : pos + 205])
    if q:
        ts, te = pos + q.start(1), pos + q.end(1)
        dept, dspan = department_after(text, pos + q.end())
        return text[ts:te], (ts, te), dept, dspan
    line = _line_at(text, pos)
    rest_start = pos
    while rest_start < line.end and text[rest_start] in " \t)）】]:：、.":
        rest_start += 1
    if line.end - rest_start < 6:
        # the title is on the next line
        nxt = text.find("\n", pos)
        if nxt < 0:
            return None, None, None, None
        line = _line_at(text, nxt + 1)
        rest_start = line.start
    return clean_title(text, rest_start, line.end)


def clean_title(
    text: str, start: int, end: int
) -> tuple[str | None, tuple[int, int] | None, str | None, tuple[int, int] | None]:
    """Cut a title line at its department bracket, 資料 reference or rule, and find the department."""
    segment = text[start:end]
    dept, dspan = None, None
    # the department in brackets after the title
    for m in re.finditer(r"[(（【〔]", segment):
        d, span = department_after(text, start + m.start())
        if d:
            dept, dspan = d, span
            segment = segment[: m.start()]
            break
    tail = _TITLE_TAIL.search(segment)
    if tail:
        segment = segment[: tail.start()]
    s, e = strip_span(text, start, start + len(segment), _TITLE_TRAIL_PUNCT)
    if e - s < 4:
        return None, None, dept, dspan
    if dept is None:
        dept, dspan = department_after(text, _next_line_start(text, end))
    return text[s:e], (s, e), dept, dspan


def _next_line_start(text: str, pos: int) -> int:
    nl = text.find("\n", pos)
    return len(text) if nl < 0 else nl + 1


def department_after(text: str, pos: int) -> tuple[str | None, tuple[int, int] | None]:
    m = _DEPT.match(text[pos : pos + 200])
    if not m:
        return None, None
    return m.group(1), (pos + m.start(1), pos + m.end(1))


def enumerated_items(text: str) -> list[Item]:
    """Items without numbers: enumerated lines under an agenda heading (諮問事項, 審議事項, 議題)."""
    agenda_end = proceedings_start(text)
    items: list[Item] = []
    section = None
    for line in lines(text, 0, agenda_end):
        stripped = line.text.strip()
        if _CONSULT_HEAD.match(stripped):
            section = "consultation"
            continue
        if _REPORT_HEAD.match(stripped) and len(stripped) < 12:
            section = "report"
            continue
        if _OTHER_HEAD.match(stripped):
            section = None
            continue
        if section != "consultation":
            continue
        m = _ENUM.match(line.text)
        if not m:
            continue
        title, tspan, dept, dspan = clean_title(text, line.start + m.end(), line.end)
        if title and CATEGORY_WORDS.search(title):
            items.append(
                Item(
                    "consultation",
                    None,
                    None,
                    title,
                    tspan,
                    dept,
                    dspan,
                    line.start + m.end(),
                    line.end,
                )
            )
    return items


def report_items(text: str, consultations: list[Item]) -> list[Item]:
    """報告 items listed in the agenda."""
    agenda_end = proceedings_start(text)
    taken = {i.title for i in consultations}
    items: list[Item] = []
    section = None
    pending_enum = False
    for line in lines(text, 0, agenda_end):
        stripped = line.text.strip()
        if not stripped:
            continue
        head = _REPORT_HEAD.match(stripped)
        if head:
            section = "report"
            rest = stripped[head.end() :].strip()
            if rest and len(rest) > 6 and not rest.startswith("資料"):
                title, tspan, dept, dspan = clean_title(
                    text, line.start + line.text.find(rest), line.end
                )
                if title and title not in taken:
                    items.append(
                        Item("report", None, None, title, tspan, dept, dspan, line.start, line.end)
                    )
            continue
        if (
            _CONSULT_HEAD.match(stripped)
            or _OTHER_HEAD.match(stripped)
            or NUMBER_RE.search(stripped)
        ):
            section = None
            continue
        if section != "report":
            continue
        m = _ENUM.match(line.text)
        if m or pending_enum or "について" in stripped:
            start = line.start + (m.end() if m else 0)
            if line.end - start < 6:
                pending_enum = True
                continue
            pending_enum = False
            title, tspan, dept, dspan = clean_title(text, start, line.end)
            if title and title not in taken and not title.startswith("資料"):
                items.append(Item("report", None, None, title, tspan, dept, dspan, start, line.end))
    unique: dict[str, Item] = {}
    for it in items:
        unique.setdefault(it.title or "", it)
    items = list(unique.values())
    if not items:
        # no agenda: a report taken up in the body (`報告 …について`)
        for m in _BODY_REPORT.finditer(text):
            title, tspan, dept, dspan = clean_title(text, m.start(1), m.end(1))
            if title and title not in taken:
                items.append(
                    Item("report", None, None, title, tspan, dept, dspan, m.start(), m.end())
                )
    return items


_BODY_REPORT = re.compile(
    r"(?m)^[\s【■□◆●]*(?:[IVX]+\s*|\d+\s*[.．]?\s*|[(（]\d+[)）]\s*)?報告(?:事項)?[\s】:：]+(.{6,80}?について)[^\n]{0,30}$"
)


_TOSHIN_TITLE = re.compile(r"^(.{6,200}?について)\s*[(（]\s*答申\s*[)）]")


def toshin_item(text: str) -> Item | None:
    """The subject of a 答申: its title line `…について（答申）`."""
    for line in lines(text, 0, min(len(text), 3000)):
        m = _TOSHIN_TITLE.match(line.text.strip())
        if m:
            s = line.start + line.text.find(m.group(1))
            e = s + len(m.group(1))
            return Item("consultation", None, None, text[s:e], (s, e), None, None, s, e)
    return None


_TABLE_HEAD = re.compile(r"件名|案件|諮問事項|題名")
_RESULT_HEAD = re.compile(r"結果|答申|判断")


@dataclass
class TableItem:
    item: Item
    result_span: tuple[int, int]  # the 結果 (and 備考) cells of the row


def table_items(text: str) -> list[TableItem]:
    """Consultations listed in a results table (諮問番号 | 件名 | 所管課 | 結果 | 備考)."""
    out: list[TableItem] = []
    header: dict[str, int] | None = None
    for line in lines(text):
        if "\t" not in line.text:
            header = None if not line.text.strip() or header is None else header
            continue
        cells = line.text.split("\t")
        if header is None:
            names = [c.strip() for c in cells]
            title_col = next((i for i, c in enumerate(names) if _TABLE_HEAD.search(c)), None)
            result_col = next((i for i, c in enumerate(names) if _RESULT_HEAD.search(c)), None)
            if title_col is not None and result_col is not None:
                header = {"title": title_col, "result": result_col}
                header["number"] = next(
                    (i for i, c in enumerate(names) if "番号" in c or c in ("No", "No.", "号")), -1
                )
                header["dept"] = next(
                    (i for i, c in enumerate(names) if re.search(r"所管|担当|課", c)), -1
                )
            continue
        offsets = []
        pos = line.start
        for c in cells:
            offsets.append((pos, pos + len(c)))
            pos += len(c) + 1

        def cell(key: str) -> tuple[str, tuple[int, int]] | None:
            i = header.get(key, -1) if header else -1
            if i is None or i < 0 or i >= len(cells):
                return None
            return cells[i].strip(), offsets[i]

        title = cell("title")
        result = cell("result")
        if not title or not title[0] or not result:
            continue
        number_cell = cell("number")
        num_m = re.search(rf"({NUM})", number_cell[0]) if number_cell else None
        number = to_int(num_m.group(1)) if num_m else None
        dept = cell("dept")
        ts, te = strip_span(text, *title[1])
        item = Item(
            "consultation",
            number,
            number_cell[0] if number_cell and number is not None else None,
            text[ts:te],
            (ts, te),
            dept[0] if dept and dept[0] else None,
            strip_span(text, *dept[1]) if dept and dept[0] else None,
            line.start,
            line.end,
        )
        out.append(TableItem(item, (result[1][0], line.end)))
    return out
