"""Agenda items: which 諮問 and 報告 a document deals with, and where.

Layout says what an item is: a 諮問第N号 at the start of a line or before a
quoted title, an enumerated line under an agenda heading, the title line of a
答申. A number mentioned inside a sentence (a past 諮問 whose follow-up is
reported, a legal basis in parentheses) is not an item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.categories import names_handling
from extractors.common import NUM, Line, lines, strip_span, to_int

NUMBER_RE = re.compile(
    rf"諮問\s*(?:第\s*({NUM})\s*号|(?:No|NO|番号)\.?\s*[:：]?\s*(?:第\s*)?(\d+)(?:\s*号)?)"
    rf"|第\s*({NUM})\s*号\s*諮問"
)
# `第N号諮問事案の審議`: the numbered phrase is the item's only name
_NUMBER_AS_TITLE = re.compile(r"(?:事案|案件)?(?=\s*(?:の審議|の件|について)?\s*$)")


def number_of(m: re.Match[str]) -> int | None:
    """The 諮問 number a NUMBER_RE match names."""
    return to_int(m.group(1) or m.group(2) or m.group(3))


_LEAD = re.compile(
    r"^[\s\-‐・•●○◯◎■□◆◇▶▷▼▽※〇(（)）\[\]【】<>＜＞〈〉0-9①-⑳ア-ン一二三四五六七八九十IVX.．、:：]*"
    r"(?:(?:議\s*題|議事|案件|次第|諮問事項|審議事項|審議案件)[\s】\]:：(（)）0-9]*)?$"
)
_PAST_ANSWER = re.compile(
    r"^\s*(?:[「『][^」』\n]{0,200}[」』])?\s*(?:の答申|に対する答申|に係る答申|で答申|の答申に)"
)
_PASSING = re.compile(
    r"(前回|前々回|過去|以前|昨年|先日|先般|既に|年度の|答申に付|回答|付け|付の|承認\()$"
)
_QUOTED = re.compile(r"^\s*[「『]([^」』\n]{3,200})[」』]")
DEPT_WORD = r"(?:課|室|館|所|センター|係|部|局|担当|事務所|委員会|園|署|庁|本部|グループ|チーム|班)"
# a label before the name: `（所管課：…）`, `〔説明：…〕`, `（担当　…）`
_DEPT_LABEL = r"(?:所管|担当|主管|説明|諮問庁)(?:課|部署|部局|者)?\s*[:：\s]\s*"
_DEPT_CHARS = r"[^()（）【】〔〕\[\]\n:：]"
_DEPT = re.compile(
    rf"^\s*[(（【〔\[](?:{_DEPT_LABEL})?"
    # the name may be broken by the page's width once (`【課` / `税課、納税課】`)
    rf"((?:{_DEPT_CHARS}{{1,30}}\n)?{_DEPT_CHARS}{{1,60}}?{DEPT_WORD}"
    rf"(?:[、・,][^()（）【】〔〕\[\]\n]{{2,30}}?{DEPT_WORD})*)[)）】〕\]]"
)
_TITLE_TAIL = re.compile(
    r"(\s*[-―—─‐]{2,}.*|\s*資料\s*\d+.*|\s*[(（]\s*答申\s*[)）].*"
    r"|\s*[(（【〔]\s*(?:新規|継続|追加)?\s*(?:諮問|報告)(?:事項)?\s*[)）】〕]\s*)$"
)
_TITLE_TRAIL_PUNCT = " \t:：、。,「」『』/"
_PROCEEDINGS = re.compile(
    r"^[\s【■□◆●\[]*((?:\d+|[一二三四五六七八九十]+)\s*[.．、]?\s*)?(記録$|会議記録$|(?:審議|会議|議事)等の(?:内容|概要|経過|要旨)|(?:審議|議事)の(?:概要|要点)|会議の要(?:旨|点)|審議の概要|審議の要旨|議事の要旨|会議の内容|議事の内容|審議の内容|審議経過|発言内容|会議経過|議事経過|審議経過|審議内容|会議内容|議事録|議事内容|発言要旨|議事の経過|会議の経過|審議の経過|質疑応答)"
)
# a heading that heads the proceedings in some minutes and the agenda in others: the
# proceedings only when no other heading names them
_PROCEEDINGS_WEAK = re.compile(
    r"^[\s【■□◆●\[]*((?:\d+|[一二三四五六七八九十]+)\s*[.．、]?\s*)?会議の概要$"
)
_SPEAKER_START = re.compile(
    r"^[-・]?\s*[(（](?![0-9一二三四五六七八九十]+[)）]|(?:注意|注|参考|備考|説明概要)[)）])[^()（）\n]{1,20}[)）]\s*\S|^[○◯◎]\S{1,15}\s|^[^\s:：、。]{0,14}(?:会長|委員|課長|部長|局長|所長)[:：]"
    r"|^\s*[(（][^()（）\n]{0,15}(?:会長|委員|課長|部長|局長|所長|事務局|委員一同)[)）]\s*$"
)
CATEGORY_WORDS = re.compile(r"委託|結合|接続|目的外|提供|収集|記録項目|一括承認|指定管理|取扱|利用")
_REPORT_HEAD = re.compile(
    r"^[\s【■□◆●\[]*(?:[IVX]+\s*|\d+\s*|[(（]\d+[)）]\s*)?報告(事項)?\s*$|^(?:[IVX]+\s*|\d+\s*|[(（]\d+[)）]\s*)?報告(事項)?[:：\s]"
)
_CONSULT_HEAD = re.compile(
    r"^[\s【■□◆●\[]*(?:[IVX]+\s*|\d+\s*|[(（]\d+[)）]\s*)?(諮問(事項)?|審議(事項)?|議\s*題|案件|審議案件)[\s】\]:：]*$"
)
_OTHER_HEAD = re.compile(r"^[\s【■□◆●\[]*(?:[IVX]+\s*|\d+\s*|[(（]\d+[)）]\s*)?(その他|閉会|次回)")
_BULLET = r"[-‐・•●○◯◎■□◆◇▶▷▼▽※〇]"
_ENUM = re.compile(
    rf"^\s*(?:{_BULLET}\s*)*"
    r"(?:[(（<＜〈]\s*(\d+|[ア-ン]|[一二三四五六七八九十]+)\s*[)）>＞〉]|(\d+)\s*[.．、\s]|([ア-ン])(?:[\s.．、]|(?=[\u4e00-\u9fff「『]))"
    r"|((?:案件|議題)\s*\d+)[\s.．:：]?|([①-⑳]))\s*"
)
# a list line without an enumerator: bullets only
_BULLETS_ONLY = re.compile(rf"^\s*(?:{_BULLET}\s*)+")


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
    # the heading the agenda lists it under (`外部委託について`, `【本人以外からの収集】`): the
    # handling it asks for when its own title is only a 事務 or system name
    context: str | None = None


def proceedings_start(text: str) -> int:
    """Where the proceedings (speech or discussion) begin; the agenda is before."""
    for line in lines(text):
        if _PROCEEDINGS.match(line.text.strip()):
            return line.end
    for line in lines(text):
        if _PROCEEDINGS_WEAK.match(line.text.strip()):
            return line.end
    # a group of the attendee list (`(委員)`, `(事務局)`) is no speaker: speech comes after the agenda
    agenda = next((ln.end for ln in lines(text) if _AGENDA_HEADING.match(ln.text)), 0)
    for line in lines(text, agenda):
        if _SPEAKER_START.match(line.text) and not _MARKED_LABEL.match(line.text):
            return line.start
    return len(text)


_AGENDA_HEADING = re.compile(
    r"^\s*(?:\d{1,2}\s*[.．、]?\s*|[【■□◆●○]\s*)?(?:議\s*題|議\s*事|次\s*第|案\s*件|審議事項|会議の議題)\s*[】]?\s*$"
)


# a header or agenda label marked like a speaker (`○開催日時　…`, `○審議事項及び結果`)
_MARKED_LABEL = re.compile(
    r"^[○◯◎]\s*(?:開催|日\s*時|場\s*所|会\s*場|出席|欠席|傍聴|事務局|説明|議\s*題|議事|次第|案件"
    r"|審議|諮問|報告|その他|会議|配布|資料|公開|所管|担当)"
)


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
    if _LEAD.match(before) or _SECTION_NUMBER.match(before):
        return True
    return bool(_QUOTED.match(text[m.end() : m.end() + 205]))


# a part's own number before the 諮問 it answers: `第１　諮問第18号…`
_SECTION_NUMBER = re.compile(r"^\s*第\s*[0-9一二三四五六七八九十]{1,3}\s*$")
# the agenda's own order before it (`日程第１　諮問第52号…`): an item of the agenda (in the
# proceedings the chair reads it out, which is where the item is taken up, not a new mention)
_AGENDA_ORDER = re.compile(r"\s*(?:日程|議題|議案)\s*第\s*[0-9一二三四五六七八九十]{1,3}\s*$")


def numbered_items(text: str, agenda_end: int | None = None) -> list[Item]:
    """諮問 items with numbers, from the agenda when it lists them, else from the body."""
    agenda_end = proceedings_start(text) if agenda_end is None else agenda_end
    mentions = [
        m
        for m in NUMBER_RE.finditer(text)
        if is_item_mention(text, m)
        or (
            m.start() < agenda_end
            and _AGENDA_ORDER.match(text, _line_at(text, m.start()).start, m.start())
        )
    ]
    in_agenda = [m for m in mentions if m.start() < agenda_end]
    chosen = in_agenda or mentions
    items: dict[int, Item] = {}
    for m in chosen:
        number = number_of(m)
        if number is None:
            continue
        title, tspan, dept, dspan = title_after(text, m.end())
        named = _NUMBER_AS_TITLE.match(text, m.end(), _line_at(text, m.start()).end)
        if m.group(3) and named:
            title, tspan = text[m.start() : named.end()], (m.start(), named.end())
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
    line = _line_at(text, pos)
    if q and not _QUOTE_GOES_ON.match(text, pos + q.end(), _line_at(text, pos + q.end()).end):
        ts, te = pos + q.start(1), pos + q.end(1)
        dept, dspan = department_after(text, pos + q.end())
        return text[ts:te], (ts, te), dept, dspan
    rest_start = pos
    while rest_start < line.end and text[rest_start] in " \t)）】]:：、.":
        rest_start += 1
    short = line.end - rest_start < 6
    dept, dspan = None, None
    if not short and not _BRACKETED.match(text, rest_start, line.end):
        found = clean_title(text, rest_start, line.end)
        if found[0] is not None and found[1] is not None:
            return continued_title(text, found) or found
        dept, dspan = found[2], found[3]
    elif not short:
        dept, dspan = department_after(text, rest_start)
    # `諮問第N号（所管課）` or `諮問第N号（事業の名前）`: the title is on the next line
    nxt = text.find("\n", pos)
    if nxt < 0:
        return None, None, dept, dspan
    following = _line_at(text, nxt + 1)
    item = _title_line(text, following)
    if item is None and short:
        found = clean_title(text, following.start, following.end)
        return continued_title(text, found) or found
    if item is None:
        return None, None, dept, dspan
    if item.title_span and not item.department:
        more = continued_title(text, (item.title, item.title_span, None, None))
        if more:
            return more[0], more[1], dept or more[2], dspan or more[3]
    return item.title, item.title_span, dept or item.department, dspan or item.department_span


_BRACKETED = re.compile(r"\s*[(（][^()（）\n]*[)）]\s*$")
# after a quoted name, the title goes on (`「…業務」における…について`) when a particle joins it
_QUOTE_GOES_ON = re.compile(r"(?:における|に係る|に関する|に伴う|に基づく|の)(?!件)\S")
# a title ends as a subject does
SUBJECT_END = re.compile(
    r"(?:について|の件|に係る[^\s]{0,12}|に関する[^\s]{0,12}|に伴う[^\s]{0,12}|事務|業務|事業)"
    r"\s*(?:[(（][^()（）]{0,30}[)）])?$"
)
_TITLE_END = re.compile(r"について|の件")
ENDED = re.compile(r"(?:について|の件|事務|業務|事業|[)）」』】])$")


def continued_title(
    text: str, found: tuple[str | None, tuple[int, int] | None, str | None, tuple[int, int] | None]
) -> tuple[str, tuple[int, int], str | None, tuple[int, int] | None] | None:
    """A title the page's width broke: the next line, a bare line that ends it, carries it on."""
    title, tspan, dept, dspan = found
    if title is None or tspan is None or dept is not None or ENDED.search(title):
        return None
    line = _line_at(text, tspan[1])
    if line.end >= len(text):
        return None
    nxt = _line_at(text, line.end + 1)
    rest = nxt.text.strip()
    if not rest or list_lead(nxt.text) or NUMBER_RE.search(rest) or "。" in rest or len(rest) > 120:
        return None
    t2, span2, dept2, dspan2 = clean_title(text, nxt.start, nxt.end)
    if t2 is None or span2 is None or not _TITLE_END.search(t2):
        return None
    s, e = tspan[0], span2[1]
    if s > 0 and text[s - 1] in "「『" and text.count("」", s, e) > text.count("「", s, e):
        s -= 1  # the quoted name the title opens with keeps its opening bracket
    return re.sub(r"\s*\n\s*", "", text[s:e]), (s, e), dept2, dspan2


