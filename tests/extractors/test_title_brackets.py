"""A title that opens with a quoted name keeps its opening bracket (issue 23): the agenda
reader dropped the 「 of `「…」に係る…` with the line's leading punctuation and kept the 」,
and the title's brackets no longer balanced."""

from __future__ import annotations

from extractors.pipeline import extract_bytes

MINUTES = """霞浦市個人情報保護審議会 会議録
日時
令和3年3月1日(月曜)
会議の議題
1. 答申書の確認
「霞浦市図書館システム(電子書籍)」に係る外部委託について
2. 報告事項
"""


def test_a_quoted_name_opening_a_title_keeps_its_bracket() -> None:
    e = extract_bytes(MINUTES.encode(), "x.txt")
    titles = [c.title for c in e.consultations]
    assert titles == ["「霞浦市図書館システム(電子書籍)」に係る外部委託について"]
    (title,) = [ev for ev in e.evidence if ev.field == "title"]
    assert e.text is not None and e.text.text[title.start_char : title.end_char] == titles[0]
