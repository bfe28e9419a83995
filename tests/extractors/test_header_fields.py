"""The meeting header, field by field, on short invented headers in the layouts councils use.

Every text here is invented (fictional places and councils). Each case is run
through the same normalisation as a document, so values are what the warehouse
would hold.
"""

from __future__ import annotations

from datetime import date, time

import pytest

from extractors import chrome
from extractors.header import doc_kind, extract_header, government_names
from extractors.normalize import normalize
from models.vocab import DocKind, header_labels, page_chrome_words, place_words


def header(raw: str, kind: str = DocKind.MINUTES):
    text = normalize([raw]).text
    return text, extract_header(text, kind)


# --- label/value pairs, wherever the value sits ------------------------------------

LAYOUTS = {
    "same line, colon": "第2回霞浦市個人情報保護審議会会議録\n日時:令和3年5月10日(月)午後2時から午後3時30分まで\n場所:霞浦市役所3階 第1会議室\n傍聴者:2名\n",
    "next line": "第2回霞浦市個人情報保護審議会会議録\n開催日時\n令和3年5月10日(月曜日)午後2時から3時30分\n開催場所\n霞浦市役所3階 第1会議室\n傍聴者\n2名\n",
    "date and times on two lines": "第2回霞浦市個人情報保護審議会会議録\n1.日時\n令和3年5月10日(月曜)\n午後2時から午後3時30分まで\n2.場所\n霞浦市役所3階 第1会議室\n3.傍聴人\n2人\n",
    "tab cells": "会議の名称\t令和3年度第2回霞浦市個人情報保護審議会\n開催日時\t令和3年5月10日(月)午後2時～3時30分\n開催場所\t霞浦市役所3階 第1会議室\n傍聴者\t2名\n",
    "pipe cells": "第2回霞浦市個人情報保護審議会会議録\n| 日時 | 令和3年5月10日(月)14時00分～15時30分 |\n| 場所 | 霞浦市役所3階 第1会議室 |\n| 傍聴者 | 2名 |\n",
    "two pairs in one row": "第2回霞浦市個人情報保護審議会会議録\n日時\t令和3年5月10日(月)14:00～15:30\t場所\t霞浦市役所3階 第1会議室\n傍聴人\t2名\n",
    "brackets": "第2回霞浦市個人情報保護審議会会議録\n【日 時】令和3年5月10日(月)午後2時～午後3時30分\n【場 所】霞浦市役所3階 第1会議室\n【傍聴】2名\n",
    "とき／ところ bullets": "第2回霞浦市個人情報保護審議会議事録\n・とき 令和3年5月10日(月曜日)午後2時から午後3時30分まで\n・ところ 霞浦市役所3階 第1会議室\n・傍聴者 2名\n",
    "katakana enumerators": "第2回霞浦市個人情報保護審議会会議録\nア 日時 令和3年5月10日(月)午後2時~3時30分\nイ.場所 霞浦市役所3階 第1会議室\n(ウ)傍聴者 2名\n",
    "pairs on one line": "第2回霞浦市個人情報保護審議会会議録\n日時 令和3年5月10日(月) 午後2時~3時30分 場所 霞浦市役所3階 第1会議室 傍聴者 2名\n",
    "labels stacked above values": "第2回霞浦市個人情報保護審議会会議録\n日時\n場所\n傍聴者\n令和3年5月10日(月)午後2時~午後3時30分\n霞浦市役所3階 第1会議室\n2名\n",
    "enumerated, spaces lost": "第2回霞浦市個人情報保護審議会会議要録\n1日時令和3年5月10日(月)午後2時から3時30分まで\n2場所霞浦市役所3階 第1会議室\n4傍聴人2名\n",
}


@pytest.mark.parametrize("raw", LAYOUTS.values(), ids=LAYOUTS.keys())
def test_label_value_layouts(raw: str) -> None:
    text, h = header(raw)
    assert h.held_on == date(2021, 5, 10)
    assert (h.start_time, h.end_time) == (time(14, 0), time(15, 30))
    assert h.place and h.place.replace(" ", "") == "霞浦市役所3階第1会議室"
    assert h.observers == 2
    assert h.municipality == "霞浦市"
    assert h.session == 2
    for key, (s, e) in h.spans.items():
        assert 0 <= s < e <= len(text), key