_SAID_DEPT = re.compile(rf"\s+(?:所管|担当|主管)(?:課)?\s*[:：]\s*(\S{{2,30}}?{DEPT_WORD})\s*$")
_SUBJECT_LABEL = re.compile(
    r"[ \t]*(?:件\s*名|案件名|題\s*名|事\s*項\s*名)[ \t]*[:：]?[ \t]*(?=\S)"
)


def clean_title(
    text: str, start: int, end: int
) -> tuple[str | None, tuple[int, int] | None, str | None, tuple[int, int] | None]:
    """Cut a title line at its department bracket, 資料 reference or rule, and find the department."""
    label = _SUBJECT_LABEL.match(text, start, end)
    if label:  # `件名　…`: the label a sheet-like block puts before the title
        start = label.end()
    tab = text.find("\t", start, end)
    if tab - start >= 4:  # a table's next cell is no part of the title
        end = tab
    segment = text[start:end]
    dept, dspan = None, None
    said = _SAID_DEPT.search(segment)
    if said:  # `…について　所管：上下水道課`
        dept, dspan = said.group(1), (start + said.start(1), start + said.end(1))
        segment = segment[: said.start()]
    # the department in brackets after the title
    for m in re.finditer(r"[(（【〔\[]", segment):
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
    if not m or len(m.group(1).replace("\n", "")) < 3:
        return None, None
    return m.group(1).replace("\n", ""), (pos + m.start(1), pos + m.end(1))


