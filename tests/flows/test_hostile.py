"""Hostile input: every bad file gets a documents row with the right status and a reason; the run carries on.

All hostile files are generated in tmp_path at test time (the PDFs are written by hand,
a few KB each); the shared corpus's broken PDFs are added when ../shared is present.
One real `shingikai ingest` run covers them all (Prefect takes seconds to start).
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import pytest

from shingikai.warehouse import connect_readonly
from tests.conftest import SAMPLES, SHARED
from tests.ingest_helpers import run_ingest_cli

SHARED_PDF = SHARED / "corpus" / "pdf"

# --- a minimal PDF writer ------------------------------------------------------------


def build_pdf(pages: list[bytes]) -> bytes:
    """A PDF whose pages have the given content streams.

    Resources on every page: /F1 Helvetica (maps to Unicode), /F2 a Type0 Identity-H
    font with no ToUnicode and no embedded program (pdfminer reads its glyphs as
    (cid:N)), and /Im1 an 8x8 grey image.
    """
    objs: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        4: b"<< /Type /Font /Subtype /Type0 /BaseFont /NoMap /Encoding /Identity-H /DescendantFonts [5 0 R] >>",
        5: b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /NoMap /CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R /DW 1000 >>",
        6: b"<< /Type /FontDescriptor /FontName /NoMap /Flags 4 /FontBBox [0 0 1000 1000] /ItalicAngle 0 "
        b"/Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
    }
    img = bytes(range(0, 256, 4))
    objs[7] = (
        b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray /BitsPerComponent 8 "
        b"/Length %d >>\nstream\n" % len(img) + img + b"\nendstream"
    )
    kids, n = [], 8
    for content in pages:
        objs[n] = b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"
        objs[n + 1] = (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> /XObject << /Im1 7 0 R >> >> >>" % n
        )
        kids.append(n + 1)
        n += 2
    objs[2] = (
        b"<< /Type /Pages /Kids ["
        + b" ".join(b"%d 0 R" % k for k in kids)
        + b"] /Count %d >>" % len(kids)
    )
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i in range(1, n):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + objs[i] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % n
    out += b"".join(b"%010d 00000 n \n" % offsets[i] for i in range(1, n))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (n, xref)
    return bytes(out)


def text_page(lines: list[str]) -> bytes:
    return b"\n".join(
        [b"BT /F1 11 Tf 14 TL 56 780 Td"]
        + [b"(" + ln.encode("latin-1") + b") Tj T*" for ln in lines]
        + [b"ET"]
    )


def cid_page(n: int = 40) -> bytes:
    return (
        b"BT /F2 12 Tf 56 780 Td <"
        + "".join(f"{100 + i:04X}" for i in range(n)).encode()
        + b"> Tj ET"
    )


def image_page() -> bytes:
    return b"q 200 0 0 200 100 400 cm /Im1 Do Q"


def _letters(n: int) -> str:
    """A page's own word (digits would be masked when running headers are found)."""
    return "".join("abcdefghijklmnopqrstuvwxyz"[int(d)] for d in f"{n:03d}") + "x" * (n % 5)


def pages_300() -> bytes:
    """300 pages whose lines differ from page to page, so none is taken for a running header."""
    return build_pdf(
        [
            text_page(
                [
                    f"Council minutes, sheet {_letters(p)}: item {'abcdefghij'[i] * (i % 7 + 1)} was approved by members."
                    for i in range(10)
                ]
            )
            for p in range(300)
        ]
    )


