"""One 諮問 followed across meetings to its 答申 (issue 21): `consultations.consultation_key`.

Invented multi-meeting sequences, loaded as hand-made records so that they run in a moment,
link exactly as written: numbers that restart each fiscal year, a 答申 that names only the
title, two councils of one city using the same numbers, a withdrawn 諮問, a row that fits two
histories (linked to neither, listed for review), and never a link across local governments.
Batches loaded in random orders give the links a full recomputation gives.
tests/shingikai/test_history_corpus.py checks the development set.
"""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.records import (
    Consultation,
    Contractor,
    DataItem,
    Document,
    DocumentText,
    Extraction,
    Meeting,
)
from shingikai.warehouse import load_many, memory_warehouse
from shingikai.warehouse.history import asked_date, link_all, normalise_council

CITY = "楓原市"
COUNCIL = "楓原市個人情報保護審議会"
OTHER_COUNCIL = "楓原市情報公開審査会"


def doc(
    name: str,
    held_on: date,
    items: list[tuple[int | None, str | None, str, str | None]],
    *,
    municipality: str = CITY,
    body: str | None = COUNCIL,
    kind: str = "minutes",
    contractor: str | None = None,
) -> Extraction:
    """A document `name` recording consultations (number, title, outcome, outcome_text)."""
    doc_id = f"{name:0<64}"[:64]
    consultations, contractors, data_items = [], [], []
    for i, (number, title, outcome, outcome_text) in enumerate(items):
        cid = f"{name}-c{i + 1:02d}"
        consultations.append(
            Consultation(
                consultation_id=cid,
                document_id=doc_id,
                municipality=municipality,
                number=number,
                number_text=f"諮問第{number}号" if number is not None else None,
                title=title,
                department=None,
                categories=["external_provision"],
                outcome=outcome,
                outcome_text=outcome_text,
                vote=None,
                dissent=None,
                has_conditions=False,
                start_char=10 * i,
                end_char=10 * i + 5,
                page=1,
            )
        )
        if contractor:
            contractors.append(
                Contractor(
                    cid, contractor, contractor, "company", 10 * i, 10 * i + 2, doc_id, "sheet"
                )
            )
            data_items.append(
                DataItem(cid, "氏名", "氏名", "identity", 10 * i + 2, 10 * i + 4, doc_id, True)
            )
    return Extraction(
        document=Document(
            document_id=doc_id,
            source_path=f"invented/{name}.txt",
            file_type="text",
            encoding="utf-8",
            status="ok",
            error=None,
            doc_kind=kind,
            municipality=municipality,
            n_pages=1,
            n_chars=100,
            extractor_version="test",
        ),
        meeting=Meeting(
            document_id=doc_id,
            municipality=municipality,
            body=body,
            term=None,
            session=None,
            fiscal_year=None,
            held_on=held_on,
            start_time=None,
            end_time=None,
            place=None,
            observers=None,
        ),
        text=DocumentText(doc_id, "。" * 100, [0]),
        consultations=consultations,
        contractors=contractors,
        data_items=data_items,
    )


LIBRARY = "図書館システムの運用業務の委託について"
NURSERY = "保育所入所事務に係る保有個人情報の外部提供について"
CAMERA = "防犯カメラの設置に伴う個人情報の収集について"
TAX = "市税の賦課事務に係る保有個人情報の目的外利用について"
SURVEY = "市民意識調査の実施に係る住民基本台帳情報の目的外利用について"
COPIES = "住民票の写し等の交付事務の委託について"
CARE = "介護保険事務に係る保有個人情報の外部提供について"
SCHOOL = "就学援助事務に係る課税情報の目的外利用について"