def enumerated_items(text: str, agenda_end: int | None = None) -> list[Item]:
    """Items without numbers: enumerated lines under an agenda heading (諮問事項, 審議事項, 議題)."""
    agenda_end = proceedings_start(text) if agenda_end is None else agenda_end
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


def report_items(text: str, consultations: list[Item], agenda_end: int | None = None) -> list[Item]:
    """報告 items listed in the agenda."""
    agenda_end = proceedings_start(text) if agenda_end is None else agenda_end
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
        if section != "report" or _PROCEEDINGS.match(stripped):
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
    """The subject of a 答申: its title line `…について（答申）`, with the lines it wrapped from."""
    for line in lines(text, 0, min(len(text), 3000)):
        m = _TOSHIN_TITLE.match(line.text.strip())
        if m:
            e = line.start + line.text.find(m.group(1)) + len(m.group(1))
            s = _wrapped_title_start(text, line)
            s, e = strip_span(text, s, e)
            title = re.sub(r"\s*\n\s*", "", text[s:e])
            return Item("consultation", None, None, title, (s, e), None, None, s, e)
    return None


_TABLE_HEAD = re.compile(r"件名|案件|諮問事項|題名|事務(?:事業)?の?名称|業務の?名称")
_RESULT_HEAD = re.compile(r"結果|答申|判断")
# a column saying which handling each row asks for: its cell's words (`委託`, `電算結合`), or a
# column per handling under such a header, marked where it applies (`○`)
_KIND_HEAD = re.compile(r"取り?扱い?|区分|種別|種類")
_MARK = re.compile(r"^[○◯●◎■☑✓✔レ]$")


