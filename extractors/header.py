"""The meeting header: kind of document, municipality, council, 期/回/年度, date, times, place, observers, attendees.

A header is a set of label/value pairs. The labels and their variants are data
(``models/data/header_labels.csv``); a value stands after its label on the same
line (`日時：…`, `【傍聴】なし`), in the next cell of a table row (tab or `|`) or
on the next line, as on most web pages. Each value is typed by its field: a date,
times, a place, a count. Pages without labels give their date, time and place
as lines of their own under the title, and a 答申 its date alone on a line above
the addressee.

Everything is read from the first part of the document with the page's own
furniture blanked (:mod:`extractors.chrome`), so a page's 更新日 is never the
meeting date and a breadcrumb never the council's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from functools import lru_cache

from extractors import chrome
from extractors.common import (
    DATE_RE,
    FISCAL_RE,
    NUM,
    TIME_RANGE_RE,
    TIME_RE,
    Line,
    _clock,
    era_year,
    lines,
    parse_date,
    parse_time_range,
    strip_span,
    to_int,
)
from extractors.nlp import nlp
from models.vocab import DocKind, HeaderField, doc_kind_words, header_labels, place_words

HEADER_CHARS = 3000
TITLE_LINES = 12  # non-blank lines at the top where a page names itself and its council
MUNICIPALITY_CHARS = 1200  # where a municipality not in the council's name is looked for

COUNCIL = r"(?:審議会|審査会|委員会|協議会)"
SUB_COUNCIL = r"(?:部会|分科会|小委員会|専門委員会)"
_NAME_CHAR = r"[^\s、。,()（）「」『』【】\[\]〔〕:：|<>\"'-]"
# councils that sit as one are named joined by ・ (…情報公開審査会・個人情報保護審査会)
BODY_RE = re.compile(
    rf"{_NAME_CHAR}{{0,40}}?{COUNCIL}(?:[・･]{_NAME_CHAR}{{1,30}}?{COUNCIL})*"
    rf"(?:{_NAME_CHAR}{{1,40}}?{SUB_COUNCIL})?"
)
_ERA = r"(?:明治|大正|昭和|平成|令和)"
# what precedes a council's name in a title: a date, a year, 第N期, 第N回
_NAME_PREFIX = re.compile(
    rf"^(?:{DATE_RE.pattern}|{FISCAL_RE.pattern}|{_ERA}\s*(?:{NUM})\s*年|第\s*(?:{NUM})\s*[期回]|\s)+"
)
# a determiner or count in front of the word (二つの審議会, 同審議会, 本審査会): no name
_NOT_A_NAME = re.compile(
    rf"^(?:[0-9一二三四五六七八九十]+つの|[両同本当各]|前記|上記|下記|次の|この|その|あの){COUNCIL}"
)
_DOMAIN = re.compile(r"個人情報")  # the councils this project reads

_BULLET = r"[ \t\u3000\-•・◇◆■□●○▼▽◎※*]*"
# 1 / 1. / (1) / ① / 一、 / ア (the iroha-order katakana of sub-items, before a space or a stop)
_ENUM = (
    r"(?:\d{1,2}\s*[.．、)）]?|[(（]\s*(?:\d{1,2}|[アイウエオカキクケコ])\s*[)）]|[①-⑳]"
    r"|[一二三四五六七八九十]{1,3}\s*[.．、]|[アイウエオカキクケコ](?:\s+|\s*[.．、]))"
)
_WEEKDAY = r"(?:\s*[(（]\s*[月火水木金土日](?:曜日?)?\s*[)）])?"
_NOON_END = re.compile(
    rf"(午前|午後)?\s*({NUM})\s*(?:時|:)\s*(?:({NUM}|半)\s*分?)?\s*(?:から|~|〜|～|∼|-|－|ー|―|—|より)\s*正午"
)
_OPENS = re.compile(rf"({TIME_RE.pattern})\s*(?:開会|開始|開議)")
_CLOSES = re.compile(rf"({TIME_RE.pattern})\s*(?:閉会|終了|散会)")
# the word before the time: `開会 午後2時 閉会 午後3時`
_CLOSES_AFTER = re.compile(rf"(?:閉会|終了|散会)(?:時刻|時間)?\s*[:：]?\s*({TIME_RE.pattern})")
_OBSERVER_COUNT = re.compile(
    rf"^(?:(なし|無し|無|いない|いません|0\s*(?:名|人)?(?![0-9]))|({NUM})\s*(?:名|人))"
)
_LOCAL_SUFFIX = "市区町村"
_PREFECTURE_SUFFIX = "県府"
_WHOLE_NAMES = {"東京都", "北海道"}  # 都 and 道 end a government's name only here
_GENERIC_AREAS = {"市町村", "市区町村", "区市町村", "都道府県", "市町", "町村"}


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
    # (start, end) of each value of an agenda label (`議題：…`, or the line under `議題`)
    agenda: list[tuple[int, int]] = field(default_factory=list)
    attendees: list[tuple[str, str | None, str, bool, int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class Labelled:
    """A header value: its field, its span in the text, and the index of the line it ends on."""

    field: HeaderField
    start: int
    end: int
    line: int


# --- the kind of document ----------------------------------------------------

_TOSHIN = re.compile(
    rf"[(（]\s*答申\s*[)）]|答申第\s*(?:{NUM})\s*号|^\s*答\s*申\s*(書)?\s*$|次のとおり答申", re.M
)


@lru_cache(maxsize=1)
def _kind_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = doc_kind_words()
    alt = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    heads = "|".join(re.escape(w) for w, (_, heading) in words.items() if heading)
    heading = re.compile(rf"^{_BULLET}(?:{_ENUM}\s*)?(?:{heads})(?:全文)?\s*$", re.M)
    return re.compile(alt), heading


def doc_kind(text: str, n_turns: int) -> str:
    """minutes, toshin or summary from the earliest kind word of the document's own title and headings.

    The document's own designation decides, even on a short page and whatever its body looks
    like (a 答申 quotes the department's explanation; a results page has Q/A lines). A heading
    of the minutes themselves (〇 会議記録) makes a results page minutes. Without any
    designation, a dialogue (3 turns or more) or a meeting's header (its date and place, who
    attended) is the record of a meeting: minutes.
    """
    head = chrome.mask(text, 1500)[:1500]
    word, heading = _kind_patterns()
    found = [(m.start(), doc_kind_words()[m.group(0)][0]) for m in word.finditer(head)]
    toshin = _TOSHIN.search(head)
    if toshin:
        found.append((toshin.start(), DocKind.TOSHIN))
    kind = min(found)[1] if found else None
    if kind in (DocKind.SUMMARY, None) and heading.search(text):
        return DocKind.MINUTES
    if kind is not None:
        return kind
    if n_turns >= 3 or _MEETING_HEADER.search(head):
        return DocKind.MINUTES
    if any(_body_candidates(head, len(head), [])):
        return DocKind.SUMMARY  # an account of a council's meeting that is neither
    return DocKind.OTHER


# a meeting's header: who attended, under its own label (出席者, 出席委員)
_MEETING_HEADER = re.compile(r"^\s*(?:\d+\s*)?[【(（]?\s*出\s*席\s*(?:者|委員)", re.M)


# --- the header ----------------------------------------------------------------


def extract_header(text: str, doc_kind: str) -> Header:
    h = Header()
    head_end = min(len(text), HEADER_CHARS)
    masked = chrome.mask(text, head_end)
    head = list(lines(masked, 0, head_end))
    values = _labelled(masked, head)
    present_read = False
    for v in values:
        if v.field in (HeaderField.WHEN, HeaderField.TIME):
            _read_when(h, masked, head, v)
        elif v.field == HeaderField.PLACE and h.place is None:
            _read_place(h, masked, v)
        elif v.field == HeaderField.OBSERVERS and h.observers is None:
            _read_observers(h, masked[v.start : v.end], v.start)
        elif v.field == HeaderField.AGENDA:
            h.agenda.append((v.start, v.end))
        elif v.field == HeaderField.ATTENDEES and not present_read:
            present_read = True
            h.attendees += _attendees(masked, v.start, _attendee_end(masked, v.end))
        elif v.field == HeaderField.ABSENT:
            # a row of its own for those absent (欠席者: …): everyone in it was absent
            # (the attendee list may have run on into this row and read them already)
            seen = {(a[4], a[5]) for a in h.attendees}
            h.attendees += [
                (n, r, side, False, s, e)
                for n, r, side, _, s, e in _attendees(masked, v.start, v.end)
                if (s, e) not in seen
            ]
    if h.observers is None:
        _inline_observers(h, masked, head_end)
    _read_body(h, masked, head_end, values)
    if h.held_on is None:
        others = [(v.start, v.end) for v in values if v.field == HeaderField.OTHER]
        _unlabelled_when(h, masked, head, doc_kind, others)
    if h.start_time is None and doc_kind != DocKind.TOSHIN:
        m = TIME_RANGE_RE.search(masked, 0, min(head_end, 800))
        noon = _NOON_END.search(masked, 0, min(head_end, 800))
        if m:
            h.start_time, h.end_time = parse_time_range(m)
            h.spans["start_time"] = m.span()
        elif noon:  # `（午前10時～正午、傍聴者なし）` in a sentence of the page
            _until_noon(h, noon)
    _read_municipality(h, masked, head_end)
    return h


# --- label/value pairs -----------------------------------------------------------


@lru_cache(maxsize=1)
def _label_re() -> re.Pattern[str]:
    labels = sorted(header_labels(), key=len, reverse=True)
    alt = "|".join(r"[ \u3000]?".join(map(re.escape, label)) for label in labels)
    return re.compile(
        rf"{_BULLET}(?P<enum>{_ENUM}\s*)?(?P<open>[【\[〔<])?\s*(?P<label>{alt})(?P<close>\s*[】\]〕>])?"
        r"(?:\s*[(（【][^)）】\n]{0,12}[)）】])?"
        r"(?P<sep>[ \t\u3000]*[:：|\t][ \t\u3000]*|[ \t\u3000]+|$)?"
    )


def _label(cell: str) -> tuple[HeaderField, int] | None:
    """(field, end of label) when the cell starts with a header label that a value may follow."""
    m = _label_re().match(cell)
    if not m:
        return None
    label = re.sub(r"[ \u3000]", "", m.group("label"))
    fld = header_labels()[label]
    if m.group("sep") is None and not m.group("close"):
        # run into its value (`2場所…`, `会場鷹ノ巣市役所…`: spaces lost in extraction);
        # not in a sentence (場所は…), and after an enumerator or with a value of the field's type
        rest = cell[m.end() :]
        if _HIRAGANA.match(rest) or not re.search(r"[^\u3041-\u3096]", label):
            return None
        if fld in (HeaderField.AGENDA, HeaderField.OTHER):  # 議事経過, 議事録: words, not labels
            return None
        if not (m.group("enum") or _typed(fld, rest)):
            return None
    return fld, m.end()


_HIRAGANA = re.compile(r"[\u3041-\u3096]")


def _typed(fld: HeaderField, value: str) -> bool:
    """Whether a value written straight after its label is of the label's type."""
    if fld in (HeaderField.WHEN, HeaderField.TIME):
        return bool(DATE_RE.match(value) or TIME_RE.match(value))
    if fld == HeaderField.OBSERVERS:
        return bool(_OBSERVER_COUNT.match(value))
    if fld == HeaderField.PLACE:
        return _looks_like_place(value)
    if fld in (HeaderField.BODY, HeaderField.MEETING):
        return bool(BODY_RE.search(value))
    return fld == HeaderField.ATTENDEES


