"""Agenda items by shape and content, for agendas that never write 諮問第N号.

Councils list what they take up in many ways: numbered lines under 議題, 次第 or 審議事項;
a section label (`新規諮問事項`, `答申書の確認`, `審議1`, `【諮問案件2】`, `報告事項`) with the
titles on the lines below it; a group line (`諮問に係る審議について`) with lettered sub-items;
a lone `議題：…について`. What an entry is comes from the label or group it stands under, and,
for an entry under a neutral heading, from its own words: a title that names a kind of
handling (委託, 結合, 目的外, 提供 …) or reads as a subject (…について, …の件) is a 諮問,
unless a sibling in the same list is marked as one (a list that marks its 諮問 marks them all).
Titles broken by the page's line width continue on the next line until they end as titles do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.agenda import (
    _PROCEEDINGS,
    _SPEAKER_START,
    CATEGORY_WORDS,
    ENDED,
    NUMBER_RE,
    SUBJECT_END,
    Item,
    clean_title,
    department_after,
    list_lead,
    same_title,
)
from extractors.common import Line, lines, strip_span

# a heading that opens an agenda: 議題, 会議の議題, 次第, 審議事項 …, maybe with its first entry
_HEADING = re.compile(
    r"^(?:会議の|本日の)?(議\s*題|議\s*事|次\s*第|案\s*件|付議事項|協議事項|審議事項|審議案件|諮問事項)"
    r"(?:等|一覧)?(?:(?:及び|と|・|並びに)(?:その)?(?:審議)?結果)?\s*(?:[:：]\s*|$)"
)
# a section label inside an agenda, or a label standing before a title anywhere in the agenda
_CONSULT_LABEL = re.compile(
    r"^[【\[〔(（≪《<＜]?\s*(?:新規|継続|追加)?\s*(?:諮問|審議)\s*(?:事項|案件|事案)?\s*"
    r"(?:(?:[0-9]+|[①-⑳])\s*[】\]〕)）≫》>＞]?\s*[:：]?"  # numbered: `審議1…`, `【諮問案件2】…`
    r"|[】\]〕)）≫》>＞]?\s*(?:[:：]\s*|(?=\s|$|[(（【\[])))"
    r"|^[≪《<＜]?\s*[0-9]*\s*答申(?:書|案)?(?:の|について)?(?:確認|承認|決定)\s*(?:[:：]\s*|$)"
)
_REPORT_LABEL = re.compile(
    r"^[【\[〔(（]?\s*報告\s*(?:事項|案件)?\s*(?:[0-9]+|[①-⑳])?\s*[】\]〕)）]?\s*(?:[:：]\s*|(?=\s|$))"
)
# a report's own enumerator inside a report section: 新規1, 変更2, 廃止3
_REPORT_ENUM = re.compile(r"^(?:新規|変更|廃止|追加|届出)\s*[0-9]+\s*")
_OTHER = re.compile(
    r"^(?:その他|閉会|開会|閉\s*会|開\s*会|次回|挨拶|あいさつ|委員紹介|会長(?:及び副会長)?の?選出|"
    r"議事録|会議録|傍聴|連絡事項|事務連絡)"
)
# a line that belongs to the header, not the agenda: the agenda is over
_HEADER_LABEL = re.compile(
    r"^(?:日\s*時|開催日|場\s*所|会\s*場|出\s*席|欠\s*席|傍\s*聴|事務局|説明者|所管課|配布資料|会議資料|"
    r"資料|公開|非公開|担当|問い?合わ?せ|次回)"
)
# a result written under its entry: `→ 了承`, `⇒ 継続審議`
_RESULT_LINE = re.compile(r"^[→⇒➡]")
# a title that ends on the handling it asks for (`…求職者情報の収集`, `…への提供（課）`)
_HANDLING_END = re.compile(
    r"(?:収集|利用|提供|委託|結合|接続|変更|開始|取扱い|取り扱い)\s*(?:[(（][^()（）]{0,30}[)）])?$"
)
# the group line of sub-items: `諮問に係る審議について`, `諮問事項について`
_GROUP_CONSULT = re.compile(
    r"^(?:新規)?(?:諮問|審議)(?:事項|案件)?(?:に係る|に関する|の)?(?:審議|事項)?について$"
)
_GROUP_REPORT = re.compile(r"^報告(?:事項)?(?:に係る|に関する|の)?(?:事項)?について$")
# procedural items of a meeting that are no 諮問 whatever their wording
_PROCEDURAL = re.compile(
    r"会議録|議事録|開催概要|要旨|の承認について$|会長|副会長|委員の|日程|スケジュール"
)
# a line wholly in brackets is a heading of the proceedings (【質疑】, 《資料による説明》), no title
_ENCLOSED = re.compile(r"^[【《≪<＜〈\[][^】》≫>＞〉\]]*[】》≫>＞〉\]]$")
# an entry that is a report by its own words
_REPORT_TITLE = re.compile(r"[(（]報告[)）]$|報告$|の報告について$|(?:運用|実施|届出)状況")
_DEPT_LINE = re.compile(r"^\s*[\[［【(（〔]\s*(?:担当|所管|主管|説明)(?:課|部署|部局|者)?\s*[:：]")


@dataclass
class _Entry:
    kind: str | None  # consultation, report, or None: under a neutral heading
    marked: bool  # the list itself says it is a 諮問 (label, group, marker)
    start: int
    end: int
    dept: tuple[int, int] | None = None
    lead: str = ""  # the class of its enumerator (see _lead_class)


def block_items(text: str, agenda_end: int) -> tuple[list[Item], list[Item], list[Item]]:
    """The document's agenda lists as (consultations marked so, neutral candidates, reports).

    A neutral candidate is an entry under a neutral heading (議題, 次第) that reads as a 諮問
    by its own words only: it counts where nothing marks the document's 諮問 otherwise.
    """
    head = list(lines(text, 0, agenda_end))
    entries: list[_Entry] = []
    i = 0
    while i < len(head):
        rest, _ = _content(head[i])
        heading = _HEADING.match(rest)
        label_kind = _label_kind(rest)
        if heading or label_kind:
            i = _read_block(text, head, i, entries)
            continue
        i += 1
    return _items(text, entries)


def _content(line: Line) -> tuple[str, int]:
    lead = list_lead(line.text)
    rest = line.text[lead:].strip()
    return rest, line.start + line.text.find(rest, lead) if rest else line.end


def _label_kind(rest: str) -> tuple[str, int] | None:
    """(kind, length of the label) of a line that starts with a section label.

    A label that says 諮問 or 答申 marks a consultation (`consultation`); one that says only
    審議 (`審議事項`, `審議1`) says the council deliberates it (`deliberation`): such an entry
    is a 諮問 unless the list marks its 諮問 otherwise.
    """
    m = _CONSULT_LABEL.match(rest)
    if m and not NUMBER_RE.match(rest):
        return (
            "deliberation"
            if "諮問" not in m.group(0) and "答申" not in m.group(0)
            else "consultation"
        ), m.end()
    m = _REPORT_LABEL.match(rest)
    if m:
        return "report", m.end()
    return None


def _ends_block(rest: str) -> bool:
    return bool(
        _HEADER_LABEL.match(rest)
        or _PROCEEDINGS.match(rest)
        or _SPEAKER_START.match(rest)
        or "。" in rest
        or len(rest) > 200
    )


def _read_block(text: str, head: list[Line], i: int, entries: list[_Entry]) -> int:
    """Read one agenda list from line i; returns the index of the first line after it."""
    section: str | None = None  # the kind given by the last label or group line
    marked = False
    in_block = bool(_HEADING.match(_content(head[i])[0]))
    absorbing = False
    # the heading's own enumerator: a line numbered like it (`5 議題` … `6 会議の結果`) ends the list
    top = _lead_class(head[i].text) if in_block else ""
    budget = 40
    j = i
    while j < len(head) and budget > 0:
        line = head[j]
        rest, rest_start = _content(line)
        j += 1
        if not rest:
            continue
        budget -= 1
        if j - 1 > i and (_ends_block(rest) and not _DEPT_LINE.match(rest)):
            if not _HEADING.match(rest):
                return j - 1
        if (
            j - 1 > i
            and top
            and _lead_class(line.text) == top
            and not _HEADING.match(rest)
            and not _numbered_below(head[i].text, line.text)
        ):
            return j - 1
        heading = _HEADING.match(rest)
        if heading:
            word = heading.group(1)
            section = (
                "consultation" if "諮問" in word else "deliberation" if "審議" in word else None
            )
            marked = section == "consultation"
            in_block = True
            after = rest[heading.end() :].strip()
            if after:
                lab = _label_kind(after)
                if lab:
                    section, marked = lab[0], lab[0] == "consultation"
                    after = after[lab[1] :].strip()
            if after and len(after) >= 6:
                s = line.start + line.text.find(after)
                entries.append(_Entry(section, marked, s, line.end))
            continue
        if _RESULT_LINE.match(rest):  # `→ 了承`: the item's result, under its entry
            continue
        if _DEPT_LINE.match(rest) and entries:
            d, span = department_after(text, rest_start)
            if d and entries[-1].dept is None:
                entries[-1].dept = span
            continue
        lab = _label_kind(rest)
        if lab:
            section, marked = lab[0], lab[0] == "consultation"
            after = rest[lab[1] :].strip()
            s = rest_start + rest.find(after) if after else line.end
            lead = _lead_class(line.text)
            one_item = bool(re.search(r"[0-9①-⑳]", rest[: lab[1]]))  # `審議1`, `【諮問案件2】`
            if after and not _only_department(text, s, line.end):
                entries.append(_Entry(section, marked, s, line.end, lead=lead))
                _continue_title(text, head, j, entries[-1])
            elif one_item:  # `【諮問案件1】（所管課）`: the title is on the next line
                dept = department_after(text, s)[1] if after else None
                entries.append(_Entry(section, marked, -1, -1, dept=dept, lead=lead))
            continue
        if NUMBER_RE.search(rest):  # a numbered 諮問: its title lines are read with its number
            entries.append(_Entry("numbered", True, rest_start, line.end))
            absorbing = True
            continue
        if absorbing and list_lead(line.text) == 0:
            continue
        absorbing = False
        if _OTHER.match(rest):
            section, marked = "other", False
            continue
        if section == "report" and _REPORT_ENUM.match(rest):
            m = _REPORT_ENUM.match(rest)
            assert m is not None
            entries.append(_Entry("report", True, rest_start + m.end(), line.end))
            continue
        if _GROUP_CONSULT.match(rest) or _GROUP_REPORT.match(rest):
            section = "consultation" if _GROUP_CONSULT.match(rest) else "report"
            marked = True
            continue
        if not in_block and not (entries and entries[-1].start < 0):
            return j - 1
        if section == "other":
            continue
        if entries and entries[-1].start < 0:  # the title a label announced
            entries[-1].start, entries[-1].end = rest_start, line.end
            _continue_title(text, head, j, entries[-1])
            continue
        if list_lead(line.text) == 0 and entries and _continues(text, entries[-1], rest):
            entries[-1].end = line.end
            continue
        entries.append(_Entry(section, marked, rest_start, line.end, lead=_lead_class(line.text)))
    return j


def _numbered_below(heading: str, line_text: str) -> bool:
    """The line's number is lower than the heading's: a sub-list (`5 案件` … `1 …`, a ① once
    normalised), not the next heading of the same enumeration."""
    a, b = re.match(r"\s*(\d+)", heading), re.match(r"\s*(\d+)", line_text)
    return bool(a and b and int(b.group(1)) <= int(a.group(1)))


def _lead_class(line_text: str) -> str:
    """The kind of enumerator a list line starts with: (1), 1., ア, ①, a bullet, or none."""
    lead = line_text[: list_lead(line_text)].strip()
    if not lead:
        return ""
    if re.search(r"[ア-ン]", lead):
        return "kana"
    if re.search(r"[①-⑳]", lead):
        return "circled"
    if re.search(r"[0-9一二三四五六七八九十]", lead):
        return "paren" if re.search(r"[(（<＜〈]", lead) else "number"
    return "bullet"


def _parents(entries: list[_Entry]) -> set[int]:
    """Entries that head a sub-list (ア …について, then ・「…」 lines): their children are the items."""
    out = set()
    first: dict[str, int] = {}  # a list's levels, in the order their enumerators first appear
    for i, e in enumerate(entries):
        first.setdefault(e.lead, i)
    for i, e in enumerate(entries[:-1]):
        nxt = entries[i + 1]
        if e.lead and nxt.lead and first[e.lead] < first[nxt.lead] and e.kind == nxt.kind:
            out.add(i)
    return out


def _only_department(text: str, start: int, end: int) -> bool:
    d, span = department_after(text, start)
    return d is not None and span is not None and text[span[1] : end].strip(" )）】〕]") == ""


def _continue_title(text: str, head: list[Line], j: int, entry: _Entry) -> None:
    """A title the line width broke: join the next line while the title has not ended."""
    if j < len(head):
        nxt = head[j]
        rest, _ = _content(nxt)
        if rest and list_lead(nxt.text) == 0 and _continues(text, entry, rest):
            entry.end = nxt.end


def _continues(text: str, entry: _Entry, rest: str) -> bool:
    """The line `rest` carries on the title of `entry`: the title has not ended, this one does."""
    if entry.start < 0:
        return False
    title = text[entry.start : entry.end].strip()
    return (
        not ENDED.search(title)
        and not title.endswith("。")
        and bool(SUBJECT_END.search(rest) or _HANDLING_END.search(rest))
        and not _label_kind(rest)
        and not _HEADING.match(rest)
        and len(rest) <= 120
    )


def _items(text: str, entries: list[_Entry]) -> tuple[list[Item], list[Item], list[Item]]:
    consults: list[Item] = []
    neutral: list[Item] = []
    reports: list[Item] = []
    any_marked = any(e.marked and e.kind in ("consultation", "numbered") for e in entries)
    parents = _parents(entries)
    for n, e in enumerate(entries):
        if e.start < 0 or e.kind == "numbered" or n in parents:
            continue
        title, tspan, dept, dspan = _title(text, e.start, e.end)
        if not title or not tspan:
            continue
        if e.dept and dept is None:
            dept, dspan = text[e.dept[0] : e.dept[1]], e.dept
        kind = e.kind
        out = consults if kind == "consultation" else reports
        if kind == "deliberation":
            if any_marked or _PROCEDURAL.search(title):
                continue
            kind, out = "consultation", neutral
        if kind is None:
            if any_marked or _PROCEDURAL.search(title) or NUMBER_RE.search(title):
                continue
            if _REPORT_TITLE.search(title):
                kind = "report"
            elif CATEGORY_WORDS.search(title) or SUBJECT_END.search(title):
                kind, out = "consultation", neutral
            else:
                continue
            out = reports if kind == "report" else out
        if kind not in ("consultation", "report") or NUMBER_RE.search(title):
            continue
        if not (e.marked or e.kind == "deliberation") and not (
            SUBJECT_END.search(title) or CATEGORY_WORDS.search(title)
        ):
            continue
        if any(same_title(title, o.title) for o in consults + neutral + reports):
            continue
        item = Item(kind, None, None, title, tspan, dept, dspan, tspan[0], tspan[1])
        item.context = _group_heading(text, entries, parents, n)
        out.append(item)
    return consults, neutral, reports


_BRACKET_LABEL = re.compile(
    r"^[【\[［〔<＜《≪(（][^【】\[\]［］〔〕<>＜＞《》≪≫]{2,30}[】\]］〕>＞》≫)）]$"
)


def _group_heading(text: str, entries: list[_Entry], parents: set[int], n: int) -> str | None:
    """The heading entry n is listed under: the entry heading its sub-list, or a bracketed
    label (`【外部提供】`) above it and its siblings."""
    lead = entries[n].lead
    for k in range(n - 1, -1, -1):
        e = entries[k]
        if e.start < 0:
            continue
        own = text[e.start : e.end].strip()
        if k in parents or (e.lead != lead and _BRACKET_LABEL.match(own)):
            return own
        if e.lead != lead:
            return None
    return None


def _title(
    text: str, start: int, end: int
) -> tuple[str | None, tuple[int, int] | None, str | None, tuple[int, int] | None]:
    """A title over one or more lines: cut at its department and tail; line breaks removed."""
    nl = text.find("\n", start, end)
    if nl < 0:
        title, tspan, dept, dspan = clean_title(text, start, end)
    else:  # a broken title: clean its last line, keep the lines before it whole
        last = text.rfind("\n", start, end) + 1
        t2, span2, dept, dspan = clean_title(text, last, end)
        if t2 is None or span2 is None:
            return None, None, dept, dspan
        s, e = strip_span(text, start, span2[1])
        tspan = (s, e)
        title = re.sub(r"\s*\n\s*", "", text[s:e])
    if (
        title is None
        or tspan is None
        or "。" in title
        or len(title) > 150
        or _ENCLOSED.match(title)
    ):
        return None, None, None, None
    return title, tspan, dept, dspan