def _cell(
    header: dict[str, int] | None, cells: list[str], offsets: list[tuple[int, int]], key: str
) -> tuple[str, tuple[int, int]] | None:
    i = header.get(key, -1) if header else -1
    if i is None or i < 0 or i >= len(cells):
        return None
    return cells[i].strip(), offsets[i]


@dataclass
class TableItem:
    item: Item
    result_span: (
        tuple[int, int] | None
    )  # the 結果 (and 備考) cells of the row; None: no such column
    table_start: int = 0  # where its table begins: the header row, or the caption just above it


def table_items(text: str) -> list[TableItem]:
    """Consultations listed in a results table (諮問番号 | 件名 | 所管課 | 結果 | 備考)."""
    out: list[TableItem] = []
    header: dict[str, int] | None = None
    names: list[str] = []
    header_end = -2
    table_start = 0
    for line in lines(text):
        if "\t" not in line.text:
            header = None if not line.text.strip() or header is None else header
            continue
        cells = line.text.split("\t")
        if header is None:
            names = [c.strip() for c in cells]
            title_col = next((i for i, c in enumerate(names) if _TABLE_HEAD.search(c)), None)
            result_col = next((i for i, c in enumerate(names) if _RESULT_HEAD.search(c)), None)
            number_col = next(
                (i for i, c in enumerate(names) if "番号" in c or c in ("No", "No.", "号")), -1
            )
            dept_col = next(
                (i for i, c in enumerate(names) if re.search(r"所管|担当|課|実施機関", c)), -1
            )
            # a results table, or a table of the items alone (番号 | 件名 | 種別 | 所管課)
            if title_col is not None and (
                result_col is not None or (number_col >= 0 and dept_col not in (-1, title_col))
            ):
                header = {"title": title_col, "result": -1 if result_col is None else result_col}
                header["number"], header["dept"] = number_col, dept_col
                header_end = line.end
                table_start = _caption_start(text, line.start)
            continue
        if [c.strip() for c in cells] == names[: len(cells)]:
            continue  # the header again, on the next page
        if line.start == header_end + 1 and not _at(cells, header["title"]):
            # a second header row under cells spanning columns (`取扱いの区分` over 委託｜結合…)
            names = [_at(cells, i) or n for i, n in enumerate(names)]
            continue
        offsets = []
        pos = line.start
        for c in cells:
            offsets.append((pos, pos + len(c)))
            pos += len(c) + 1

        title = _cell(header, cells, offsets, "title")
        result = _cell(header, cells, offsets, "result")
        if not title or not title[0] or (not result and header["result"] >= 0):
            continue
        if (
            header["result"] < 0
            and "諮問" not in (_cell(header, cells, offsets, "number") or ("",))[0]
        ):
            continue  # a table of the items alone lists 諮問 by their numbers (reports have none)
        number_cell = _cell(header, cells, offsets, "number")
        num_m = re.search(rf"({NUM})", number_cell[0]) if number_cell else None
        number = to_int(num_m.group(1)) if num_m else None
        dept = _cell(header, cells, offsets, "dept") if header["dept"] != header["title"] else None
        ts, te = strip_span(text, *title[1])
        name, dspan = (dept[0], strip_span(text, *dept[1])) if dept and dept[0] else (None, None)
        # the cell `件名（担当課）`: the title with its department in brackets (after a `/` break)
        cut, cspan, cdept, cdspan = clean_title(text, ts, te)
        if cut and cspan and cdept:
            (ts, te), name, dspan = cspan, name or cdept, dspan or cdspan
        item = Item(
            "consultation",
            number,
            number_cell[0] if number_cell and number is not None else None,
            text[ts:te],
            (ts, te),
            name,
            dspan,
            line.start,
            line.end,
        )
        item.context = _kinds(names, cells, header) or None
        out.append(TableItem(item, (result[1][0], line.end) if result else None, table_start))
    return out


