"""Unwrapping hard-wrapped lines keeps the next entry of a numbered list on its own line.

A PDF printed from preformatted text (a browser's <pre>, a text editor) can lose the
blank after a row's number (`4事業者の義務`), and a full-width previous line then looks
like a wrap. The number after the one that opened the paragraph still opens a new entry.
The text is invented.
"""

from __future__ import annotations

from extractors.normalize import unwrap_lines
from extractors.textmap import MappedText

LINES = [
    "1 事業の名称 架空町の図書館における予約資料の受",
    "取窓口を設けて利用者の便宜を図る事業であって町が",
    "直接運営するものとして位置付けられているもので",
    "あることを示す記載と関連資料の一覧を添付している",
    "2 委託の内容 窓口における資料の貸出しと返却の受",
    "付および予約の受付と利用登録の内容の確認に関す",
    "る業務の全部を委託するものとして仕様書で定めてい",
    "る内容とその範囲を示した一覧を添付しているもの",
    "3 取り扱う項目 利用者番号、氏名、住所、電話番号、性別",
    "4事業者の義務 契約書に特記事項を定めて従事者の",
    "研修と記録の保管を義務付けることとしているもの",
]


def test_the_next_number_opens_a_line_of_its_own() -> None:
    lines = unwrap_lines(MappedText.from_raw("\n".join(LINES))).text.split("\n")
    assert lines == [
        "".join(LINES[0:4]),
        "".join(LINES[4:8]),
        LINES[8],
        "".join(LINES[9:11]),
    ], lines


def test_a_number_that_does_not_follow_on_is_still_joined() -> None:
    """`25` after a paragraph opened by `3` is a wrapped date or amount, not the next entry."""
    lines = list(LINES)
    lines[9] = "25事業者の義務 契約書に特記事項を定めて従事者の"
    out = unwrap_lines(MappedText.from_raw("\n".join(lines))).text.split("\n")
    assert out[2] == lines[8] + "".join(lines[9:11]), out