def _cells(line: str) -> list[tuple[int, int]]:
    """(start, end) of the cells of a table row flattened with tabs or `|`; the line when none."""
    out, pos = [], 0
    for m in re.finditer(r"\s*[\t|]\s*", line):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, len(line)))
    return [(s, e) for s, e in out if line[s:e].strip()]


def _labelled(masked: str, head: list[Line]) -> list[Labelled]:
    """Every label/value pair of the header, in order; a value on the same line, the next cell or the next line."""
    out: list[Labelled] = []
    stacked: set[int] = set()
    for i, line in enumerate(head):
        cells = _cells(line.text)
        k = 0
        while k < len(cells):
            cs, ce = cells[k]
            found = _label(line.text[cs:ce])
            k += 1
            if not found:
                # a line that opens with a title, its labelled pairs after it (`…審議会 開催日:…
                # 時 間:… 会 場:…`, a header flattened onto one line)
                later = _next_label(masked, line.start + cs, line.start + ce, HeaderField.OTHER)
                if later is not None and ":" in masked[later : line.start + ce][:12]:
                    cells.insert(k, (later - line.start, ce))
                continue
            fld, end = found
            vs, ve = strip_span(masked, line.start + cs + end, line.start + ce, " \t\u3000")
            if vs < ve:
                cut = None if fld == HeaderField.ATTENDEES else _next_label(masked, vs, ve, fld)
                if cut is not None:  # `日時 … 場所 …`: the next pair on the same line
                    cells.insert(k, (cut - line.start, ce))
                    vs, ve = strip_span(masked, vs, cut, " \t\u3000")
                out.append(Labelled(fld, vs, ve, i))
            elif k < len(cells) and not _label(line.text[cells[k][0] : cells[k][1]]):
                vs, ve = line.start + cells[k][0], line.start + cells[k][1]
                out.append(Labelled(fld, vs, ve, i))
                k += 1
            elif k == len(cells) and i not in stacked:
                out += _values_below(masked, head, i, fld, stacked)
    return out


