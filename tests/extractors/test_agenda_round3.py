"""Agenda shapes of the third round: invented documents (fictional city, people and sections).

Each case failed before its rule.
"""

from __future__ import annotations

from extractors.pipeline import extract_bytes

GROUPED_ATTENDEES = """第12回桐生台市個人情報保護審議会 開催概要
1 日時 令和2年5月14日(木曜日)午前10時から正午まで
2 場所 桐生台市役所本庁舎3階 第2会議室
3 出席者
(委員)
山田委員(会長)、佐藤委員、鈴木委員
(事務局)
田中総務部長、高橋文書課長
4 議題
(1) 第11回桐生台市個人情報保護審議会開催概要の承認について
(2) 諮問に係る審議について
ア 個人情報保護条例第8条に基づく個人情報の取り扱いについて
・「児童手当の支給のために保有個人情報を事務の目的の範囲を超えて利用することについて」(こども未来局)
イ 個人情報保護条例第9条に基づく個人情報の取り扱いについて
・「災害時の安否確認のために保有個人情報を事務の目的の範囲を超えて提供することについて」(危機管理室)
5 議事要旨
(1) 第11回桐生台市個人情報保護審議会開催概要の承認について
開催概要について承認を行った。
"""


def test_groups_of_the_attendee_list_are_no_speakers() -> None:
    # `(委員)` over the attendee list once made the proceedings begin before the agenda
    got = extract_bytes(GROUPED_ATTENDEES.encode("utf-8"), "agenda/grouped.txt").consultations
    assert [(c.department, [x.value for x in c.categories]) for c in got] == [
        ("こども未来局", ["non_purpose_use"]),
        ("危機管理室", ["external_provision"]),
    ]
    assert got[0].title is not None and got[0].title.startswith("児童手当の支給のために")


ORDERED = """楓谷区情報公開・個人情報保護審議会（第３回）会議録
┌────────────────────────────────┐
│会議の結果　諮問第５号　承認　　　　　　　　　　　　　　　　　│
│　　　　　　諮問第６号　取下げ（実施機関の申出による）　　　　│
└────────────────────────────────┘
日　　時：令和５年１０月３日（火曜日）午後２時～午後３時３０分
議事日程
　日程第１　諮問第５号　住民税申告書の入力業務の委託について
　日程第２　諮問第６号　防犯カメラ映像の警察署への提供について
○会長　ただいまから会議を開きます。諮問第６号につきましては、取下げの申出がございました。
○会長　取下げを了承することにご異議ございませんか。
（「異議なし」と呼ぶ者あり）
○会長　日程第１、諮問第５号を議題といたします。担当課から説明をお願いします。
○税務課長　住民税申告書の入力業務を委託するものでございます。
"""


def test_the_agenda_in_its_order_and_the_results_in_a_box_above_it() -> None:
    got = extract_bytes(ORDERED.encode("utf-8"), "agenda/ordered.txt").consultations
    assert [(c.number, c.title) for c in got] == [
        (5, "住民税申告書の入力業務の委託について"),
        (6, "防犯カメラ映像の警察署への提供について"),
    ]
    # 諮問第5号 is decided only in the box; the members' 「異議なし」 accepts a withdrawal
    assert [c.outcome.value for c in got] == ["approved", "withdrawn"]