def _caption_start(text: str, header_start: int) -> int:
    """Where a table begins: its caption, a short line right above the header, or the header."""
    if header_start == 0:
        return 0
    above = _line_at(text, header_start - 1)
    caption = above.text.strip()
    return above.start if caption and len(caption) <= 40 and "。" not in caption else header_start


def _at(cells: list[str], i: int) -> str:
    return cells[i].strip() if 0 <= i < len(cells) else ""


def _kinds(names: list[str], cells: list[str], header: dict[str, int]) -> str:
    """What a results row says about its handling: the cell under a 取扱い/区分 header, and the
    header of every column marked in this row (`○` under 委託)."""
    taken = {header[k] for k in ("title", "result", "number", "dept")}
    out = []
    for i, (name, cell) in enumerate(zip(names, cells, strict=False)):
        value = cell.strip()
        if i in taken or not value:
            continue
        if _MARK.match(value):
            out.append(name)
        elif _KIND_HEAD.search(name):
            out.append(value)
    return "、".join(out)


def list_lead(line_text: str) -> int:
    """Length of a list line's bullets and enumerator (0 when it has neither)."""
    m = _ENUM.match(line_text) or _BULLETS_ONLY.match(line_text)
    return m.end() if m else 0


# an agenda line that names itself: `…について(諮問)`, `…について(新規諮問)`, `…(報告)`
_CONSULT_MARK = re.compile(r"[(（【〔]\s*(?:新規|継続|追加)?\s*諮問(?:事項|案件)?\s*[)）】〕]")
_REPORT_MARK = re.compile(r"[(（【〔]\s*(?:追加|中間|経過)?\s*報告(?:事項)?\s*[)）】〕]")
_SELF_NAMED = re.compile(r"(?:に関する|に係る|についての)諮問$")
_NOTE = re.compile(r"^[(（][^()（）]{1,6}[)）]")  # (注意), (説明) ... a remark, not a title
_TITLE_LIKE = re.compile(r"について$|の件$|事項$|事案$|^「.+」$")


