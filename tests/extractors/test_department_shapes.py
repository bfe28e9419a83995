"""Departments (所管課) however a record names them: the shapes of the second round.

Each case is a short invented document (fictional towns, sections and people) in a layout
councils use; all of them failed before the rule they test, unless marked otherwise.
"""

from __future__ import annotations

import pytest

from extractors.departments import shortest
from extractors.pipeline import extract_bytes
from models.records import Extraction

HEAD = (
    "令和6年度第2回若葉台市個人情報保護審議会会議録\n日時 令和6年7月8日(月)午後2時から午後4時まで\n"
    "場所 若葉台市役所 第1会議室\n出席者 山本会長、川口委員\n"
)


def extract(text: str, name: str = "departments/doc.txt") -> Extraction:
    return extract_bytes(text.encode("utf-8"), name)


def departments(text: str) -> list[str | None]:
    return [c.department for c in extract(text).consultations]


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("保健所健康づくり課", "健康づくり課"),  # the 保健所 above the section
        ("教育委員会学校教育課", "学校教育課"),
        (" 保健所 保険予防課", "保険予防課"),  # the organisation written apart
        ("若葉台市議会 議会事務局", "議会事務局"),
        # several sections joined by 及び／並びに are kept as written (the form that names them all)
        (
            "健康部健康課及び保険課並びに子ども部保育課",
            "健康部健康課及び保険課並びに子ども部保育課",
        ),
        ("市民税所得課", "市民税所得課"),  # unchanged: 所 inside a section's name is no unit
        ("福祉事務所", "福祉事務所"),  # unchanged
    ],
)
def test_the_shortest_form_that_names_the_section(name: str, short: str) -> None:
    assert shortest(name)[0] == short


def test_a_label_on_the_line_after_an_agenda_entry() -> None:
    text = HEAD + (
        "次第\n1 開会\n2 審議事項\n(1)生活困窮者支援事業における関係機関からの個人情報の収集について\n"
        "〔説明:生活援護課〕\n(2)学習支援事業に係る本人以外からの個人情報の収集について\n"
        "〔説明:教育支援センター〕\n3 閉会\n議事の経過\n会長 審議をお願いします。\n"
    )
    assert departments(text) == ["生活援護課", "教育支援センター"]


def test_a_title_and_its_bracketed_department_broken_by_the_line_width() -> None:
    text = HEAD + (
        "議題\n(1)住民記録システムの改修に伴う電子計算組織の結\n合について(市民窓口課)\n"
        "(2)児童クラブ入所受付業務の外部委託について(こども支援課)\n議事の経過\n会長 審議をお願いします。\n"
    )
    got = extract(text).consultations
    assert [c.title for c in got] == [
        "住民記録システムの改修に伴う電子計算組織の結合について",
        "児童クラブ入所受付業務の外部委託について",
    ]
    assert [c.department for c in got] == ["市民窓口課", "こども支援課"]


def test_a_department_bracket_broken_by_the_line_width() -> None:
    text = HEAD + (
        "議題\n1.諮問第3号 市民税の納税証明書のコンビニ交付に係る保有個人情報の目的外利用について【市\n"
        "民税課、収納課】\n2.諮問第4号 商品券発行事業に係る保有個人情報の目的外利用について【商工課】\n"
        "議事の経過\n会長 審議をお願いします。\n"
    )
    got = extract(text).consultations
    assert [c.title for c in got][0].endswith("目的外利用について")
    assert [c.department for c in got] == ["市民税課、収納課", "商工課"]


def test_a_turn_whose_speaker_is_the_section() -> None:
    text = HEAD + (
        "議題\n1. 諮問第7号 学習端末のクラウドサービス利用に係る電子計算組織の結合について\n"
        "議事の経過\n委員長 それでは諮問第7号について説明をお願いします。\n"
        "学校支援課 本件は、学習端末で民間のサービスを利用するため、回線を結合するものです。\n"
        "委員 送信する項目は何か。\n学校支援課 氏名と学年です。\n委員長 承認してよろしいか。\n"
        "(異議なし)\n"
    )
    assert departments(text) == ["学校支援課"]