def _next_label(masked: str, start: int, end: int, fld: HeaderField) -> int | None:
    """Where another field's label, after a space and followed by its separator, starts in a value."""
    # after a blank; or straight after a value ending in a digit or a bracket (`…16:30会場:…`,
    # the blanks lost), where only a label with its colon counts
    for m in re.finditer(r"[ \t\u3000]+|(?<=[0-9)）])(?=[^0-9\s:：])", masked[start:end]):
        found = _label(masked[start + m.end() : end])
        sep = r"[:：]$" if m.start() == m.end() else r"[\s:：】\]]$"
        if (
            found
            and found[0] != fld
            and re.search(sep, masked[start + m.end() : start + m.end() + found[1]])
        ):
            return start + m.end()
    return None


def _values_below(
    masked: str, head: list[Line], i: int, fld: HeaderField, stacked: set[int]
) -> list[Labelled]:
    """Values on the lines under a bare label; labels stacked above their values (a table read
    column by column: 日時, 場所, then the date, then the place) take them in order."""
    fields = [fld]
    j = _next_line(head, i)
    while j is not None and (found := _label(head[j].text)) and _bare(head[j].text, found[1]):
        fields.append(found[0])
        stacked.add(j)
        j = _next_line(head, j)
    out = []
    for f in fields:
        if j is None or _label(head[j].text):
            break
        vs, ve = strip_span(masked, head[j].start, head[j].end, " \t\u3000")
        out.append(Labelled(f, vs, ve, j))
        j = _next_line(head, j)
    return out