def _marked_title(
    text: str, line: Line, mark: re.Pattern[str]
) -> tuple[str, tuple[int, int], str | None, tuple[int, int] | None] | None:
    """The title of a line that ends with a marker (and at most a department in brackets)."""
    start = line.start + list_lead(line.text)
    seg = text[start : line.end]
    # the marker before the title: `（諮問）…について（所管課）`
    lead = mark.match(seg)
    if lead:
        title, tspan, dept, dspan = clean_title(text, start + lead.end(), line.end)
        if title and tspan and "。" not in title and _TITLE_LIKE.search(title):
            return title, tspan, dept, dspan
    for m in mark.finditer(seg):
        after = seg[m.end() :].strip()
        dept, dspan = department_after(text, start + m.end()) if after else (None, None)
        if after and dept is None:
            continue
        title, tspan, d2, d2span = clean_title(text, start, start + m.start())
        if title is None or tspan is None or "。" in title or _NOTE.match(title):
            continue
        return title, tspan, d2 or dept, d2span or dspan
    return None


def marked_items(text: str) -> tuple[list[Item], list[Item]]:
    """Consultations and reports named so by the line that lists them, anywhere in the text.

    `…について（諮問）` / `（新規諮問）`, `…に関する諮問（所管課）` and `…について（報告）`
    are how agendas mark an item's kind when they list consultations among other items.
    A marker inside a sentence (`「…（諮問）」を御審議いただく`) is not a listing.
    """
    consults: list[Item] = []
    reports: list[Item] = []
    for line in lines(text):
        if len(line.text) > 250 or "。" in line.text:
            continue
        kind, found = "consultation", _marked_title(text, line, _CONSULT_MARK)
        if found is None:
            kind, found = "report", _marked_title(text, line, _REPORT_MARK)
        if found is None:
            kind = "consultation"
            lead = line.start + list_lead(line.text)
            title, tspan, dept, dspan = clean_title(text, lead, line.end)
            if not (title and tspan and _SELF_NAMED.search(title) and len(title) >= 8):
                continue
            found = (title, tspan, dept, dspan)
        title, tspan, dept, dspan = found
        if any(same_title(title, o.title) for o in consults + reports):
            continue
        out = consults if kind == "consultation" else reports
        out.append(Item(kind, None, None, title, tspan, dept, dspan, tspan[0], tspan[1]))
    return consults, reports


