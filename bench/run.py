"""Benchmarks, side by side, against the targets of issue 11; writes bench/out/report.md.

`python -m bench.run [--quick] [--naive-docs N] [--make-run REF ...]`

1. end-to-end `shingikai ingest` (a subprocess: wall clock including start-up, and the flow
   time it reports) of SMALL synthetic documents, with Prefect's temporary server, with the
   local server (issue 24: the first run starts it, the next reuses it; a state folder of
   the benchmark's own) and with a configured one (`PREFECT_API_URL`), with 1 and 2 workers,
   and on `--dask local`; vs a
   naive full `ja_ginza` pass over the same text (documents cut under 49,149 bytes);
2. PDF pages/s: the pipeline's reader vs pdfplumber `extract_text` vs pypdfium2;
3. the first ingest of LARGE small documents, with 1 and 2 workers, then the no-op re-run;
4. peak memory (RSS of the ingest process tree, sampled by psutil) at SMALL vs LARGE;
5. optionally `make run` on fresh clones of the given git refs (before/after).

The load average (`uptime`) is recorded beside every figure: the machine is shared.
"""

from __future__ import annotations

import argparse
import hashlib
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


def arg_parser(doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's command line, its module docstring as the help."""
    return argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run_ingest(
    paths: list[Path],
    db: Path,
    *extra: str,
    api_url: str | None = None,
    reuse_state: Path | None = None,
) -> dict:
    """One `shingikai ingest` in a subprocess: wall clock, flow time, peak memory, summary.

    Without `api_url` the run starts a temporary Prefect server of its own, unless
    `reuse_state` names a state folder: then it uses the local server kept there (started by
    the first such run, reused by the next; `stop_local_server` ends it). The benchmark never
    touches the user's own local server.
    """
    env = {
        **os.environ,
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
        "SHINGIKAI_TIMINGS": "1",
        "SHINGIKAI_PREFECT_SERVER": "temporary",
    }
    env.pop("PREFECT_API_URL", None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    if reuse_state is not None:
        env["SHINGIKAI_PREFECT_SERVER"] = "reuse"
        env["SHINGIKAI_STATE_DIR"] = str(reuse_state)
    before = load()
    t0 = time.perf_counter()
    proc = psutil.Popen(
        [
            sys.executable,
            "-m",
            "shingikai.cli",
            "ingest",
            *map(str, paths),
            "--db",
            str(db),
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
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
    err = proc.stderr.read() if proc.stderr else ""
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"ingest failed ({proc.returncode}): {out[-2000:]} {err[-2000:]}")
    timings = [line for line in err.splitlines() if line.startswith("timing:")]
    # the flow's own time (its planning included), from the run's marks; the summary line's
    # "(N s)" is the whole command's since it began, start-up included
    flow = re.search(r"flow done \(([\d.]+) s in the flow\)", "\n".join(timings))
    m = flow or re.search(r"\(([\d.]+) s\)", out)
    return {
        "wall": wall,
        "flow": float(m.group(1)) if m else wall,
        "peak_tree": peak_tree,
        "peak_one": peak_one,
        "summary": out.strip().splitlines()[0] if out.strip() else "",
        "traceback": "Traceback" in err or "Error logging to API" in err,
        "load": f"{before} → {load()}",
        "timings": timings,
    }


def stop_local_server(state: Path) -> None:
    """End the local server the runs with `reuse_state=state` kept up."""
    from flows import local_server

    local_server.stop(state / "prefect-server", force=True)


def startup_seconds() -> float:
    """Process start-up alone: `shingikai --help`."""
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "shingikai.cli", "--help"], cwd=ROOT, capture_output=True, check=True
    )
    return time.perf_counter() - t0


def content_digest(db: Path) -> str:
    """A digest of every extracted row (without ingest times and ids), to show runs agree."""
    con = connect_readonly(db)
    digest = hashlib.sha256()
    try:
        for table in ("documents", "consultations", "contractors", "data_items", "utterances"):
            cols = [
                r[0]
                for r in con.execute(f"DESCRIBE {table}").fetchall()
                if r[0] not in ("ingested_at",)
                and not (r[0].endswith("_id") and r[0] != "document_id")
            ]
            rows = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()
            digest.update(repr(rows).encode())
    finally:
        con.close()
    return digest.hexdigest()[:12]


def make_run(ref: str, work: Path) -> dict:
    """`make run` on a fresh clone of `ref` (setup not timed): wall clock and its output."""
    clone = work / f"clone-{ref.replace('/', '_')}"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", ref], check=True)
    subprocess.run(["make", "-s", "setup"], cwd=clone, check=True, capture_output=True)
    before = load()
    t0 = time.perf_counter()
    # a clone that keeps a local server (issue 24) keeps it in its own folder, stopped after
    env = {**os.environ, "SHINGIKAI_STATE_DIR": str(clone / "state")}
    run = subprocess.run(["make", "run"], cwd=clone, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    stop_local_server(clone / "state")
    return {
        "wall": wall,
        "load": f"{before} → {load()}",
        "output": (run.stdout + run.stderr).strip(),
        "traceback": "Traceback" in run.stderr or "Error logging to API" in run.stderr,
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
    model_load = time.perf_counter() - t0
    before = load()
    t0 = time.perf_counter()
    n = 0
    for text in texts:
        for c in chunks(text):
            nlp(c)
            n += len(c)
    return {
        "load": model_load,
        "seconds": time.perf_counter() - t0,
        "chars": n,
        "load_avg": f"{before} → {load()}",
    }


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


def ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def main() -> None:
    ap = arg_parser(__doc__)
    ap.add_argument("--quick", action="store_true", help="small scale: 20 vs 100 documents, 5 PDFs")
    ap.add_argument(
        "--small", type=int, help="documents in the small corpus (default 200; quick 20)"
    )
    ap.add_argument(
        "--large", type=int, help="documents in the large/no-op corpus (default 2000; quick 100)"
    )
    ap.add_argument("--pdfs", type=int, help="shared PDFs to read (default all; quick 5)")
    ap.add_argument(
        "--naive-docs",
        type=int,
        help="documents the naive ja_ginza pass parses (default all); its rate is applied to the whole corpus",
    )
    ap.add_argument(
        "--make-run",
        nargs="*",
        default=[],
        metavar="REF",
        help="time `make run` on fresh clones of these git refs",
    )
    ap.add_argument("--no-dask", action="store_true", help="skip the --dask local run")
    ap.add_argument("--no-pdf", action="store_true", help="skip the PDF readers")
    ap.add_argument("--out", type=Path, default=OUT / "report.md", help="where to write the report")
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
        f"machine: {os.cpu_count()} CPUs, {mb(psutil.virtual_memory().total)} RAM, shared with other "
        f"engineers' jobs: load average (1/5/15 min) {load()} at start; Python {sys.version.split()[0]}. "
        "Each figure has the 1-minute load beside it (before → after the run); with a load above 2 "
        "the two cores were shared, so times are upper bounds.",
        "",
    ]
    targets: list[tuple[str, str, str]] = []
    from flows.server import TemporaryServer

    server = None
    state = work / "state"  # the local server's, for this benchmark only
    try:
        print(f"generating {small} + {large} documents ...", flush=True)
        generate(work / "small", small, seed=1)
        generate(work / "large", large, seed=2, pdf_share=0.0, chatter=0)
        start_up = startup_seconds()

        print("small corpus: temporary Prefect server ...", flush=True)
        tmp = run_ingest([work / "small"], work / "small-tmp.ducklake")
        print("small corpus: local server, first run (starts it) ...", flush=True)
        local1 = run_ingest([work / "small"], work / "small-local1.ducklake", reuse_state=state)
        print("small corpus: local server, later run (reuses it) ...", flush=True)
        local2 = run_ingest([work / "small"], work / "small-local2.ducklake", reuse_state=state)
        print("small corpus: configured Prefect server ...", flush=True)
        server = TemporaryServer()  # a server already running, as the nightly deployment has
        api = server.wait(timeout=300)
        cfg = run_ingest([work / "small"], work / "small-cfg.ducklake", api_url=api)
        print("small corpus: --workers 1 ...", flush=True)
        one = run_ingest(
            [work / "small"], work / "small-w1.ducklake", "--workers", "1", api_url=api
        )
        dask = None
        if not a.no_dask:
            print("small corpus: --dask local ...", flush=True)
            dask = run_ingest(
                [work / "small"], work / "small-dask.ducklake", "--dask", "local", api_url=api
            )
        digests = {
            name: content_digest(work / f"small-{name}.ducklake")
            for name in ("tmp", "local1", "local2", "cfg", "w1", *(["dask"] if dask else []))
        }
        same = len(set(digests.values())) == 1

        chars, texts = corpus_chars(work / "small-tmp.ducklake")
        print("naive ja_ginza pass ...", flush=True)
        naive_texts = texts[: a.naive_docs] if a.naive_docs else texts
        g = naive_ginza(naive_texts)
        naive_rate = g["chars"] / g["seconds"]
        naive_s = sum(len(c) for t in texts for c in chunks(t)) / naive_rate
        naive_note = (
            f"parsed {len(naive_texts)} of {len(texts)} documents ({g['chars']:,} chars in "
            f"{g['seconds']:.1f} s, load {g['load_avg']}); the whole corpus at that rate"
            if a.naive_docs and a.naive_docs < len(texts)
            else f"load {g['load_avg']}"
        )
        rows = [
            (
                "`ingest`, temporary Prefect server: wall clock incl. start-up",
                tmp["wall"],
                tmp["load"],
            ),
            ("`ingest`, temporary Prefect server: flow time", tmp["flow"], tmp["load"]),
            (
                "`ingest`, local server, first run (starts it): wall clock incl. start-up",
                local1["wall"],
                local1["load"],
            ),
            (
                "`ingest`, local server, later run (reuses it): wall clock incl. start-up",
                local2["wall"],
                local2["load"],
            ),
            ("`ingest`, local server reused: flow time", local2["flow"], local2["load"]),
            (
                "`ingest`, configured server (`PREFECT_API_URL`): wall clock incl. start-up",
                cfg["wall"],
                cfg["load"],
            ),
            ("`ingest`, configured server: flow time", cfg["flow"], cfg["load"]),
            ("`ingest --workers 1`, configured server: flow time", one["flow"], one["load"]),
        ]
        if dask:
            rows += [
                (
                    "`ingest --dask local` (2 workers), configured server: wall clock",
                    dask["wall"],
                    dask["load"],
                ),
                ("`ingest --dask local`: flow time", dask["flow"], dask["load"]),
            ]
        rows.append(
            (
                f"naive full `ja_ginza` pass (model load {g['load']:.1f} s not counted; {naive_note})",
                naive_s,
                "",
            )
        )
        lines += [
            "## End-to-end throughput",
            "",
            f"{small} synthetic documents (.txt/.md minutes, ~5% PDFs), {chars:,} characters of text. "
            f"Process start-up alone (`shingikai --help`): {start_up:.1f} s.",
            "",
            "| what | seconds | chars/s | × naive | load |",
            "|---|---:|---:|---:|---|",
        ]
        for what, secs, ld in rows:
            lines.append(
                f"| {what} | {secs:.1f} | {chars / secs:,.0f} | {ratio(naive_s, secs):.1f}× | {ld} |"
            )
        lines += [
            "",
            f"ingest: {tmp['summary']}",
            "",
            "Where the wall clock of the temporary-server run went (seconds since `run_ingest` began; "
            "the server, the workers' GiNZA and Prefect's import start together):",
            "",
            "```",
            *tmp["timings"],
            "```",
            "",
            "and of the later run that reused the local server:",
            "",
            "```",
            *local2["timings"],
            "```",
            "",
            "and of the configured-server run:",
            "",
            "```",
            *cfg["timings"],
            "```",
            "",
            "Extracted rows (documents, consultations, contractors, data items, utterances; without "
            "ingest times) of every run above: "
            + ", ".join(f"{k} `{v}`" for k, v in digests.items())
            + (" — identical." if same else " — **they differ**."),
            "",
            "Tracebacks or 'Error logging to API' on stderr: "
            + (
                "none."
                if not any(
                    r["traceback"]
                    for r in [tmp, local1, local2, cfg, one, *([dask] if dask else [])]
                )
                else "**yes**."
            ),
            "",
        ]
        targets += [
            (
                f"end-to-end ≥ 50× naive on flow time ({small} docs)",
                f"{ratio(naive_s, tmp['flow']):.0f}× (temporary server), {ratio(naive_s, cfg['flow']):.0f}× (configured)",
                met(ratio(naive_s, tmp["flow"]) >= 50),
            ),
            (
                f"end-to-end ≥ 25× naive on wall time incl. start-up ({small} docs)",
                f"{ratio(naive_s, tmp['wall']):.0f}× with the temporary server ({tmp['wall']:.1f} s), "
                f"{ratio(naive_s, local2['wall']):.0f}× with the local server reused ({local2['wall']:.1f} s), "
                f"{ratio(naive_s, cfg['wall']):.0f}× with a configured server ({cfg['wall']:.1f} s)",
                met(ratio(naive_s, tmp["wall"]) >= 25)
                + (
                    ""
                    if ratio(naive_s, tmp["wall"]) >= 25
                    else f"; {met(ratio(naive_s, cfg['wall']) >= 25)} with a configured server"
                ),
            ),
            (
                "same extraction results across runs and runners",
                "identical" if same else "differ",
                met(same),
            ),
        ]
        if dask:
            targets.append(
                (
                    "`--dask local` measured against the local runner",
                    f"{dask['flow']:.1f} s vs {cfg['flow']:.1f} s flow, {dask['wall']:.1f} s vs {cfg['wall']:.1f} s wall",
                    "measured",
                )
            )

        pdfs = sorted(PDF_DIR.glob("*.pdf"))
        pdfs = [p for p in pdfs if re.match(r"\d", p.name)][:n_pdfs]
        if pdfs and not a.no_pdf:
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

        from extractors import extractor_version

        version = extractor_version()
        print(f"large corpus ({large}): first ingest, 2 workers ...", flush=True)
        first = run_ingest([work / "large"], work / "large.ducklake", "--workers", "2", api_url=api)
        print(f"large corpus ({large}): first ingest, 1 worker ...", flush=True)
        first1 = run_ingest(
            [work / "large"], work / "large-w1.ducklake", "--workers", "1", api_url=api
        )
        print("no-op re-run ...", flush=True)
        noop = run_ingest(
            [work / "large"], work / "large.ducklake"
        )  # no server configured: none needed
        noop_ok = extractor_version() == version and "new: 0," in noop["summary"]
        if not noop_ok:
            lines += [
                "> WARNING: the re-run was not a no-op (the extractors changed during the benchmark, "
                "or files were re-extracted); its time is not a no-op measurement.",
                "",
            ]
        scaling = ratio(first1["flow"], first["flow"])
        lines += [
            "## Large corpus: first ingest, cores, no-op re-run",
            "",
            f"{large} small documents; the first ingests with a configured server, the re-run with none "
            "(it starts nothing).",
            "",
            "| run | wall s | flow s | load |",
            "|---|---:|---:|---|",
            f"| first ingest, `--workers 2` | {first['wall']:.1f} | {first['flow']:.1f} | {first['load']} |",
            f"| first ingest, `--workers 1` | {first1['wall']:.1f} | {first1['flow']:.1f} | {first1['load']} |",
            f"| no-op re-run | {noop['wall']:.1f} | {noop['flow']:.1f} | {noop['load']} |",
            f"| process start-up alone (`shingikai --help`) | {start_up:.1f} | | |",
            "",
            f"re-run: {noop['summary']}",
            "",
            "## Peak memory of the ingest process tree",
            "",
            "| corpus | peak RSS, tree (sum) | peak RSS, largest process |",
            "|---|---:|---:|",
            f"| {small} documents | {mb(cfg['peak_tree'])} | {mb(cfg['peak_one'])} |",
            f"| {large} documents | {mb(first['peak_tree'])} | {mb(first['peak_one'])} |",
            f"| {large} documents, no-op | {mb(noop['peak_tree'])} | {mb(noop['peak_one'])} |",
            "",
            "The tree sum counts pages shared by forked extraction workers more than once; "
            "the largest single process is the better bound.",
            "",
        ]
        flat = first["peak_one"] <= 1.25 * cfg["peak_one"]
        targets += [
            (
                f"first ingest of {large} docs ≤ 30 s flow time",
                f"{first['flow']:.1f} s",
                met(first["flow"] <= 30),
            ),
            (
                f"peak memory flat {small} → {large} docs (largest process)",
                f"{mb(cfg['peak_one'])} → {mb(first['peak_one'])}",
                met(flat),
            ),
            (
                "`--workers 2` ≥ 1.8× `--workers 1` (flow time, large corpus)",
                f"{scaling:.2f}× ({first1['flow']:.1f} s → {first['flow']:.1f} s)",
                met(scaling >= 1.8),
            ),
            (
                f"no-op over {large} unchanged docs < 5 s beyond start-up",
                f"{noop['wall']:.1f} s wall, {noop['wall'] - start_up:.1f} s beyond start-up",
                met(noop_ok and noop["wall"] - start_up < 5),
            ),
        ]

        for ref in a.make_run:
            print(f"make run on a fresh clone of {ref} ...", flush=True)
            r = make_run(ref, work)
            lines += [
                f"## `make run` on a fresh clone of `{ref}`",
                "",
                f"wall clock {r['wall']:.1f} s (setup not counted), load {r['load']}; tracebacks: "
                + ("**yes**" if r["traceback"] else "none"),
                "",
                "```",
                r["output"],
                "```",
                "",
            ]
            targets.append(
                (f"`make run` wall time, fresh clone of `{ref}`", f"{r['wall']:.1f} s", "reported")
            )
    finally:
        if server is not None:
            server.stop()
        stop_local_server(state)
        if targets:
            table = ["## Targets (issue 11)", "", "| target | measured | met? |", "|---|---|---|"]
            table += [f"| {t} | {m} | {ok} |" for t, m, ok in targets]
            lines[4:4] = [*table, ""]
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text("\n".join(lines) + "\n", "utf-8")
        print("\n".join(lines))
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
