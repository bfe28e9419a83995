"""A web page's own furniture (page chrome), recognised by its shape, never read as content.

Pages saved or printed from a council's web site carry the site's furniture
around the minutes: a breadcrumb (`トップ > … > this page`), the page's own dates
(`更新日：…`, `掲載開始日：…`, `…更新`), its number (`ページID：…`) and tool
links (`印刷する`, `ここから本文です`). A page date is not the meeting date and a
breadcrumb is not the council's name, so readers of the header see the text with
these spans blanked out (:func:`mask`): same length, same offsets, lines kept.

Shapes, with the chrome's own words as data (``models/data/page_chrome.csv``):
- breadcrumb: a line of three or more short segments joined by `>`, `»`, `›` or
  `≫`; all but its last segment, which names the page itself, are chrome;
- dated: a dated word and a date, in either order (`更新日：<date>`, `<date>更新`);
- print stamp: a numeric date with a time, as a browser prints it over or under a page;
- id: an id word and digits (`ページID：012483`);
- marker: a tool word standing at a line's start or end, or touching other chrome
  (printing from a browser runs `…ページID：012483印刷する審議会 会議録` together);
- menu: four or more short lines in a row at the top of the page, above the first
  line that names a council, holds a number or is a header label (くらし・手続き /
  子育て・教育 / …).
"""

from __future__ import annotations

import re
from functools import lru_cache

from extractors.common import DATE_RE, lines
from models.vocab import ChromeShape, header_labels, page_chrome_words

_CRUMB_SEP = re.compile(r"\s*[>»›≫]\s*")
# a browser's print stamp in the header or footer of a printed page: a numeric date with a
# time (`2026/12/03 10:15`, `12/3/26, 10:15 AM`); minutes write their dates in words
PRINT_STAMP = re.compile(
    r"(?<!\d)(?:\d{4}[/.-]\d{1,2}[/.-]\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}),?\s*"
    r"\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp]\.?[Mm]\.?)?"
)
_CRUMB_SEGMENT_MAX = 40
_WEEKDAY = r"(?:\s*[(（]\s*[月火水木金土日](?:曜日?)?\s*[)）])?"
# a site menu: a run of short lines at the top, above anything that names a council,
# holds a number (a date, 第N回) or ends a sentence
_MENU_RUN = 4
_MENU_ITEM_MAX = 12
_MENU_STOP = re.compile(r"審議会|審査会|委員会|協議会|答申|[0-9。]")


@lru_cache(maxsize=1)
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    words = page_chrome_words()

    def alt(shape: ChromeShape) -> str:
        found = sorted((w for w, s in words.items() if s == shape), key=len, reverse=True)
        return "|".join(re.escape(w) for w in found)

    dated = alt(ChromeShape.DATED)
    date = DATE_RE.pattern + _WEEKDAY
    before = re.compile(rf"(?:{dated})\s*[:：]?\s*{date}")
    after = re.compile(rf"{date}\s*(?:{dated})")
    ident = re.compile(rf"(?:{alt(ChromeShape.ID)})\s*[:：]?\s*\d+")
    marker = re.compile(alt(ChromeShape.MARKER))
    return before, after, ident, marker


def chrome_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sorted (start, end) spans of page chrome in text[start:end]."""
    end = len(text) if end is None else end
    before, after, ident, marker = _patterns()
    spans: list[tuple[int, int]] = []
    for line in lines(text, start, end):
        spans += _breadcrumb(line.text, line.start)
    if start == 0:
        spans += _menu(text, end)
    for rx in (before, after, ident, PRINT_STAMP):
        spans += [m.span() for m in rx.finditer(text, start, end)]
    candidates = [m.span() for m in marker.finditer(text, start, end)]
    grew = True
    while grew:  # a marker joins chrome when it stands at a line edge or touches chrome
        grew = False
        for s, e in list(candidates):
            if _at_line_edge(text, s, e) or any(_touch(s, e, a, b, text) for a, b in spans):
                spans.append((s, e))
                candidates.remove((s, e))
                grew = True
    return _merge(spans)


def mask(text: str, end: int | None = None) -> str:
    """text with the chrome in text[:end] blanked (spaces; line breaks kept): offsets unchanged."""
    end = len(text) if end is None else min(end, len(text))
    out = list(text[:end])
    for s, e in chrome_spans(text, 0, end):
        for i in range(s, e):
            if out[i] != "\n":
                out[i] = " "
    return "".join(out) + text[end:]


def _breadcrumb(line: str, offset: int) -> list[tuple[int, int]]:
    seps = list(_CRUMB_SEP.finditer(line))
    if len(seps) < 2:
        return []
    bounds = [0] + [p for m in seps for p in m.span()] + [len(line)]
    segments = [line[bounds[i] : bounds[i + 1]].strip() for i in range(0, len(bounds), 2)]
    if any(not s or len(s) > _CRUMB_SEGMENT_MAX for s in segments[:-1]) or not segments[-1]:
        return []
    return [(offset, offset + seps[-1].end())]


def _menu(text: str, end: int) -> list[tuple[int, int]]:
    """Runs of MENU_RUN or more short lines (site navigation) above the first line that names a council or holds a number."""
    spans: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for line in lines(text, 0, end):
        s = line.text.strip()
        if not s:
            continue
        if _MENU_STOP.search(s) or re.sub(r"[\s:：【】\[\]]", "", s) in header_labels():
            break
        if len(s) <= _MENU_ITEM_MAX:
            run.append((line.start, line.end))
            continue
        if len(run) >= _MENU_RUN:
            spans += run
        run = []
    if len(run) >= _MENU_RUN:
        spans += run
    return spans


def _at_line_edge(text: str, s: int, e: int) -> bool:
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", e)
    line_end = len(text) if line_end < 0 else line_end
    return not text[line_start:s].strip() or not text[e:line_end].strip()


def _touch(s: int, e: int, a: int, b: int, text: str) -> bool:
    if b <= s:
        return not text[b:s].strip(" \t\u3000")
    if e <= a:
        return not text[e:a].strip(" \t\u3000")
    return True


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