def _bare(line: str, label_end: int) -> bool:
    return not line[label_end:].strip()


def _next_line(head: list[Line], i: int) -> int | None:
    for j in range(i + 1, min(len(head), i + 4)):
        if head[j].text.strip():
            return j
    return None


# --- typed values ----------------------------------------------------------------


def _read_when(h: Header, masked: str, head: list[Line], v: Labelled) -> None:
    value = masked[v.start : v.end]
    d = DATE_RE.search(value)
    if d and h.held_on is None:
        h.held_on = parse_date(d)
        h.spans["held_on"] = (v.start + d.start(), v.start + d.end())
    if h.start_time is not None:
        return
    if _read_times(h, masked, v.start + (d.end() if d else 0), v.end):
        return
    nxt = _next_line(head, v.line)
    if d and nxt is not None and not _label(head[nxt].text):
        _read_times(h, masked, head[nxt].start, head[nxt].end)
        after = _next_line(head, nxt)
        if h.start_time is not None and h.end_time is None and after is not None:
            # `開会 午後2時` and `閉会 午後3時` on lines of their own
            closes = _CLOSES_AFTER.match(masked, head[after].start, head[after].end)
            if closes:
                h.end_time = _clock(closes.group(2), closes.group(3), closes.group(4))


def _until_noon(h: Header, noon: re.Match[str]) -> None:
    """A meeting from a time until noon (`午前10時～正午`)."""
    h.start_time = _clock(noon.group(1), noon.group(2), noon.group(3))
    h.end_time = time(12, 0)
    h.spans["start_time"] = noon.span()


def _read_times(h: Header, masked: str, start: int, end: int) -> bool:
    """Start and end times from masked[start:end]; False when it holds none."""
    t = TIME_RANGE_RE.search(masked, start, end)
    if t:
        h.start_time, h.end_time = parse_time_range(t)
        h.spans["start_time"] = t.span()
        return True
    noon = _NOON_END.search(masked, start, end)
    if noon:
        _until_noon(h, noon)
        return True
    # a start time alone (`15時00分~`, the end cut off), with 時 or a colon after a date
    single = TIME_RE.search(masked, start, end)
    if single and (single.group(1) or "時" in single.group(0)):
        h.start_time = _clock(single.group(1), single.group(2), single.group(3))
        h.spans["start_time"] = single.span()
        # `午後1時30分開会 午後3時閉会`: the closing time on the same line
        closes = _CLOSES.search(masked, single.end(), end) or _CLOSES_AFTER.search(
            masked, single.end(), end
        )
        if closes:
            h.end_time = _clock(closes.group(2), closes.group(3), closes.group(4))
        return True
    return False


def _read_place(h: Header, masked: str, v: Labelled) -> None:
    value = masked[v.start : v.end]
    # another header value after it (`… 303会議室 (傍聴者:1名)`, `… 会議室 傍聴者 2名`) is not the place
    for m in re.finditer(r"\s*[(（]|\s+", value):
        found = _label(value[m.end() :])
        if found and found[0] != HeaderField.PLACE:
            value = value[: m.start()]
            break
    # an address in brackets after the room (`…委員会室（所在：…1-1）`) is not the place
    address = _PLACE_ADDRESS.search(value)
    if address:
        value = value[: address.start()]
    s, e = strip_span(masked, v.start, v.start + len(value))
    if s < e and not DATE_RE.search(masked, s, e):
        cont = _place_continues(masked, e)
        if cont > e and _ADDRESS_ONLY.match(masked[s:e]):  # the address, then the room: the room
            s = masked.rfind("\n", 0, cont) + 1
            s, cont = strip_span(masked, s, cont)
        e = cont
        h.place = re.sub(r"\s*\n\s*", " ", masked[s:e])
        h.spans["place"] = (s, e)


_PLACE_ADDRESS = re.compile(r"\s*[(（]\s*(?:所在地?|住所)\s*[:：]?[^()（）]*[)）]?\s*$")
# a street address alone (…五丁目10番1号, …2-1-1): where the building stands, not the room
_ADDRESS_ONLY = re.compile(
    r"^[^\s室]*(?:丁目|番地|[0-9]+番[0-9]*号?|[0-9]+[-−‐][0-9]+(?:[-−‐][0-9]+)?)$"
)
_ROOM = re.compile(r"室|ホール|講堂|会議|研修|ルーム|[0-9]+\s*階|[0-9]+\s*F\b")


