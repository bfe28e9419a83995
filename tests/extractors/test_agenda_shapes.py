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
