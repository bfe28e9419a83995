"""A results table whose cells are lines: a web page's table copied as text, or printed to PDF.

Invented documents (fictional city, companies and sections); each case failed before its rule.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from extractors import reading
from extractors.items import split_items
from extractors.pipeline import extract_bytes

COPIED = """令和3年度第2回柳原市個人情報保護審議会の審議結果

審議事項及び結果

諮問事項の審議結果
諮問番号
件名（担当課）
委託先・提供先等
取り扱う個人情報
審議結果
第２１号
図書館の予約資料配送業務の委託について（中央図書館）
株式会社ブックリンク柳原
利用者氏名　住所　電話番号　予約資料名
承認（全会一致）
第２２号
公園管理事務の指定管理者による個人情報の取扱いについて（公園緑地課）
一般財団法人柳原公園協会
利用者氏名　電話番号　利用日時
承認（賛成５、反対１）
附帯意見あり

審議の概要
"""


def test_a_table_copied_from_a_web_page_with_each_cell_on_a_line() -> None:
    got = extract_bytes(COPIED.encode("utf-8"), "cells/copied.txt")
    by_number = {c.number: c for c in got.consultations}
    assert sorted(by_number) == [21, 22]
    assert by_number[21].department == "中央図書館"
    assert by_number[22].outcome.value == "approved"
    items = {
        n: [d.item for d in got.data_items if d.consultation_id == c.consultation_id]
        for n, c in by_number.items()
    }
    parties = {
        n: [k.name for k in got.contractors if k.consultation_id == c.consultation_id]
        for n, c in by_number.items()
    }
    assert items == {
        21: ["利用者氏名", "住所", "電話番号", "予約資料名"],
        22: ["利用者氏名", "電話番号", "利用日時"],
    }
    assert parties == {21: ["株式会社ブックリンク柳原"], 22: ["一般財団法人柳原公園協会"]}


def test_a_header_repeated_on_the_next_page_is_no_consultation() -> None:
    text = (
        "諮問番号\t件名(担当課)\t委託先\t審議結果\n"
        "第21号\t図書館の予約資料配送業務の委託について(中央図書館)\t株式会社ブックリンク柳原\t承認\n"
        "諮問番号\t件名(担当課)\t委託先\t審議結果\n"
        "第22号\t公園管理事務の委託について(公園緑地課)\t一般財団法人柳原公園協会\t承認\n"
    )
    got = extract_bytes(text.encode("utf-8"), "cells/pages.txt").consultations
    assert [c.number for c in got] == [21, 22]


def _items(cell: str) -> list[str]:
    return [i for i, _, _ in split_items(cell, 0, len(cell))]


def test_a_list_cell_whose_lines_broke_at_blanks() -> None:
    assert _items("利用者氏名 住所/電話番号 予約資料名") == [
        "利用者氏名",
        "住所",
        "電話番号",
        "予約資料名",
    ]


def test_the_group_an_entry_opens_is_no_part_of_the_item() -> None:
    cell = "利用者登録：氏名、住所、電話番号\n教室参加者：氏名、緊急連絡先"
    assert _items(cell) == ["氏名", "住所", "電話番号", "氏名", "緊急連絡先"]


def _row(monkeypatch: pytest.MonkeyPatch, texts: list[str]) -> str:
    """The line a PDF table row with cells of these texts becomes."""
    cells = dict(enumerate(texts))
    monkeypatch.setattr(reading, "_cell_text", lambda page, bbox, label: cells[bbox])
    return reading._table_lines(None, SimpleNamespace(rows=[SimpleNamespace(cells=list(cells))]))


def test_a_pdf_cell_broken_over_lines_keeps_its_row_on_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    got = _row(monkeypatch, ["第21号", "利用者氏名 住所\n電話番号", "承認"])
    assert got == "第21号\t利用者氏名 住所/電話番号\t承認"


class _Page:
    """A page whose crop gives the cell's lines (x1: where each line ends)."""

    def __init__(self, lines: list[tuple[str, float]]) -> None:
        self.lines = [{"text": t, "x0": 10.0, "x1": x1} for t, x1 in lines]

    def crop(self, bbox, strict: bool = False):  # type: ignore[no-untyped-def]
        return self


def _cell(monkeypatch: pytest.MonkeyPatch, lines: list[tuple[str, float]], *, label: bool) -> str:
    monkeypatch.setattr(reading, "_text_lines", lambda page: page.lines)
    return reading._cell_text(_Page(lines), (0.0, 0.0, 60.0, 100.0), label=label)


def test_a_column_sized_to_its_longest_entry_keeps_one_entry_per_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # every short line reaches the right edge of a column a browser sized to fit it
    lines = [("納付番号", 56.0), ("確認番号", 56.0), ("納付金額", 56.0), ("納期限", 50.0)]
    assert _cell(monkeypatch, lines, label=False) == "納付番号\n確認番号\n納付金額\n納期限"
    # three lines or more down the first column are entries, not one label broken by the width
    assert _cell(monkeypatch, lines, label=True) == "納付番号\n確認番号\n納付金額\n納期限"
    # a label broken by the width is still one label
    assert (
        _cell(monkeypatch, [("取り扱う個", 56.0), ("人情報", 40.0)], label=True)
        == "取り扱う個人情報"
    )


def test_a_break_inside_a_bracket_or_a_word_joins_a_cell_before_the_last(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    got = _row(monkeypatch, ["第21号", "図書館の配送業務の委託について(中央\n図書館)", "承認"])
    assert got == "第21号\t図書館の配送業務の委託について(中央図書館)\t承認"


def test_a_list_written_with_blanks_wrapped_at_a_blank(monkeypatch: pytest.MonkeyPatch) -> None:
    # the line reached the cell's edge at a blank between two entries: the blank comes back
    lines = [("所有者の氏名 住所 電話番号", 58.0), ("犬の所在地 毛色", 30.0)]
    assert _cell(monkeypatch, lines, label=False) == "所有者の氏名 住所 電話番号 犬の所在地 毛色"
    # prose wrapped between two words of a long line gets no blank
    prose = [
        ("大」(納税課) 諮問第13号「市税", 58.0),
        ("等の口座振替データのオンライン", 58.0),
        ("接続", 20.0),
    ]
    assert (
        _cell(monkeypatch, prose, label=False)
        == "大」(納税課) 諮問第13号「市税等の口座振替データのオンライン接続"
    )