# --- typed values -------------------------------------------------------------------

WHEN = [
    ("日時:令和元年5月7日(火)午前10時から正午まで", date(2019, 5, 7), time(10, 0), time(12, 0)),
    ("日時:平成31年(2019年)4月1日 午後6時30分~8時", date(2019, 4, 1), time(18, 30), time(20, 0)),
    ("日時:令和5(2023)年1月20日 9時30分~11時", date(2023, 1, 20), time(9, 30), time(11, 0)),
    ("開催日:2022年11月2日(水) 15:00~16:45", date(2022, 11, 2), time(15, 0), time(16, 45)),
    ("日時:昭和63年3月1日 午後1時半から", date(1988, 3, 1), time(13, 30), None),
    ("日時:令和4年十二月五日(月)", date(2022, 12, 5), None, None),
]


@pytest.mark.parametrize("line, day, start, end", WHEN, ids=[w[0][3:16] for w in WHEN])
def test_when_values(line: str, day: date, start: time | None, end: time | None) -> None:
    _, h = header("霞浦市個人情報保護審議会会議録\n" + line + "\n")
    assert (h.held_on, h.start_time, h.end_time) == (day, start, end)


OBSERVERS = [
    ("傍聴者:なし", 0),
    ("傍聴人 無し", 0),
    ("傍聴者数 0人", 0),
    ("傍聴者 12名", 12),
    ("傍聴人 三人", 3),
    ("場所:霞浦市役所 会議室A(傍聴者:1名)", 1),
    ("議事は公開(傍聴者なし)", 0),
    ("傍聴の可否 可", None),  # whether the public may attend, not how many did
    ("傍聴者は後日決める", None),
    ("一般傍聴者の数は、4人", 4),
]


@pytest.mark.parametrize("line, count", OBSERVERS, ids=[o[0] for o in OBSERVERS])
def test_observer_counts(line: str, count: int | None) -> None:
    _, h = header("霞浦市個人情報保護審議会会議録\n日時:令和3年5月10日\n" + line + "\n")
    assert h.observers == count


@pytest.mark.parametrize(
    "line",
    [
        "開催場所\n霞浦市役所 会議室A (傍聴者:なし)",
        "場所 霞浦市役所 会議室A 傍聴者 なし",
        "会場:霞浦市役所 会議室A 傍聴人:0人",
    ],
)
def test_place_stops_before_another_header_value(line: str) -> None:
    _, h = header("霞浦市個人情報保護審議会会議録\n" + line + "\n")
    assert (h.place, h.observers) == ("霞浦市役所 会議室A", 0)


@pytest.mark.parametrize(
    "raw, first",
    [
        ("4. 議題:個人情報保護条例の一部改正について\n", "個人情報保護条例の一部改正について"),
        (
            "議題\n(1)防犯カメラの運用について(諮問)\n(2)その他\n",
            "(1)防犯カメラの運用について(諮問)",
        ),
        ("場所:霞浦市役所\n", None),
        ("5.議事経過と結果\n", None),
    ],
)
def test_agenda_values_are_kept_for_the_agenda_reader(raw: str, first: str | None) -> None:
    text, h = header("霞浦市個人情報保護審議会会議録\n" + raw)
    assert [text[s:e] for s, e in h.agenda][:1] == ([first] if first else [])


def test_unlabelled_header_under_the_title() -> None:
    raw = "第9回白峰県個人情報保護審議会議事録\n令和2年3月4日(水曜)\n午前10時から午前11時15分まで\n県庁東館501会議室\n山田会長、川上委員\n"
    _, h = header(raw)
    assert (h.held_on, h.start_time, h.end_time) == (date(2020, 3, 4), time(10), time(11, 15))
    assert h.place == "県庁東館501会議室"
    assert (h.municipality, h.body, h.session) == ("白峰県", "白峰県個人情報保護審議会", 9)


