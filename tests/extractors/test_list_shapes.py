"""Items and parties in the shapes of the second round: labels across a table's top, the
ordinances' many ways of naming what is handled, and lists under a label line.

Invented documents (fictional towns, companies and people); each case failed before its rule.
"""

from __future__ import annotations

from extractors.pipeline import extract_bytes
from extractors.sheets import label_family

HEAD = (
    "若葉台市個人情報保護審査会\n答申\n令和6年9月1日\n若葉台市長 様\n"
    "１　諮問第２１号　児童手当事務における電子計算組織の結合について\n（所管：子ども支援課）\n"
    "（１）結論　承認する。\n"
)


def _extract(body: str):
    return extract_bytes((HEAD + body).encode("utf-8"), "lists/doc.txt")


def test_a_table_with_its_labels_across_the_top_is_read_by_column() -> None:
    got = _extract(
        "（２）結合の内容\n結合先\t送受信する個人情報\t目的\n"
        "若葉県\t受給者番号、氏名、支給停止の有無\t支給状況の照会\n"
        "年金公社\t基礎年金番号、年金の受給額\t併給調整\n（３）理由\n　適当である。\n"
    )
    assert sorted(c.name for c in got.contractors) == ["年金公社", "若葉県"]
    assert {d.item for d in got.data_items} >= {"受給者番号", "氏名", "基礎年金番号"}


def test_what_the_contractor_is_made_to_handle_is_a_list_of_items() -> None:
    assert label_family("委託先に取り扱わせる個人情報(■が該当)") == "items"
    assert label_family("委託先に取り扱わせることができる個人情報") == "items"
    assert label_family("送信する項目") == "items"
    assert label_family("委託の内容") is None  # what is outsourced is no list of data
    got = _extract(
        "（２）委託先に取り扱わせる個人情報（■が該当）\n　■氏名　　■住所　　□本籍\n　■電話番号　□勤務先\n"
        "（３）理由\n　適当である。\n"
    )
    assert [d.item for d in got.data_items] == ["氏名", "住所", "電話番号"]


def test_the_bulleted_and_numbered_lines_under_a_label() -> None:
    got = _extract(
        "（２）提供する個人情報\n　　・傷病者の氏名\n　　・年齢\n　　・既往歴等\n\n"
        "（３）委託先に取り扱わせることができる個人情報\n　１．宛名番号\n　２．郵便番号\n\n"
        "（４）理由\n　適当である。\n"
    )
    assert {d.item for d in got.data_items} >= {"年齢", "既往歴", "宛名番号", "郵便番号"}
