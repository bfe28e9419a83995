"""Read a source file into pages of text, or say clearly why it cannot be read.

PDFs are read by PDFium (`extractors.pdf_page`: each character's box and the
page's rulings), laid out with pdfplumber's geometry: ruled tables are found
with `find_tables()` and written as `label<TAB>value` lines in their place on
the page, so a label is never interleaved with its value's lines. Text files (.txt, .md, .html) are
decoded as UTF-8, CP932 (Shift_JIS) or EUC-JP, whichever fits, and the encoding
is recorded. Nothing here extracts meaning: see `extractors.pipeline`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from extractors.normalize import one_word as _one_word
from extractors.pdf_columns import band_rows, find_bands
from models.vocab import FileType, Status

TEXT_SUFFIXES = {
    ".txt": FileType.TEXT,
    ".md": FileType.MARKDOWN,
    ".markdown": FileType.MARKDOWN,
    ".html": FileType.HTML,
    ".htm": FileType.HTML,
}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = set(TEXT_SUFFIXES) | PDF_SUFFIXES


@dataclass
class Limits:
    """Per-document limits; a document over one fails alone with a clear reason."""

    max_bytes: int = 200 * 1024 * 1024
    max_pages: int = 2000
    max_chars: int = 20_000_000
    timeout_s: float = 300.0
    memory_bytes: int | None = (
        None  # address space of the extracting process; None: the sandbox's default
    )


@dataclass
class RawDocument:
    """What a reader found in a file: pages of text as read, before normalisation."""

    file_type: str
    encoding: str | None
    pages: list[str]
    image_only_pages: list[int] = field(default_factory=list)  # 1-based
    warnings: list[str] = field(default_factory=list)


class ReadError(Exception):
    """A file that cannot be read; `status` is a models.vocab.Status, the message says what to do."""

    def __init__(
        self, status: str, reason: str, file_type: str | None = None, encoding: str | None = None
    ):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.file_type = file_type
        self.encoding = encoding


def read_bytes(data: bytes, name: str, limits: Limits | None = None) -> RawDocument:
    """Read a document from its bytes; `name` (a file name) gives the extension."""
    limits = limits or Limits()
    suffix = Path(name).suffix.lower()
    if len(data) == 0:
        raise ReadError(Status.FAILED, "the file is empty (0 bytes): download it again")
    if len(data) > limits.max_bytes:
        raise ReadError(
            Status.FAILED,
            f"the file is {len(data):,} bytes, over the limit of {limits.max_bytes:,} (raise --max-mb to read it)",
        )
    sniffed = _sniff(data)
    if suffix in PDF_SUFFIXES or sniffed == "pdf":
        if sniffed != "pdf":
            raise ReadError(
                Status.UNSUPPORTED,
                f"named .pdf but the content is {_describe(sniffed)}, not a PDF: the download probably failed; fetch the document again",
            )
        return read_pdf(data, limits)
    if suffix in TEXT_SUFFIXES or sniffed in ("text", "html"):
        if sniffed not in ("text", "html"):
            raise ReadError(
                Status.UNSUPPORTED,
                f"named {suffix or 'without extension'} but the content is {_describe(sniffed)}: not a text document",
            )
        return read_text(data, suffix, limits)
    raise ReadError(
        Status.UNSUPPORTED,
        f"{suffix or 'no extension'} files are not read by shingikai (PDF, .txt, .md and .html are)",
    )


def read_path(path: Path, limits: Limits | None = None) -> RawDocument:
    return read_bytes(path.read_bytes(), path.name, limits)


# --- sniffing -------------------------------------------------------------------

_MAGIC = [
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"\xd0\xcf\x11\xe0", "ole"),
    (b"7z\xbc\xaf", "7z"),
    (b"Rar!", "rar"),
]


def _sniff(data: bytes) -> str:
    head = data[:1024]
    # a PDF may have junk before its header (allowed in the first 1024 bytes)
    if b"%PDF-" in head:
        return "pdf"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    sample = data[:65536]
    if b"\x00" in sample:
        return "binary"
    low = sample.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<!doctype html", b"<html")) or b"<body" in low[:4096]:
        return "html"
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    if sample and controls / len(sample) > 0.02:
        return "binary"
    return "text"


def _describe(kind: str) -> str:
    return {
        "html": "an HTML page",
        "text": "plain text",
        "zip": "a ZIP archive",
        "gzip": "a gzip archive",
        "binary": "binary data",
        "png": "a PNG image",
        "jpeg": "a JPEG image",
        "gif": "a GIF image",
        "tiff": "a TIFF image",
        "ole": "an old Office file",
        "7z": "a 7z archive",
        "rar": "a RAR archive",
        "bzip2": "a bzip2 archive",
    }.get(kind, kind)


# --- text -----------------------------------------------------------------------

_ENCODINGS = ("utf-8", "cp932", "euc_jp")


def decode(data: bytes) -> tuple[str, str]:
    """Decode Japanese text; returns (text, encoding name)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    candidates = []
    for enc in _ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8":
            return text, enc
        candidates.append((_japanese_score(text), enc, text))
    if candidates:
        _, enc, text = max(candidates, key=lambda c: c[0])
        return text, enc
    # mixed encodings: the best single decoding, with undecodable bytes marked
    scored = []
    for enc in _ENCODINGS:
        text = data.decode(enc, errors="replace")
        scored.append((_japanese_score(text) - text.count("\ufffd") * 5, enc, text))
    _, enc, text = max(scored, key=lambda c: c[0])
    raise_if_garbage(text)
    return text, enc + "+replace"