def test_next_meeting_date_is_not_the_meeting_date() -> None:
    raw = "第2回霞浦市個人情報保護審議会 審議結果\n次回開催予定日\n令和3年7月1日(木曜日)\n開催日時\n令和3年5月10日ごろ\n"
    _, h = header(raw)
    assert h.held_on == date(2021, 5, 10)
    _, h = header("第2回霞浦市個人情報保護審議会 審議結果\n次回開催予定日\n令和3年7月1日(木曜日)\n")
    assert h.held_on is None


def test_opening_line_gives_the_start_time() -> None:
    raw = "第4回霞浦市個人情報保護審議会\n令和2年3月4日(水曜日)\n霞浦市役所本庁舎8階 特別会議室\n午後2時00分 開会\n会長 ただいまから開会します。\n"
    _, h = header(raw)
    assert (h.held_on, h.start_time, h.end_time) == (date(2020, 3, 4), time(14), None)
    assert h.place == "霞浦市役所本庁舎8階 特別会議室"


# --- page chrome ------------------------------------------------------------------------

PAGE = (
    "ホーム > 市政情報 > 審議会 > 第3回霞浦市個人情報保護審議会会議録\n"
    "最終更新日:2024年2月1日(木)ページID:004512印刷する\n"
    "ここから本文です。\n"
    "第3回霞浦市個人情報保護審議会会議録\n"
    "日時\n令和5年12月8日(金)午後1時30分から午後3時まで\n"
)


def test_chrome_never_gives_the_meeting_date() -> None:
    text, h = header(PAGE)
    assert h.held_on == date(2023, 12, 8)
    masked = chrome.mask(text)
    assert "2024" not in masked and "ページID" not in masked and "印刷する" not in masked
    assert "市政情報" not in masked
    assert len(masked) == len(text)


def test_breadcrumb_keeps_its_last_crumb_as_the_page_title() -> None:
    raw = "トップ > くらし > 審議会 > 第7回霞浦市個人情報保護審議会会議録\n掲載日:2021年4月2日\n令和3年3月1日(月曜)\n"
    _, h = header(raw)
    assert (h.body, h.session, h.held_on) == ("霞浦市個人情報保護審議会", 7, date(2021, 3, 1))


def test_date_then_update_word_is_chrome() -> None:
    _, h = header(
        "令和6年1月5日更新\n霞浦市個人情報保護審議会(第12回)議事録\n令和5年11月30日(木曜日)\n"
    )
    assert (h.held_on, h.session) == (date(2023, 11, 30), 12)


def test_site_menu_at_the_top_is_chrome() -> None:
    raw = "ホーム\nくらし・手続き\n会議録\n子育て・教育\n事業者の方へ\n霞浦市個人情報保護審査会\n答申第3号\n令和4年6月1日\n○○について(答申)\n"
    text = normalize([raw]).text
    masked = chrome.mask(text)
    assert "子育て" not in masked and "会議録" not in masked
    assert "霞浦市個人情報保護審査会" in masked
    assert doc_kind(text, 0) == DocKind.TOSHIN


def test_short_header_lines_are_no_menu() -> None:
    raw = "会議録\n日時\n場所\n出席者\n令和4年6月1日\n"
    text = normalize([raw]).text
    assert chrome.mask(text) == text


def test_tool_words_inside_content_are_kept() -> None:
    text = normalize(["説明資料を印刷する費用について質問があった。\n"]).text
    assert chrome.mask(text) == text


# --- body, municipality, counts --------------------------------------------------------

BODIES = [
    ("第1回霞浦市情報公開・個人情報保護審査会", "霞浦市情報公開・個人情報保護審査会", "霞浦市"),
    ("令和4年6月1日白峰県個人情報保護審議会全体会議議事録", "白峰県個人情報保護審議会", "白峰県"),
    (
        "白峰県個人情報保護審議会オンライン結合に係る部会議事録",
        "白峰県個人情報保護審議会オンライン結合に係る部会",
        "白峰県",
    ),
    ("十日町市個人情報保護審議会会議録", "十日町市個人情報保護審議会", "十日町市"),
    ("北海道霞浦市個人情報保護審議会会議録", "北海道霞浦市個人情報保護審議会", "霞浦市"),
    (
        "霞浦市長 山田太郎様霞浦市情報公開・個人情報保護審査会",
        "霞浦市情報公開・個人情報保護審査会",
        "霞浦市",
    ),
    ("個人情報保護審査会(第47回)会議", "個人情報保護審査会", None),
    ("第2回前橋市個人情報保護審査会会議録", "前橋市個人情報保護審査会", "前橋市"),
    ("新潟県個人情報保護審議会議事録", "新潟県個人情報保護審議会", "新潟県"),
]


