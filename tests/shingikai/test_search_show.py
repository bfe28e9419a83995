"""search counts and marks every hit; show finds a file as ingested, marks pages, links the source, lists copies."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import replace
from pathlib import Path

import pytest

from models.records import DocumentLocation, DocumentText
from shingikai.cli.main import main
from shingikai.fetch import Fetcher, Refused
from shingikai.search import search_counted, snippet
from shingikai.show import find_document, render
from shingikai.warehouse import Writer, connect_readonly, load
from tests.shingikai.test_copies import PDF, minutes

PAGE1 = "諮問第12号 件名12 株式会社みらい 氏名\n"
PAGE2 = "諮問第13号 件名13 株式会社みらい 氏名 の外部委託について\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    """A raw folder with one text file, and a warehouse holding it, its PDF copy and another meeting."""
    root = tmp_path_factory.mktemp("search")
    raw = root / "data" / "raw" / "samples"
    raw.mkdir(parents=True)
    source = raw / "x.txt"
    source.write_text(PAGE1 + PAGE2, encoding="utf-8")
    doc_id = hashlib.sha256(source.read_bytes()).hexdigest()
    text = PAGE1 + PAGE2
    seed = replace(
        minutes(doc_id, "samples/x.txt"),
        text=DocumentText(document_id=doc_id, text=text, page_starts=[0, len(PAGE1)]),
    )
    db = root / "w.ducklake"
    with Writer(db) as writer:
        con = writer.con
        load(con, seed)
        load(con, replace(PDF, document=replace(PDF.document, document_id="b" * 64)))
        load(con, minutes("9" * 64, "samples/y.txt", municipality="霧ヶ谷町", numbers=(1, 2, 3)))
    return db, source


def test_search_counts_all_hits_and_names_the_municipality(corpus):
    db, _ = corpus
    hits, total = search_counted(db, "件名", limit=2)
    # 2 titles of the first meeting (its PDF copy skipped) + 3 of the other
    assert total == 5 and len(hits) == 2
    items, n = search_counted(db, "氏名", limit=50)
    assert n == 2 and {h.kind for h in items} == {"data_item"}
    assert {h.municipality for h in items} == {"楓原市", "霧ヶ谷町"}
    named, _ = search_counted(db, "みらい", limit=50)
    assert {h.kind for h in named} == {"contractor"}


def test_search_listing_says_how_many_were_left_out(corpus, capsys):
    db, _ = corpus
    assert main(["search", "件名", "--db", str(db), "-n", "1"]) == 0
    out = capsys.readouterr().out
    assert "(1 of 5 hits shown" in out and "楓原市" in out


def test_snippet_marks_every_term():
    text = "委員から外部委託について質問があり、個人情報の管理と委託先の監督について説明した。"
    marked = snippet(text, ["委託", "個人情報"])
    assert marked.count("【委託】") == 2 and "【個人情報】" in marked


def test_show_finds_the_file_as_ingested_with_pages_link_and_copies(corpus, tmp_path, monkeypatch):
    db, source = corpus
    monkeypatch.chdir(source.parents[3])  # the folder holding data/raw
    con = connect_readonly(db)
    for ref in ("data/raw/samples/x.txt", "./data/raw/samples/x.txt", str(source), "samples/x.txt"):
        assert find_document(con, ref)[1] == "samples/x.txt", ref
    con.close()
    page, doc_id, _ = render(db, "data/raw/samples/x.txt")
    assert '<span class="page" id="p-2">p. 2</span>' in page
    assert f'href="{source.resolve().as_uri()}"' in page, page[page.index('class="source"') :][:300]
    assert "2 files record this meeting" in page and "pdf/x.pdf" in page
    assert main(["show", "data/raw/samples/x.txt", "--db", str(db)]) == 0
    assert (Path("data/show") / f"{doc_id[:12]}.html").is_file()


def test_show_default_folder_is_git_ignored():
    from tests.conftest import ROOT

    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert "data/show/" in ignored and "notebooks/figures/" in ignored


def test_fetch_gives_up_at_once_when_the_host_does_not_resolve():
    fetcher = Fetcher(delay=0, retries=3, backoff=2.0, timeout=5)
    started = time.monotonic()
    with pytest.raises(Refused, match="cannot resolve"):
        fetcher.get("http://no-such-host.invalid/index.html")
    assert time.monotonic() - started < 2  # no 2 + 4 + 8 s of retries
    fetcher.close()


def test_search_finds_substrings_and_a_legal_form_however_written(tmp_path):
    """USB in USBメモリ, 個人 in 個人情報, and 株式会社みらい as (株)みらい (Sudachi keeps each of
    those as one word, and a search by words found none of them)."""
    doc = minutes("7" * 64, "samples/z.txt", numbers=(21,))
    doc = replace(
        doc,
        contractors=[replace(c, name="(株)みらい") for c in doc.contractors],
        data_items=[replace(d, item="USBメモリ内の個人情報") for d in doc.data_items],
    )
    db = tmp_path / "w.ducklake"
    with Writer(db) as writer:
        load(writer.con, doc)
    for query, kind, marked in [
        ("USB", "data_item", {"USB"}),
        ("個人", "data_item", {"個人"}),
        ("株式会社みらい", "contractor", {"(株)", "みらい"}),
        ("㈱みらい", "contractor", {"(株)", "みらい"}),
        ("（株）みらい", "contractor", {"(株)", "みらい"}),
    ]:
        hits, total = search_counted(db, query)
        assert total == 1 and hits[0].kind == kind, (query, hits)
        assert set(re.findall("【(.*?)】", hits[0].snippet)) == marked, (query, hits[0].snippet)
    assert search_counted(db, "有限会社みらい")[1] == 0  # another legal form: another company
    assert search_counted(db, "(有)みらい")[1] == 0


def test_show_links_the_source_where_ingest_found_it_from_any_folder(tmp_path, monkeypatch):
    """The page linked a file only relative to the current folder or data/raw, and said
    "is not on this machine" of a file ingest had read from elsewhere (document_locations)."""
    root = tmp_path / "archive" / "2024"
    root.mkdir(parents=True)
    source = root / "x.txt"
    source.write_text(PAGE1 + PAGE2, encoding="utf-8")
    doc_id = hashlib.sha256(source.read_bytes()).hexdigest()
    seed = replace(
        minutes(doc_id, "2024/x.txt"),
        text=DocumentText(document_id=doc_id, text=PAGE1 + PAGE2, page_starts=[0, len(PAGE1)]),
    )
    db = tmp_path / "w.ducklake"
    with Writer(db) as writer:
        load(writer.con, seed, [DocumentLocation(str(root), "x.txt", doc_id, "2024/x.txt")])
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    page, _, _ = render(db, doc_id[:12])
    assert f'href="{source.resolve().as_uri()}"' in page
    assert "is not on this machine" not in page
    source.write_text("other bytes", encoding="utf-8")  # changed since: not this document's file
    page, _, _ = render(db, doc_id[:12])
    assert "source file 2024/x.txt is not on this machine" in page


def _lab(colour: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB `#rrggbb`."""
    rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    xyz = (
        (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047,
        0.2126 * r + 0.7152 * g + 0.0722 * b,
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883,
    )
    x, y, z = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz]
    return 116 * y - 16, 500 * (x - y), 200 * (y - z)


def test_show_colours_are_told_apart_and_labels_never_break_mid_word(corpus):
    """Issue 23: legend colours were hard to tell apart (nine header fields shared one
    default, outcome and outcome_text one colour) and labels wrapped mid-word."""
    import itertools
    import math

    from shingikai.show import COLORS, CSS

    for (f1, c1), (f2, c2) in itertools.combinations(COLORS.items(), 2):
        assert math.dist(_lab(c1), _lab(c2)) >= 15, (f1, c1, f2, c2)
    assert all(_lab(c)[0] >= 65 for c in COLORS.values())  # black text stays legible
    db, _ = corpus
    page, _, _ = render(db, "samples/x.txt")
    legend = re.search(r'<p class="legend">(.*?)</p>', page).group(1)
    shown = dict(re.findall(r'<span style="background:(#[0-9a-f]{6})">([^<]+)</span>', legend))
    assert len(shown) >= 3 and set(shown) <= set(COLORS.values())
    rules = dict(re.findall(r"^(\S[^{]*)\{([^}]*)\}", CSS, re.M))
    assert "break-all" not in CSS  # a Latin word or a label broke at any letter
    assert "white-space:nowrap" in rules["mark[data-label]::before"]
    assert "white-space:nowrap" in rules[".legend span"]