def _japanese_score(text: str) -> float:
    """Share of characters that are common in Japanese prose (kana, CJK, ASCII, punctuation)."""
    if not text:
        return 0.0
    good = sum(
        1
        for c in text
        if "\u3040" <= c <= "\u30ff"
        or "\u4e00" <= c <= "\u9fff"
        or c.isascii()
        or "\u3000" <= c <= "\u303f"
        or "\uff00" <= c <= "\uffef"
    )
    return good / len(text)


def raise_if_garbage(text: str) -> None:
    bad = text.count("\ufffd")
    if text and bad / len(text) > 0.2:
        raise ReadError(
            Status.UNSUPPORTED,
            "the text is not in UTF-8, Shift_JIS or EUC-JP (over 20% undecodable): convert it to UTF-8",
        )


_MARKDOWN_SIGNS = re.compile(r"(?m)^(#{1,6} |[-*] |\|.*\|$)")


def read_text(data: bytes, suffix: str, limits: Limits) -> RawDocument:
    text, encoding = decode(data)
    warnings = []
    if encoding.endswith("+replace"):
        warnings.append(
            f"mixed or unknown encoding: decoded as {encoding.split('+')[0]} with {text.count(chr(0xFFFD))} undecodable characters replaced"
        )
    if len(text) > limits.max_chars:
        raise ReadError(
            Status.FAILED,
            f"the text has {len(text):,} characters, over the limit of {limits.max_chars:,} (raise --max-chars to read it)",
            encoding=encoding,
        )
    file_type = TEXT_SUFFIXES.get(suffix, FileType.TEXT)
    if file_type == FileType.TEXT:
        head = text[:20000].lstrip().lower()
        if head.startswith(("<!doctype html", "<html")):
            file_type = FileType.HTML
        elif len(_MARKDOWN_SIGNS.findall(text[:50000])) >= 3:
            file_type = FileType.MARKDOWN
    return RawDocument(str(file_type), encoding, [text], warnings=warnings)


# --- PDF ------------------------------------------------------------------------


def read_pdf(data: bytes, limits: Limits) -> RawDocument:
    import pypdfium2 as pdfium

    from extractors.pdf_page import PdfiumPage

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _pdf_error(exc, data) from exc
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise ReadError(Status.FAILED, "the PDF has no pages: download it again", FileType.PDF)
        if n_pages > limits.max_pages:
            raise ReadError(
                Status.FAILED,
                f"the PDF has {n_pages} pages, over the limit of {limits.max_pages} (raise --max-pages to read it)",
                FileType.PDF,
            )
        pages, image_only = [], []
        try:
            for number in range(1, n_pages + 1):
                pdf_page = pdf[number - 1]
                try:
                    page = PdfiumPage.read(pdf_page)
                finally:
                    pdf_page.close()
                text = page_text(page)
                if not text.strip() and page.images:
                    image_only.append(number)
                pages.append(text)
        except Exception as exc:
            raise _pdf_error(exc, data) from exc
    finally:
        pdf.close()
    if not image_only and not any(p.strip() for p in pages):
        raise ReadError(
            Status.FAILED,
            f"all {n_pages} page(s) are empty (no text and no images): nothing to read; check the source of the file",
            FileType.PDF,
        )
    if len(image_only) == n_pages or not any(p.strip() for p in pages):
        blank = n_pages - len(image_only)
        raise ReadError(
            Status.NEEDS_OCR,
            f"no text layer on any of its {n_pages} page(s)"
            + (
                " (a scanned document)"
                if not blank
                else f" ({len(image_only)} scanned, {blank} empty)"
            )
            + ": run OCR (e.g. ocrmypdf) and ingest the result",
            FileType.PDF,
        )
    warnings = []
    if image_only:
        warnings.append(f"pages without a text layer (need OCR): {', '.join(map(str, image_only))}")
    return RawDocument(FileType.PDF, None, pages, image_only, warnings)