def _place_continues(masked: str, end: int) -> int:
    """A place the layout broke over lines: the building on one line, the floor or room below.

    The next line carries on the place when it has no label of its own, is short, names a room
    or floor, and the value so far has no room yet (or the line is indented under it).
    """
    nl = masked.find("\n", end)
    if nl < 0 or masked[end:nl].strip():
        return end
    nxt_end = masked.find("\n", nl + 1)
    nxt_end = len(masked) if nxt_end < 0 else nxt_end
    line = masked[nl + 1 : nxt_end]
    rest = line.strip()
    if not rest or len(rest) > 30 or "。" in rest or _label(rest) or DATE_RE.search(rest):
        return end
    start = masked.rfind("\n", 0, end) + 1
    indented = line[:1] in (" ", "\u3000", "\t")
    has_room = bool(re.search(r"室|ホール|講堂", masked[start:end]))
    if _ROOM.search(rest) and (indented or not has_room) and not re.search(r"[:：]", rest):
        return nl + 1 + len(line.rstrip())
    return end


def _read_observers(h: Header, value: str, offset: int) -> None:
    v = value.lstrip(" \t\u3000:：")
    m = _OBSERVER_COUNT.match(v)
    if m:
        h.observers = 0 if m.group(1) else to_int(m.group(2))
        start = offset + len(value) - len(v)
        h.spans["observers"] = (start + m.start(), start + m.end())


_INLINE_OBSERVERS = re.compile(r"傍聴(?:者|人)(?:の?数)?(?:は|が)?\s*[:：、]?\s*")


def _inline_observers(h: Header, masked: str, head_end: int) -> None:
    """`(傍聴者:1名)`, `公開(傍聴者なし)`: the label and its count inside a line."""
    for m in _INLINE_OBSERVERS.finditer(masked, 0, head_end):
        _read_observers(h, masked[m.end() : min(head_end, m.end() + 12)], m.end())
        if h.observers is not None:
            return


def _standalone_date(masked: str, m: re.Match[str]) -> bool:
    """A date that is its line's only content, but for a weekday and times."""
    ls = masked.rfind("\n", 0, m.start()) + 1
    le = masked.find("\n", m.end())
    le = len(masked) if le < 0 else le
    rest = masked[ls : m.start()] + " " + masked[m.end() : le]
    rest = re.sub(_WEEKDAY, "", rest, count=1)
    rest = TIME_RANGE_RE.sub("", rest)
    rest = TIME_RE.sub("", rest)
    return not re.sub(r"[\s(（)）~〜～\-まで開会]", "", rest)


def _unlabelled_when(
    h: Header, masked: str, head: list[Line], doc_kind: str, others: list[tuple[int, int]]
) -> None:
    """No date label: a date alone on its line (the meeting's, or a 答申's issue date), else the first date not of a reference (…付け)."""
    end = head[-1].end if head else 0
    # not the value of another label (次回開催予定日)
    dates = [
        m
        for m in DATE_RE.finditer(masked, 0, end)
        if not any(s <= m.start() < e for s, e in others)
    ]
    own = [m for m in dates if not re.match(r"\s*付", masked[m.end() : m.end() + 3])]
    alone = [m for m in own if _standalone_date(masked, m)]
    if not own:
        return
    pick = (alone or own)[0]
    h.held_on = parse_date(pick)
    h.spans["held_on"] = pick.span()
    if doc_kind == DocKind.TOSHIN or pick not in alone:
        return
    # times on the date's line or the next; then the place on a line of its own
    index = next(i for i, ln in enumerate(head) if ln.start <= pick.start() <= ln.end)
    nxt = _next_line(head, index)
    if h.start_time is None and not _read_times(h, masked, pick.end(), head[index].end):
        if nxt is not None and _read_times(h, masked, head[nxt].start, head[nxt].end):
            index, nxt = nxt, _next_line(head, nxt)
    if h.place is None and nxt is not None and _looks_like_place(head[nxt].text):
        s, e = strip_span(masked, head[nxt].start, head[nxt].end)
        h.place = masked[s:e]
        h.spans["place"] = (s, e)
    _opening_times(h, masked, head[index].end, end)


def _opening_times(h: Header, masked: str, start: int, end: int) -> None:
    """`午前10時00分 開会` / `正午 閉会` lines of minutes that give their times there."""
    if h.start_time is None:
        m = _OPENS.search(masked, start, min(end, start + 400))
        if m:
            h.start_time = _clock(m.group(2), m.group(3), m.group(4))
            h.spans["start_time"] = m.span(1)
    if h.end_time is None:
        m = _CLOSES.search(masked, start, end)
        if m:
            h.end_time = _clock(m.group(2), m.group(3), m.group(4))


