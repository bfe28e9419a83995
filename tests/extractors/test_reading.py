"""Reading: every input kind gets the right file_type, encoding and status.

Table-driven over the shipped fixtures, synthetic bad inputs, and (when
../shared is beside the repository) the hostile files of the shared PDF corpus.
"""

from __future__ import annotations

import difflib
import unicodedata
from pathlib import Path

import pytest

from extractors.normalize import normalize
from extractors.reading import RawDocument, ReadError, read_bytes, read_path
from tests.conftest import LAYOUTS, SAMPLES, SHARED

SHARED_PDF = SHARED / "corpus" / "pdf"
NO_SHARED = f"{SHARED_PDF} is absent: the shared corpus is not checked out beside the repository"


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def _read(path: Path) -> RawDocument | ReadError:
    try:
        return read_path(path)
    except ReadError as err:
        return err


def _one(pattern: str, base: Path) -> list[Path]:
    found = sorted(p for p in base.glob(pattern) if p.name != "README.md")
    assert found, f"no fixture matches {base}/{pattern}"
    return found


# --- readable documents: (path, file_type, encoding, Japanese the decoded text must contain) --------

READABLE = (
    [pytest.param(p, "markdown", "utf-8", None, id=p.name) for p in _one("*.md", SAMPLES)]
    + [pytest.param(p, "text", "utf-8", None, id=p.name) for p in _one("kaedehara_*.txt", SAMPLES)]
    + [pytest.param(p, "pdf", None, None, id=p.name) for p in _one("*.pdf", SAMPLES)]
    + [pytest.param(p, "html", "utf-8", None, id=p.name) for p in _one("webpage_*.html", LAYOUTS)]
    + [
        pytest.param(p, "text", "cp932", "高齢者配食サービス事業の業務委託について", id=p.name)
        for p in _one("sjis_*.txt", LAYOUTS)
    ]
    + [
        pytest.param(
            p,
            "text",
            "euc_jp",
            "新型コロナウイルスワクチン接種の予約受付業務の委託について",
            id=p.name,
        )
        for p in _one("eucjp_*.txt", LAYOUTS)
    ]
)


@pytest.mark.parametrize("path, file_type, encoding, expected", READABLE)
def test_readable_kinds(
    path: Path, file_type: str, encoding: str | None, expected: str | None
) -> None:
    raw = _read(path)
    assert isinstance(raw, RawDocument), (
        f"{path.name}: ReadError {getattr(raw, 'status', '?')}: {raw}"
    )
    assert raw.file_type == file_type, (
        f"{path.name}: file_type {raw.file_type!r}, want {file_type!r}"
    )
    assert raw.encoding == encoding, f"{path.name}: encoding {raw.encoding!r}, want {encoding!r}"
    assert raw.pages and any(p.strip() for p in raw.pages), f"{path.name}: no text read"
    joined = "\f".join(raw.pages)
    assert "\ufffd" not in joined, f"{path.name}: replacement characters in the decoded text"
    if expected is not None:
        assert expected in _nfkc(joined).replace("\u3000", " ") or expected in joined, (
            f"{path.name}: decoded text lacks {expected!r}; starts {joined[:200]!r}"
        )
    # whatever the kind, it normalises to non-empty text
    assert normalize(raw.pages, file_type=raw.file_type).text.strip(), (
        f"{path.name}: normalises to nothing"
    )


def test_tab_separated_text_keeps_its_rows() -> None:
    for path in _one("kaedehara_*.txt", SAMPLES):
        raw = read_path(path)
        lines = raw.pages[0].splitlines()
        tabbed = [ln for ln in lines if "\t" in ln]
        assert len(tabbed) >= 5, f"{path.name}: only {len(tabbed)} tab-separated lines read"
        text = normalize(raw.pages, file_type=raw.file_type).text
        assert any(ln.startswith("会議の名称\t") for ln in text.splitlines()), (
            f"{path.name}: no `会議の名称<TAB>value` line after normalise: {text[:300]!r}"
        )


# --- PDF: pages and ruled tables --------------------------------------------------------------------

PDF_TABLE_ROWS = {
    # file stem: (page count, label<TAB>value lines (NFKC) that must be on the given 1-based page)
    "kirigaya_2015_10_kaigiroku": (
        4,
        4,
        [
            "件名\t区民税・都民税の課税資料の電子化業務に係る外部委託について",
            "所管課\t区民部 税務課",
            "委託先\tTSKデータサービス株式会社",
            "取扱う個人情報\t氏名、住所、生年月日",
        ],
    ),
}


