"""The meeting header: municipality, council, 期/回/年度, date, times, place, observers, attendees.

Headers come as labelled lines (`日時 …`, `開催場所\t…`) or, in a 答申, as the
date and signature block above the title. Values are read from the first part
of the document only, where the header is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time

from extractors.common import (
    DATE_RE,
    FISCAL_RE,
    NUM,
    TIME_RANGE_RE,
    TIME_RE,
    _clock,
    era_year,
    lines,
    parse_date,
    parse_time_range,
    to_int,
)

HEADER_CHARS = 3000
BODY_RE = re.compile(r"([^\s、。,()（）「」【】:：\t]{2,60}?(?:審議会|審査会|委員会|協議会))")
MUNICIPALITY_RE = re.compile(
    r"([\u4e00-\u9fff\u3041-\u3096\u30a1-\u30fa]{1,6}?(?:市|区|町|村))(?=役所|役場|長|議会|情報|個人|立|の|総合|\s|本庁|庁舎)"
)
_PRE = r"^[\s【■□◆◇●○・\[]*(?:\d+\s*[.．、]?\s*)?"
_SEP = r"[\s】\]:：\t]*"
_LABEL = {
    "date": re.compile(_PRE + r"(?:開催)?(?:日\s*時|日程|開催日|日付|年月日)" + _SEP),
    "place": re.compile(_PRE + r"(?:開催)?(?:場\s*所|会\s*場)" + _SEP),
    "observers": re.compile(_PRE + r"傍聴(?:人|者)?(?:数)?(?!の)" + _SEP),
    "attendees": re.compile(
        _PRE
        + r"(?:出席者|出席委員|委員出席者)(?:\s*及び欠席者|\s*および欠席者)?(?:\(\d+名\))?"
        + _SEP
    ),
}


@dataclass
class Header:
    municipality: str | None = None
    body: str | None = None
    term: int | None = None
    session: int | None = None
    fiscal_year: int | None = None
    held_on: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    place: str | None = None
    observers: int | None = None
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    attendees: list[tuple[str, str | None, str, bool, int, int]] = field(default_factory=list)


def extract_header(text: str, doc_kind: str) -> Header:
    h = Header()
    head_end = min(len(text), HEADER_CHARS)
    for line in lines(text, 0, head_end):
        s = line.text.strip()
        lead = len(line.text) - len(line.text.lstrip())
        for key, rx in _LABEL.items():
            m = rx.match(s)
            if not m:
                continue
            vstart = line.start + lead + m.end()
            value = text[vstart : line.end]
            if key == "date" and h.held_on is None:
                _read_when(h, value, vstart)
            elif key == "place" and h.place is None and value.strip():
                v = value.strip()
                h.place = v
                h.spans["place"] = (vstart + value.find(v), vstart + value.find(v) + len(v))
            elif key == "observers" and h.observers is None:
                _read_observers(h, value, vstart)
            elif key == "attendees" and not h.attendees:
                h.attendees = _attendees(text, vstart, _attendee_end(text, line.end))
            break
    _read_body(h, text, head_end)
    if h.held_on is None:
        # a 答申 or a page without labels: the first full date in the header
        m = DATE_RE.search(text, 0, head_end)
        if m:
            h.held_on = parse_date(m)
            h.spans["held_on"] = m.span()
    if h.start_time is None and doc_kind != "toshin":
        m = TIME_RANGE_RE.search(text, 0, min(head_end, 800))
        if m:
            h.start_time, h.end_time = parse_time_range(m)
            h.spans["start_time"] = m.span()
    _read_municipality(h, text, head_end)
    return h


def _read_when(h: Header, value: str, offset: int) -> None:
    m = DATE_RE.search(value)
    if m:
        h.held_on = parse_date(m)
        h.spans["held_on"] = (offset + m.start(), offset + m.end())
    t = TIME_RANGE_RE.search(value)
    if t:
        h.start_time, h.end_time = parse_time_range(t)
        h.spans["start_time"] = (offset + t.start(), offset + t.end())
        return
    # a start time alone (`15時00分~`, minutes cut off before the end)
    d_end = m.end() if m else 0
    single = TIME_RE.search(value, d_end)
    if single and (single.group(1) or "時" in value[single.start() : single.end()]):
        h.start_time = _clock(single.group(1), single.group(2), single.group(3))
        h.spans["start_time"] = (offset + single.start(), offset + single.end())


def _read_observers(h: Header, value: str, offset: int) -> None:
    v = value.strip()
    m = re.match(rf"(なし|無し|無|いない|0)|({NUM})\s*(?:名|人)", v)
    if m:
        h.observers = 0 if m.group(1) else to_int(m.group(2))
        start = offset + value.find(v)
        h.spans["observers"] = (start + m.start(), start + m.end())


def _read_body(h: Header, text: str, head_end: int) -> None:
    for line in lines(text, 0, head_end):
        s = line.text
        m = BODY_RE.search(s)
        if not m or "答申に関与" in s:
            continue
        body = m.group(1)
        # drop 第N期第M回 / 年度 prefixes written before the name
        prefix = re.match(
            rf"^(?:(?:明治|大正|昭和|平成|令和)\s*(?:{NUM})\s*年度)?(?:第\s*({NUM})\s*期)?(?:第\s*({NUM})\s*回)?",
            body,
        )
        cut = prefix.end() if prefix else 0
        if len(body) - cut < 4:
            continue
        name = body[cut:]
        cut += (
            name.rfind("様") + 1 if "様" in name else 0
        )  # an addressee (…市長 …様) written before it
        name = body[cut:]
        name = re.sub(r"(会議要録|会議録|議事録|会議)$", "", name)
        h.body = name
        start = line.start + m.start(1) + cut
        h.spans["body"] = (start, start + len(name))
        ctx = s[max(0, m.start() - 40) : m.end() + 40]
        _read_counts(h, ctx, text)
        return
    _read_counts(h, text[:head_end], text)


def _read_counts(h: Header, ctx: str, text: str) -> None:
    term = re.search(rf"第\s*({NUM})\s*期", ctx)
    session = re.search(rf"第\s*({NUM})\s*回", ctx)
    fiscal = FISCAL_RE.search(ctx)
    if term:
        h.term = to_int(term.group(1))
    if session:
        h.session = to_int(session.group(1))
    if fiscal:
        h.fiscal_year = era_year(fiscal.group(1), fiscal.group(2), fiscal.group(3))
    elif h.fiscal_year is None:
        fy = FISCAL_RE.search(text, 0, 300)
        if fy:
            h.fiscal_year = era_year(fy.group(1), fy.group(2), fy.group(3))


def _read_municipality(h: Header, text: str, head_end: int) -> None:
    for source, key in ((h.body, "body"), (h.place, "place")):
        if source:
            m = MUNICIPALITY_RE.search(source + " ")
            if m and m.start() == 0:
                h.municipality = m.group(1)
                s = h.spans.get(key, (0, 0))[0]
                h.spans["municipality"] = (s + m.start(1), s + m.end(1))
                return
    counts: dict[str, list[tuple[int, int]]] = {}
    for m in MUNICIPALITY_RE.finditer(text, 0, head_end):
        counts.setdefault(m.group(1), []).append(m.span(1))
    if counts:
        best = max(counts, key=lambda k: len(counts[k]))
        h.municipality = best
        h.spans["municipality"] = counts[best][0]


def _attendee_end(text: str, pos: int) -> int:
    """The attendee list may continue on following lines (区側:…, ●欠席者:…)."""
    end = pos
    for line in lines(text, pos + 1, min(len(text), pos + 1500)):
        s = line.text.strip()
        if (
            re.match(
                r"^(?:\d+\s|[0-9]+\.|[(（]\d)|^(?:傍聴|議事|会議|配付|配布|開催|問い合わせ|場所|日時)",
                s,
            )
            or "\t" in s
        ):
            break
        end = line.end
    return end


_PERSON = re.compile(
    r"([^\s、,・:：()（）]{1,12}?)(?:\(([^)]{1,6})\))?(委員長|副委員長|会長職務代理|副会長|会長|委員)(?:\((会長|副会長|委員長)\))?"
)
_OFFICIAL = re.compile(
    r"([^\s、,・:：()（）]{1,16}?(?:部長|課長|局長|所長|館長|係長|主任|主事|参事|室長|事務局長|次長|センター長|担当|職員|園長))"
)


def _attendees(
    text: str, start: int, end: int
) -> list[tuple[str, str | None, str, bool, int, int]]:
    """(name, role, side, present, start, end) for each person in the attendee list."""
    out = []
    present = True
    official = False
    for m in re.finditer(r"[^、,・\s:：]+", text[start:end]):
        token = m.group(0)
        s = start + m.start()
        if "欠席" in token:
            present = False
            official = False
            continue
        if re.search(
            r"区側|市側|町側|村側|事務局\)|事務局）|^\(市|^（市|^\(区|^（区|出席者", token
        ):
            official = "側" in token or "事務局" in token
            token = re.sub(r"^.*[:：)）]", "", token)
            if not token:
                continue
        p = _PERSON.fullmatch(token.strip("()（）"))
        if p and not official:
            role = p.group(4) or p.group(3)
            out.append((p.group(1), role, "member", present, s, s + len(token)))
            continue
        o = _OFFICIAL.fullmatch(token)
        if o:
            out.append((o.group(1), o.group(1), "official", present, s, s + len(token)))
    return out
