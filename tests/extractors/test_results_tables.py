"""Results tables however a page draws them, and agenda titles that carry their handling.

Invented documents (fictional towns, sections and people); each case failed before its rule.
"""

from __future__ import annotations

from extractors.normalize import normalize
from extractors.pipeline import extract_bytes
from extractors.reading import read_bytes


def _consultations(text: str, name: str) -> list:
    return extract_bytes(text.encode("utf-8"), f"results/{name}").consultations


SPANNED = """<html><body><div id="main">
<h1>第2回青柳町個人情報保護審議会 会議要録</h1>
<p>日時：令和5年7月4日（火）午前10時～午前11時30分<br>場所：青柳町役場 3階会議室</p>
<h2>1　諮問事項</h2>
<table border="1">
<caption>諮問事項の一覧（○印は該当する取扱い）</caption>
<tr><th rowspan="2">No.</th><th rowspan="2">事務の名称</th><th rowspan="2">担当課</th>
<th colspan="3">取扱いの区分</th><th rowspan="2">審議結果</th></tr>
<tr><th>委託</th><th>目的外利用</th><th>外部提供</th></tr>
<tr><td>諮問第11号</td><td>水道料金収納事務</td><td>上下水道課</td><td>○</td><td></td><td></td><td>可</td></tr>
<tr><td>諮問第12号</td><td>高齢者見守り事業</td><td>福祉介護課</td><td></td><td>○</td><td>○</td><td>可（意見あり）</td></tr>
</table>
<p>審議の結果、いずれの諮問についても全会一致で可と答申することとした。</p>
</div></body></html>
"""


def test_a_header_over_two_rows_with_a_column_per_handling_marked_by_circles() -> None:
    got = _consultations(SPANNED, "spanned.html")
    assert [(c.number, c.title, c.department) for c in got] == [
        (11, "水道料金収納事務", "上下水道課"),
        (12, "高齢者見守り事業", "福祉介護課"),
    ]
    assert [sorted(x.value for x in c.categories) for c in got] == [
        ["outsourcing"],
        ["external_provision", "non_purpose_use"],
    ]
    assert [c.outcome.value for c in got] == ["approved", "approved"]
    # the vote is said once for every item, after the table
    assert [c.vote.value if c.vote else None for c in got] == ["unanimous", "unanimous"]


def test_cells_under_a_spanning_header_keep_their_columns() -> None:
    text = normalize(read_bytes(SPANNED.encode("utf-8"), "spanned.html").pages).text
    rows = [ln.split("\t") for ln in text.splitlines() if "\t" in ln]
    assert rows[0] == ["No.", "事務の名称", "担当課", "取扱いの区分", "", "", "審議結果"]
    assert rows[1] == ["", "", "", "委託", "目的外利用", "外部提供"]  # trailing empty cells go
    assert rows[3][3:6] == ["", "○", "○"]


MARKDOWN = """# 緑川町個人情報保護審議会（令和6年2月9日）審議結果

| 諮問番号 | 案件 | 所管課 | 取扱い | 答申 |
|:-:|---|---|:--|:-:|
| 31 | 町民プール利用受付業務 | 生涯学習課 | 委託 | 原案了承 |
| 32 | 乳児健診データの医療機関との共有 | 保健センター | 電算結合 | 原案了承 |
"""


def test_a_markdown_table_with_aligned_rules_and_a_column_naming_the_handling() -> None:
    got = _consultations(MARKDOWN, "aligned.md")
    assert [(c.number, c.title) for c in got] == [
        (31, "町民プール利用受付業務"),
        (32, "乳児健診データの医療機関との共有"),
    ]
    assert [[x.value for x in c.categories] for c in got] == [["outsourcing"], ["online_link"]]


AGENDA = """白樺広域連合個人情報保護審議会　議事録
開催日　令和2年6月11日（木）
議　事
（１）審議事項
　ア　介護認定審査支援システム（電子計算組織の結合）　　　　　　　介護保険課
　イ　保険料納付記録の県への提供（外部提供）　　　　　　　　　　　業務課
（２）報告事項
"""


def test_a_name_with_its_handling_in_brackets_and_its_section_set_right() -> None:
    got = _consultations(AGENDA, "agenda.txt")
    assert [(c.title, c.department) for c in got] == [
        ("介護認定審査支援システム", "介護保険課"),
        ("保険料納付記録の県への提供", "業務課"),
    ]
    assert [[x.value for x in c.categories] for c in got] == [
        ["online_link"],
        ["external_provision"],
    ]


SHEETS = """<html><body><div id="main">
<h1>第4回桜川市個人情報保護審議会 会議要旨</h1>
<h2>諮問第41号　児童扶養手当事務に係る所得情報の取得</h2>
<table>
<tr><th>所管課</th><td>子育て支援課</td></tr>
<tr><th>取扱いの種類</th><td>本人以外からの収集</td></tr>
<tr><th>結果</th><td>承認</td></tr>
</table>
<h2>諮問第42号　健康管理システムの更新</h2>
<table>
<tr><th>所管課</th><td>健康推進課</td></tr>
<tr><th>取扱いの種類</th><td>外部委託、電子計算組織の結合（オンライン結合）</td></tr>
<tr><th>結果</th><td>承認</td></tr>
</table>
</div></body></html>
"""


def test_a_row_naming_the_handling_gives_the_categories() -> None:
    got = _consultations(SHEETS, "sheets.html")
    assert [(c.number, [x.value for x in c.categories]) for c in got] == [
        (41, ["indirect_collection"]),
        (42, ["outsourcing", "online_link"]),
    ]


ITEMS_ONLY = """<html><body><div id="main">
<h1>第5回桐ヶ丘区情報公開・個人情報保護審議会</h1>
<table>
<tr><th>番号</th><th>件名</th><th>種別</th><th>所管課</th></tr>
<tr><td>諮問第71号</td><td>住民票の写しのコンビニ交付に係る結合について</td><td>オンライン結合</td><td>戸籍住民課</td></tr>
<tr><td>諮問第72号</td><td>区立図書館の窓口業務の委託について</td><td>外部委託</td><td>中央図書館</td></tr>
</table>
<table>
<tr><th>番号</th><th>件名</th><th>担当課</th></tr>
<tr><td>1</td><td>窓口での申請書の紛失について</td><td>戸籍住民課</td></tr>
</table>
<p>諮問第71号及び諮問第72号は、異議なく原案どおり承認された。</p>
</div></body></html>
"""


def test_a_table_of_the_items_alone_gives_their_sections() -> None:
    got = _consultations(ITEMS_ONLY, "items.html")
    assert [(c.number, c.department, c.outcome.value) for c in got] == [
        (71, "戸籍住民課", "approved"),
        (72, "中央図書館", "approved"),
    ]