@pytest.mark.parametrize("title, body, municipality", BODIES, ids=[b[1] for b in BODIES])
def test_body_and_municipality(title: str, body: str, municipality: str | None) -> None:
    _, h = header(title + "\n日時:令和4年6月1日\n")
    assert (h.body, h.municipality) == (body, municipality)


def test_council_named_in_quotes_among_others() -> None:
    raw = "二つの審議会を傍聴\n午後から「霞浦市情報公開審議会」と「霞浦市個人情報保護制度審議会」が開かれた。\n"
    _, h = header(raw, DocKind.SUMMARY)
    assert (h.body, h.municipality) == ("霞浦市個人情報保護制度審議会", "霞浦市")


def test_title_after_a_long_site_menu() -> None:
    menu = "".join(
        f"{w}\n"
        for w in ["くらし・手続き", "子育て・教育", "健康・福祉", "観光・文化", "事業者の方へ"] * 3
    )
    raw = menu + "第6回霞浦市個人情報保護審議会会議録\n日時:令和4年6月1日\n"
    _, h = header(raw)
    assert (h.body, h.session, h.municipality) == ("霞浦市個人情報保護審議会", 6, "霞浦市")


def test_an_executive_committee_in_the_header_is_not_the_council() -> None:
    raw = "個人情報保護審査会会議録\n日時:令和4年6月1日\n説明者 霞浦市教育委員会学校教育課\n"
    _, h = header(raw)
    assert h.body == "個人情報保護審査会"


def test_site_menu_words_do_not_decide_the_kind() -> None:
    raw = "議会会議録検索\n霞浦市個人情報保護審議会\n答申第3号\n令和4年6月1日\n霞浦市長 様\n○○について(答申)\n"
    assert doc_kind(normalize([raw]).text, 0) == DocKind.TOSHIN


def test_municipality_from_the_header_when_the_body_has_none() -> None:
    raw = "個人情報保護審査会会議録\n日時:令和4年6月1日\n議題\n霞浦市図書館システムのオンライン結合について\n"
    _, h = header(raw)
    assert (h.body, h.municipality) == ("個人情報保護審査会", "霞浦市")


def test_no_municipality_from_generic_or_department_words() -> None:
    raw = "第5回個人情報保護審議会議事録\n1.日時\n令和2年2月3日(月曜)\n出席者 市町村課長、生活環境部市民課長\n市庁舎3階会議室\n"
    _, h = header(raw)
    assert h.municipality is None


@pytest.mark.parametrize(
    "text, names",
    [
        ("姫野市長", ["姫野市"]),
        ("白峰県知事 山田太郎様", ["白峰県"]),
        ("東京都情報公開", ["東京都"]),
        ("宮崎県宮崎市個人情報", ["宮崎市"]),
        ("同市の取扱い", []),
        ("本市と当町と各区", []),
        (
            "新潟県、新宿区、前橋市、本庄市、各務原市",
            ["新潟県", "新宿区", "前橋市", "本庄市", "各務原市"],
        ),
        ("本庄市個人情報保護審議会", ["本庄市"]),
        ("杉原委員、西村委員、中村会長", []),  # surnames ending in 村 are people
        ("県立図書館と市町村立図書館", []),
    ],
)
def test_government_names(text: str, names: list[str]) -> None:
    assert [g[2] for g in government_names(text)] == names


@pytest.mark.parametrize(
    "title, term, session, fiscal",
    [
        ("令和3年度第2回霞浦市個人情報保護審議会", None, 2, 2021),
        ("第6期第9回霞浦市個人情報保護運営審議会会議要録", 6, 9, None),
        ("令和元年度霞浦市個人情報保護審議会運用状況報告", None, None, None),
        ("令和5年度霞審答第2号", None, None, 2023),
    ],
)
def test_counts_and_fiscal_year(
    title: str, term: int | None, session: int | None, fiscal: int | None
) -> None:
    _, h = header(title + "\n日時:令和4年6月1日\n")
    assert (h.term, h.session, h.fiscal_year) == (term, session, fiscal)


