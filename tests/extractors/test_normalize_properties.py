"""Property tests of normalize(): never raises, idempotent, and every offset points back at its character."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from extractors.normalize import normalize

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# arbitrary Unicode, plus text that looks like minutes (kana, kanji, full-width, spaced letters, wraps, cids)
PIECES = list(
    "あいうかきくアイウカキク会議録審個人情報委員長第一二三１２３ＡＢｶﾞﾊﾟ123ABC 　。、・\n\t()（）-"
) + [
    "(cid:12)",
    "\x00",
    "\f",
    "平 成",
    "諮問第",
    "<p>",
    "&amp;",
    "- 1 -",
    "会 議 の 名 称",
]
JAPANESE = st.lists(st.sampled_from(PIECES), max_size=200).map("".join)
ANY_TEXT = st.text(max_size=200)
PAGES = st.lists(st.one_of(ANY_TEXT, JAPANESE), min_size=1, max_size=4)
FILE_TYPE = st.sampled_from(["text", "pdf", "markdown", "html"])


@SETTINGS
@given(PAGES, FILE_TYPE)
def test_never_raises_and_is_consistent(pages, file_type):
    norm = normalize(pages, file_type=file_type)
    assert len(norm.raw_offsets) == len(norm.text)
    assert norm.raw_text == "\f".join(pages)
    assert all(0 <= o < len(norm.raw_text) for o in norm.raw_offsets)
    assert norm.raw_offsets == sorted(norm.raw_offsets)
    assert len(norm.page_starts) == len(pages) and norm.page_starts == sorted(norm.page_starts)
    assert len(norm.bad_glyphs) == len(pages)
    assert not re.search(r"\(cid:\d+\)|\x00", norm.text)


@SETTINGS
@given(PAGES)
@example(["<P>\u3040 :"])  # a markup marker once made a lone kana look like part of a word
@example(["000000000ぁ ", "ぁ"])  # a blank ending a line once hid a word broken across pages
def test_idempotent(pages):
    once = normalize(pages).text
    assert normalize([once]).text == once


def _points_back(raw: str, offset: int, c: str) -> bool:
    """c comes from the raw text at offset: NFKC of the character there, or of the cluster it starts."""
    for width in range(1, 5):
        if c in unicodedata.normalize("NFKC", raw[offset : offset + width]):
            return True
    return False


@SETTINGS
@given(PAGES)
def test_offsets_point_back(pages):
    norm = normalize(pages)
    for i, c in enumerate(norm.text):
        assert c.isspace() or _points_back(norm.raw_text, norm.raw_offsets[i], c), (
            i,
            c,
            norm.raw_offsets[i],
        )
