"""Small helpers every extractor uses: numerals, Japanese dates and times, lines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time

_KANJI_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "壱": 1,
    "弐": 2,
    "参": 3,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
NUM = r"[0-9〇零一二三四五六七八九十百千壱弐参]+|元"


def to_int(s: str | None) -> int | None:
    """'23', '二十三', '十二', '元' (the first year of an era) -> int; None when not a numeral."""
    if s is None:
        return None
    s = s.strip()
    if not s:
        return None
    if s == "元":
        return 1
    if s.isdigit():
        return int(s)
    total, current = 0, 0
    for ch in s:
        if ch in _KANJI_DIGITS:
            current = current * 10 + _KANJI_DIGITS[ch] if current else _KANJI_DIGITS[ch]
        elif ch in _KANJI_UNITS:
            total += (current or 1) * _KANJI_UNITS[ch]
            current = 0
        elif ch.isdigit():
            current = current * 10 + int(ch)
        else:
            return None
    return total + current


ERAS = {"明治": 1867, "大正": 1911, "昭和": 1925, "平成": 1988, "令和": 2018}
# an era year may carry its Western year in brackets: 令和5(2023)年, 平成27年(2015年)
_WESTERN = r"(?:\s*[(（]\s*(?:19|20)\d\d\s*年?\s*[)）])?"
# numeric forms: 2023/10/5, 2023.10.05, 令和5.10.5, R5.10.5 (the era by its initial letter)
_ERA_LETTER = {"R": "令和", "H": "平成", "S": "昭和"}
_NUMERIC_DATE = (
    r"(?<![0-9./])((?:19|20)\d\d)(?:\s*/\s*(\d{1,2})\s*/|\s*\.\s*(\d{1,2})\s*\.)\s*(\d{1,2})(?![0-9./])"
    r"|(?<![0-9A-Za-z.])(令和|平成|昭和|[RHS])\s*(\d{1,2}|元)\s*\.\s*(\d{1,2})\s*\.\s*(\d{1,2})(?![0-9.])"
)
# one group as a whole, since other patterns embed DATE_RE.pattern
# the other calendar's year in brackets after 年: `令和7年（2025年）`, `2025年（令和7年）`
_YEAR_NOTE = (
    r"(?:\s*[(（]\s*(?:(?:19|20)\d\d|(?:明治|大正|昭和|平成|令和)\s*(?:\d{1,2}|元))\s*年?\s*[)）])?"
)
DATE_RE = re.compile(
    rf"(?:(?:(明治|大正|昭和|平成|令和)\s*({NUM}){_WESTERN}|((?:19|20)\d\d))\s*年{_YEAR_NOTE}\s*({NUM})\s*月\s*({NUM})\s*日"
    rf"|{_NUMERIC_DATE})"
)
FISCAL_RE = re.compile(
    rf"(?:(明治|大正|昭和|平成|令和)\s*({NUM}){_WESTERN}|((?:19|20)\d\d))\s*年度"
)


def era_year(era: str | None, year: str | None, western: str | None) -> int | None:
    if western:
        return int(western)
    n = to_int(year)
    if era is None or n is None:
        return None
    return ERAS[era] + n


def parse_date(m: re.Match[str]) -> date | None:
    year: int | None
    month: int | None
    day: int | None
    if m.group(6):  # 2023/10/5
        year, month, day = int(m.group(6)), int(m.group(7) or m.group(8)), int(m.group(9))
    elif m.group(10):  # 令和5.10.5, R5.10.5
        era = _ERA_LETTER.get(m.group(10), m.group(10))
        year = era_year(era, m.group(11), None)
        month, day = int(m.group(12)), int(m.group(13))
    else:
        year = era_year(m.group(1), m.group(2), m.group(3))
        month, day = to_int(m.group(4)), to_int(m.group(5))
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


_TIME = rf"(午前|午後)?\s*({NUM})\s*(?:時|:)\s*(?:({NUM}|半)\s*分?)?"
# the end of a range may say 同 (the same half of the day): 午後1時30分~同3時
_END_TIME = rf"(午前|午後|同)?\s*({NUM})\s*(?:時|:)\s*(?:({NUM}|半)\s*分?)?"
TIME_RANGE_RE = re.compile(rf"{_TIME}\s*(?:から|~|〜|～|∼|-|－|ー|―|—|より)\s*{_END_TIME}")
TIME_RE = re.compile(_TIME)


def _clock(
    ampm: str | None, hour: str | None, minute: str | None, carry_pm: bool = False
) -> time | None:
    h = to_int(hour)
    mi = 30 if minute == "半" else (to_int(minute) or 0)
    if h is None or h > 24 or mi > 59:
        return None
    if ampm == "午後" and h < 12:
        h += 12
    elif ampm is None and carry_pm and h < 12:
        h += 12
    if h == 24:
        h = 0
    return time(h, mi)


def parse_time_range(m: re.Match[str]) -> tuple[time | None, time | None]:
    """午後6時30分～8時30分 -> (18:30, 20:30): 午後 carries over to an end without its own marker."""
    start = _clock(m.group(1), m.group(2), m.group(3))
    same = m.group(4) in (None, "同")
    end = _clock(
        None if same else m.group(4), m.group(5), m.group(6), carry_pm=m.group(1) == "午後" and same
    )
    if start and end and end < start and same and end.hour < 12:
        end = time(end.hour + 12, end.minute)
    return start, end


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str


def lines(text: str, start: int = 0, end: int | None = None) -> Iterator[Line]:
    """The lines of text[start:end] with their offsets."""
    end = len(text) if end is None else end
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        yield Line(pos, stop, text[pos:stop])
        pos = stop + 1


def strip_span(
    text: str, start: int, end: int, chars: str = " \t\u3000「」『』\"'"
) -> tuple[int, int]:
    """Shrink [start, end) past surrounding blanks and quotes."""
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end