# Each document, and the histories it must give: sets of consultation ids written as
# "<document>-c<n>".
SEQUENCES = [
    # council A numbers its 諮問 afresh each fiscal year (第1号 again in 2022)
    doc("a21may", date(2021, 5, 10), [(1, LIBRARY, "unknown", None), (2, TAX, "unknown", None)]),
    doc(
        "a21jun",
        date(2021, 6, 14),
        [(1, LIBRARY, "approved", "原案のとおり承認"), (2, TAX, "deferred", "継続審議とする")],
        contractor="株式会社みらい",
    ),
    doc("a21sep", date(2021, 9, 13), [(2, TAX, "approved", "承認")]),
    doc("a21dec", date(2021, 12, 13), [(4, COPIES, "unknown", None)]),
    # submitted in March, decided in April: across the change of fiscal year, same number and title
    doc("a22mar", date(2022, 3, 14), [(5, CARE, "unknown", None)]),
    doc("a22apr", date(2022, 4, 18), [(5, CARE, "approved", "承認")]),
    doc(
        "a22may",
        date(2022, 5, 9),
        [
            (1, NURSERY, "unknown", None),
            (2, CAMERA, "unknown", None),
            # 第4号 without its title: the council restarts numbers, so not 2021's 第4号
            (4, None, "unknown", None),
        ],
    ),
    doc(
        "a22jun",
        date(2022, 6, 13),
        [
            (1, NURSERY, "deferred", "次回に継続して審議する"),
            (2, CAMERA, "withdrawn", "取り下げ"),
            (4, SCHOOL, "unknown", None),  # 2022's 第4号, not 2021's
        ],
    ),
    doc(
        "a22jul",
        date(2022, 7, 11),
        [(1, NURSERY, "approved", "承認"), (3, CAMERA, "unknown", None)],
    ),
    # the 答申 names only the title, and when it was asked
    doc(
        "a22aug-toshin",
        date(2022, 8, 1),
        [
            (
                None,
                "「" + NURSERY + "」",
                "approved",
                "令和4年5月9日付けで諮問のあった標記のことについては、適当と認めます。",
            )
        ],
        kind="toshin",
    ),
    # the answer confirmed (答申書の確認) at the next meeting, by title only
    doc(
        "a22sep",
        date(2022, 9, 12),
        [(None, CAMERA, "approved", "答申案のとおり承認された")],
    ),
    # another council of the same city, with its own 諮問第1号 in the same months
    doc(
        "b22may",
        date(2022, 5, 20),
        [(1, SURVEY, "unknown", None)],
        body=OTHER_COUNCIL,
        contractor="株式会社きぼう",
    ),
    doc("b22jun", date(2022, 6, 24), [(1, SURVEY, "approved", "適当と認める")], body=OTHER_COUNCIL),
    # a page that names no council: 第1号 fits both councils' histories, so neither
    doc("x22jun", date(2022, 6, 20), [(1, None, "unknown", None)], body=None),
    # another local government, same council name, numbers, titles and dates: never linked
    doc(
        "c22may",
        date(2022, 5, 9),
        [(1, NURSERY, "unknown", None)],
        municipality="霞浦市",
        body="霞浦市個人情報保護審議会",
    ),
    doc(
        "c22jun",
        date(2022, 6, 13),
        [(1, NURSERY, "approved", "承認")],
        municipality="霞浦市",
        body="霞浦市個人情報保護審議会",
    ),
]

HISTORIES = [
    {"a21may-c01", "a21jun-c01"},
    {"a21may-c02", "a21jun-c02", "a21sep-c01"},
    {"a21dec-c01"},
    {"a22mar-c01", "a22apr-c01"},
    {"a22may-c03", "a22jun-c03"},
    {"a22may-c01", "a22jun-c01", "a22jul-c01", "a22aug-toshin-c01"},
    {"a22may-c02", "a22jun-c02"},  # withdrawn: the same subject resubmitted is another 諮問
    {"a22jul-c02", "a22sep-c01"},  # the resubmitted one (第3号), confirmed by title
    {"b22may-c01", "b22jun-c01"},
    {"x22jun-c01"},
    {"c22may-c01", "c22jun-c01"},
]

STAGES = {
    "a21may-c01": "submitted",
    "a21jun-c01": "deliberated",
    "a21jun-c02": "deferred",
    "a21sep-c01": "deliberated",
    "a22jun-c01": "deferred",
    "a22aug-toshin-c01": "answered",
    "a22sep-c01": "confirmed",
    "a22jun-c02": "deliberated",
}


def histories(con) -> list[set[str]]:
    groups: dict[str, set[str]] = {}
    for cid, key in con.execute(
        "SELECT consultation_id, consultation_key FROM consultations"
    ).fetchall():
        groups.setdefault(key, set()).add(cid)
    return sorted(groups.values(), key=sorted)


def links(con) -> dict[str, tuple]:
    return {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT consultation_id, consultation_key, stage, asked_on, link_candidates FROM consultations"
        ).fetchall()
    }


@pytest.fixture(scope="module")
def loaded():
    con = memory_warehouse()
    load_many(con, SEQUENCES)
    yield con
    con.close()


def test_sequences_link_exactly_as_written(loaded):
    assert histories(loaded) == sorted(HISTORIES, key=sorted)