@pytest.mark.parametrize("stem", sorted(PDF_TABLE_ROWS))
def test_pdf_pages_and_tables(stem: str) -> None:
    path = SAMPLES / f"{stem}.pdf"
    n_pages, page_no, rows = PDF_TABLE_ROWS[stem]
    raw = read_path(path)
    assert len(raw.pages) == n_pages, f"{path.name}: {len(raw.pages)} pages, want {n_pages}"
    assert raw.image_only_pages == [], f"{path.name}: image-only pages {raw.image_only_pages}"
    lines = [_nfkc(ln) for ln in raw.pages[page_no - 1].splitlines()]
    for row in rows:
        label, value = row.split("\t")
        hit = [ln for ln in lines if ln.startswith(label + "\t")]
        assert hit, f"{path.name} p.{page_no}: no `{label}<TAB>…` line; lines: {lines}"
        assert hit[0].startswith(row), (
            f"{path.name} p.{page_no}: {hit[0]!r} does not start with {row!r}"
        )
    # a label never shares a line with body text run into it
    assert not any(ln.startswith("委託先") and "\t" not in ln for ln in lines), (
        f"{path.name}: 委託先 label without its tab"
    )


# --- markdown with embedded HTML tables: each row becomes `label<TAB>value` ----------------------------


@pytest.mark.parametrize("path", _one("*.md", SAMPLES), ids=lambda p: p.name)
def test_markdown_html_table_rows(path: Path) -> None:
    raw = read_path(path)
    source = raw.pages[0]
    if "<table" not in source:
        pytest.skip(f"{path.name} has no HTML table")
    text = normalize(raw.pages, file_type=raw.file_type).text
    lines = text.splitlines()
    # every <tr> with a label cell and a value cell must give one `label<TAB>value` line
    import re

    rows = re.findall(r"(?m)^\s*<tr>\s*<td>([^<]*)</td>\s*<td>(.*)</td>\s*</tr>\s*$", source)
    assert rows, f"{path.name}: fixture has a table but no rows parsed by the test"
    for label, value in rows:
        label_n = _nfkc(re.sub(r"<[^>]+>", "", label)).replace(" ", "")
        first_value = _nfkc(re.sub(r"<[^>]+>", "\n", value)).strip().splitlines()[0].strip()
        hit = [ln for ln in lines if ln.replace(" ", "").startswith(label_n + "\t")]
        assert hit, (
            f"{path.name}: no `{label_n}<TAB>…` line for table row {label!r}; got lines near it: "
            + repr([ln for ln in lines if label_n in ln.replace(" ", "")])
        )
        assert first_value[:10].replace(" ", "") in hit[0].replace(" ", ""), (
            f"{path.name}: row {label_n!r} has {hit[0]!r}, want its value to start {first_value[:20]!r}"
        )


# --- HTML page: navigation and footer are dropped --------------------------------------------------------

PAGE_CHROME = [
    "このページの先頭へ",
    "くらし・手続き",
    "サイトポリシー",
    "Copyright",
    "このページに関するお問い合わせ",
    "このページの情報は役に立ちましたか",
]


@pytest.mark.parametrize("path", _one("webpage_*.html", LAYOUTS), ids=lambda p: p.name)
@pytest.mark.parametrize("chrome", PAGE_CHROME)
def test_html_page_chrome_absent(path: Path, chrome: str) -> None:
    raw = read_path(path)
    assert chrome in raw.pages[0], (
        f"{path.name}: the fixture no longer has {chrome!r}; update the test"
    )
    text = normalize(raw.pages, file_type=raw.file_type).text
    assert chrome not in text, (
        f"{path.name}: page chrome {chrome!r} left in the normalised text: …{text[max(0, text.find(chrome) - 80) : text.find(chrome) + 80]!r}…"
    )


@pytest.mark.parametrize("path", _one("webpage_*.html", LAYOUTS), ids=lambda p: p.name)
def test_html_page_keeps_content(path: Path) -> None:
    raw = read_path(path)
    text = normalize(raw.pages, file_type=raw.file_type).text
    assert "諮問第9号" in text and "NPO法人ほしみ子育てネット" in text, (
        f"{path.name}: main content lost: {text[:300]!r}"
    )
    assert "<" not in text and "&nbsp;" not in text, f"{path.name}: markup left in text"


# --- bad inputs ----------------------------------------------------------------------------------------

BAD = [
    pytest.param(b"", "x.txt", "failed", id="empty-bytes-txt"),
    pytest.param(b"", "x.pdf", "failed", id="empty-bytes-pdf"),
    pytest.param(
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4,
        "x.pdf",
        "unsupported",
        id="zip-named-pdf",
    ),
    pytest.param(
        b"<!DOCTYPE html><html><body><h1>404 Not Found</h1></body></html>",
        "x.pdf",
        "unsupported",
        id="html-named-pdf",
    ),
    pytest.param(bytes(range(256)) * 64, "x.txt", "unsupported", id="binary-named-txt"),
    pytest.param(b"\x89PNG\r\n\x1a\n" + bytes(200), "x.txt", "unsupported", id="png-named-txt"),
]


