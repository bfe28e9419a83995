"""Personal-data items and contractors in tables of every shape, run through the whole extraction.

Each case puts one invented handout (a fictional town, 朝霧町) into the explanation of one
consultation: the same facts drawn as a `|` table, a `｜` table, a boxed table, columns
aligned with blanks, a two-level table (区分 | 項目), a checklist, an HTML `<table>`. Every
rendering must give the same items and the same contractor, each grounded in the text.
"""

from __future__ import annotations

import pytest

from extractors.pipeline import extract_bytes
from models.records import Extraction

TITLE = "学童保育室の運営業務の委託について"

DOC = """令和5年度第2回朝霧町個人情報保護審議会会議録
1 日時 令和5年8月3日(木)午後2時から午後3時まで
2 場所 朝霧町役場2階 大会議室
3 出席者 森会長、林副会長、岡委員
4 議題
(1)諮問第3号 {title}(子育て支援課)
5 審議の経過
諮問第3号 {title}
子育て支援課から資料に基づき説明があった。
{table}
(会長)ご意見はありますか。
(委員)特にありません。
審議の結果、原案のとおり承認された。
"""

ITEMS = {"氏名", "生年月日", "住所", "電話番号", "学校名"}
PARTY = "株式会社あさぎりキッズ"

TABLES = {
    "bars": (
        "|項目名|内容|\n|事務の名称|学童保育室運営事務|\n|委託先|株式会社あさぎりキッズ|\n"
        "|委託する個人情報の項目|氏名、生年月日、住所、電話番号、学校名|\n|再委託|なし|"
    ),
    "full-width bars": (
        "｜項目名｜内容｜\n｜委託先｜株式会社あさぎりキッズ｜\n"
        "｜取り扱う個人情報｜氏名、生年月日、住所、電話番号、学校名｜"
    ),
    "boxed, wrapped cell": (
        "+----------+------------------------------+\n"
        "| 委託先   | 株式会社あさぎりキッズ       |\n"
        "+----------+------------------------------+\n"
        "| 記録項目 | 氏名、生年月日、住所、       |\n"
        "|          | 電話番号、学校名             |\n"
        "+----------+------------------------------+"
    ),
    "boxed checklist": (
        "+----------+------------------------------+\n"
        "| 委託先   | 株式会社あさぎりキッズ       |\n"
        "+----------+------------------------------+\n"
        "| 記録項目 | ■氏名　■生年月日　□本籍   |\n"
        "|          | ■住所　■電話番号　□国籍   |\n"
        "|          | ■学校名　□その他（　　）   |\n"
        "+----------+------------------------------+"
    ),
    "aligned blanks": (
        "委託先　　　　　　　株式会社あさぎりキッズ\n"
        "委託期間　　　　　　令和5年10月1日から令和6年3月31日まで\n"
        "取り扱う個人情報　　氏名、生年月日、住所、電話番号、学校名"
    ),
    "aligned two-level": (
        "受託者　　　　株式会社あさぎりキッズ\n再委託　　　　なし\n\n"
        "区分　　　　　　　　項目\n児童に関する事項　　氏名、生年月日、学校名\n"
        "保護者に関する事項　住所、電話番号"
    ),
    "two-level bars, one item a row": (
        "|区分|内容|\n|委託先|株式会社あさぎりキッズ|\n\n"
        "|区分|項目|\n|児童に関する情報|氏名|\n||生年月日|\n||学校名|\n"
        "|保護者に関する情報|住所|\n||電話番号|"
    ),
    "items column with remarks": (
        "|区分|内容|\n|委託先|株式会社あさぎりキッズ|\n\n"
        "|項目|備考|\n|氏名||\n|生年月日||\n|住所|町内に限る|\n|電話番号||\n|学校名||"
    ),
    "tab table, items in the third column": (
        "委託先\t株式会社あさぎりキッズ\n\n区分\t保有課\t利用する項目\n"
        "児童の情報\t学校教育課\t氏名、生年月日、学校名\n保護者の情報\t住民課\t住所、電話番号"
    ),
}


def extract(table: str, name: str = "tables/asagiri.txt") -> Extraction:
    raw = DOC.format(title=TITLE, table=table)
    return extract_bytes(raw.encode("utf-8"), name)


def _check(x: Extraction, items: set[str], parties: list[str]) -> None:
    assert x.text is not None
    text = x.text.text
    assert {d.item for d in x.data_items} == items
    assert all(text[d.start_char : d.end_char] == d.item for d in x.data_items)
    assert [c.name for c in x.contractors] == parties
    assert all(text[c.start_char : c.end_char] == c.name for c in x.contractors)


@pytest.mark.parametrize("table", list(TABLES.values()), ids=list(TABLES))
def test_items_and_contractor_in_text_tables(table: str) -> None:
    _check(extract(table), ITEMS, [PARTY])


def test_a_party_still_to_be_chosen_is_no_contractor() -> None:
    x = extract(
        "委託先　　　　　　　未定（公募により選定予定）\n"
        "取り扱う個人情報　　氏名、生年月日、住所、電話番号、学校名"
    )
    _check(x, ITEMS, [])