def _looks_like_place(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 60 or re.search(r"[。、,]", s) or _label(s):
        return False
    if DATE_RE.search(s) or TIME_RE.search(s) and "時" in s:
        return False
    return any(w in s for w in place_words())


# --- the council, its 期/回/年度 -----------------------------------------------------


@dataclass(frozen=True)
class _Council:
    labelled: bool  # the value of a 審議会名 / 会議名 label
    start: int
    name: str
    line: str

    @property
    def rank(self) -> tuple[bool, bool, int]:
        return self.labelled, bool(_DOMAIN.search(self.name)), -self.start


def _council_names(masked: str, start: int, stop: int, labelled: bool) -> list[_Council]:
    line_start = masked.rfind("\n", 0, start) + 1
    line_end = masked.find("\n", stop)
    line = masked[line_start : len(masked) if line_end < 0 else line_end]
    if "答申に関与" in line:
        return []
    out = []
    for m in BODY_RE.finditer(masked, start, stop):
        cut = _NAME_PREFIX.match(m.group(0))
        name_start = m.start() + (cut.end() if cut else 0)
        # an addressee run into the name (…市長 氏名様白鷺台町…審査会)
        addressee = max(masked.rfind(c, name_start, m.end()) for c in "様殿")
        name_start = max(name_start, addressee + 1)
        name = masked[name_start : m.end()]
        if len(name) >= 5 and not _NOT_A_NAME.match(name):
            out.append(_Council(labelled, name_start, name, line))
    return out


def _body_candidates(masked: str, end: int, values: list[Labelled]) -> list[_Council]:
    """Council names in labelled values, and in the title lines: the first lines from the first that names a council."""
    found = [
        c
        for v in values
        if v.field in (HeaderField.BODY, HeaderField.MEETING)
        for c in _council_names(masked, v.start, v.end, True)
    ]
    zone = 0
    for ln in lines(masked, 0, end):
        if not ln.text.strip():
            continue
        names = _council_names(masked, ln.start, ln.end, False)
        zone += bool(names or zone)
        found += names
        if zone >= TITLE_LINES:
            break
    return found


def _read_body(h: Header, masked: str, head_end: int, values: list[Labelled]) -> None:
    found = _body_candidates(masked, head_end, values)
    if not found:
        _read_counts(h, [masked[:300]])
        return
    best = max(found, key=lambda c: c.rank)
    if not best.labelled:
        # the same name written in full with its government in front (桜丘市 + 情報公開…審査会)
        fuller = [
            c
            for c in found
            if c.name.endswith(best.name)
            and len(c.name) > len(best.name)
            and _leading_government(c.name)
        ]
        best = min(fuller, key=lambda c: c.start) if fuller else best
    h.body = best.name
    h.spans["body"] = (best.start, best.start + len(best.name))
    others = [c.line for c in sorted(found, key=lambda c: c.rank, reverse=True) if c is not best]
    top = [ln.text for ln in lines(masked, 0, head_end) if ln.text.strip()][:TITLE_LINES]
    _read_counts(h, [best.line, *others, *top])


def _read_counts(h: Header, contexts: list[str]) -> None:
    """第N期, 第N回 and, when the meetings are counted per fiscal year (平成23年度第5回), that year."""
    for ctx in contexts:
        term = re.search(rf"第\s*({NUM})\s*期", ctx)
        session = re.search(rf"第\s*({NUM})\s*回", ctx)
        fiscal = re.search(
            # the council's name may stand between: 令和5年度 霞浦市…審議会（第2回）
            rf"{FISCAL_RE.pattern}\s*(?:[^\s第()（）]{{0,40}}?{COUNCIL}\s*[(（]?\s*)?"
            rf"(?:第\s*(?:{NUM})\s*期\s*)?(?:第\s*(?:{NUM})\s*回|[^\s第]{{0,4}}第\s*(?:{NUM})\s*号)",
            ctx,
        )
        if term and h.term is None:
            h.term = to_int(term.group(1))
        if session and h.session is None:
            h.session = to_int(session.group(1))
        if fiscal and h.fiscal_year is None:
            h.fiscal_year = era_year(fiscal.group(1), fiscal.group(2), fiscal.group(3))


# --- the municipality ------------------------------------------------------------

# words an office or institution of a local government starts with (白川|村長, 北浜|県知事)
_OFFICE_WORDS = {w + tail for w in "市区町村" for tail in ("長", "役所", "役場", "議会", "立")} | {
    w + tail for w in "都道府県" for tail in ("知事", "庁", "議会", "立")
}
# one-character words of a department (総務|部, 市民|課): a name running into one is no name
_UNIT_WORDS = set("部課局係")
# a prefecture written before a city's name (北浜県北浜市): the city is the municipality
_PREFECTURE_FIRST = re.compile(r"^(?:東京都|北海道|.{1,3}?[府県])(.{1,6}[市区町村])$")
# 本市, 同町, 当村, 各区: a determiner and a suffix refer to a government without naming it
_DETERMINERS = "同本当各全両他前元旧新"
_SEGMENT = re.compile(r"[^\s、。,()（）「」『』【】\[\]〔〕:：|<>\"'・~〜～\-]+")
_NAME_MAX = 8


def government_names(text: str) -> list[tuple[int, int, str]]:
    """(start, end, name) of the local governments a short text names.

    Two readings, each a general fact of how Japanese writes a government's name:
    - a place name Sudachi knows (名詞-固有名詞-地名) ending in 県/府/市/区/町/村, or
      東京都/北海道, or followed at once by an office word (白川 + 村長, 北浜 + 県知事);
    - at the start of a name-like run of text (after 第N回 and dates), the words up to a
      bare 市/区/町/村/県 token or an office word: names the dictionary does not know
      (楓原 + 市, 白鷺台 + 市長, 十日町 + 市).
    A prefecture written just before a city's name gives the city alone.
    """
    toks = list(nlp().tokenizer(text))
    found: dict[int, tuple[int, int, str]] = {}
    for i, t in enumerate(toks):
        if t.tag_.startswith("名詞-固有名詞-地名"):
            g = _known_place(text, toks, i)
            if g:
                found.setdefault(g[0], g)
    starts = {t.idx: i for i, t in enumerate(toks)}
    # a name starts a run of text (after 第N回 and dates) or follows a prefecture's name
    begins = [seg.start() + _prefix_len(seg.group(0)) for seg in _SEGMENT.finditer(text)]
    begins += [e for _, e, name in found.values() if name[-1] in "都道府県"]
    for begin in sorted(set(begins)):
        if begin in starts and begin not in found:
            g = _leading_name(text, toks, starts[begin])
            if g:
                found[begin] = g
    out: list[tuple[int, int, str]] = []
    for s, e, name in sorted(found.values()):
        if out and out[-1][1] > s:
            continue
        lead = _LIST_ENUM.match(name)
        if lead:  # the enumerator of a list entry (`ア　楢原市個人情報保護条例…`) is no part of it
            s, name = s + lead.end(), name[lead.end() :]
        city = _PREFECTURE_FIRST.match(name)
        out.append((e - len(city.group(1)), e, city.group(1)) if city else (s, e, name))
    return [
        g
        for k, g in enumerate(out)
        if not (g[2][-1] in "都道府県" and k + 1 < len(out) and out[k + 1][0] == g[1])
    ]


_LIST_ENUM = re.compile(r"^(?:[ア-ン]|[0-9]{1,2}|[(（][0-9ア-ン]{1,2}[)）])[\s.．、)）]+(?=\S)")


def _prefix_len(run: str) -> int:
    cut = _NAME_PREFIX.match(run)
    return cut.end() if cut else 0


def _known_place(text: str, toks: list, i: int) -> tuple[int, int, str] | None:
    t = toks[i]
    end = None
    if _is_government(t.text):
        end = t.idx + len(t.text)
    elif i + 1 < len(toks) and toks[i + 1].idx == t.idx + len(t.text):
        n = toks[i + 1]
        if n.text in _OFFICE_WORDS or n.text in "市区町村県":
            end = n.idx + 1
        elif n.tag_.startswith("名詞-固有名詞") and _is_government(n.text) and len(n.text) <= 3:
            end = n.idx + len(n.text)  # a name the dictionary splits (古賀 + 浦市)
    return None if end is None else (t.idx, end, text[t.idx : end])


def _leading_name(text: str, toks: list, i: int) -> tuple[int, int, str] | None:
    """The government name that starts at token i, if the words from there end in its suffix."""
    start = toks[i].idx
    for j in range(i, min(len(toks), i + 5)):
        t = toks[j]
        if (
            t.tag_.startswith(("補助記号", "空白", "動詞", "形容詞", "助動詞"))
            or (t.tag_.startswith("助詞") and t.text not in "ノヶケが")
            or t.text in _UNIT_WORDS
        ):
            return None
        if j > i and t.text in _OFFICE_WORDS:
            end = t.idx + 1
        elif t.text in "市区町村県" and j > i:
            end = t.idx + 1
        elif _is_government(t.text) and (
            j > i or (t.tag_.startswith("名詞-固有名詞") and "人名" not in t.tag_)
        ):
            end = t.idx + len(t.text)
        elif t.text[-1:] in "市区町村県" or t.text in _GENERIC_AREAS:
            return None
        else:
            continue
        # a town's name that itself ends in 町 (十日町 + 市)
        after = toks[j + 1].text if j + 1 < len(toks) and toks[j + 1].idx == end else ""
        if after in ("市", "区") or (after in _OFFICE_WORDS and after[0] in "市区"):
            end += 1
        name = text[start:end]
        if 2 <= len(name) <= _NAME_MAX and not _determined(name):
            return start, end, name
        return None
    return None


def _determined(name: str) -> bool:
    return len(name) == 2 and name[0] in _DETERMINERS


def _is_government(name: str) -> bool:
    return name in _WHOLE_NAMES or (
        len(name) >= 2
        and name[-1] in _LOCAL_SUFFIX + _PREFECTURE_SUFFIX
        and name not in _GENERIC_AREAS
        and not _determined(name)
    )


def _leading_government(name: str) -> tuple[int, int, str] | None:
    found = government_names(name)
    return found[0] if found and found[0][0] == 0 else None


def _read_municipality(h: Header, masked: str, head_end: int) -> None:
    """The government in front of the council's name; else the one the header names most often."""
    if h.body:
        lead = _leading_government(h.body)
        if lead:
            s = h.spans["body"][0]
            h.municipality = lead[2]
            h.spans["municipality"] = (s + lead[0], s + lead[1])
            return
    found: dict[str, list[tuple[int, int]]] = {}
    end = min(head_end, MUNICIPALITY_CHARS)
    for s, e, name in government_names(masked[:end]):
        found.setdefault(name, []).append((s, e))
    if found:
        best = max(found, key=lambda k: (len(found[k]), -found[k][0][0]))
        h.municipality = best
        h.spans["municipality"] = found[best][0]


# --- attendees ---------------------------------------------------------------------


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


_ROLE = re.compile(r"委員長|副委員長|会長職務代理|副会長|会長|委員")
# a person's name alone, or one half of it (`山田 太郎`): kanji or kana, no digits
_NAME_PART = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff々〆ヶ]{1,8}")
_NO_PERSON = re.compile(r"全員|一同|各位|出席|以上|ほか|他|計|名$|人$")
_NAMED_ROLE = re.compile(r"(.{1,12}?)[(（](委員長|副委員長|副会長|会長|委員)[)）]")