def test_each_row_has_its_stage(loaded):
    got = dict(loaded.execute("SELECT consultation_id, stage FROM consultations").fetchall())
    for cid, stage in STAGES.items():
        assert got[cid] == stage, cid
    # each history is keyed by its earliest row, which (minutes, undecided) is its submission
    keys = {
        k
        for (k,) in loaded.execute("SELECT DISTINCT consultation_key FROM consultations").fetchall()
    }
    assert keys == {
        "a21may-c01",
        "a21may-c02",
        "a21dec-c01",
        "a22mar-c01",
        "a22may-c03",
        "a22may-c01",
        "a22may-c02",
        "a22jul-c02",
        "b22may-c01",
        "x22jun-c01",
        "c22may-c01",
    }
    assert {got[k] for k in keys} == {"submitted"}


def test_two_fitting_histories_link_neither_and_are_listed(loaded):
    rows = loaded.execute(
        "SELECT consultation_id, candidate_key FROM consultation_links_to_review ORDER BY ALL"
    ).fetchall()
    assert rows == [("x22jun-c01", "a22may-c01"), ("x22jun-c01", "b22may-c01")]
    assert loaded.execute(
        "SELECT to_review FROM consultations_final WHERE consultation_key = 'x22jun-c01'"
    ).fetchall() == [(True,)]


def test_final_view_counts_each_consultation_once(loaded):
    rows = {
        r[0]: r[1:]
        for r in loaded.execute(
            "SELECT consultation_key, first_on, decided_on, days_to_decision, final_outcome, "
            "n_documents, contractors FROM consultations_final"
        ).fetchall()
    }
    assert len(rows) == len(HISTORIES)
    # the 答申 says when it was asked; decided at the meeting of 11 July
    assert rows["a22may-c01"] == (date(2022, 5, 9), date(2022, 7, 11), 63, "approved", 4, [])
    assert rows["a21may-c02"][3:5] == ("approved", 3)
    assert rows["a22may-c02"][3] == "withdrawn"
    assert rows["a21may-c01"][5] == ["株式会社みらい"]  # named only in its second document
    outcomes = loaded.execute(
        "SELECT outcome, sum(n_consultations) FROM outcomes_by_municipality_year "
        "WHERE municipality = '楓原市' GROUP BY outcome ORDER BY outcome"
    ).fetchall()
    # 10 histories of 楓原市: a deferral followed by an approval counts once, as approved
    assert outcomes == [("approved", 6), ("unknown", 3), ("withdrawn", 1)]


def test_data_flows_count_a_consultation_once(loaded):
    rows = loaded.execute(
        "SELECT consultation_key, contractor, data_item, outcome FROM data_flows "
        "WHERE consultation_key IN ('a21may-c01', 'b22may-c01') ORDER BY ALL"
    ).fetchall()
    assert rows == [
        ("a21may-c01", "株式会社みらい", "氏名", "approved"),
        ("b22may-c01", "株式会社きぼう", "氏名", "approved"),
    ]


def test_maintain_changes_nothing_after_loads(loaded):
    assert link_all(loaded) == 0


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_batches=st.integers(2, 6))
def test_batches_in_any_order_link_as_a_full_recomputation(seed, n_batches):
    """Documents arriving in any order and any batches give the links of one full load, and a
    full recomputation (`maintain`) then changes nothing."""
    full = memory_warehouse()
    load_many(full, SEQUENCES)
    expected = links(full)
    full.close()
    rng = random.Random(seed)
    order = SEQUENCES[:]
    rng.shuffle(order)
    cuts = sorted(rng.sample(range(1, len(order)), n_batches - 1))
    con = memory_warehouse()
    for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True):
        load_many(con, order[a:b])
    assert links(con) == expected
    assert link_all(con) == 0
    con.close()