def zip_bomb() -> bytes:
    """200 MB of zeros deflated to ~200 KB, saved under a .pdf name."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("minutes.pdf", b"0" * (200 * 1024 * 1024))
    return buf.getvalue()


SENTENCE = "本市の個人情報保護審議会は、委託先への提供について審議し、条件を付して承認した"  # no 。: no sentence end either
LONG_LINE = SENTENCE * (5_000_000 // len(SENTENCE.encode()) + 1)

# file name -> (expected status, what the error or a warning must say)
EXPECTED = {
    "zip_bomb.pdf": ("unsupported", "ZIP archive"),
    "binary.txt": ("unsupported", "binary data"),
    "cid_only.pdf": ("needs_ocr", "unmapped glyphs"),
}
EXPECTED_OK_WARNING = {
    "mixed_encoding.txt": "mixed or unknown encoding",
    "cid_page2.pdf": "page 2: 40 glyphs without a Unicode mapping",
    "image_page2.pdf": "pages without a text layer (need OCR): 2",
}
SHARED_EXPECTED = {
    "encrypted.pdf": ("encrypted", "encrypted with a password"),
    "scanned_image_only.pdf": ("needs_ocr", "no text layer"),
    "truncated.pdf": ("failed", "damaged or truncated"),
    "not_a_pdf.pdf": ("unsupported", "not a PDF"),
    "empty.pdf": ("failed", "empty"),
}
SPACED_DIR = "議事録 フォルダ"
SPACED_NAME = "第 1 回 会議録（写し）.txt"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "in"
    corpus.mkdir()
    (corpus / "zip_bomb.pdf").write_bytes(zip_bomb())
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 64)
    (corpus / "mixed_encoding.txt").write_bytes(
        "第1回 個人情報保護審議会 会議録\n".encode()
        + "委員長が開会を宣言した。\n".encode("cp932")
        + "諮問第1号について審議した。\n".encode()
    )
    (corpus / "long_line.txt").write_bytes(LONG_LINE.encode())
    (corpus / "pages_300.pdf").write_bytes(pages_300())
    (corpus / "cid_only.pdf").write_bytes(build_pdf([cid_page()]))
    (corpus / "cid_page2.pdf").write_bytes(
        build_pdf([text_page(["Minutes of the council meeting held today."]), cid_page()])
    )
    (corpus / "image_page2.pdf").write_bytes(
        build_pdf(
            [
                text_page(["Page one of the council minutes."]),
                image_page(),
                text_page(["Page three closes the meeting."]),
            ]
        )
    )
    spaced = corpus / SPACED_DIR
    spaced.mkdir()
    shutil.copyfile(SAMPLES / "kaedehara_2018_08_kaigiroku.txt", spaced / SPACED_NAME)
    shared = []
    if SHARED_PDF.is_dir():
        for name in SHARED_EXPECTED:
            if (SHARED_PDF / name).exists():
                shutil.copyfile(SHARED_PDF / name, corpus / f"shared_{name}")
                shared.append(name)
    db = root / "w.ducklake"
    run = run_ingest_cli([corpus], db)
    con = connect_readonly(db)
    rows = con.execute(
        "SELECT source_path, status, error, warnings, n_pages, n_chars, document_id FROM documents"
    ).fetchall()
    texts = dict(con.execute("SELECT document_id, length(text) FROM document_texts").fetchall())
    con.close()
    docs = {
        r[0].split("/", 1)[1]: dict(
            zip(["path", "status", "error", "warnings", "n_pages", "n_chars", "id"], r, strict=True)
        )
        for r in rows
    }
    return {"docs": docs, "stdout": run.stdout, "shared": shared, "texts": texts}


@pytest.mark.slow
def test_failing_files_have_status_and_reason(hostile_run):
    docs = hostile_run["docs"]
    for name, (status, reason) in EXPECTED.items():
        assert docs[name]["status"] == status, (name, docs[name])
        assert docs[name]["error"] and reason in docs[name]["error"], (name, docs[name]["error"])
        assert hostile_run["texts"].get(docs[name]["id"]) is None, name  # no half document


@pytest.mark.slow
def test_shared_broken_pdfs(hostile_run):
    if not SHARED_PDF.is_dir():
        pytest.skip("../shared/corpus/pdf is absent")
    docs = hostile_run["docs"]
    assert hostile_run["shared"], "no shared hostile files copied"
    for name in hostile_run["shared"]:
        status, reason = SHARED_EXPECTED[name]
        doc = docs[f"shared_{name}"]
        assert doc["status"] == status, (name, doc)
        assert doc["error"] and reason in doc["error"], (name, doc["error"])


@pytest.mark.slow
def test_readable_oddities_are_ok_with_a_warning(hostile_run):
    docs = hostile_run["docs"]
    for name, warning in EXPECTED_OK_WARNING.items():
        doc = docs[name]
        assert doc["status"] == "ok" and doc["error"] is None, (name, doc)
        assert any(warning in w for w in doc["warnings"]), (name, doc["warnings"])
        assert hostile_run["texts"][doc["id"]] == doc["n_chars"] > 0
    # the image-only page is named, and only that page
    assert docs["image_page2.pdf"]["n_pages"] == 3


@pytest.mark.slow
def test_300_pages_and_5mb_line_are_read_whole(hostile_run):
    docs = hostile_run["docs"]
    big = docs["pages_300.pdf"]
    assert big["status"] == "ok" and big["n_pages"] == 300
    assert big["n_chars"] > 300 * 10 * 55  # every line of every page is kept
    line = docs["long_line.txt"]
    assert line["status"] == "ok" and line["warnings"] == []
    # nothing normalisation would change, so every character survives
    assert line["n_chars"] == len(LONG_LINE) == hostile_run["texts"][line["id"]]


@pytest.mark.slow
def test_path_with_spaces_and_japanese(hostile_run):
    doc = hostile_run["docs"][f"{SPACED_DIR}/{SPACED_NAME}"]
    assert doc["status"] == "ok" and doc["n_chars"] > 1000


@pytest.mark.slow
def test_summary_counts_every_file(hostile_run):
    docs, out = hostile_run["docs"], hostile_run["stdout"]
    n = len(docs)
    assert n == 9 + len(hostile_run["shared"])
    bad = [d for d in docs.values() if d["status"] != "ok"]
    assert f"files seen: {n}, new: {n}, skipped (unchanged): 0, failed: {len(bad)}," in out
    by_status: dict[str, int] = {}
    for d in docs.values():
        by_status[d["status"]] = by_status.get(d["status"], 0) + 1
    line = next(ln for ln in out.splitlines() if ln.startswith("status of new files:"))
    assert (
        dict((k, int(v)) for k, v in re.findall(r"(\w+) (\d+)", line.split(":", 1)[1])) == by_status
    )
    for d in bad:
        assert f"  {d['status']}: {d['path']}: {d['error']}" in out


def test_chunks_keep_every_character():
    """The 5 MB line is cut for SudachiPy under its byte limit, and nothing is dropped."""
    from extractors.nlp import SUDACHI_MAX_BYTES, chunks

    for text in (
        LONG_LINE[:400_000],
        ("会議録。" * 30_000)[:100_001],
        "a" * 60_000 + "。" + "漢" * 20_000,
    ):
        pieces = chunks(text)
        assert "".join(p for _, p in pieces) == text
        pos = 0
        for offset, piece in pieces:
            assert offset == pos and piece
            assert len(piece.encode()) < SUDACHI_MAX_BYTES
            pos += len(piece)


def test_normalize_counts_cid_glyphs():
    from extractors.normalize import normalize

    norm = normalize(["会議録 (cid:123)(cid:4) 第1回", "(cid:9)\x00本文"], file_type="pdf")
    assert norm.bad_glyphs == [2, 2]
    assert "cid" not in norm.text and "\x00" not in norm.text
    assert "会議録" in norm.text and "本文" in norm.text
