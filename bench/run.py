"""Benchmarks, side by side; writes bench/out/report.md.  `python -m bench.run [--quick]`.

1. end-to-end chars/s of `shingikai ingest` (subprocess, incl. Prefect start-up) vs a naive
   full `ja_ginza` pass over the same text (every document split under 49,149 bytes);
2. PDF pages/s: the pipeline's reader (extractors.reading.read_pdf) vs pdfplumber
   `extract_text` vs pypdfium2 `get_textpage().get_text_range()`;
3. the time of a no-op re-run over an unchanged corpus of LARGE small documents;
4. peak memory (RSS of the ingest process tree, sampled by psutil) at SMALL vs LARGE documents.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench.generate import PDF_DIR, generate
from shingikai.warehouse import connect_readonly

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
SUDACHI_MAX_BYTES = 49_149


def run_ingest(paths: list[Path], db: Path) -> dict:
    env = {
        **os.environ,
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
        "PREFECT_LOGGING_LEVEL": "WARNING",
    }
    t0 = time.perf_counter()
    proc = psutil.Popen(
        [sys.executable, "-m", "shingikai.cli", "ingest", *map(str, paths), "--db", str(db)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak_tree = peak_one = 0
    while proc.poll() is None:
        try:
            procs = [proc, *proc.children(recursive=True)]
            rss = []
            for p in procs:
                try:
                    rss.append(p.memory_info().rss)
                except psutil.Error:
                    pass
            peak_tree, peak_one = max(peak_tree, sum(rss)), max(peak_one, max(rss, default=0))
        except psutil.Error:
            pass
        time.sleep(0.1)
    out = proc.stdout.read() if proc.stdout else ""
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"ingest failed ({proc.returncode}): {out[-2000:]}")
    m = re.search(r"\(([\d.]+) s\)", out)
    return {
        "wall": wall,
        "flow": float(m.group(1)) if m else wall,
        "peak_tree": peak_tree,
        "peak_one": peak_one,
        "summary": out.strip().splitlines()[0] if out.strip() else "",
    }


def corpus_chars(db: Path) -> tuple[int, list[str]]:
    con = connect_readonly(db)
    texts = [r[0] for r in con.execute("SELECT text FROM document_texts").fetchall() if r[0]]
    con.close()
    return sum(len(t) for t in texts), texts


def chunks(text: str, limit: int = SUDACHI_MAX_BYTES) -> list[str]:
    out, cur, size = [], [], 0
    for line in text.splitlines(keepends=True):
        b = len(line.encode("utf-8"))
        while b > limit:  # a single huge line: cut by characters
            cut = line[: limit // 4]
            out.append(cut)
            line = line[limit // 4 :]
            b = len(line.encode("utf-8"))
        if size + b > limit and cur:
            out.append("".join(cur))
            cur, size = [], 0
        cur.append(line)
        size += b
    if cur:
        out.append("".join(cur))
    return out


def naive_ginza(texts: list[str]) -> dict:
    import spacy

    t0 = time.perf_counter()
    nlp = spacy.load("ja_ginza")
    load = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = 0
    for text in texts:
        for c in chunks(text):
            nlp(c)
            n += len(c)
    return {"load": load, "seconds": time.perf_counter() - t0, "chars": n}


def pdf_readers(pdfs: list[Path]) -> list[tuple[str, int, float]]:
    import pdfplumber
    import pypdfium2 as pdfium

    from extractors.reading import Limits, read_pdf

    pages = 0
    for p in pdfs:
        doc = pdfium.PdfDocument(str(p))
        pages += len(doc)
        doc.close()
    results = []

    t0 = time.perf_counter()
    for p in pdfs:
        read_pdf(p.read_bytes(), Limits())
    results.append(("pipeline extractors.reading.read_pdf", pages, time.perf_counter() - t0))

    t0 = time.perf_counter()
    for p in pdfs:
        with pdfplumber.open(str(p)) as pdf:
            for page in pdf.pages:
                page.extract_text()
    results.append(("pdfplumber extract_text", pages, time.perf_counter() - t0))

    t0 = time.perf_counter()
    for p in pdfs:
        doc = pdfium.PdfDocument(str(p))
        for page in doc:
            tp = page.get_textpage()
            tp.get_text_range()
            tp.close()
            page.close()
        doc.close()
    results.append(("pypdfium2 get_text_range", pages, time.perf_counter() - t0))
    return results


def mb(n: float) -> str:
    return f"{n / 1024**2:.0f} MB"


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="small scale: 20 vs 100 documents, 5 PDFs")
    ap.add_argument(
        "--small", type=int, help="documents in the small corpus (default 200; quick 20)"
    )
    ap.add_argument(
        "--large", type=int, help="documents in the large/no-op corpus (default 2000; quick 100)"
    )
    ap.add_argument("--pdfs", type=int, help="shared PDFs to read (default all; quick 5)")
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    a = ap.parse_args()
    small = a.small or (20 if a.quick else 200)
    large = a.large or (100 if a.quick else 2000)
    n_pdfs = a.pdfs or (5 if a.quick else 10_000)
    work = a.keep or Path(tempfile.mkdtemp(prefix="shingikai-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    lines = [
        f"# shingikai benchmark ({'quick' if a.quick else 'full'})",
        "",
        f"machine: {os.cpu_count()} CPUs, {mb(psutil.virtual_memory().total)} RAM, load average "
        f"{', '.join(f'{x:.1f}' for x in os.getloadavg())} at start; Python {sys.version.split()[0]}",
        "",
    ]
    try:
        # 1 + 4 (small): end-to-end ingest vs naive GiNZA
        print(f"generating {small} documents ...", flush=True)
        generate(work / "small", small, seed=1)
        print("ingesting small corpus ...", flush=True)
        s = run_ingest([work / "small"], work / "small.ducklake")
        chars, texts = corpus_chars(work / "small.ducklake")
        print("naive ja_ginza pass ...", flush=True)
        g = naive_ginza(texts)
        lines += [
            "## End-to-end throughput",
            "",
            f"{small} synthetic documents (.txt/.md minutes, ~5% PDFs), {chars:,} characters of text.",
            "",
            "| what | seconds | chars/s |",
            "|---|---:|---:|",
            f"| `shingikai ingest` wall clock (incl. Prefect start-up) | {s['wall']:.1f} | {chars / s['wall']:,.0f} |",
            f"| `shingikai ingest` flow time (as reported) | {s['flow']:.1f} | {chars / s['flow']:,.0f} |",
            f"| naive full `ja_ginza` pass (model load {g['load']:.1f} s not counted) | {g['seconds']:.1f} | {g['chars'] / g['seconds']:,.0f} |",
            "",
            f"ingest: {s['summary']}",
            "",
        ]
        # 2: PDF readers
        pdfs = sorted(PDF_DIR.glob("*.pdf"))
        pdfs = [p for p in pdfs if re.match(r"\d", p.name)][:n_pdfs]
        if pdfs:
            print("PDF readers ...", flush=True)
            lines += [
                "## PDF reading",
                "",
                f"{len(pdfs)} PDFs from ../shared/corpus/pdf.",
                "",
                "| reader | pages | seconds | pages/s |",
                "|---|---:|---:|---:|",
            ]
            for name, pages, secs in pdf_readers(pdfs):
                lines.append(f"| {name} | {pages} | {secs:.2f} | {pages / secs:,.1f} |")
            lines.append("")
        # 3 + 4 (large): first ingest, then the no-op re-run
        print(f"generating {large} small documents ...", flush=True)
        generate(work / "large", large, seed=2, pdf_share=0.0, chatter=0)
        from extractors import extractor_version

        print("ingesting large corpus ...", flush=True)
        version = extractor_version()
        first = run_ingest([work / "large"], work / "large.ducklake")
        print("no-op re-run ...", flush=True)
        noop = run_ingest([work / "large"], work / "large.ducklake")
        if extractor_version() != version or "new: 0," not in noop["summary"]:
            lines += [
                "> WARNING: the re-run was not a no-op (the extractors changed during the benchmark, "
                "or files were re-extracted); its time is not a no-op measurement.",
                "",
            ]
        lines += [
            "## No-op re-run",
            "",
            f"{large} small unchanged documents, already loaded.",
            "",
            "| run | wall s | flow s |",
            "|---|---:|---:|",
            f"| first ingest | {first['wall']:.1f} | {first['flow']:.1f} |",
            f"| no-op re-run | {noop['wall']:.1f} | {noop['flow']:.1f} |",
            "",
            f"re-run: {noop['summary']}",
            "",
            "## Peak memory of the ingest process tree",
            "",
            "| corpus | peak RSS, tree (sum) | peak RSS, largest process |",
            "|---|---:|---:|",
            f"| {small} documents | {mb(s['peak_tree'])} | {mb(s['peak_one'])} |",
            f"| {large} documents | {mb(first['peak_tree'])} | {mb(first['peak_one'])} |",
            f"| {large} documents, no-op | {mb(noop['peak_tree'])} | {mb(noop['peak_one'])} |",
            "",
            "The tree sum counts pages shared by forked extraction children more than once; "
            "the largest single process is the better bound.",
            "",
        ]
    finally:
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "report.md").write_text("\n".join(lines) + "\n", "utf-8")
        print("\n".join(lines))
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
