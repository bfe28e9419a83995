"""PDF pages read by PDFium: the text pdfplumber's layout made, without pdfminer's parse.

`extractors.pdf_page` gives pdfplumber's geometry PDFium's characters and
rulings; these tests hold the places where the two libraries differ.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from extractors.pdf_page import PdfiumPage
from extractors.reading import read_bytes, read_path
from tests.conftest import SAMPLES, SHARED
from tests.flows.test_hostile import build_pdf

SHARED_FULL_PDF = SHARED / "corpus" / "full-pdf"


def test_pdfminer_does_not_parse_the_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """pdfminer's layout pass is what made reading slow: it must not run at all."""
    from pdfminer.pdfinterp import PDFPageInterpreter

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pdfminer parsed a page")

    monkeypatch.setattr(PDFPageInterpreter, "process_page", refuse)
    raw = read_path(SAMPLES / "kirigaya_2015_10_kaigiroku.pdf")
    assert len(raw.pages) == 4 and all(p.strip() for p in raw.pages), raw.pages


def test_a_real_space_narrower_than_the_word_gap_is_kept() -> None:
    """PDFium swaps each real space for one it generates; at 10pt Helvetica the space
    (2.78pt) is narrower than pdfplumber's 3pt word gap, so dropping it joins the words."""
    sentence = "Minutes of the council meeting held today."
    content = b"BT /F1 10 Tf 56 780 Td (" + sentence.encode() + b") Tj ET"
    raw = read_bytes(build_pdf([content]), "spaces.pdf")
    assert raw.pages == [sentence], raw.pages


def test_rulings_decide_whether_the_table_finder_runs() -> None:
    pdf = pdfium.PdfDocument(SAMPLES / "kirigaya_2015_10_kaigiroku.pdf")
    try:
        ruled = PdfiumPage.read(pdf[3])
    finally:
        pdf.close()
    assert ruled.might_hold_a_table(), f"{len(ruled.edges)} edges on the ruled page"
    assert ruled.find_tables(), "no table found on the ruled page"
    plain = build_pdf([b"BT /F1 10 Tf 56 780 Td (No rules here.) Tj ET"])
    assert read_bytes(plain, "plain.pdf").pages == ["No rules here."]
    pdf = pdfium.PdfDocument(plain)
    try:
        page = PdfiumPage.read(pdf[0])
    finally:
        pdf.close()
    assert page.edges == [] and not page.might_hold_a_table() and page.find_tables() == []


@pytest.mark.skipif(not SHARED_FULL_PDF.is_dir(), reason=f"{SHARED_FULL_PDF} is absent")
def test_a_wave_dash_reads_as_the_page_wrote_it() -> None:
    """The browser-printed page has U+FF5E (as its HTML source); pdfminer read U+301C."""
    raw = read_path(SHARED_FULL_PDF / "201.pdf")
    assert "３０分～午後" in raw.pages[0], raw.pages[0][:400]
    assert "〜" not in raw.pages[0]