def test_replacing_a_document_relinks_its_history():
    """A document re-extracted without its consultation (or removed) leaves the rest relinked."""
    con = memory_warehouse()
    load_many(con, SEQUENCES)
    # the first minutes of 諮問第2号 (2021) now record nothing: the history starts in June
    changed = doc("a21may", date(2021, 5, 10), [(1, LIBRARY, "unknown", None)])
    changed.document.document_id = "a21may-v2".ljust(64, "0")
    changed.meeting.document_id = changed.document.document_id
    changed.text.document_id = changed.document.document_id
    for c in changed.consultations:
        c.document_id = changed.document.document_id
    changed.document.source_path = "invented/a21may.txt"
    load_many(con, [changed])
    got = dict(
        con.execute("SELECT consultation_id, consultation_key FROM consultations").fetchall()
    )
    assert got["a21jun-c02"] == got["a21sep-c01"] == "a21jun-c02"
    assert link_all(con) == 0
    con.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和4年5月9日付けで諮問のあった標記のことについては", date(2022, 5, 9)),
        (
            "平成28年1月18日付で諮問のあった標記のことについては、適当と認めます。",
            date(2016, 1, 18),
        ),
        ("2023年6月1日付け諮問第3号について", date(2023, 6, 1)),
        ("令和5年6月1日に開催した審議会", None),
        ("", None),
        (None, None),
    ],
)
def test_asked_date(text, expected):
    assert asked_date(text) == expected


@pytest.mark.parametrize(
    ("body", "place", "expected"),
    [
        ("楓原市個人情報保護審議会", "楓原市", "個人情報保護審議会"),
        ("個人情報保護審議会", "楓原市", "個人情報保護審議会"),
        ("令和3年度第4回楓原市個人情報保護審議会", "楓原市", "個人情報保護審議会"),
        ("楓原市 情報公開・個人情報保護審査会", "楓原市", "情報公開・個人情報保護審査会"),
        (None, "楓原市", None),
        ("  ", "楓原市", None),
    ],
)
def test_council_names_compare_without_place_or_session(body, place, expected):
    assert normalise_council(body, place) == expected


def test_a_copy_of_a_meeting_takes_its_twins_links():
    """The same minutes as a PDF: its rows share the links of the counted copy's rows, and the
    history still counts the meeting once."""
    copy = doc(
        "a22jun-pdf",
        date(2022, 6, 13),
        [
            (1, NURSERY, "deferred", "次回に継続して審議する"),
            (2, CAMERA, "withdrawn", "取り下げ"),
            (4, SCHOOL, "unknown", None),
        ],
    )
    copy.document.file_type = "pdf"
    copy.document.encoding = None
    con = memory_warehouse()
    load_many(con, [*SEQUENCES, copy])
    got = links(con)
    for i in (1, 2, 3):
        assert got[f"a22jun-pdf-c{i:02d}"] == got[f"a22jun-c{i:02d}"]
    assert con.execute(
        "SELECT n_documents FROM consultations_final WHERE consultation_key = 'a22may-c01'"
    ).fetchall() == [(4,)]
    con.close()


def test_show_lists_the_other_documents_of_each_history(tmp_path):
    from shingikai.show import render
    from shingikai.warehouse import Writer

    db = tmp_path / "w.duckdb"
    with Writer(db) as w:
        load_many(w.con, SEQUENCES)
    page, _, _ = render(db, "invented/a22jun.txt")
    block = page.split('<div class="history">', 1)[1].split("</div>", 1)[0]
    ids = {e.document.source_path: e.document.document_id for e in SEQUENCES}
    for other in ("a22may", "a22jul", "a22aug-toshin"):  # 第1号's history, linked
        assert (
            f'<a href="{ids[f"invented/{other}.txt"][:12]}.html">invented/{other}.txt</a>' in block
        )
    assert "invented/a22jun.txt — this page" in block
    assert "2022-08-01 answered (approved)" in block
    # a row that fitted two histories says so
    page, _, _ = render(db, "invented/x22jun.txt")
    assert "fits 2 earlier 諮問 equally, linked to none" in page


def test_schema_shows_the_history_views():
    from shingikai.warehouse.dictionary import data_dictionary

    text = data_dictionary()
    for view in ("consultation_history", "consultations_final", "consultation_links_to_review"):
        assert f"\n{view}: " in text
    assert "days_to_decision" in text


def test_the_worked_example_of_the_docs_runs(loaded):
    """docs/research-views.md: median days from 諮問 to decision per local government."""
    from tests.conftest import ROOT

    doc_text = (ROOT / "docs" / "research-views.md").read_text(encoding="utf-8")
    example = doc_text.split("### Worked example", 1)[1].split("```sql", 1)[1].split("```", 1)[0]
    rows = {r[0]: r[1:] for r in loaded.execute(example).fetchall()}
    # 楓原市: 35, 126, 35, 63, 35 (withdrawn), 63 (confirmed), 35 (other council) days
    assert rows["楓原市"] == (7, 35, 126)
    assert rows["霞浦市"] == (1, 35, 35)