def test_a_keyed_list_of_who_explained() -> None:
    text = (
        "第3期第2回若葉台町個人情報保護審査会 会議要録\n日時 令和6年7月26日(金)午前10時から\n"
        "場所 若葉台町役場 大会議室\n"
        "説明者 1-ア 税務課 課長 山辺\n       1-イ 健康推進課 係長 藤田\n       2   教育総務課 主幹 仁科\n"
        "審議事項\n1 外部委託について\n ア 町民税申告書データ作成業務\n イ 健康診査結果通知書印刷封入業務\n"
        "2 目的外利用について\n ア 就学援助の認定に係る町民税課税情報の利用\n"
        "審議の概要\n1-ア及び1-イは承認された。2-アは継続審議とされた。\n"
    )
    assert departments(text) == ["税務課", "健康推進課", "教育総務課"]


def test_a_list_of_who_explained_keyed_by_agenda_item() -> None:
    text = (
        "令和6年度第1回若葉台市情報公開・個人情報保護審議会会議録\n1 開催日時\n令和6年5月10日(金曜日)午前10時から\n"
        "2 開催場所\n若葉台市役所 第5委員会室\n3 出席者\n1.委員\n山田会長、川上委員\n2.諮問庁\n"
        "議題(2)関係\n保育支援課 中山副参事\n議題(3)関係\n環境保全課 青山主幹\n"
        "4 議題\n 1. 個人情報の取扱いについて(報告)\n 2. 思想、信条等の個人情報の収集について(諮問)\n"
        " 3. 実施機関以外の者への保有個人情報の提供について(諮問)\n5 議事(要旨)\n審議の結果、いずれも承認された。\n"
    )
    assert departments(text) == ["保育支援課", "環境保全課"]


def test_the_one_section_in_charge_of_a_meeting_with_one_consultation() -> None:
    text = (
        "第2回若葉台市情報公開・個人情報保護運営審議会結果\n会議名 第2回若葉台市情報公開・個人情報保護運営審議会\n"
        "開催日時 令和6年3月28日(木曜日)午前10時から11時まで\n開催場所 本庁舎2階 第1委員会室\n"
        "事務局:行政管理課長、文書係長\n担当課:(総務課)折田総務課長、高山庶務係長\n"
        "議題\n1.審議事項\n個人情報の外部提供について\n2.報告事項\n(1)個人情報取扱事務の登録について\n"
        "会議録\n審議事項について、原案のとおり承認された。\n"
    )
    assert departments(text) == ["総務課"]


def test_a_heading_that_says_whose_explanation_follows() -> None:
    text = HEAD + (
        "会議の議題\n・若葉台町個人情報保護条例の一部改正について\n審議の概要\n"
        "審議事項について、了承された。\n"
        + "会議録\n1 開会\n2 審議\n"
        + "委員から質問があった。\n" * 30
        + "<総務法制課の説明>\n条例の一部改正の内容について説明した。\n"
    )
    assert departments(text) == ["総務法制課"]


def test_each_answer_of_a_toshin_takes_the_section_named_in_its_own_part() -> None:
    part = (
        "１　答申\n　諮問のとおり承認する。\n２　理由\n"
        + "　委託先の安全管理措置は適切である。\n" * 4
    )
    text = (
        "若葉台市長　様\n若葉台市個人情報保護審査会\n個人情報の取扱いに係る諮問について（答申）\n"
        "令和６年８月１日付けで諮問のあった次の事項について、次のとおり答申します。\n記\n"
        "Ⅰ　諮問第２号　通知書の印刷業務の外部委託について\n" + part + "（所管　総務部文書課）\n"
        "Ⅱ　諮問第３号　救急搬送に係る傷病者情報の外部提供について\n"
        + part
        + "（所管　消防本部救急課）\n"
    )
    assert departments(text) == ["文書課", "救急課"]