def _pdf_error(exc: Exception, data: bytes) -> ReadError:
    """PDFium's error code says what is wrong: a password, a damaged file, or something else."""
    import pypdfium2.raw as pdfium_c

    code = getattr(exc, "err_code", None)
    message = f"{type(exc).__name__}: {exc}"
    if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY) or (
        code is None and b"/Encrypt" in data
    ):
        return ReadError(
            Status.ENCRYPTED,
            "the PDF is encrypted with a password: ask the publisher for an unprotected copy, or decrypt it (qpdf --decrypt) and ingest that",
            FileType.PDF,
        )
    if code in (pdfium_c.FPDF_ERR_FORMAT, pdfium_c.FPDF_ERR_FILE):
        return ReadError(
            Status.FAILED,
            f"the PDF is damaged or truncated ({message[:200]}): download it again",
            FileType.PDF,
        )
    return ReadError(
        Status.FAILED,
        f"PDFium could not read the PDF ({message[:200]}): check the file, or download it again",
        FileType.PDF,
    )


def page_text(page) -> str:  # type: ignore[no-untyped-def]
    """A page's text with each table written as tab-separated rows in its place.

    Ruled tables are found by pdfplumber's table finder; a label | value table
    printed without rulings by the gutter between its columns
    (`extractors.pdf_columns`). Lines that run to the right margin were wrapped
    by the page width and are joined here, where the geometry still tells a wrap
    from a line break.
    """
    try:
        tables = [t for t in page.find_tables() if len(t.rows) >= 1 and len(t.rows[0].cells) >= 2]
    except Exception:
        tables = []
    x0, y0, x1, y1 = page.bbox
    margin = _right_margin(page)
    regions = [(t.bbox[1], t.bbox[3], lambda t=t: _table_lines(page, t)) for t in tables]
    regions += [
        (band.bbox_top - 0.5, band.bbox_bottom + 0.5, lambda band=band: _band_lines(band))
        for band in _unruled_bands(page, [t.bbox for t in tables])
    ]
    if not regions:
        return _join_lines(_text_lines(page), margin)
    regions.sort(key=lambda r: r[0])
    parts = []
    top = float(y0)
    for rtop, rbottom, lines in regions:
        if rtop > top:
            parts.append(_crop_text(page, (x0, top, x1, min(rtop, y1)), margin))
        parts.append(lines())
        top = max(top, rbottom)
    if top < y1:
        parts.append(_crop_text(page, (x0, top, x1, y1), margin))
    return "\n".join(p for p in parts if p)


def _unruled_bands(page, ruled: list) -> list:  # type: ignore[no-untyped-def]
    """Unruled label | value tables on the page, away from its ruled tables."""
    chars = getattr(page, "chars", None)
    if not chars:
        return []
    free = [
        c for c in chars if not any(b[1] - 1 <= c["top"] and c["bottom"] <= b[3] + 1 for b in ruled)
    ]
    return find_bands(free, page.bbox[0], page.bbox[2])


def _band_lines(band) -> str:  # type: ignore[no-untyped-def]
    lines = []
    for label, value in band_rows(band, _CELL_STRUCTURE.match):
        if not label:
            lines.append(value)  # continues the row above (a row split by a page break)
        else:
            lines.append(f"{label}\t{value}" if value else label)
    return "\n".join(lines)


def _text_lines(page) -> list[dict]:  # type: ignore[no-untyped-def]
    try:
        return page.extract_text_lines(return_chars=False)
    except Exception:
        return [{"text": t, "x0": 0, "x1": 0} for t in (page.extract_text() or "").split("\n")]


def _right_margin(page) -> float | None:  # type: ignore[no-untyped-def]
    ends = sorted(ln["x1"] for ln in _text_lines(page) if len(ln["text"]) >= 10)
    if len(ends) < 3:
        return None
    return ends[int(len(ends) * 0.9)]


_TERMINAL = tuple("。！？!?")


_OPENS_ITEM = re.compile(
    r"^\s*(?:\d{1,3}[.．、)）]\D|[(（][0-9０-９一-十]{1,2}[)）]|[・●○◯■□◆◇※→•①-⑳⑴-⒇【]"
    # a katakana list marker standing alone before its text: `ア 〇〇について`, `イ　…`
    r"|[ア-ンｱ-ﾝ][ 　])"
)


