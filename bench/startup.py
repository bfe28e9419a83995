"""Where a small run's wall time goes, and how the extraction workers scale (issue 24).

`python -m bench.startup [--runs N] [--copies N] [--no-dask] [--out FILE]`

1. The parts of start-up, each alone in a fresh process: the interpreter with the command
   line (`shingikai --help`), Prefect's import, the extractors' import, GiNZA's load.
2. `shingikai ingest` of forty short documents (the five seed minutes, each in `--copies`
   variants whose bytes differ): once with a temporary Prefect server of its own
   (`--temporary-server`), then `--runs` times with the local server (issue 24), which the
   first of them starts and the later ones reuse: wall clock, flow time, and the run's own
   marks (`SHINGIKAI_TIMINGS`: when the server and the workers were ready, which server,
   when the flow ended). The local server is the benchmark's own (a temporary state
   folder), stopped at the end.
3. The same corpus with `--workers 1`, `--workers 2` and `--dask local` (2 workers), back
   to back, on the reused local server: flow time and wall clock, and the ratios between
   them.

Writes a markdown report (default bench/out/startup.md); the load average is beside every
figure, since the machine's two cores are shared.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.run import arg_parser, load, run_ingest, stop_local_server

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"
OUT = Path(__file__).resolve().parent / "out"

PARTS = {
    "interpreter + command line (`shingikai --help`)": [
        sys.executable,
        "-m",
        "shingikai.cli",
        "--help",
    ],
    "import prefect": [sys.executable, "-c", "import prefect, prefect.task_runners"],
    "import the extractors (no model)": [sys.executable, "-c", "import extractors.pipeline"],
    "GiNZA load (import + `nlp()`)": [
        sys.executable,
        "-c",
        "from extractors.nlp import nlp; nlp()",
    ],
    "bare interpreter": [sys.executable, "-c", "pass"],
}


def parts() -> list[tuple[str, float, str]]:
    out = []
    for name, cmd in PARTS.items():
        before = load()
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
        out.append((name, time.perf_counter() - t0, f"{before} → {load()}"))
    return out


def corpus(work: Path, copies: int) -> Path:
    """The seed minutes, each in `copies` variants (a distinct last line: another document)."""
    folder = work / "forty"
    folder.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        for n in range(copies):
            (folder / f"{seed.stem}_{n}.txt").write_text(
                text + f"\n（写し {n + 1}）\n", encoding="utf-8"
            )
    return folder


def main() -> None:
    ap = arg_parser(__doc__)
    ap.add_argument("--runs", type=int, default=3, help="runs of the forty documents")
    ap.add_argument("--copies", type=int, default=8, help="variants of each seed")
    ap.add_argument("--no-dask", action="store_true", help="skip the --dask local run")
    ap.add_argument("--out", type=Path, default=OUT / "startup.md")
    args = ap.parse_args()
    lines = [
        "# Start-up and scaling of a small run (issue 24)",
        "",
        f"Written by `python -m bench.startup --runs {args.runs} --copies {args.copies}` on "
        f"{time.strftime('%Y-%m-%d %H:%M')} (2 cores, shared: load average 1/5/15 min beside "
        "each figure).",
        "",
        "## The parts of start-up, each alone in a fresh process",
        "",
        "| part | seconds | load |",
        "|---|---:|---|",
    ]
    lines += [f"| {n} | {s:.1f} | {ld} |" for n, s, ld in parts()]
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
        work = Path(tmp)
        state = work / "state"
        try:
            lines += runs_and_workers(work, state, args)
        finally:
            stop_local_server(state)
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text)


def runs_and_workers(work: Path, state: Path, args: argparse.Namespace) -> list[str]:
    """Sections 2 and 3: the runs (temporary server, then the local one), then the runners."""
    docs = corpus(work, args.copies)
    n_docs = len(list(docs.iterdir()))
    lines = [
        "",
        f"## `shingikai ingest` of {n_docs} short documents",
        "",
        "Flow time: the flow's own (its planning included), from the run's marks; start-up: "
        "wall − flow (the interpreter, imports, the server, the workers, the exit).",
        "",
        "| run | server | wall s | flow s | start-up s (wall − flow) | load | marks |",
        "|---|---|---:|---:|---:|---|---|",
    ]
    for i, reuse in enumerate([None] + [state] * args.runs):
        r = run_ingest([docs], work / f"run{i}.ducklake", reuse_state=reuse)
        marks = "; ".join(t.removeprefix("timing:").strip() for t in r["timings"])
        server = "temporary" if reuse is None else ("local, started" if i == 1 else "local, reused")
        lines.append(
            f"| {i} | {server} | {r['wall']:.1f} | {r['flow']:.1f} | {r['wall'] - r['flow']:.1f} "
            f"| {r['load']} | {marks} |"
        )
    return lines + workers(work, docs, state, args)


def workers(work: Path, docs: Path, state: Path, args: argparse.Namespace) -> list[str]:
    """Section 3: the runners back to back on the reused local server."""
    lines = [
        "",
        "## Workers, back to back on the same documents",
        "",
        "| runner | wall s | flow s | load |",
        "|---|---:|---:|---|",
    ]
    runs = {}
    variants = [("--workers 1", ["--workers", "1"]), ("--workers 2", ["--workers", "2"])]
    if not args.no_dask:
        variants.append(("--dask local --workers 2", ["--dask", "local", "--workers", "2"]))
    for name, extra in variants:
        r = run_ingest(
            [docs], work / f"{name.replace(' ', '_')}.ducklake", *extra, reuse_state=state
        )
        runs[name] = r
        lines.append(f"| `{name}` | {r['wall']:.1f} | {r['flow']:.1f} | {r['load']} |")
    one, two = runs["--workers 1"], runs["--workers 2"]
    lines += [
        "",
        f"`--workers 2` over `--workers 1`: {one['flow'] / two['flow']:.2f}× on flow time, "
        f"{one['wall'] / two['wall']:.2f}× on wall time.",
    ]
    if "--dask local --workers 2" in runs:
        d = runs["--dask local --workers 2"]
        lines.append(
            f"`--dask local` over the local runner (2 workers): {d['flow'] / two['flow']:.2f}× "
            f"the flow time, {d['wall'] / two['wall']:.2f}× the wall time."
        )
    return lines


if __name__ == "__main__":
    main()
