"""Copies of one meeting (a PDF and a web page, re-encoded files) count once in every view.

The loader marks them after each load (shingikai.warehouse.derive): documents of the
same municipality, council, date, kind and consultations share `meeting_key`, and all
but one carry `duplicate_of`. Built here from hand-made records, so it runs in a moment;
tests/shingikai/test_copies_corpus.py checks the same on the shared seeds and their copies.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from models.records import (
    Consultation,
    Contractor,
    DataItem,
    Document,
    Extraction,
    Meeting,
    Report,
)
from shingikai.warehouse import load, memory_warehouse

BODY = "個人情報保護運営審議会"


def minutes(
    doc_id: str,
    path: str,
    *,
    file_type: str = "text",
    encoding: str | None = "utf-8",
    municipality: str = "楓原市",
    body: str = BODY,
    held_on: date | None = date(2012, 2, 14),
    numbers: tuple[int, ...] = (12, 13),
    reports: tuple[tuple[str, bool], ...] = (),
) -> Extraction:
    """A minutes document with one contractor and one data item per consultation."""
    consultations, contractors, items = [], [], []
    for i, n in enumerate(numbers):
        cid = f"{doc_id[:8]}-{i}"
        consultations.append(
            Consultation(
                consultation_id=cid,
                document_id=doc_id,
                municipality=municipality,
                number=n,
                number_text=f"諮問第{n}号",
                title=f"件名{n}",
                department=None,
                categories=["outsourcing"],
                outcome="approved",
                outcome_text="承認",
                vote=None,
                dissent=None,
                has_conditions=False,
                start_char=10 * i,
                end_char=10 * i + 5,
                page=1,
            )
        )
        contractors.append(
            Contractor(
                consultation_id=cid,
                name="株式会社みらい",
                name_normalized="株式会社みらい",
                kind="company",
                start_char=10 * i,
                end_char=10 * i + 3,
                document_id=doc_id,
                source="sheet",
            )
        )
        items.append(
            DataItem(
                consultation_id=cid,
                item="氏名",
                item_normalized="氏名",
                category="identity",
                start_char=10 * i + 3,
                end_char=10 * i + 5,
                document_id=doc_id,
                in_vocabulary=True,
            )
        )
    return Extraction(
        document=Document(
            document_id=doc_id,
            source_path=path,
            file_type=file_type,
            encoding=encoding,
            status="ok",
            error=None,
            doc_kind="minutes",
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
            session=5,
            fiscal_year=None,
            held_on=held_on,
            start_time=None,
            end_time=None,
            place=None,
            observers=None,
        ),
        consultations=consultations,
        contractors=contractors,
        data_items=items,
        reports=[
            Report(
                report_id=f"{doc_id[:8]}-r{i}",
                document_id=doc_id,
                title=title,
                department=None,
                is_incident=incident,
                start_char=50 + i,
                end_char=60 + i,
            )
            for i, (title, incident) in enumerate(reports)
        ],
    )


def copies_of(con) -> dict[str, tuple[str | None, str | None]]:  # type: ignore[no-untyped-def]
    return {
        path: (key, dup)
        for path, key, dup in con.execute(
            "SELECT source_path, meeting_key, duplicate_of FROM documents"
        ).fetchall()
    }


VIEW_COUNTS = {
    "consultations_with_meeting": "SELECT count(*) FROM consultations_with_meeting",
    "outcomes": "SELECT sum(n_consultations) FROM outcomes_by_municipality_year",
    "item_mentions": "SELECT sum(n_mentions) FROM item_frequency",
    "data_flows": "SELECT count(*) FROM data_flows",
    "meetings": "SELECT count(*) FROM meetings_once",
    "incidents": "SELECT count(*) FROM incidents",
}


def view_counts(con) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {name: con.execute(sql).fetchone()[0] for name, sql in VIEW_COUNTS.items()}


SEED = minutes("a" * 64, "seeds/x.txt", reports=(("個人情報の紛失について", True),))
PDF = minutes(
    "b" * 64,
    "pdf/x.pdf",
    file_type="pdf",
    encoding=None,
    reports=(("個人情報の紛失について", True),),
)
SJIS = minutes(
    "c" * 64, "pdf/x_sjis.txt", encoding="cp932", reports=(("個人情報の紛失について", True),)
)
# the body written with a space in one copy is still the same council
EUC = minutes(
    "d" * 64,
    "pdf/x_euc.txt",
    encoding="euc_jp",
    body="個人情報保護 運営審議会",
    reports=(("個人情報の紛失について", True),),
)


def test_copies_share_a_meeting_key_and_point_at_the_text_copy():
    con = memory_warehouse()
    for e in (PDF, SJIS, SEED, EUC):
        load(con, e)
    marks = copies_of(con)
    assert len({key for key, _ in marks.values()}) == 1
    assert marks["seeds/x.txt"][1] is None  # UTF-8 text stands for the meeting
    assert {marks[p][1] for p in ("pdf/x.pdf", "pdf/x_sjis.txt", "pdf/x_euc.txt")} == {"a" * 64}


@pytest.mark.parametrize("order", ["copies later", "copies first"])
def test_views_count_a_meeting_once_whatever_the_order_of_arrival(order):
    alone = memory_warehouse()
    load(alone, SEED)
    expected = view_counts(alone)
    assert expected == {
        "consultations_with_meeting": 2,
        "outcomes": 2,
        "item_mentions": 2,
        "data_flows": 2,
        "meetings": 1,
        "incidents": 1,
    }
    con = memory_warehouse()
    nights = [[SEED], [PDF, SJIS, EUC]] if order == "copies later" else [[PDF, SJIS], [SEED, EUC]]
    for night in nights:
        for e in night:
            load(con, e)
    assert view_counts(con) == expected
    assert con.execute("SELECT count(*) FROM consultations").fetchone()[0] == 8  # rows all kept
    assert con.execute("SELECT n_copies, copies[1] FROM meetings_once").fetchone() == (
        4,
        "seeds/x.txt",
    )


def test_removing_the_counted_copy_hands_the_meeting_to_another():
    con = memory_warehouse()
    for e in (SEED, PDF):
        load(con, e)
    con.execute("DELETE FROM documents WHERE document_id = ?", ["a" * 64])
    load(con, SJIS)  # the next load recomputes the marks over the whole warehouse
    marks = copies_of(con)
    assert marks["pdf/x_sjis.txt"][1] is None and marks["pdf/x.pdf"][1] == "c" * 64


def test_different_meetings_stay_apart():
    con = memory_warehouse()
    load(con, SEED)
    load(con, minutes("e" * 64, "other_day.txt", held_on=date(2012, 3, 1)))
    load(con, minutes("f" * 64, "other_city.txt", municipality="霧ヶ谷町"))
    load(con, minutes("1" * 64, "other_items.txt", numbers=(12, 14)))
    load(con, minutes("2" * 64, "undated.txt", held_on=None))
    load(con, minutes("3" * 64, "undated_too.txt", held_on=None))
    marks = copies_of(con)
    assert all(dup is None for _, dup in marks.values())
    assert len({key for key, _ in marks.values() if key}) == 4
    assert marks["undated.txt"][0] is None  # no date: nothing to compare, counted on its own
    assert view_counts(con)["meetings"] == 6


@pytest.mark.parametrize(
    ("title", "incident", "expected"),
    [
        ("保育園における個人情報の紛失について", True, "loss"),
        ("通知書の誤送付について", True, "misdelivery"),
        ("個人情報を含む書類の誤送付及び紛失について", True, "misdelivery"),
        ("委託先サーバへの不正アクセスについて", True, "unauthorised_access"),
        ("個人情報の漏えいについて", True, "leak"),
        ("個人情報の取扱いに関する事故について", True, "other"),
        ("監査の結果について", False, None),
    ],
)
def test_incident_type_from_the_words_of_the_title(title, incident, expected):
    con = memory_warehouse()
    load(con, minutes("a" * 64, "x.txt", reports=((title, incident),)))
    assert con.execute("SELECT incident_type FROM reports").fetchone()[0] == expected
    rows = con.execute("SELECT incident_type FROM incidents").fetchall()
    assert rows == ([(expected,)] if incident else [])


def test_a_council_without_municipality_is_known_by_its_name_and_consultations():
    """A prefecture's council: the header names no municipality, its body and consultations do."""
    con = memory_warehouse()
    text = replace(
        SEED, meeting=replace(SEED.meeting, municipality=None, body="奈良県個人情報保護審議会")
    )
    text = replace(text, document=replace(text.document, municipality=None))
    pdf = replace(PDF, meeting=replace(text.meeting, document_id=PDF.document.document_id))
    pdf = replace(pdf, document=replace(pdf.document, municipality=None))
    load(con, text)
    load(con, pdf)
    assert copies_of(con)["pdf/x.pdf"][1] == "a" * 64
    # with nothing deliberated, a generic council name on one day is not enough to merge
    bare = memory_warehouse()
    for e in (text, pdf):
        load(bare, replace(e, consultations=[], contractors=[], data_items=[]))
    assert all(key is None and dup is None for key, dup in copies_of(bare).values())