def _join_lines(text_lines: list[dict], margin: float | None) -> str:
    """Join a line to the next when it reaches the right margin without ending a sentence."""
    out: list[str] = []
    joined = False
    below = None  # the bottom of the line before
    for ln in text_lines:
        text = ln["text"]
        # a line that opens with an enumerator or bullet starts something new, wrap or not;
        # so does one a blank line's height below the last (a wrap follows at line spacing:
        # a page printed from a web site leaves blank lines between short blocks that reach
        # the estimated margin, `…会議録` over `日時`)
        gap = ln["top"] - below if below is not None and "top" in ln else 0.0
        spaced = gap >= ln.get("bottom", 0.0) - ln.get("top", 0.0) > 0
        below = ln.get("bottom")
        if joined and out and not _OPENS_ITEM.match(text) and not spaced:
            out[-1] += text
        else:
            out.append(text)
        width = (ln["x1"] - ln["x0"]) / max(len(text), 1)
        joined = (
            margin is not None
            and ln["x1"] >= margin - 1.6 * width
            and ln["x1"] - ln["x0"] >= 0.6 * margin  # a right-aligned signature line is not a wrap
            and not text.rstrip().endswith(_TERMINAL)
            and "\t" not in text
        )
    return "\n".join(out)


def _crop_text(page, bbox, margin) -> str:  # type: ignore[no-untyped-def]
    if bbox[3] - bbox[1] < 1:
        return ""
    try:
        return _join_lines(_text_lines(page.crop(bbox, strict=False)), margin)
    except Exception:
        return ""


_CELL_STRUCTURE = re.compile(r"^[・●○◯■□◆◇※→\-－①-⑳⑴-⒇【]|^[(（][0-9０-９一-十]{1,2}[)）]")


def _cell_text(page, bbox, *, label: bool) -> str:  # type: ignore[no-untyped-def]
    if bbox is None:
        return ""
    try:
        text_lines = _text_lines(page.crop(bbox, strict=False))
    except Exception:
        return ""
    if label and len(text_lines) <= 2:
        # a label the cell's width broke (`取り扱う個` / `人情報`); three lines or more in the
        # first column are a list (a column of items down a `項目 | 備考` table), read as values
        return "".join(ln["text"].strip() for ln in text_lines)
    # wrapped when a line reaches the cell's right edge (less its padding)
    margin = bbox[2] - 4
    out = ""
    joined = True
    # a column as wide as its longest entry (a browser sizes a table's columns to fit): every
    # short line reaches the edge, and only a break inside a word is a wrap
    stacked = len(text_lines) >= 3 and all(len(ln["text"].strip()) <= 12 for ln in text_lines)
    previous = ""
    for ln in text_lines:
        text = ln["text"].strip()
        if not text:
            continue
        if joined and out and stacked and not _one_word(out[-6:], text[:6]):
            joined = False
        if out and (not joined or _CELL_STRUCTURE.match(text)):
            out += "\n"
        elif out and _blank_list(previous, text) and not _one_word(out[-6:], text[:6]):
            out += " "  # a list written with blanks, wrapped at a blank the line end swallowed
        out += text
        previous = text
        width = (ln["x1"] - ln["x0"]) / max(len(text), 1)
        joined = ln["x1"] >= margin - 2.5 * width
    return out


def _blank_list(line: str, following: str) -> bool:
    """Two lines of a list written with blanks: short entries, two blanks or more on the first."""
    words = line.split() + following.split()
    return line.count(" ") >= 2 and all(len(w) <= 10 for w in words)


def _one_line(cell: str) -> str:
    """A cell's lines on one line: a `/` between entries, nothing inside a word or a bracket."""
    parts = cell.split("\n")
    out = parts[0]
    for part in parts[1:]:
        inside = out.count("(") + out.count("（") > out.count(")") + out.count("）")
        out += ("" if inside or _one_word(out[-6:], part[:6]) else "/") + part
    return out


def _table_lines(page, table) -> str:  # type: ignore[no-untyped-def]
    lines = []
    for row in table.rows:
        bboxes = list(row.cells)
        cells = [
            _cell_text(page, b, label=(i == 0 and len(bboxes) > 1)) for i, b in enumerate(bboxes)
        ]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if not cells[0] and len(cells) > 1:
            # the second half of a row split by a page break: its value continues the row above
            lines.append("\n".join(c for c in cells[1:] if c))
            continue
        # a line break inside a cell before the last would break the row: it is a `/`, as in a
        # web page's cell (the last cell's lines stay lines: a list that continues the row)
        cells = [_one_line(c) for c in cells[:-1]] + cells[-1:]
        lines.append("\t".join(cells))
    return "\n".join(lines)