def same_title(a: str | None, b: str | None) -> bool:
    """Two mentions of one item: equal after removing blanks, or one inside the other."""
    if not a or not b:
        return False
    a, b = re.sub(r"\s", "", a), re.sub(r"\s", "", b)
    return a == b or (min(len(a), len(b)) >= 8 and (a in b or b in a))


_HEAD_WORDS = re.compile(
    r"^(?:議事|議題|審議)?\s*[(（]?\s*(諮問(?:事項|案件)?|審議(?:事項|案件)|議題|議事|案件)\s*[)）]?\s*(?:[:：\s]\s*|$)"
)


def _title_line(text: str, line: Line) -> Item | None:
    """A listed title: a short line, no sentence, ending as titles end (…について, …の件)."""
    lead = list_lead(line.text)
    seg = line.text[lead:].strip()
    if not (6 <= len(seg) <= 150) or "。" in seg or _NOTE.match(seg) or NUMBER_RE.search(seg):
        return None
    title, tspan, dept, dspan = clean_title(text, line.start + lead, line.end)
    if not title or not tspan:
        return None
    if not (_TITLE_LIKE.search(title) or CATEGORY_WORDS.search(title)):
        return None
    return Item("consultation", None, None, title, tspan, dept, dspan, tspan[0], tspan[1])


def heading_items(text: str) -> tuple[list[Item], list[Item], list[Item]]:
    """Titles listed under an agenda heading, as (strong, weak, reports).

    Under a heading that says 諮問 (`諮問事項`, `議事（諮問事項）`) each listed title is a
    consultation; under a neutral one (`審議事項`, `議題`) a title may be anything the
    council discussed, so those are kept apart as candidates; under 報告 they are reports.
    """
    strong: list[Item] = []
    weak: list[Item] = []
    reports: list[Item] = []
    section: list[Item] | None = None
    budget = 0
    for line in lines(text):
        lead = list_lead(line.text)
        rest = line.text[lead:].strip()
        if not rest:
            continue
        head = _HEAD_WORDS.match(rest)
        if head and len(rest) - head.end() < 150:
            section = strong if "諮問" in head.group(0) else weak
            budget = 12
            if head.end() < len(rest):  # `議題：…について` on the heading's own line
                inline = line.text.find(rest) + head.end()
                item = _title_line(text, Line(line.start + inline, line.end, line.text[inline:]))
                if item:
                    section.append(item)
            continue
        if _REPORT_HEAD.match(rest) and len(rest) < 12:
            section, budget = reports, 12
            continue
        if section is None:
            continue
        budget -= 1
        if budget < 0 or _OTHER_HEAD.match(rest) or _PROCEEDINGS.match(rest):
            section = None
            continue
        item = _title_line(text, line)
        if item is None:
            if "。" in rest:  # prose: the list is over
                section = None
            continue
        if section is reports:
            item.kind = "report"
        if not any(same_title(item.title, o.title) for o in strong + weak + reports):
            section.append(item)
    return strong, weak, reports


def _wrapped_title_start(text: str, line: Line) -> int:
    """Where a title that a fixed-width layout wrapped onto this line begins (up to 3 lines up)."""
    start = line.start
    for _ in range(3):
        if start == 0:
            break
        prev = _line_at(text, start - 1)
        t = prev.text.strip()
        if (
            len(t) < 20
            or t.endswith(("。", "様", "殿"))
            or re.search(r"審議会|審査会|会長|委員長|答申|[0-9]+日", t)
        ):
            break
        start = prev.start
    return start