@pytest.mark.parametrize("data, name, status", BAD)
def test_bad_inputs(data: bytes, name: str, status: str) -> None:
    with pytest.raises(ReadError) as info:
        read_bytes(data, name)
    assert info.value.status == status, (
        f"{name} ({data[:12]!r}…): status {info.value.status!r}, want {status!r}: {info.value.reason}"
    )
    assert info.value.reason, f"{name}: ReadError without a reason"


def test_bad_inputs_through_pipeline() -> None:
    """extract_bytes never raises: a bad file becomes a documents row with its status."""
    from extractors.pipeline import extract_bytes

    for data, name, status in [
        (b"", "x.txt", "failed"),
        (b"PK\x03\x04" + bytes(100), "x.pdf", "unsupported"),
    ]:
        ex = extract_bytes(data, name)
        assert ex.document.status == status, f"{name}: {ex.document.status}, want {status}"
        assert ex.document.error


# --- shared corpus: hostile files and the two legacy encodings ----------------------------------------

HOSTILE = [
    ("encrypted.pdf", "encrypted"),
    ("scanned_image_only.pdf", "needs_ocr"),
    ("truncated.pdf", "failed"),
    ("not_a_pdf.pdf", "unsupported"),
    ("empty.pdf", "failed"),
]


@pytest.mark.skipif(not SHARED_PDF.is_dir(), reason=NO_SHARED)
@pytest.mark.parametrize("name, status", HOSTILE)
def test_shared_hostile_pdfs(name: str, status: str) -> None:
    got = _read(SHARED_PDF / name)
    assert isinstance(got, ReadError), f"{name}: read without error, want status {status!r}"
    assert got.status == status, f"{name}: status {got.status!r}, want {status!r}: {got.reason}"


@pytest.mark.skipif(not SHARED_PDF.is_dir(), reason=NO_SHARED)
def test_shared_sjis_and_eucjp_agree() -> None:
    sj, eu = read_path(SHARED_PDF / "sjis_minutes.txt"), read_path(SHARED_PDF / "eucjp_minutes.txt")
    assert sj.encoding == "cp932", f"sjis_minutes.txt: encoding {sj.encoding!r}"
    assert eu.encoding == "euc_jp", f"eucjp_minutes.txt: encoding {eu.encoding!r}"
    assert sj.file_type == eu.file_type, f"file types differ: {sj.file_type} / {eu.file_type}"
    a = normalize(sj.pages, file_type=sj.file_type).text
    b = normalize(eu.pages, file_type=eu.file_type).text
    assert len(a) == len(b), f"lengths differ: {len(a)} / {len(b)}"
    diffs = [
        (op, a[i1:i2], b[j1:j2])
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
        if op != "equal"
    ]
    # cp932 keeps U+FF5E ～ (NFKC: ~), EUC-JP gives U+301C 〜: the only allowed difference
    assert all(op == "replace" and {x, y} <= {"~", "～", "〜"} for op, x, y in diffs), (
        f"cp932 and EUC-JP texts differ: {diffs[:10]}"
    )
    assert len(diffs) == 1, f"want exactly one ～/〜 difference, got {diffs}"


def test_a_line_that_opens_an_item_is_not_joined_to_a_full_line_above() -> None:
    from extractors.reading import _join_lines

    full = {"text": "個人情報の取扱いの例外事項について", "x0": 50.0, "x1": 545.0}
    wrapped = {"text": "の続きです。", "x0": 50.0, "x1": 200.0}
    heading = {"text": "5.議事経過と結果", "x0": 50.0, "x1": 200.0}
    assert _join_lines([full, wrapped], 550.0) == full["text"] + wrapped["text"]
    assert _join_lines([full, heading], 550.0) == full["text"] + "\n" + heading["text"]


def test_a_line_after_a_blank_line_or_opening_a_katakana_item_is_not_joined() -> None:
    """Issue 23: a web page printed to PDF leaves a blank line between short blocks that
    reach the estimated margin (`…会議録` over the label `日時`), and lists items as `ア …`,
    `イ …`; joining them lost the meeting date and ran two consultation titles together."""
    from extractors.reading import _join_lines

    title = {"text": "第3回 楓原市個人情報保護審議会 会議録", "x0": 84.0, "x1": 336.0}
    title |= {"top": 265.3, "bottom": 275.8}
    label = {"text": "日時", "x0": 84.0, "x1": 105.0, "top": 298.3, "bottom": 308.8}
    wrap = {"text": "の続き", "x0": 84.0, "x1": 150.0, "top": 280.0, "bottom": 290.5}
    assert _join_lines([title, label], 336.0) == title["text"] + "\n" + label["text"]
    # at line spacing it is still a wrap
    assert _join_lines([title, wrap], 336.0) == title["text"] + wrap["text"]
    first = {"text": "ア 楓原市立図書館システムの結合について", "x0": 68.0, "x1": 472.0}
    second = {"text": "イ 避難所受付業務の記録項目について", "x0": 68.0, "x1": 409.0}
    assert _join_lines([first, second], 472.0) == first["text"] + "\n" + second["text"]
