"""Copies of one document have one content digest, whatever their layout (issue 23).

Invented documents: a council's page as its text, and as the same page printed by a
browser (lines broken elsewhere, blank lines gone, other bullets and spaces, the browser's
header with the print time and page title, its footer with the address and page count).
"""

from __future__ import annotations

import re

from extractors.content import content_digest
from extractors.pipeline import extract_bytes
from shingikai.warehouse import load, memory_warehouse

MINUTES = """楓原市個人情報保護審議会 会議録

日時
令和6年5月20日(月曜日) 午後2時から午後3時30分まで

場所
楓原市役所 第二会議室

議題
(1)諮問事項
・図書館システムと電子書籍サービスの電子計算機処理による結合について
・避難所受付業務に係る個人情報の記録項目の設定について

会議の結果
図書館システムについて、担当課から資料により説明があり、委員からは保管先の安全性について質問があった。
担当課からは、委託先のデータセンターが第三者認証を受けており、通信は暗号化されているとの回答があった。
審議の結果、原案のとおり承認された。
"""

# a council member's report that names neither the municipality nor the date of the meeting
BLOG = """二つの審議会を傍聴して

午後から情報公開の審議会と個人情報保護の審議会が続けて開かれ、今年度から傍聴できることになったので、どちらも傍聴しました。
情報公開の審議会では、昨年度の開示請求の件数と決定の状況が報告されました。全部開示が三件、一部開示が九件でした。
個人情報保護の審議会では、個人情報取扱事務の届出の状況が報告され、審議会の意見を求める事項は該当なしとのことでした。
"""


def printed(text: str, every: int = 3) -> str:
    """`text` as a browser prints it and a PDF reader reads it back: blank lines and leading
    spaces gone, every `every`-th line run into the next (a line taken for a wrap), bullets
    drawn as •, a header with the print time and the page title and a footer with the
    address and the page count."""
    body: list[str] = []
    for i, line in enumerate(s for s in text.splitlines() if s.strip()):
        line = line.strip().replace("・", "• ")
        if body and i % every == 1:
            body[-1] += line
        else:
            body.append(line)
    header = "2026/12/03 10:15     会議録 - 楓原市"
    footer = "https://www.city.kaedehara.example/k/12.html   1/1"
    return "\n".join([header, *body, footer])


def test_a_page_and_its_print_have_one_digest() -> None:
    for text in (MINUTES, BLOG):
        assert content_digest(text) is not None
        assert content_digest(printed(text)) == content_digest(text)
        assert content_digest(printed(text, 2)) == content_digest(text)
    # another word is another document; a header alone says too little
    assert content_digest(MINUTES.replace("承認", "否決")) != content_digest(MINUTES)
    assert content_digest(MINUTES) != content_digest(BLOG)
    assert content_digest("会議録\n日時\n令和6年5月20日") is None


def test_a_text_copy_of_a_paginated_original_keeps_page_numbers_that_do_not_count() -> None:
    numbered = re.sub(r"\n会議の結果\n", "\n- 1 -\n会議の結果\n", MINUTES)
    assert numbered != MINUTES
    assert content_digest(numbered) == content_digest(MINUTES)


def test_copies_through_extraction_are_one_meeting() -> None:
    """Through extraction and loading: the page and its print are one meeting, also when the
    header names no municipality and no date (the blog: no key of its own)."""
    con = memory_warehouse()
    for name, text in (("minutes", MINUTES), ("blog", BLOG)):
        for suffix, body in ((".txt", text), ("_print.txt", printed(text))):
            load(con, extract_bytes(body.encode(), f"web/{name}{suffix}"))
    rows = con.execute(
        "SELECT source_path, content_digest, meeting_key, duplicate_of FROM documents ORDER BY 1"
    ).fetchall()
    (blog, blog_print, minutes, minutes_print) = rows
    assert blog[1] == blog_print[1] and minutes[1] == minutes_print[1], rows
    assert blog[2] == blog_print[2] == "content | " + blog[1]
    assert minutes[2] == minutes_print[2] and minutes[2].startswith("楓原市 | ")
    assert con.execute("SELECT count(*) FROM meetings_once").fetchone()[0] == 2
