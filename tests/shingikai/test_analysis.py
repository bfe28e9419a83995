"""Views, search, export and show on a warehouse built from the samples."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile

import duckdb
import pytest

from shingikai.warehouse import connect_readonly
from tests.conftest import ROOT
from tests.sample_warehouse import build

VIEWS = [
    "consultations_with_meeting",
    "contractors_multi_municipality",
    "item_frequency",
    "outcomes_by_municipality_year",
    "incidents",
    "unmapped_values",
    "data_flows",
    "meetings_once",
    # history across documents (issue 21)
    "consultation_history",
    "consultations_final",
    "consultation_links_to_review",
    # researchers' corrections (issue 22)
    "corrected_values",
    "consultation_value_origins",
]


@pytest.fixture(scope="session")
def db(tmp_path_factory):
    return build(tmp_path_factory)


def cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shingikai.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_views_exist_and_agree_with_tables(db):
    con = connect_readonly(db)
    for v in VIEWS:
        con.execute(f"SELECT * FROM {v}").fetchall()
    n = con.execute("SELECT count(*) FROM consultations").fetchone()[0]
    assert con.execute("SELECT count(*) FROM consultations_with_meeting").fetchone()[0] == n
    assert (
        con.execute("SELECT sum(n_consultations) FROM outcomes_by_municipality_year").fetchone()[0]
        == n
    )
    assert (
        con.execute(
            "SELECT count(*) FROM consultations_with_meeting WHERE year IS NULL"
        ).fetchone()[0]
        == 0
    )
    assert (
        con.execute("SELECT count(*) FROM incidents").fetchone()[0]
        == con.execute("SELECT count(*) FROM reports WHERE is_incident").fetchone()[0]
    )
    assert (
        con.execute("SELECT sum(n_mentions) FROM item_frequency").fetchone()[0]
        == con.execute("SELECT count(*) FROM data_items").fetchone()[0]
    )
    assert (
        con.execute("SELECT sum(n_mentions) FROM unmapped_values").fetchone()[0]
        == con.execute("SELECT count(*) FROM data_items WHERE NOT in_vocabulary").fetchone()[0]
    )
    # the multi-municipality view: every listed contractor really reaches >1 municipality
    expected = {
        r[0]
        for r in con.execute(
            "SELECT ct.name_normalized FROM contractors ct JOIN consultations_with_meeting c USING (consultation_id) "
            "WHERE ct.kind <> 'unnamed' GROUP BY 1 HAVING count(DISTINCT c.meeting_municipality) > 1"
        ).fetchall()
    }
    got = con.execute(
        "SELECT name_normalized, n_municipalities, municipalities, data_items "
        "FROM contractors_multi_municipality"
    ).fetchall()
    assert {g[0] for g in got} == expected
    for _, k, places, items in got:
        assert k == len(places) > 1 and isinstance(items, list)
    con.close()


def test_contractors_multi_municipality_finds_shared_contractor(fresh_db):
    con = fresh_db
    con.execute(
        "INSERT INTO meetings (document_id, municipality, held_on) VALUES ('d1', 'A市', '2020-01-01'), ('d2', 'B町', '2021-02-02')"
    )
    con.execute(
        "INSERT INTO consultations (consultation_id, document_id, municipality, categories, outcome, has_conditions, start_char, end_char) "
        "VALUES ('c1', 'd1', 'A市', ['outsourcing'], 'approved', false, 0, 1), ('c2', 'd2', 'B町', ['outsourcing'], 'approved', false, 0, 1), "
        "('c3', 'd2', 'B町', ['outsourcing'], 'deferred', false, 0, 1)"
    )
    con.execute(
        "INSERT INTO contractors VALUES ('c1', 'X社', '株式会社X', 'company', 0, 1, 'd1', 'sheet'), "
        "('c2', 'X', '株式会社X', 'company', 0, 1, 'd2', 'sheet'), ('c3', 'Y', '株式会社Y', 'company', 0, 1, 'd2', 'sheet')"
    )
    con.execute(
        "INSERT INTO data_items VALUES ('c1', '氏名', '氏名', 'identity', 0, 1, 'd1', true), "
        "('c2', '住所', '住所', 'contact', 0, 1, 'd2', true), ('c3', '病歴', '病歴', 'health', 0, 1, 'd2', false)"
    )
    rows = con.execute(
        "SELECT name_normalized, municipalities, data_items, n_consultations FROM contractors_multi_municipality"
    ).fetchall()
    assert rows == [("株式会社X", ["A市", "B町"], ["住所", "氏名"], 2)]
    assert con.execute("SELECT value, n_mentions FROM unmapped_values").fetchall() == [("病歴", 1)]
    assert con.execute(
        "SELECT municipality, year, outcome, n_consultations FROM outcomes_by_municipality_year "
        "ORDER BY 1, 2, 3"
    ).fetchall() == [
        ("A市", 2020, "approved", 1),
        ("B町", 2021, "approved", 1),
        ("B町", 2021, "deferred", 1),
    ]


def test_search_finds_utterances_and_titles(db):
    from shingikai.search import search

    con = connect_readonly(db)
    title = con.execute(
        "SELECT title FROM consultations WHERE title LIKE '%業務委託%' LIMIT 1"
    ).fetchone()
    con.close()
    assert title, "samples should have a consultation about 業務委託"
    hits = search(db, "委託", limit=1000)
    kinds = {h.kind for h in hits}
    assert "consultation" in kinds and "utterance" in kinds
    assert all("委託" in h.text for h in hits)
    assert all(h.source_path and h.held_on for h in hits)
    # every query word must be present
    both = search(db, "個人情報 委託先")
    assert both and all("個人情報" in h.text and "委託先" in h.text for h in both)
    assert search(db, "存在しない語彙ゾウリムシ") == []
    run = cli("search", "委託先", "--db", str(db))
    assert run.returncode == 0, run.stderr
    assert (
        "【委託先】" in run.stdout
        and "samples/" in run.stdout
        and re.search(r"\d{4}-\d{2}-\d{2}", run.stdout)
    )


def test_search_keywords_are_the_content_words_in_any_order(db):
    from shingikai.search import query_tokens, search

    assert query_tokens("個人情報の委託") == [
        ("個人情報", "個人情報"),
        ("委託", "委託"),
    ]  # particles dropped
    hits = search(db, "個人情報の委託")
    assert hits and all("個人情報" in h.text and "委託" in h.text for h in hits)


def test_export_parquet_and_csv(db, tmp_path):
    con = connect_readonly(db)
    names = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name='main' "
            "AND database_name = current_database()"
        ).fetchall()
    }
    names |= set(VIEWS)
    counts = {n: con.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}
    con.close()
    for fmt in ("parquet", "csv"):
        out = tmp_path / fmt
        run = cli("export", "--format", fmt, str(out), "--db", str(db))
        assert run.returncode == 0, run.stderr
        files = {p.stem for p in out.glob(f"*.{fmt}")}
        assert files == names
        reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
        mem = duckdb.connect()
        for n in names:
            assert (
                mem.execute(f"SELECT count(*) FROM {reader}('{out / (n + '.' + fmt)}')").fetchone()[
                    0
                ]
                == counts[n]
            ), n
    # the warehouse itself is untouched and still openable read-only by others during export
    connect_readonly(db).close()


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _chrome(*args: str) -> subprocess.CompletedProcess[str]:
    exe = _chromium()
    assert exe
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )


def test_show_html_highlights(db, tmp_path):
    con = connect_readonly(db)
    doc_id, path, text = con.execute(
        "SELECT d.document_id, d.source_path, t.text FROM documents d JOIN document_texts t USING (document_id) "
        "WHERE d.document_id IN (SELECT document_id FROM contractors) ORDER BY 2 LIMIT 1"
    ).fetchone()
    contractors = con.execute(
        "SELECT consultation_id, start_char, end_char FROM contractors WHERE document_id = ?",
        [doc_id],
    ).fetchall()
    n_items = con.execute(
        "SELECT count(*) FROM data_items WHERE document_id = ?", [doc_id]
    ).fetchone()[0]
    con.close()
    out = tmp_path / "show.html"
    run = cli("show", doc_id[:10], "--db", str(db), "--out", str(out))
    assert run.returncode == 0, run.stderr
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and "http" not in page.split("<body", 1)[1]  # self-contained
    # by source path too
    assert cli("show", path, "--db", str(db), "--out", str(tmp_path / "b.html")).returncode == 0
    assert (
        cli("show", "zzzz-no-such", "--db", str(db), "--out", str(tmp_path / "c.html")).returncode
        == 2
    )

    from shingikai.show import Span, highlight

    # overlapping spans are split into well-formed nested marks
    html_ = highlight(
        "abcdef",
        [Span("s-1", 0, 4, "a", "t", "r", "c", "v"), Span("s-2", 2, 6, "b", "t", "r", "c", "v")],
    )
    assert html_.count("<mark") == html_.count("</mark>") == 4
    assert re.sub(r"<[^>]+>", "", html_) == "abcdef"

    if _chromium() is None:
        pytest.skip(
            "no chromium binary on PATH (install the Debian package `chromium`); HTML checked without a browser only"
        )
    dom = _chrome("--dump-dom", out.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    assert (
        re.sub(r"<[^>]+>", "", rendered.split('<pre class="doc">', 1)[1].split("</pre>", 1)[0])
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        == text
    )
    contractor_marks = re.findall(
        r'<mark id="(s-\d+)" data-label="contractor"[^>]*data-consultation="([^"]*)"', rendered
    )
    assert len(contractor_marks) == len(contractors)
    assert {c for _, c in contractor_marks} == {c[0] for c in contractors}
    assert len(re.findall(r'<mark id="s-\d+" data-label="data_item"', rendered)) == n_items
    for sid, _ in contractor_marks:
        assert f'href="#{sid}"' in rendered
    art = ROOT / "tests" / "artifacts"
    art.mkdir(exist_ok=True)
    shot = _chrome(f"--screenshot={art / 'show.png'}", "--window-size=1200,1600", out.as_uri())
    assert shot.returncode == 0, shot.stderr[-2000:]
    assert (art / "show.png").stat().st_size > 10_000