def test_toshin_date_is_its_own_not_the_consultations() -> None:
    raw = (
        "令和5年度霞審答第2号\n令和5年9月12日\n霞浦市長 山田 太郎 様\n霞浦市個人情報保護審査会\n"
        "会長 川上 一郎\n○○業務の委託について(答申)\n令和5年7月3日付け霞総第12号で諮問のありました件について答申します。\n"
    )
    _, h = header(raw, DocKind.TOSHIN)
    assert (h.held_on, h.start_time, h.municipality) == (date(2023, 9, 12), None, "霞浦市")


# --- the kind of document ------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, turns, kind",
    [
        ("第3回霞浦市個人情報保護審議会会議録\n日時:令和4年6月1日\n", 0, DocKind.MINUTES),
        ("第3回霞浦市個人情報保護審議会 審議結果\n議題と結果\n", 0, DocKind.SUMMARY),
        (
            "第3回霞浦市個人情報保護審議会審議結果\n日時\n令和4年6月1日\n議事録全文\n(会長)開会します。\n",
            0,
            DocKind.MINUTES,
        ),
        (
            "第58回審議の概要\n第58回白峰県個人情報保護審議会 会議の概要\n確認資料 第57回議事録\n",
            0,
            DocKind.SUMMARY,
        ),
        ("霞浦市情報公開・個人情報保護審査会\n4 審査会の経過\n(1)会長挨拶\n", 0, DocKind.MINUTES),
        ("答申第7号\n令和4年6月1日\n霞浦市長 様\n○○について(答申)\n", 0, DocKind.TOSHIN),
        ("審議会を傍聴して\n「霞浦市個人情報保護審議会」が開かれた。\n", 0, DocKind.SUMMARY),
        ("お探しのページは見つかりませんでした。\n", 0, DocKind.OTHER),
        # the designation decides over lines that read as turns (a results page's Q/A); a
        # heading of the minutes themselves (議事録全文, above) still makes it minutes
        ("第3回霞浦市個人情報保護審議会 審議結果\n", 5, DocKind.SUMMARY),
        ("第3回霞浦市個人情報保護審議会\n", 5, DocKind.MINUTES),
    ],
)
def test_doc_kind(raw: str, turns: int, kind: str) -> None:
    assert doc_kind(normalize([raw]).text, turns) == kind


# --- hostile input ------------------------------------------------------------------------------

HOSTILE = [
    "",
    " ",
    "\n\n\n",
    "\u3000\t\u3000",
    "日時",
    "日時:\n場所:\n傍聴者:\n",
    "開催日時\n開催場所\n傍聴者\n",
    "> > > >",
    "更新日:令和5年4月1日\nページID:1\n印刷する\n",
    "日時:令和99年13月45日 99時99分~88時",
    "傍聴者:" + "9" * 40 + "名",
    "審議会" * 2000,
    "市" * 5000,
    "第" + "1" * 300 + "回" + "霞浦市" * 50 + "個人情報保護審議会",
    "\x00\x01\x02日時\x7f:令和3年",
    "<script>alert(1)</script>日時:令和3年1月1日",
    "|" * 500 + "\n" + "\t" * 500,
]