def _marks(con) -> list[tuple]:  # type: ignore[no-untyped-def]
    return con.execute(
        "SELECT document_id, meeting_key, duplicate_of FROM documents ORDER BY 1"
    ).fetchall()


@pytest.mark.parametrize("seed", range(25))
def test_a_load_recomputes_only_what_it_touches_and_agrees_with_everything(seed):
    """Loads in random batches and orders, some replacing a document or taking over the file
    of another: the marks the loader leaves (recomputed for the meetings a batch touches) are
    always those of a recomputation over the whole warehouse."""
    import random

    from models.records import DocumentLocation
    from shingikai.warehouse import load_many
    from shingikai.warehouse.derive import derive

    rng = random.Random(seed)
    other_day = [
        minutes(f"{k}" * 64, f"day2/{k}.txt", held_on=date(2012, 3, 1), encoding=enc)
        for k, enc in (("5", "utf-8"), ("6", "cp932"))
    ]
    pool = [
        _content(SEED, "s"),
        PDF,
        SJIS,
        EUC,
        *other_day,
        minutes("7" * 64, "alone.txt", numbers=(9,)),
        # issue 23: copies by content (one without a header, two of a page with none)
        _content(_headless("9" * 64, "print/x.pdf"), "s"),
        _content(_headless("0" * 64, "blog/a.txt"), "b"),
        _content(_headless("e" * 64, "blog/a.pdf"), "b"),
    ]

    def located(e: Extraction, path: str) -> tuple[Extraction, DocumentLocation]:
        moved = replace(e, document=replace(e.document, source_path=path))
        return moved, DocumentLocation("/in", path, e.document.document_id, path)

    con = memory_warehouse()
    for _ in range(6):
        batch = rng.sample(pool, rng.randint(1, 3))
        # each document at a location named after it, or at another document's (a file whose
        # bytes changed: the document that was there goes, unless it is found elsewhere)
        pairs = [
            located(e, rng.choice([e.document.source_path, rng.choice(pool).document.source_path]))
            for e in batch
        ]
        seen: set[str] = set()
        pairs = [p for p in pairs if not (p[1].path in seen or seen.add(p[1].path))]
        load_many(con, [e for e, _ in pairs], [loc for _, loc in pairs])
        scoped = _marks(con)
        con.execute("BEGIN TRANSACTION")
        derive(con)
        everything = _marks(con)
        con.execute("ROLLBACK")
        assert scoped == everything
    assert any(dup for _, _, dup in _marks(con)) or len(_marks(con)) < 3


