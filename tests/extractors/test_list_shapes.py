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


def test_a_results_table_whose_cells_stand_on_lines_of_their_own_in_the_html() -> None:
    page = (
        "<html><body><h1>令和6年度第1回若葉台市個人情報保護審議会の審議結果</h1>\n"
        "<p>日時：令和6年6月3日（月曜日）午前10時から</p>\n<table>\n"
        "<tr><th>諮問番号</th><th>件名（担当課）</th><th>委託先</th><th>取り扱う個人情報</th>"
        "<th>答申</th></tr>\n<tr>\n<td>第7号</td>\n"
        "<td>図書館システムの運用業務の委託について<br>（図書館課）</td>\n"
        "<td>株式会社わかば計算</td>\n"
        "<td><ul><li>利用者番号</li><li>氏名</li><li>貸出履歴</li></ul></td>\n<td>承認</td>\n</tr>\n"
        "<tr>\n<td>第8号</td>\n<td>健診結果の目的外利用について<br>（健康課）</td>\n<td></td>\n"
        "<td>氏名、健診結果</td>\n<td>継続審議</td>\n</tr>\n</table>\n</body></html>\n"
    )
    got = extract_bytes(page.encode("utf-8"), "lists/results.html")
    assert [(c.number, c.outcome.value) for c in got.consultations] == [
        (7, "approved"),
        (8, "deferred"),
    ]
    first = got.consultations[0].consultation_id
    assert [d.item for d in got.data_items if d.consultation_id == first] == [
        "利用者番号",
        "氏名",
        "貸出履歴",
    ]


def test_a_toshin_with_a_labelled_block_per_consultation() -> None:
    text = (
        "若葉台市個人情報保護審議会答申\n若葉台市長 様\n若葉台市個人情報保護審議会\n"
        "個人情報の取扱いに関する諮問について（答申）\n下記のとおり答申する。\n記\n"
        "１　諮問番号　第４４号\n　　件　　名　関係機関からの児童の情報の本人外収集について\n"
        "　　所管課　　子ども支援課\n　　答　　申　承認する。\n\n"
        "２　諮問番号　第４６号\n　　件　　名　選挙人名簿抄本の大学への提供について\n"
        "　　所管課　　選挙管理委員会事務局\n　　答　　申　承認しない。\n"
    )
    got = extract_bytes(text.encode("utf-8"), "lists/toshin.txt").consultations
    assert [(c.number, c.title, c.department, c.outcome.value) for c in got] == [
        (44, "関係機関からの児童の情報の本人外収集について", "子ども支援課", "approved"),
        (46, "選挙人名簿抄本の大学への提供について", "選挙管理委員会事務局", "rejected"),
    ]


def test_a_toshin_part_numbered_before_the_consultation_it_answers() -> None:
    text = (
        "個人情報の取扱いについて（答申）\n下記のとおり答申します。\n記\n"
        "第１　諮問第１８号　校務支援システムの運用業務の外部委託について\n（担当課　教育総務課）\n"
        "１　結論\n　諮問のとおり承認する。\n２　理由\n　適当である。\n"
        "第２　諮問第１９号　特定保健指導業務の委託について\n（担当課　住民課）\n"
        "１　結論\n　諮問のとおり承認する。\n"
    )
    got = extract_bytes(text.encode("utf-8"), "lists/toshin2.txt").consultations
    assert [(c.number, c.department) for c in got] == [(18, "教育総務課"), (19, "住民課")]


def test_a_results_cell_with_the_title_and_its_department_after_a_break() -> None:
    page = (
        "<html><body><h1>令和6年度第2回若葉台市個人情報保護審議会 審議結果</h1>\n"
        "<p>日時：令和6年8月5日（月曜日）午後2時から</p>\n<table>\n"
        "<tr><th>諮問番号</th><th>件名（担当課）</th><th>種別</th><th>答申</th></tr>\n"
        "<tr><td>第10号</td><td>予防接種記録システム（VRS）への接続について<br>（健康課）</td>"
        "<td>接続</td><td>承認</td></tr>\n</table>\n</body></html>\n"
    )
    got = extract_bytes(page.encode("utf-8"), "lists/cell.html").consultations
    assert [(c.title, c.department) for c in got] == [
        ("予防接種記録システム(VRS)への接続について", "健康課")
    ]


def test_a_title_with_its_section_said_at_the_end_of_the_line() -> None:
    text = (
        "令和6年度第1回若葉台町個人情報保護審議会 会議録\n日時 令和6年5月1日(水)午後2時から\n"
        "議題\n(1)水道料金等徴収業務の包括委託について 所管:上下水道課\n"
        "議事の経過\n会長 審議をお願いします。\n(異議なし)\n"
    )
    got = extract_bytes(text.encode("utf-8"), "lists/said.txt").consultations
    assert [(c.title, c.department) for c in got] == [
        ("水道料金等徴収業務の包括委託について", "上下水道課")
    ]


def test_a_parties_cell_with_roles_breaks_and_a_bracketed_list() -> None:
    from extractors.parties import from_sheet

    def names(value: str) -> list[str]:
        return [n for n, _, _ in from_sheet(value, 0, len(value))]

    # failed before: the role label stayed on the name, and `再委託:なし` named a party
    assert names("委託先:株式会社わかば印刷/再委託:なし") == ["株式会社わかば印刷"]
    assert names("結合先:株式会社トーク/委託先:合同会社ことのは") == [
        "株式会社トーク",
        "合同会社ことのは",
    ]
    # failed before: the list inside the brackets was split into `…(警察署` and `保育所等)`;
    # the bracket is the party's remark
    assert names("提供先:協議会の構成機関(警察署、児童相談所、保育所等)") == ["協議会の構成機関"]
    assert names("及び株式会社そらリンク") == ["株式会社そらリンク"]
