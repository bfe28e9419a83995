"""The same facts however a council writes them: document kind, agenda shapes, places, departments.

Each case is a short invented document (fictional towns and people) in one layout that real
councils use, run through the whole extraction. Cases marked `failed before` failed before the
rule they test; the others guard a neighbouring reading the rule must not break.
"""

from __future__ import annotations

import pytest

from extractors.pipeline import extract_bytes
from models.records import Extraction


def extract(text: str, name: str = "shapes/doc.txt") -> Extraction:
    return extract_bytes(text.encode("utf-8"), name)


# --- the document's own designation decides its kind -------------------------------------

KINDS = [
    # failed before: a 答申 whose number is written in kanji, quoting the department's explanation as turns
    (
        "令和五年度答申第三号(図書館利用者情報の取扱いについて)\n\n令和五年九月一日\n\n"
        "水城町長 様\n\n水城町個人情報保護審査会\n\n1 審査会の結論\n妥当である。\n"
        "2 実施機関の説明\n(教育課)利用者の情報を委託先に渡します。\n(委員)期間は。\n"
        "(教育課)三年です。\n(委員)了解しました。\n",
        "toshin",
    ),
    # a results page whose tables read like turns
    (
        "令和4年度第2回若葉台市個人情報保護審議会(審議結果)\n\n開催日:令和4年8月1日\n\n"
        "Q:委託先はどこか。\nA:未定である。\nQ:期間は。\nA:一年である。\n"
        "Q:再委託は。\nA:しない。\n",
        "summary",
    ),
    # failed before: no designation at all: a meeting's header (date, place, who attended) is minutes
    (
        "1 日時\n令和5年1月10日(火)午後2時から午後3時まで\n2 場所 第二会議室\n"
        "3 出席者\n会長 野村 一郎\n委員 川井 花子\n",
        "minutes",
    ),
    # 開催概要 names a summary
    (
        "第12回 若葉台市個人情報保護審議会 開催概要\n1 日時 令和元年6月20日午後1時30分から\n"
        "2 場所 本庁舎4階 会議室\n3 出席者 山本委員、川口委員\n",
        "summary",
    ),
]


@pytest.mark.parametrize(("text", "kind"), KINDS)
def test_the_documents_own_designation_decides_its_kind(text: str, kind: str) -> None:
    assert extract(text).document.doc_kind == kind


# --- the place: a building on one line, the room on the next --------------------------------

PLACES = [
    # failed before: the room on an indented line of its own
    ("2 場所\n  若葉台市役所 本庁舎3階\n  第2委員会室\n", "若葉台市役所 本庁舎3階 第2委員会室"),
    ("開催場所:若葉台市役所 東庁舎\n     5階 501会議室\n", "若葉台市役所 東庁舎 5階501会議室"),
    # failed before: an address in brackets after the room
    ("場所 本庁舎2階 第3委員会室(所在:若葉台市中央1-2-3)\n", "本庁舎2階 第3委員会室"),
    # failed before: the address first, the room on the next line
    (
        "場所\n若葉台市中央三丁目5番1号\n若葉台市役所本庁舎4階 第1会議室\n",
        "若葉台市役所本庁舎4階 第1会議室",
    ),
    # the next line is a label of its own: not part of the place
    ("場所 若葉台市役所 大会議室\n出席者 山本委員、川口委員\n", "若葉台市役所 大会議室"),
]


@pytest.mark.parametrize(("lines", "place"), PLACES)
def test_a_place_broken_over_lines(lines: str, place: str) -> None:
    text = "令和5年度第1回若葉台市個人情報保護審議会会議録\n日時 令和5年6月1日(木)午後2時から午後3時まで\n"
    got = extract(text + lines + "出席者 山本会長、川口委員\n").meeting
    assert got is not None and got.place == place


# --- agenda items that never say 諮問第N号 ---------------------------------------------------

