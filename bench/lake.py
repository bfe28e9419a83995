"""The lake's benchmark; writes its own section of bench/out/report.md.  `python -m bench.lake [--quick]`.

1. nightly delta: the time and the disk written to add 10 documents to a warehouse of 2,000 and of
   20,000 documents, for the lake and for the single-file design it replaced (copy the published
   file to a staging copy, load, copy it again and rename it into place);
2. the catalog: one writer's commit time with a SQLite and with a DuckDB catalog file, and whether a
   reader can open the lake while the writer has it open;
3. several writers: three writer processes at once against one, loading the same documents.

Documents are copies of the samples' extractions (`bench.copies`): the benchmark measures loading,
not extraction (which is the same in both designs, and far slower).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from bench.copies import copy_of
from bench.generate import generate
from extractors.pipeline import extract_bytes
from shingikai import warehouse
from shingikai.warehouse import extensions, lake

ROOT = Path(__file__).resolve().parent.parent
REPORT = Path(__file__).resolve().parent / "out" / "report.md"
START, END = "<!-- lake benchmark: start -->", "<!-- lake benchmark: end -->"
NIGHTLY_BATCH = 8  # the ingest flow's batch


def originals() -> list:
    samples = ROOT / "data" / "raw" / "samples"
    files = [p for p in sorted(samples.glob("*_*.*")) if p.suffix in (".txt", ".md")]
    return [extract_bytes(p.read_bytes(), f"samples/{p.name}") for p in files]


def copies(base: list, start: int, n: int, folder: str) -> list:
    return [copy_of(base[i % len(base)], start + i, folder) for i in range(n)]


def du(*paths: Path) -> int:
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return total


def lake_paths(db: Path) -> list[Path]:
    return [db, Path(f"{db}-wal"), db.with_name(db.name + ".files")]


# ---- 1. nightly delta


def build_lake(db: Path, base: list, n: int, batch: int) -> None:
    """The base lake, then `maintain` as the nightly flow runs it after ingesting."""
    with warehouse.Writer(db) as w:
        for start in range(0, n, batch):
            warehouse.load_many(w.con, copies(base, start, min(batch, n - start), "base"))
    lake.maintain(db, keep_for="0 seconds")


def build_file(db: Path, base: list, n: int, batch: int) -> None:
    con = duckdb.connect(str(db))
    warehouse.apply_schema(con)
    for start in range(0, n, batch):
        warehouse.load_many(con, copies(base, start, min(batch, n - start), "base"))
    con.execute("CHECKPOINT")
    con.close()


def delta_lake(db: Path, docs: list) -> tuple[float, int]:
    """Load `docs` as a nightly run does; its time and the bytes it added (new data files and the
    catalog's growth)."""
    files = db.with_name(db.name + ".files")
    catalog_before = du(db, Path(f"{db}-wal"))
    files_before = {p for p in files.rglob("*") if p.is_file()}
    t0 = time.perf_counter()
    with warehouse.Writer(db) as w:
        for start in range(0, len(docs), NIGHTLY_BATCH):
            warehouse.load_many(w.con, docs[start : start + NIGHTLY_BATCH])
    seconds = time.perf_counter() - t0
    new_files = {p for p in files.rglob("*") if p.is_file()} - files_before
    grown = max(0, du(db, Path(f"{db}-wal")) - catalog_before)
    return seconds, sum(p.stat().st_size for p in new_files) + grown


def delta_file(db: Path, docs: list) -> tuple[float, int]:
    """The replaced design: staging copy, load, checkpoint, publish copy, fsync, rename."""
    t0 = time.perf_counter()
    staging = db.with_name(db.name + ".staging")
    shutil.copyfile(db, staging)
    written = staging.stat().st_size
    con = duckdb.connect(str(staging))
    for start in range(0, len(docs), NIGHTLY_BATCH):
        warehouse.load_many(con, docs[start : start + NIGHTLY_BATCH])
    con.execute("CHECKPOINT")
    con.close()
    tmp = db.with_name(db.name + ".publish")
    shutil.copyfile(staging, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    written += 2 * tmp.stat().st_size  # the staging file's growth is counted once more, roughly
    os.replace(tmp, db)
    staging.unlink()
    return time.perf_counter() - t0, written


def nightly(work: Path, base: list, sizes: list[int], build_batch: int, repeats: int) -> list:
    rows = []
    for n in sizes:
        lake_db, file_db = work / f"n{n}.ducklake", work / f"n{n}.duckdb"
        print(f"building {n} documents: lake ...", flush=True)
        t0 = time.perf_counter()
        build_lake(lake_db, base, n, build_batch)
        lake_build = time.perf_counter() - t0
        print(f"building {n} documents: single file ...", flush=True)
        build_file(file_db, base, n, build_batch)
        for design, fn, db, size in (
            ("lake", delta_lake, lake_db, lambda d=lake_db: du(*lake_paths(d))),
            ("single file (copy, load, copy, rename)", delta_file, file_db, file_db.stat),
        ):
            times, writes = [], []
            for r in range(repeats):
                docs = copies(base, 10_000_000 + 1000 * r + n, 10, f"night{r}")
                seconds, written = fn(db, docs)
                times.append(seconds)
                writes.append(written)
            total = size() if design == "lake" else db.stat().st_size
            rows.append((n, design, statistics.median(times), statistics.median(writes), total))
        rows.append((n, "lake build", lake_build, 0, 0))
    return rows


# ---- 2. the catalog


def catalog_commits(work: Path, base: list, kind: str, n: int) -> dict:
    """One writer committing n batches of 2 documents; a reader process tries to open meanwhile."""
    folder = work / f"catalog-{kind}"
    folder.mkdir()
    catalog = f"sqlite:{folder}/c.sqlite" if kind == "sqlite" else f"{folder}/c.ducklake"
    con = extensions.connect(extensions=(extensions.DUCKLAKE, extensions.SQLITE))
    con.execute(f"ATTACH 'ducklake:{catalog}' AS {lake.ALIAS} (DATA_PATH '{folder}/files/')")
    con.execute(f"USE {lake.ALIAS}")
    lake.ensure_schema(con)
    reader = (
        "import sys\nfrom shingikai.warehouse import extensions\n"
        "con = extensions.connect(extensions=('ducklake', 'sqlite_scanner'))\n"
        f"con.execute(\"ATTACH 'ducklake:{catalog}' AS l (READ_ONLY)\")\n"
        "print(con.execute('SELECT count(*) FROM l.documents').fetchone()[0])\n"
    )
    times = []
    for i in range(n):
        docs = copies(base, 100 * i, 2, f"cat{kind}")
        t0 = time.perf_counter()
        warehouse.load_many(con, docs)
        times.append(time.perf_counter() - t0)
    probe = subprocess.run(
        [sys.executable, "-c", reader], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    con.close()
    return {
        "median_ms": 1000 * statistics.median(times),
        "p90_ms": 1000 * sorted(times)[int(0.9 * len(times))],
        "reader": "reads" if probe.returncode == 0 else probe.stderr.strip().splitlines()[-1][:120],
    }


# ---- 3. several writers

WRITER_USAGE = "python -m bench.lake writer DB PAYLOAD GO OUT"


def writer_main(db: str, payload: str, go: str, out: str) -> None:
    """One writer process: open the lake, wait for GO, load its batches, report. A batch of
    (bytes, source_path) pairs is extracted first, as an ingest worker does."""
    batches = pickle.loads(Path(payload).read_bytes())
    extract_bytes(
        b"\xe8\xad\xb0\xe4\xba\x8b\xe9\x8c\xb2", "warm.txt"
    )  # GiNZA loaded before the clock
    with warehouse.Writer(db) as w:
        Path(out + ".ready").touch()
        while not os.path.exists(go):
            time.sleep(0.01)
        started = time.perf_counter()
        for batch in batches:
            if batch and isinstance(batch[0], tuple):
                batch = [extract_bytes(data, name) for data, name in batch]
            warehouse.load_many(w.con, batch)
        seconds = time.perf_counter() - started
    Path(out).write_text(json.dumps({"retries": lake.retries_seen, "seconds": seconds}))


def run_writers(
    db: str, work: Path, batches_per_writer: list[list], env: dict[str, str] | None = None
) -> tuple[list[dict], float]:
    """Start one writer process per entry of `batches_per_writer`, let them load at once; their
    reports and the wall time from the start signal to the last one done."""
    work.mkdir(parents=True, exist_ok=True)
    go = work / "go"
    go.unlink(missing_ok=True)
    procs, outs = [], []
    for k, batches in enumerate(batches_per_writer):
        payload, out = work / f"w{k}.pickle", work / f"w{k}.json"
        payload.write_bytes(pickle.dumps(batches))
        for stale in (out, Path(f"{out}.ready")):
            stale.unlink(missing_ok=True)
        outs.append(out)
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "bench.lake", "writer", db, str(payload), str(go), str(out)],
                cwd=ROOT,
                env={**os.environ, **(env or {})},
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 300
    while not all(Path(f"{o}.ready").exists() for o in outs):
        failed = [p.stderr.read() for p in procs if p.poll() is not None and p.stderr]
        if failed or time.monotonic() > deadline:
            raise RuntimeError(f"writers did not start: {failed}")
        time.sleep(0.05)
    t0 = time.perf_counter()
    go.touch()
    for p in procs:
        p.wait(900)
        if p.returncode != 0:
            raise RuntimeError(p.stderr.read() if p.stderr else f"writer exit {p.returncode}")
    wall = time.perf_counter() - t0
    return [json.loads(o.read_text()) for o in outs], wall


def sources(work: Path, total: int) -> list[tuple[bytes, str]]:
    """`total` minutes from the benchmark's generator (text, with the usual chatter)."""
    paths = generate(work / "writer-sources", total, seed=3, pdf_share=0.0)
    return [(p.read_bytes(), f"writers/{p.parent.name}/{p.name}") for p in paths]


def writers(work: Path, base: list, per_writer: int, batch: int, extract: bool = False) -> list:
    rows = []
    total = 3 * per_writer
    docs: list = sources(work, total) if extract else copies(base, 0, total, "writers")
    for n_writers in (1, 3):
        db = work / f"writers{n_writers}{'-x' if extract else ''}.ducklake"
        with warehouse.Writer(db):
            pass  # the schema, before the clock starts
        share = total // n_writers
        plans = [
            [docs[k * share + i : k * share + i + batch] for i in range(0, share, batch)]
            for k in range(n_writers)
        ]
        reports, wall = run_writers(str(db), work / f"w{n_writers}", plans)
        with warehouse.readonly(db) as con:
            landed = con.execute(
                "SELECT count(DISTINCT document_id), count(*) FROM documents"
            ).fetchone()
        assert landed == (total, total), landed
        rows.append((n_writers, total, wall, sum(r["retries"] for r in reports), extract))
    return rows


# ---- the report


def section(lines: list[str]) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    text = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    block = "\n".join([START, *lines, END]) + "\n"
    if START in text and END in text:
        text = text[: text.index(START)] + block + text[text.index(END) + len(END) :].lstrip("\n")
    else:
        text = (text.rstrip("\n") + "\n\n" if text else "") + block
    REPORT.write_text(text, encoding="utf-8")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "writer":
        if len(sys.argv) != 6:
            raise SystemExit(WRITER_USAGE)
        writer_main(*sys.argv[2:6])
        return
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--quick", action="store_true", help="200 and 2,000 documents instead of 2,000 and 20,000"
    )
    ap.add_argument("--keep", type=Path, help="work folder to keep (default: a temporary one)")
    a = ap.parse_args()
    sizes = [200, 2000] if a.quick else [2000, 20000]
    work = a.keep or Path(tempfile.mkdtemp(prefix="shingikai-lake-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    base = originals()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    try:
        night = nightly(work, base, sizes, build_batch=100, repeats=3)
        cats = {kind: catalog_commits(work, base, kind, 30) for kind in ("sqlite", "duckdb")}
        many = writers(work, base, per_writer=16, batch=2)
        many += writers(work, base, per_writer=8, batch=2, extract=True)
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    mb = lambda n: f"{n / 1024**2:,.1f} MB"  # noqa: E731
    lines = [
        "## The warehouse as a DuckLake (`python -m bench.lake`)",
        "",
        f"{os.cpu_count()} CPUs, load average {load} at start (the machine is shared). Documents are "
        f"copies of the {len(base)} text samples' extractions (about {sum(len(e.text.text) for e in base if e.text) // len(base):,} "
        "characters each); loading only, no extraction.",
        "",
        "### Nightly delta: 10 new documents (median of 3)",
        "",
        "| warehouse | design | seconds | written to disk | warehouse size |",
        "|---:|---|---:|---:|---:|",
    ]
    for n, design, seconds, written, total in night:
        if design == "lake build":
            continue
        lines.append(f"| {n:,} | {design} | {seconds:.2f} | {mb(written)} | {mb(total)} |")
    lines += [
        "",
        "Base warehouses built in commits of 100 documents "
        + ", ".join(f"(lake: {n:,} in {s:.0f} s)" for n, d, s, _, _ in night if d == "lake build")
        + f"; the delta is loaded as ingest does, in batches of {NIGHTLY_BATCH}.",
        "",
        "### Catalog: one writer, 30 commits of 2 documents",
        "",
        "| catalog | median commit | p90 | a reader opening while the writer is attached |",
        "|---|---:|---:|---|",
    ]
    for kind, r in cats.items():
        lines.append(f"| {kind} | {r['median_ms']:.0f} ms | {r['p90_ms']:.0f} ms | {r['reader']} |")
    lines += [
        "",
        "### Several writers: the same documents, batches of 2",
        "",
        "Each writer process commits its own batches; writers on one machine take turns for the "
        "commit itself (`lake.commit_turn`), so a commit is not redone. *load* loads ready "
        "extractions (the commit alone); *extract + load* extracts each batch first, as an ingest "
        "worker does.",
        "",
        "| work | writers | documents | seconds | documents/s | commits retried |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for n_writers, total, wall, retried, extract in many:
        work_kind = "extract + load" if extract else "load"
        lines.append(
            f"| {work_kind} | {n_writers} | {total} | {wall:.1f} | {total / wall:.1f} | {retried} |"
        )
    lines.append("")
    section(lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