def test_a_copy_that_moves_to_another_file_is_ranked_again():
    """The counted copy loses the file it was named after and keeps another: its source_path
    changes, and with it which copy stands for the meeting."""
    from models.records import DocumentLocation
    from shingikai.warehouse import load_many

    def at(e: Extraction, path: str) -> tuple[Extraction, DocumentLocation]:
        doc = replace(e.document, source_path=path)
        return replace(e, document=doc), DocumentLocation("/in", path, doc.document_id, path)

    con = memory_warehouse()
    sjis, here = at(SJIS, "a/1.txt")
    euc, there = at(EUC, "b/2.txt")
    load_many(con, [sjis, euc], [here, there])
    assert copies_of(con)["b/2.txt"][1] == SJIS.document.document_id
    load_many(con, [], [DocumentLocation("/in", "z/9.txt", SJIS.document.document_id, "z/9.txt")])
    newcomer, same_file = at(minutes("8" * 64, "x", held_on=date(2013, 1, 1)), "a/1.txt")
    load_many(con, [newcomer], [same_file])  # a/1.txt now holds other bytes
    marks = copies_of(con)
    assert marks["z/9.txt"][1] == EUC.document.document_id  # b/2.txt sorts first now
    assert marks["b/2.txt"][1] is None


def _content(e: Extraction, digest: str) -> Extraction:
    """`e` with a content digest (extractors.content), as copies of one content get."""
    return replace(e, document=replace(e.document, content_digest=digest * 64))


