"""PDF reading, before (pdfminer through pdfplumber) and after (PDFium), side by side.

`python -m bench.pdf [--rounds N] [--repeat-pages N] [--no-ingest] [--out FILE]`

1. Pages per second per core on the PDF sets (../shared/corpus: the seed PDFs, real-pdf,
   full-pdf): the same `page_text` layout over pdfplumber's pages (the reader before
   issue 24) and over `extractors.pdf_page.PdfiumPage` (after), alternated back to back
   for `--rounds` rounds; the best round counts. Per core: pages per CPU-second of this
   process (`time.process_time`), which other engineers' jobs on the shared cores disturb
   far less than wall time (both are reported, with the load average).
2. Where the PDFium reader's time goes: PDFium (characters, rulings), pdfplumber's line
   layout, and pdfplumber's table finder, which runs only on pages whose rulings could
   make a cell (how many pages that is).
3. A PDF-heavy corpus: every readable PDF of the sets, copied (each copy's bytes made
   distinct) until there are at least `--repeat-pages` pages: `shingikai ingest` end to
   end (pages per second of flow and of wall time), and, in this process, the share of
   extraction time spent reading.

Writes a markdown report (default bench/out/pdf.md); the load average is beside every figure.
"""

from __future__ import annotations

import io
import logging
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

from bench.run import arg_parser, load, run_ingest
from extractors.pdf_page import PdfiumPage
from extractors.pipeline import extract_bytes
from extractors.reading import Limits, ReadError, page_text, read_bytes

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "corpus"
OUT = Path(__file__).resolve().parent / "out"
SETS = {
    "seed PDFs (reportlab, LibreOffice; ruled tables)": (SHARED / "pdf", "[0-9]*.pdf"),
    "real-pdf (browser-printed)": (SHARED / "real-pdf", "*.pdf"),
    "full-pdf (browser-printed, HTML tables)": (SHARED / "full-pdf", "*.pdf"),
}


def pages_of(paths: list[Path]) -> int:
    n = 0
    for p in paths:
        doc = pdfium.PdfDocument(p)
        n += len(doc)
        doc.close()
    return n


def read_before(data: bytes) -> list[str]:
    """The reader before issue 24: pdfminer parses each page, the same layout writes it."""
    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # a note per font without a FontBBox

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        out = []
        for page in pdf.pages:
            out.append(page_text(page))
            page.flush_cache()
        return out


def read_after(data: bytes) -> list[str]:
    return read_bytes(data, "x.pdf", Limits()).pages


def timed(fn, datas: list[bytes]) -> tuple[float, float, list[list[str]]]:  # type: ignore[no-untyped-def]
    """(CPU seconds, wall seconds, pages read) to read every document."""
    c0, w0 = time.process_time(), time.perf_counter()
    pages = [fn(data) for data in datas]
    return time.process_time() - c0, time.perf_counter() - w0, pages


def reader_rates(rounds: int) -> list[dict]:
    rows = []
    for name, (folder, pattern) in SETS.items():
        paths = sorted(folder.glob(pattern))
        datas = [p.read_bytes() for p in paths]
        best: dict[str, tuple[float, float, str]] = {}
        read: dict[str, list[list[str]]] = {}
        for _ in range(rounds):
            for label, fn in (("before", read_before), ("after", read_after)):
                before = load()
                cpu, wall, read[label] = timed(fn, datas)
                if label not in best or cpu < best[label][0]:
                    best[label] = (cpu, wall, f"{before} → {load()}")
        same = sum(
            a == b
            for old, new in zip(read["before"], read["after"], strict=True)
            for a, b in zip(old, new, strict=True)
        )
        rows.append(
            {"set": name, "docs": len(paths), "pages": pages_of(paths), "same": same, **best}
        )
    return rows


def breakdown() -> dict:
    """CPU seconds in PDFium, in pdfplumber's line layout and in its table finder, all sets."""
    import extractors.pdf_page as pp

    finder = {"seconds": 0.0, "pages": 0}
    original = pp.PdfiumPage.find_tables

    def counted(self: PdfiumPage) -> list:
        t0 = time.process_time()
        try:
            return original(self)
        finally:
            if self.might_hold_a_table():
                finder["pages"] += 1
                finder["seconds"] += time.process_time() - t0

    pp.PdfiumPage.find_tables = counted  # type: ignore[method-assign]
    before = load()
    read = layout = 0.0
    pages = 0
    try:
        for folder, pattern in SETS.values():
            for p in sorted(folder.glob(pattern)):
                doc = pdfium.PdfDocument(p)
                for page in doc:
                    t0 = time.process_time()
                    pp_page = PdfiumPage.read(page)
                    t1 = time.process_time()
                    page_text(pp_page)
                    t2 = time.process_time()
                    read += t1 - t0
                    layout += t2 - t1
                    pages += 1
                    page.close()
                doc.close()
    finally:
        pp.PdfiumPage.find_tables = original  # type: ignore[method-assign]
    return {
        "pages": pages,
        "pdfium": read,
        "layout": layout - finder["seconds"],
        "finder": finder["seconds"],
        "finder_pages": finder["pages"],
        "load": f"{before} → {load()}",
    }