AGENDAS = [
    # failed before: section labels with the titles below them, a department line after each
    (
        "会議の議題\n1.答申書の確認\n・図書館システムの運用業務の委託について\n[担当課:中央図書館]\n"
        "2.新規諮問事項\n・住民健診の結果の外部提供について\n[担当課:健康推進課]\n3.その他\n",
        ["図書館システムの運用業務の委託について", "住民健診の結果の外部提供について"],
    ),
    # failed before: an item label with its department, the title wrapped over two lines
    (
        "配布資料\n・【諮問案件1】(税務課)\n固定資産税の課税資料を用いた空家等対策のための\n"
        "個人情報の目的外利用について\n",
        ["固定資産税の課税資料を用いた空家等対策のための個人情報の目的外利用について"],
    ),
    # failed before: a group line with lettered sub-items, each naming its subject below
    (
        "4 議題\n(1) 前回会議録の承認について\n(2) 諮問に係る審議について\n"
        "ア 条例第8条に基づく個人情報の取扱いについて\n・「児童手当の現況確認のための住民情報の利用について」(こども課)\n"
        "イ 条例第9条に基づく個人情報の取扱いについて\n・「防災行政無線の戸別受信機の貸与のための本人以外からの収集について」(危機管理課)\n"
        "(3) その他\n5 議事要旨\n",
        [
            "児童手当の現況確認のための住民情報の利用について",
            "防災行政無線の戸別受信機の貸与のための本人以外からの収集について",
        ],
    ),
    # failed before: deliberation items numbered by their label (審議1, 審議2), reports after them
    (
        "議題\n\n 審議1 妊婦健康診査の受診票の電子化\n\n 審議2 地域包括ケア情報共有システムの運用業務\n\n"
        " 報告\n\n 新規1 家庭ごみ収集カレンダー送付事務\n\n",
        ["妊婦健康診査の受診票の電子化", "地域包括ケア情報共有システムの運用業務"],
    ),
    # a list that marks its 諮問 marks them all: the unmarked line is no 諮問
    (
        "議題\n1 住民票の写しのコンビニ交付に係る電子計算組織の結合について(諮問)\n"
        "2 個人情報取扱事務の登録状況について\n3 その他\n",
        ["住民票の写しのコンビニ交付に係る電子計算組織の結合について"],
    ),
]


@pytest.mark.parametrize(("agenda", "titles"), AGENDAS)
def test_agenda_items_without_a_number(agenda: str, titles: list[str]) -> None:
    text = (
        "令和5年度第2回若葉台市個人情報保護審議会会議録\n日時 令和5年8月3日(木)午後2時から午後4時まで\n"
        "場所 若葉台市役所 第1会議室\n出席者 山本会長、川口委員\n"
        + agenda
        + "審議の経過\n(会長)はじめます。\n"
    )
    got = [c.title for c in extract(text).consultations]
    assert got == titles


# --- the department: wherever the record says who is responsible -----------------------------

DEPARTMENTS = [
    # failed before: a label in brackets under the item
    (
        "諮問第5号 図書館システムの運用業務の委託について\n〔説明:中央図書館管理課〕\n",
        "中央図書館管理課",
    ),
    (
        "諮問第5号 図書館システムの運用業務の委託について\n(所管 教育部図書館管理課)\n",
        "図書館管理課",
    ),
    # failed before: the section in brackets after the 実施機関
    (
        "諮問第5号 図書館システムの運用業務の委託について\n実施機関である若葉台市教育委員会(図書館管理課)"
        "から、委託の内容について説明があった。\n",
        "図書館管理課",
    ),
    # failed before: the section announcing itself as its turn begins
    (
        "諮問第5号 図書館システムの運用業務の委託について\n○会長 説明をお願いします。\n"
        "○川村図書館管理課長 図書館管理課でございます。諮問第5号について御説明いたします。\n",
        "図書館管理課",
    ),
    # failed before: the explanation later in the same sentence
    (
        "諮問第5号 図書館システムの運用業務の委託について\n図書館管理課からは、委託先の選定方法と"
        "再委託の禁止について、資料に基づき説明があった。\n",
        "図書館管理課",
    ),
    # a generic word is no department
    (
        "諮問第5号 図書館システムの運用業務の委託について\n○会長 担当課から説明をお願いします。\n"
        "○図書館管理課長 図書館管理課でございます。\n",
        "図書館管理課",
    ),
]


@pytest.mark.parametrize(("body", "department"), DEPARTMENTS)
def test_department_variants(body: str, department: str) -> None:
    text = (
        "令和5年度第3回若葉台市個人情報保護審議会会議録\n日時 令和5年9月7日(木)午後2時から午後4時まで\n"
        "場所 若葉台市役所 第1会議室\n出席者 山本会長、川口委員\n議事の経過\n"
        + body
        + "審議の結果、承認された。\n"
    )
    got = extract(text).consultations
    assert [c.department for c in got] == [department]


def test_an_organ_with_its_section_in_brackets_is_the_section() -> None:
    text = (
        "令和5年度第4回若葉台市個人情報保護審議会(審議結果)\n開催日:令和5年10月5日\n"
        "諮問番号\t件名\t実施機関\t結果\n1\t図書館システムの運用業務の委託について\t教育委員会(図書館管理課)\t承認\n"
    )
    got = extract(text).consultations
    assert [c.department for c in got] == ["図書館管理課"]