@pytest.mark.parametrize("raw", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_headers(raw: str) -> None:
    text = normalize([raw]).text
    for kind in (DocKind.MINUTES, DocKind.TOSHIN):
        h = extract_header(text, kind)
        for key, (s, e) in h.spans.items():
            assert 0 <= s <= e <= len(text), key
        assert h.observers is None or 0 <= h.observers
        assert h.start_time is None or isinstance(h.start_time, time)
    assert doc_kind(text, 0) in set(DocKind)


def test_impossible_dates_and_times_give_nothing() -> None:
    _, h = header("日時:令和99年13月45日 99時99分~88時\n")
    assert (h.held_on, h.start_time, h.end_time) == (None, None, None)


# --- the vocabularies ----------------------------------------------------------------------------


def test_vocabularies_are_clean() -> None:
    labels = header_labels()
    assert {"日時", "場所", "傍聴者", "とき", "ところ"} <= set(labels)
    words = page_chrome_words()
    assert {"更新日", "ページID", "印刷する"} <= set(words)
    for vocab in (labels, words, place_words()):
        assert all(w and w == w.strip() for w in vocab)


@pytest.mark.parametrize(
    "line, kept",
    [
        ("ホーム » 組織 » 総務課 » 第3回審議会会議録", "第3回審議会会議録"),
        ("トップ › 市政 › 審議会 › 会議録", "会議録"),
        ("ページ番号:23629", ""),
        ("印刷用ページを表示する", ""),
        ("令和5(2023)年4月21日更新", ""),
        ("公開日 2023年04月21日 ページID 1234 印刷する", ""),
        ("件数は A > B であった。", "件数は A > B であった。"),  # one sign is no breadcrumb
        ("委員 > " + "長い発言" * 20 + " > 続き", "委員 > " + "長い発言" * 20 + " > 続き"),
        ("更新日時点の情報を確認した。", "更新日時点の情報を確認した。"),  # no date follows
    ],
)
def test_chrome_shapes(line: str, kept: str) -> None:
    text = normalize([line]).text
    want = normalize([kept]).text if kept else ""
    assert chrome.mask(text).strip() == want


PREFECTURES = (
    "北海道 青森県 岩手県 宮城県 秋田県 山形県 福島県 茨城県 栃木県 群馬県 埼玉県 千葉県 東京都 神奈川県 "
    "新潟県 富山県 石川県 福井県 山梨県 長野県 岐阜県 静岡県 愛知県 三重県 滋賀県 京都府 大阪府 兵庫県 "
    "奈良県 和歌山県 鳥取県 島根県 岡山県 広島県 山口県 徳島県 香川県 愛媛県 高知県 福岡県 佐賀県 長崎県 "
    "熊本県 大分県 宮崎県 鹿児島県 沖縄県"
).split()
# cities, wards, towns and villages whose names are hard for a pattern: a suffix character
# inside the name (市川市, 四日市市, 十日町市, 東村山市), kana (さいたま市), one kanji (堺市)
LOCAL = (
    "札幌市 さいたま市 横浜市 相模原市 堺市 北九州市 練馬区 千代田区 中央区 八王子市 町田市 四日市市 "
    "廿日市市 十日町市 大町市 市川市 市原市 村上市 野々市市 東村山市 武蔵村山市 檜原村 日の出町 "
    "小笠原村 府中市 いわき市 ひたちなか市 かすみがうら市 三宅村 余市町"
).split()


@pytest.mark.parametrize("name", PREFECTURES + LOCAL)
def test_every_prefecture_and_awkward_local_names(name: str) -> None:
    assert [g[2] for g in government_names(f"第3回{name}個人情報保護審議会")] == [name]


def test_a_browser_print_stamp_is_chrome_not_the_meeting_date() -> None:
    """Issue 23: the print date a browser writes over a page (`2026/12/03 10:15 <title>`)
    was read as the meeting date of a page that gives none in its header."""
    raw = "2026/12/03 10:15 会議録 - 霞浦市\n霞浦市個人情報保護審議会 会議録\n審議会を傍聴しました。\n"
    text, h = header(raw)
    assert h.held_on is None
    assert "2026" not in chrome.mask(text)


def test_an_official_after_a_group_label_is_highlighted_where_named() -> None:
    """Issue 23: `(事務局)総務部長` gave the attendee 総務部長 the span of `(事務局`."""
    raw = "霞浦市個人情報保護審議会 会議録\n日時\n令和3年3月1日(月曜)\n出席者\n会長 山田太郎、委員 佐藤一郎\n(事務局)総務部長、総務課長\n"
    text, h = header(raw)
    spans = {name: text[s:e] for name, _, _, _, s, e in h.attendees}
    assert spans["総務部長"] == "総務部長" and spans["総務課長"] == "総務課長", spans
    assert all(text[s:e].startswith(name) for name, _, _, _, s, e in h.attendees), spans