HTML = """<!DOCTYPE html><html><body><main>
<h1>令和5年度第2回朝霧町個人情報保護審議会会議録</h1>
<p>1 日時 令和5年8月3日(木)午後2時から午後3時まで</p>
<p>2 場所 朝霧町役場2階 大会議室</p>
<p>3 議題</p><p>(1)諮問第3号 {title}(子育て支援課)</p>
<p>4 審議の経過</p><p>諮問第3号 {title}</p>
<p>子育て支援課から資料に基づき説明があった。</p>
{table}
<p>審議の結果、原案のとおり承認された。</p>
</main></body></html>"""

HTML_TABLES = {
    "label rows, a list on lines": (
        "<table><tr><th>委託先</th><td>株式会社あさぎりキッズ</td></tr>"
        "<tr><th>記録項目</th><td>氏名<br>生年月日<br>住所<br>電話番号<br>学校名</td></tr></table>"
    ),
    "two-level, empty first cells": (
        "<table><tr><th>区分</th><th>内容</th></tr><tr><td>委託先</td><td>株式会社あさぎりキッズ</td></tr></table>"
        "<table><tr><th>区分</th><th>項目</th></tr>"
        "<tr><td>児童</td><td>氏名</td></tr><tr><td></td><td>生年月日</td></tr>"
        "<tr><td></td><td>学校名</td></tr><tr><td>保護者</td><td>住所</td></tr>"
        "<tr><td></td><td>電話番号</td></tr></table>"
    ),
    "checklist with line breaks": (
        "<table><tr><th>受託者</th><td>株式会社あさぎりキッズ</td></tr>"
        "<tr><th>記録項目</th><td>■氏名　■生年月日　□本籍<br>■住所　■電話番号<br>■学校名　□国籍</td></tr></table>"
    ),
}


@pytest.mark.parametrize("table", list(HTML_TABLES.values()), ids=list(HTML_TABLES))
def test_items_and_contractor_in_html_tables(table: str) -> None:
    raw = HTML.format(title=TITLE, table=table)
    _check(extract_bytes(raw.encode("utf-8"), "tables/asagiri.html"), ITEMS, [PARTY])


OTHER = "公民館の利用者登録のオンライン化について"
TWO = """令和5年度第2回朝霧町個人情報保護審議会会議録
1 日時 令和5年8月3日(木)午後2時から午後3時まで
2 議題
(1)諮問第3号 {title}(子育て支援課)
(2)諮問第4号 {other}(生涯学習課)
3 審議の経過
諮問第3号 {title}
子育て支援課から別表1により説明があった。審議の結果、原案のとおり承認された。
諮問第4号 {other}
生涯学習課から別表2により説明があった。審議の結果、原案のとおり承認された。
別表1 諮問第3号に係る個人情報の項目
区分\t項目
児童\t氏名
\t学校名
別表2 諮問第4号に係る個人情報の項目
区分\t項目
利用者\t氏名
\tメールアドレス
"""


def test_a_caption_naming_a_consultation_gives_it_the_table() -> None:
    x = extract_bytes(
        TWO.format(title=TITLE, other=OTHER).encode("utf-8"), "tables/asagiri_two.txt"
    )
    by_number = {c.consultation_id: c.number for c in x.consultations}
    got = {(by_number[d.consultation_id], d.item) for d in x.data_items}
    assert got == {(3, "氏名"), (3, "学校名"), (4, "氏名"), (4, "メールアドレス")}


AROUND_TABLES = {
    # failed before: a list written with ・ alone, most of its parts known items
    "dot list in a cell": (
        "委託先\t株式会社あさぎりキッズ\n"
        "取り扱う個人情報\t氏名・生年月日・住所・電話番号・学校名・送迎希望場所",
        ITEMS | {"送迎希望場所"},
    ),
    # failed before: the list after the handout, past the table the region was cut at; a remark
    # in brackets holding a full stop
    "prose list after the table": (
        "委託先\t株式会社あさぎりキッズ\n再委託\tなし\n\n"
        "取り扱う個人情報は、氏名、生年月日、住所(町内に限る。)、電話番号、学校名である。",
        ITEMS,
    ),
}


@pytest.mark.parametrize(("table", "items"), list(AROUND_TABLES.values()), ids=list(AROUND_TABLES))
def test_lists_written_around_tables(table: str, items: set[str]) -> None:
    _check(extract(table), items, [PARTY])


def test_a_party_named_with_its_role_besides_the_sheet() -> None:
    # failed before: the sheet names one party, the explanation a second by its role
    x = extract(
        "管理する端末は指定管理者である一般財団法人あさぎり公社が操作する。\n"
        "|項目名|内容|\n|委託先|株式会社あさぎりキッズ|\n"
        "|委託する個人情報の項目|氏名、生年月日、住所、電話番号、学校名|"
    )
    _check(x, ITEMS, [PARTY, "一般財団法人あさぎり公社"])


def test_a_table_drawn_with_one_bar_between_its_columns_under_a_plus_rule() -> None:
    # failed before: one bar per line made no table, and `| 電話番号` lost its empty first cell
    from extractors.tables import find_tables

    text = (
        "別表2 提供する個人情報\n区分 | 項目\n-------------+----------------------\n"
        "基本情報 | 被保険者番号、氏名、\n| 電話番号\n世帯の状況 | 世帯構成\n"
    )
    (table,) = find_tables(text)
    cells = [[c.text(text) for c in row] for row in table.rows]
    assert cells[0] == ["区分", "項目"]
    assert ["", "電話番号"] in cells and ["世帯の状況", "世帯構成"] in cells