def pdf_heavy(work: Path, min_pages: int, ingest: bool) -> dict:
    """The readable PDFs, copied with distinct bytes up to `min_pages` pages; read and ingested."""
    sources = [p for folder, pattern in SETS.values() for p in sorted(folder.glob(pattern))]
    corpus = work / "pdf-heavy"
    corpus.mkdir()
    pages = copy = 0
    per_file = {p: pages_of([p]) for p in sources}
    while pages < min_pages:
        for p in sources:
            # a comment after %%EOF: another file (another document id), the same pages
            (corpus / f"{copy:03d}_{p.name}").write_bytes(p.read_bytes() + b"\n%%copy %d\n" % copy)
            pages += per_file[p]
        copy += 1
    files = sorted(corpus.iterdir())
    extract_bytes(files[0].read_bytes(), "warm-up.pdf")  # GiNZA and the patterns load here
    before = load()
    read_cpu = extract_cpu = 0.0
    for f in files:
        data = f.read_bytes()
        t0 = time.process_time()
        try:
            read_bytes(data, f.name)
        except ReadError:
            pass
        t1 = time.process_time()
        extract_bytes(data, f"pdf-heavy/{f.name}")
        t2 = time.process_time()
        read_cpu += t1 - t0
        extract_cpu += t2 - t1
    out: dict = {
        "files": len(files),
        "pages": pages,
        "read_cpu": read_cpu,
        "extract_cpu": extract_cpu,
        "inproc_load": f"{before} → {load()}",
    }
    if ingest:
        out["ingest"] = run_ingest([corpus], work / "pdf-heavy.ducklake")
    return out


def report(rates: list[dict], parts: dict, heavy: dict, rounds: int) -> str:
    lines = [
        "# PDF reading: pdfplumber (pdfminer) before, PDFium after (issue 24)",
        "",
        f"Written by `python -m bench.pdf --rounds {rounds}` on {time.strftime('%Y-%m-%d %H:%M')} "
        f"(machine: 2 cores, shared; load average 1/5/15 min beside each figure). Per core: pages "
        "per CPU-second of the reading process, best of the rounds, before and after alternated "
        "back to back.",
        "",
        "## Pages per second per core",
        "",
        "| set | docs | pages | pages identical | before p/s/core | after p/s/core | × | before wall s | after wall s | load (before; after) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rates:
        b, a = r["before"], r["after"]
        lines.append(
            f"| {r['set']} | {r['docs']} | {r['pages']} | {r['same']}/{r['pages']} "
            f"| {r['pages'] / b[0]:.1f} | {r['pages'] / a[0]:.1f} | {b[0] / a[0]:.1f}× "
            f"| {b[1]:.1f} | {a[1]:.1f} | {b[2]}; {a[2]} |"
        )
    total = parts["pdfium"] + parts["layout"] + parts["finder"]
    lines += [
        "",
        f"## Where the PDFium reader's time goes ({parts['pages']} pages, load {parts['load']})",
        "",
        "| step | CPU s | share |",
        "|---|---:|---:|",
        f"| PDFium: characters, boxes, rulings | {parts['pdfium']:.2f} | {parts['pdfium'] / total:.0%} |",
        f"| pdfplumber line layout (`page_text`) | {parts['layout']:.2f} | {parts['layout'] / total:.0%} |",
        f"| pdfplumber table finder, on the {parts['finder_pages']} pages whose rulings could make a cell "
        f"| {parts['finder']:.2f} | {parts['finder'] / total:.0%} |",
        "",
        "## A PDF-heavy corpus end to end",
        "",
        f"{heavy['files']} PDFs ({heavy['pages']} pages: every readable PDF of the sets, repeated).",
        "",
        "| what | seconds | pages/s | load |",
        "|---|---:|---:|---|",
        f"| in-process extraction (`extract_bytes`), one core: CPU | {heavy['extract_cpu']:.1f} "
        f"| {heavy['pages'] / heavy['extract_cpu']:.1f} | {heavy['inproc_load']} |",
        f"| of which reading (`read_bytes`): CPU | {heavy['read_cpu']:.1f} "
        f"| {heavy['pages'] / heavy['read_cpu']:.1f} | (same run) |",
    ]
    if "ingest" in heavy:
        ing = heavy["ingest"]
        lines += [
            f"| `shingikai ingest` (2 workers, temporary server): flow time | {ing['flow']:.1f} "
            f"| {heavy['pages'] / ing['flow']:.1f} | {ing['load']} |",
            f"| `shingikai ingest`: wall clock incl. start-up | {ing['wall']:.1f} "
            f"| {heavy['pages'] / ing['wall']:.1f} | (same run) |",
        ]
    share = heavy["read_cpu"] / heavy["extract_cpu"]
    lines += [
        "",
        f"Share of extraction time spent reading the PDFs: {share:.0%} "
        "(CPU seconds of `read_bytes` over those of `extract_bytes`, which reads and then extracts).",
    ]
    if "ingest" in heavy:
        lines += ["", f"ingest: {heavy['ingest']['summary']}"]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = arg_parser(__doc__)
    ap.add_argument("--rounds", type=int, default=2, help="before/after rounds (best counts)")
    ap.add_argument("--repeat-pages", type=int, default=500, help="pages in the PDF-heavy corpus")
    ap.add_argument("--no-ingest", action="store_true", help="skip `shingikai ingest`")
    ap.add_argument("--out", type=Path, default=OUT / "pdf.md", help="where to write the report")
    args = ap.parse_args()
    rates = reader_rates(args.rounds)
    parts = breakdown()
    with tempfile.TemporaryDirectory(prefix="bench-pdf-") as tmp:
        heavy = pdf_heavy(Path(tmp), args.repeat_pages, not args.no_ingest)
    text = report(rates, parts, heavy, args.rounds)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
