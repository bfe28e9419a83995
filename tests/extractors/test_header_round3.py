"""Meeting headers of the third round: invented documents (fictional city and people).

Each case failed before its rule.
"""

from __future__ import annotations

import datetime as dt

from extractors.pipeline import extract_bytes


def _extracted(text: str, name: str = "header/doc.txt"):  # type: ignore[no-untyped-def]
    return extract_bytes(text.encode("utf-8"), name)


def _meeting(text: str):  # type: ignore[no-untyped-def]
    return _extracted(text).meeting


def test_labels_printed_one_character_above_the_other() -> None:
    # a form's narrow label cells: 名 / 称, 日 / 時, 場 / 所; the range drawn with ∼ (U+223C)
    got = _meeting(
        "会 議 録\n名\n称 令和2年度第3回楢原区情報公開・個人情報保護審議会\n日\n"
        "時 令和2年11月5日(木)\n午前10時00分∼午後0時40分\n場\n所 楢原区役所 第2庁舎4階 会議室\n"
        "出席委員 青木一郎 井上花子\n"
    )
    assert got.body == "楢原区情報公開・個人情報保護審議会"
    assert (got.start_time, got.end_time) == (dt.time(10, 0), dt.time(12, 40))
    assert got.place == "楢原区役所 第2庁舎4階 会議室"


def test_labelled_pairs_after_a_title_on_one_flattened_line() -> None:
    got = _meeting(
        "令和元年度第1回楢原市情報公開・個人情報保護審議会会議要録\n"
        "令和元年度第1回楢原市情報公開・個人情報保護審議会 開催日:令和元年7月9日(火) "
        "時 間:14:00∼15:30 会 場:楢原市役所2号館5階会議室 出席者 委 員 事務局\n"
    )
    assert got.held_on == dt.date(2019, 7, 9)
    assert (got.start_time, got.end_time) == (dt.time(14, 0), dt.time(15, 30))
    assert got.place == "楢原市役所2号館5階会議室"


def test_the_enumerator_of_an_agenda_entry_is_no_part_of_the_municipality() -> None:
    got = _extracted(
        "1 日時\n令和元年10月8日(火) 午後1時30分から午後3時まで\n2 場所 第二委員会室\n"
        "4 議題\n(1)諮問事項\nア 楢原市個人情報保護条例第12条の改正について\n",
        "header/enum.txt",
    )
    assert got.document.municipality == "楢原市"


def test_a_western_date_with_the_era_year_in_brackets() -> None:
    got = _meeting(
        "第2回楢原町個人情報保護審議会 会議録\n開催日時 2025年(令和7年)2月4日(火)\n"
        "14時00分開会 15時20分閉会\n"
    )
    assert got.held_on == dt.date(2025, 2, 4)
    assert (got.start_time, got.end_time) == (dt.time(14, 0), dt.time(15, 20))


def test_the_results_of_a_review_and_its_hours_said_in_a_sentence() -> None:
    got = _extracted(
        "## 楢原町個人情報保護審議会(令和6年3月21日)審査結果\n"
        "令和5年度第4回の審議会を、楢原町役場3階委員会室で開催しました(午前10時～正午、傍聴者なし)。\n",
        "header/review.md",
    )
    assert got.document.doc_kind == "summary"
    assert (got.meeting.start_time, got.meeting.end_time) == (dt.time(10, 0), dt.time(12, 0))