def _attendees(
    text: str, start: int, end: int
) -> list[tuple[str, str | None, str, bool, int, int]]:
    """(name, role, side, present, start, end) for each person in the attendee list.

    Members are written name then role (`山田太郎会長`, `山田 太郎 会長`), role then name
    (`会長 山田太郎`, `委員 佐藤一郎、鈴木次郎`) or name with the role in brackets
    (`山田太郎（会長）`).
    """
    out: list[tuple[str, str | None, str, bool, int, int]] = []
    present = True
    official = False
    role_first: str | None = None  # a role written before the names it heads
    parts: list[tuple[str, int, int]] = []  # name halves waiting for a role or a separator

    def flush(role: str | None) -> None:
        if role and parts and not official:
            joined = len(parts) <= 2 and all(len(p) <= 4 for p, _, _ in parts)
            groups = [parts] if joined else [[p] for p in parts]
            for g in groups:
                name = "".join(p for p, _, _ in g)
                out.append((name, role, "member", present, g[0][1], g[-1][2]))
        parts.clear()

    for m in re.finditer(r"[^、,・\s:：]+", text[start:end]):
        token = m.group(0)
        s = start + m.start()
        gap = text[start + (m.start() and m.start() - 1) : s]
        if parts and re.search(r"[、,・\n]", gap):
            flush(role_first)
        if "欠席" in token:
            flush(role_first)
            present, official = False, False
            r = _ROLE.search(token)  # `欠席委員 鈴木次郎`
            role_first = r.group(0) if r else None
            continue
        if re.search(
            r"区側|市側|町側|村側|事務局\)|事務局）|^\(市|^（市|^\(区|^（区|出席者", token
        ):
            flush(role_first)
            official = "側" in token or "事務局" in token
            role_first = None
            rest = re.sub(r"^.*[:：)）]", "", token)
            s += len(token) - len(
                rest
            )  # the person starts after the group's label: `(事務局)総務部長`
            token = rest
            if not token:
                continue
        bare = token.strip("()（）")
        if _ROLE.fullmatch(bare):
            if parts:  # `山田 太郎 会長`: the role after the name's halves
                flush(bare)
                role_first = None
            else:
                role_first = bare
            continue
        named = _NAMED_ROLE.fullmatch(token)
        if named and not official and _NAME_PART.fullmatch(named.group(1)):
            flush(role_first)
            name = _ROLE.sub("", named.group(1)) or named.group(1)  # `山田委員（会長）`
            out.append((name, named.group(2), "member", present, s, s + len(token)))
            continue
        p = _PERSON.fullmatch(bare)
        if p and not official:
            flush(role_first)
            role = p.group(4) or p.group(3)
            out.append((p.group(1), role, "member", present, s, s + len(token)))
            continue
        o = _OFFICIAL.fullmatch(token)
        if o:
            flush(role_first)
            role_first = None  # the members' list has ended
            out.append((o.group(1), o.group(1), "official", present, s, s + len(token)))
            continue
        if _NAME_PART.fullmatch(token) and not _NO_PERSON.search(token):
            parts.append((token, s, s + len(token)))
        else:
            flush(role_first)
            role_first = None
    flush(role_first)
    return out