def _headless(doc_id: str, path: str) -> Extraction:
    """A document whose header gave no municipality and no date: no key of its own."""
    e = minutes(doc_id, path, held_on=None, file_type=path.rsplit(".", 1)[1].replace("txt", "text"))
    e = replace(e, document=replace(e.document, municipality=None))
    return replace(e, meeting=replace(e.meeting, municipality=None))


@pytest.mark.parametrize("order", ["in order", "reversed"])
def test_copies_of_one_content_are_one_meeting_with_or_without_a_header(order):
    """Issue 23: a copy whose header was read differently or not at all (a print of the web
    page that loses the 日時 label, a blog that names no municipality) is still one meeting
    with the copies of its content; a content without any header is a meeting of its own."""
    seed = _content(SEED, "s")
    printed = _content(_headless("9" * 64, "print/x.pdf"), "s")
    blog = _content(_headless("0" * 64, "blog/a.txt"), "b")
    blog_pdf = _content(_headless("e" * 64, "blog/a.pdf"), "b")
    other = _content(_headless("1" * 64, "blog/b.txt"), "o")
    docs = [seed, printed, blog, blog_pdf, other, PDF]
    con = memory_warehouse()
    for e in docs if order == "in order" else docs[::-1]:
        load(con, e)
    marks = copies_of(con)
    assert marks["print/x.pdf"] == (marks["seeds/x.txt"][0], "a" * 64)
    assert marks["pdf/x.pdf"] == (marks["seeds/x.txt"][0], "a" * 64)  # same header, as before
    assert marks["seeds/x.txt"][0].startswith("楓原市 | ")  # a real key wins over the content's
    assert marks["blog/a.txt"] == ("content | " + "b" * 64, None)  # text before PDF
    assert marks["blog/a.pdf"] == ("content | " + "b" * 64, "0" * 64)
    assert marks["blog/b.txt"] == ("content | " + "o" * 64, None)
    assert view_counts(con)["meetings"] == 3
    # the header's copy goes: the headless print is known by its content again
    con.execute("DELETE FROM documents WHERE document_id IN (?, ?)", ["a" * 64, "b" * 64])
    from shingikai.warehouse.derive import derive

    derive(con)
    assert copies_of(con)["print/x.pdf"] == ("content | " + "s" * 64, None)
