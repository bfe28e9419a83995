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