def consultation_items(
    text: str,
    toshin: bool,
    agenda_end: int | None = None,
    lists: tuple[list[Item], list[Item], list[Item]] | None = None,
) -> tuple[list[Item], dict[int, tuple[int, int]]]:
    """Every 諮問 a document deals with, and the result cells of those read from a results table.

    Strong evidence first: a 諮問 number, a results table, an agenda line marked (諮問), a title
    under a 諮問 heading, an entry of the agenda's lists (`lists`, from
    `agenda_blocks.block_items`) under a label that says 諮問 or 答申. Titles under a neutral
    heading (審議事項, 議題) only name a numbered item that has no title of its own, or stand in
    when nothing stronger is there.
    """
    agenda_end = proceedings_start(text) if agenda_end is None else agenda_end
    consults = numbered_items(text, agenda_end)
    table = table_items(text)
    if table and len(table) >= len(consults):
        consults = [t.item for t in table]
    marked, _ = marked_items(text)
    strong, weak, _ = heading_items(text)
    listed, neutral, _ = lists or ([], [], [])
    if not (consults or marked or strong or listed):
        listed = neutral  # a neutral agenda's entries stand in when nothing marks a 諮問
    # a results table's caption and header rows are no items of an agenda list around it
    inside = [(t.table_start, t.item.end) for t in table if consults and t.item is consults[0]]
    inside = [(inside[0][0], table[-1].item.end)] if inside else []
    for extra in marked + strong + listed:
        if any(s <= extra.start <= e for s, e in inside):
            continue
        if not any(same_title(extra.title, c.title) for c in consults):
            consults.append(extra)
    untitled = [c for c in consults if c.title is None]
    spare = [w for w in weak if not any(same_title(w.title, c.title) for c in consults)]
    if untitled and len(untitled) == len(spare):
        for item, named in zip(untitled, spare, strict=True):
            item.title, item.title_span = named.title, named.title_span
            if item.department is None:
                item.department, item.department_span = named.department, named.department_span
    consults.sort(key=lambda i: i.start)
    consults = consults or enumerated_items(text, agenda_end)
    if not consults and toshin:
        answered = toshin_item(text)
        consults = [answered] if answered else []
    for c in consults:
        _cut_tails(text, c)
    # the result cells of consultations read from a results table, by position
    results = {
        i: t.result_span
        for i, c in enumerate(consults)
        for t in table
        if t.item is c and t.result_span is not None
    }
    return consults, results


# a department set right of the title after a gap (`…の提供（目的外利用）　　　　保健総務課`; the
# normalised text keeps one blank of the gap)
_GAP_DEPT = re.compile(rf"(?:[ \t\u3000]+)([^()（）【】〔〕\[\]:：\s]{{1,20}}?{DEPT_WORD})\s*$")
# the handling in brackets after a name (`防災情報システム（電子計算組織の結合）`)
_HANDLING_TAIL = re.compile(r"[(（]([^()（）]{2,40})[)）]\s*$")


def _cut_tails(text: str, item: Item) -> None:
    """A title that is a name with its department after a wide gap, or its handling in brackets
    after it: the department is the item's, the handling its context, the name its title."""
    if item.title is None or item.title_span is None:
        return
    s, e = item.title_span
    m = _GAP_DEPT.search(text, s, e)
    if m and m.start() - s >= 4:
        if item.department is None:
            item.department, item.department_span = m.group(1), m.span(1)
        e = m.start()
    tail = _HANDLING_TAIL.search(text, s, e)
    if tail and tail.start() - s >= 4 and names_handling(tail.group(1)):
        item.context = item.context or tail.group(1)
        e = tail.start()
    if e == item.title_span[1]:
        return
    s, e = strip_span(text, s, e)
    item.title, item.title_span = re.sub(r"\s*\n\s*", "", text[s:e]), (s, e)


def all_report_items(
    text: str,
    consults: list[Item],
    agenda_end: int | None = None,
    lists: tuple[list[Item], list[Item], list[Item]] | None = None,
) -> list[Item]:
    """報告 items: from the agenda's report section and from lines marked (報告)."""
    agenda_end = proceedings_start(text) if agenda_end is None else agenda_end
    reports = report_items(text, consults, agenda_end)
    _, marked = marked_items(text)
    listed = lists[2] if lists else []
    for extra in marked + heading_items(text)[2] + listed:
        if not any(same_title(extra.title, o.title) for o in reports + consults):
            reports.append(extra)
    return sorted(reports, key=lambda i: i.start)