# --- titles the page's width broke -----------------------------------------------------------

WRAPPED = [
    # failed before: the number's line breaks the title mid-word; the next line ends it
    (
        "2.諮問第10号 市民税の納税証明書のコンビニ交付に係る保有\n個人情報の目的外利用について【税務課】\n",
        "市民税の納税証明書のコンビニ交付に係る保有個人情報の目的外利用について",
    ),
    # failed before: a quoted name the title goes on from, over two lines
    (
        "1諮問第10号\n「子育て支援業務」における外部委託に伴う個人情報の保護措置及び外部の電\n子計算機との回線結合について\n",
        "「子育て支援業務」における外部委託に伴う個人情報の保護措置及び外部の電子計算機との回線結合について",
    ),
    # a quoted title with its department after it stays the quoted title
    ("諮問第10号「子育て支援業務の委託について」(子育て支援課)\n", "子育て支援業務の委託について"),
]


@pytest.mark.parametrize(("agenda", "title"), WRAPPED)
def test_a_title_broken_by_the_line_width(agenda: str, title: str) -> None:
    text = (
        "令和5年度第5回若葉台市個人情報保護審議会会議録\n日時 令和5年11月2日(木)午後2時から午後4時まで\n"
        "場所 若葉台市役所 第1会議室\n出席者 山本会長、川口委員\n会議次第\n"
        + agenda
        + "審議の経過\n(会長)はじめます。\n"
    )
    assert [c.title for c in extract(text).consultations] == [title]


# --- the second round's agenda shapes ---------------------------------------------------------


def test_circled_sub_items_under_a_numbered_agenda_heading() -> None:
    # failed before: ① reads as 1 once normalised, and `1` under `5 案件` ended the list
    text = (
        "第4回若葉台町個人情報保護審議会の概要\n1 と き 令和6年2月19日(水) 午前10時から\n"
        "2 ところ 若葉台町保健センター 2階研修室\n5 案 件\n"
        "(1)個人情報取扱事務の外部委託について\n"
        " ① 納税通知書等の印刷封入封緘業務 [担当課:税務課]\n"
        " ② 健康診査受診勧奨業務 [担当課:健康推進課]\n6 会議の内容\n審議の結果、いずれも適当と認めることとされた。\n"
    )
    got = extract(text).consultations
    assert [(c.title, c.department) for c in got] == [
        ("納税通知書等の印刷封入封緘業務", "税務課"),
        ("健康診査受診勧奨業務", "健康推進課"),
    ]


def test_items_grouped_under_bracketed_handlings_with_their_results_below() -> None:
    # failed before: `○開催日時` read as a speaker's turn, so the agenda was taken for speech;
    # the wrapped titles end on the handling (…の収集), and `→ 了承` lines are no items
    text = (
        "令和6年度第1回若葉台市個人情報保護審議会の審議結果\n○開催日時 令和6年6月21日(金)14時00分から\n"
        "○開催場所 若葉台市役所 501会議室\n○審議事項及び結果\n【本人以外からの収集】\n"
        " 1 自立相談支援事業における公共職業安定所からの求職\n 者情報の収集 (生活支援課)\n → 了承\n"
        "【外部提供】\n 2 避難行動要支援者名簿の自主防災組織への提供\n (危機管理課)\n → 継続審議\n"
        "○報告事項\n ・個人情報保護条例の運用状況について(総務課)\n"
    )
    got = extract(text).consultations
    assert [(c.title, c.department) for c in got] == [
        ("自立相談支援事業における公共職業安定所からの求職者情報の収集", "生活支援課"),
        ("避難行動要支援者名簿の自主防災組織への提供", "危機管理課"),
    ]


def test_items_named_only_by_their_business_take_the_handling_of_their_heading() -> None:
    # failed before: `納税通知書等の印刷封入封緘業務` names no handling: its heading does
    text = (
        "第4回若葉台町個人情報保護審議会の概要\n1 と き 令和6年2月19日(水) 午前10時から\n5 案 件\n"
        "(1)個人情報取扱事務の外部委託について\n ① 納税通知書等の印刷封入封緘業務\n"
        "(2)個人情報の本人以外からの収集について\n ① 国民健康保険被保険者の資格確認事務\n"
        "【外部提供】\n 3 避難行動要支援者名簿の自主防災組織への提供の件\n"
        "6 会議の内容\n審議の結果、いずれも適当と認めることとされた。\n"
    )
    got = extract(text).consultations
    assert [c.categories for c in got] == [
        ["outsourcing"],
        ["indirect_collection"],
        ["external_provision"],
    ]
