"""The everyday commands: readable query output, and one-line errors for everyday mistakes."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from shingikai.cli.main import main
from shingikai.render import display_width
from shingikai.warehouse import Writer, load, readonly
from tests.conftest import ROOT, SAMPLES
from tests.shingikai.test_copies import PDF, SEED

SEED_FILE = SAMPLES / "kaedehara_2018_08_kaigiroku.txt"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """A warehouse file with one meeting recorded twice (a text file and its PDF)."""
    path = tmp_path_factory.mktemp("wh") / "w.ducklake"
    with Writer(path) as writer:
        load(writer.con, SEED)
        load(writer.con, PDF)
    return path


def query(db: Path, *args: str) -> list[str]:
    return ["query", *args, "--db", str(db)]


def test_query_table_lines_up_japanese_and_prints_null_and_integers(db, capsys):
    sql = (
        "SELECT meeting_municipality AS municipality, body, number, NULL::INTEGER AS dissent "
        "FROM consultations_with_meeting ORDER BY number"
    )
    assert main(query(db, sql)) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["municipality", "body", "number", "dissent"]
    # the body column starts at the same display column on every line, wide characters counting 2
    body_at = {
        display_width(line[: line.index(word)])
        for line, word in zip(
            [lines[0], lines[2], lines[3]], ["body", "個人情報", "個人情報"], strict=True
        )
    }
    assert len(body_at) == 1, lines
    assert lines[2].split()[-2:] == ["12", "NULL"]  # integers as integers, one NULL marker
    assert not any(bad in "\n".join(lines) for bad in ("NaN", "<NA>", "None", "12.0"))


def test_query_cuts_long_values_and_limits_rows(db, capsys):
    assert (
        main(
            query(db, "SELECT repeat('委託', 5000) AS t FROM range(3)", "--width", "20", "-n", "2")
        )
        == 0
    )
    captured = capsys.readouterr()
    rows = captured.out.splitlines()[2:]
    assert len(rows) == 2 and all(r.endswith("…") and display_width(r) <= 20 for r in rows)
    assert "only the first 2 rows" in captured.err


def test_query_formats_files_and_sql_from_file_or_stdin(db, tmp_path, capsys, monkeypatch):
    out = tmp_path / "c.csv"
    assert (
        main(query(db, "SELECT municipality FROM meetings_once", "--format", "csv", "-o", str(out)))
        == 0
    )
    assert out.read_bytes().startswith("\ufeffmunicipality".encode())  # Excel reads it as UTF-8
    assert out.read_text(encoding="utf-8-sig").splitlines()[1] == "楓原市"
    pq = tmp_path / "c.parquet"
    assert main(query(db, "SELECT 16 AS n", "--format", "parquet", "--output", str(pq))) == 0
    assert duckdb.sql(f"SELECT n FROM '{pq}'").fetchall() == [(16,)]
    capsys.readouterr()
    assert main(query(db, "SELECT 1 AS n", "--format", "parquet")) == 2
    assert capsys.readouterr().err.count("\n") == 1
    sql_file = tmp_path / "q.sql"
    sql_file.write_text("SELECT count(*) AS n FROM documents;\n", encoding="utf-8")
    assert main(["query", "-f", str(sql_file), "--db", str(db), "--format", "json"]) == 0
    assert capsys.readouterr().out.strip() == '[{"n":2}]'
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT 'x' AS s"))
    assert main(["query", "-", "--db", str(db), "--format", "csv"]) == 0
    assert capsys.readouterr().out.split() == ["s", "x"]


def test_shingikai_db_is_honoured_and_a_missing_warehouse_named_in_full(db, capsys, monkeypatch):
    monkeypatch.setenv("SHINGIKAI_DB", str(db))
    assert main(["query", "SELECT count(*) AS n FROM documents", "--format", "csv"]) == 0
    assert capsys.readouterr().out.split() == ["n", "2"]
    monkeypatch.setenv("SHINGIKAI_DB", "no/such.ducklake")
    assert main(["search", "委託"]) == 2
    err = capsys.readouterr().err
    assert f"no warehouse at {Path('no/such.ducklake').absolute()}" in err


@pytest.mark.parametrize(
    ("argv", "status", "says"),
    [
        (["extract", "{tmp}"], 2, "is a folder"),
        (["export", "{file}", "--db", "{db}"], 2, "is a file"),
        (["ingest", "{tmp}", "--db", "{tmp}/w.ducklake"], 1, "no documents found"),
        (["search", "", "--db", "{db}"], 2, "give at least one keyword"),
        (["search", "、 。", "--db", "{db}"], 2, "give at least one keyword"),
        (["eval", "--gold", "{tmp}/nothing", "--db", "{db}"], 2, "no gold folder"),
        (["eval", "--gold", "{tmp}", "--db", "{db}"], 2, "no gold files"),
        (["eval", "--gold", "{gold}", "--db", "{db}"], 1, "matches a document"),
        (["fetch", "--sources", "{bad_toml}", "--raw", "{tmp}"], 2, "is not valid TOML"),
        (["fetch", "--sources", "{bad_source}", "--raw", "{tmp}"], 2, "source 1 is incomplete"),
    ],
)
def test_everyday_mistakes_are_one_line_and_fail(argv, status, says, db, tmp_path, capsys):
    (tmp_path / "gold").mkdir()
    (tmp_path / "gold" / "unrelated.json").write_text("{}", encoding="utf-8")
    (tmp_path / "f.txt").write_text("x", encoding="utf-8")
    (tmp_path / "bad.toml").write_text('[[source]]\nname = "x"\nindex_url =\n', encoding="utf-8")
    (tmp_path / "bad2.toml").write_text('[[source]]\nname = "x"\n', encoding="utf-8")
    fill = {
        "tmp": str(tmp_path / "empty"),
        "file": str(tmp_path / "f.txt"),
        "db": str(db),
        "gold": str(tmp_path / "gold"),
        "bad_toml": str(tmp_path / "bad.toml"),
        "bad_source": str(tmp_path / "bad2.toml"),
    }
    (tmp_path / "empty").mkdir()
    assert main([a.format(**fill) for a in argv]) == status
    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if not line.startswith("[")]  # not the steps
    assert says in err and len(said) == 1 and "Traceback" not in err, err
    assert not (tmp_path / "empty" / "w.ducklake").exists()  # an empty ingest creates nothing


@pytest.mark.slow  # a subprocess
def test_closed_pipe_and_version(db):
    env = {**os.environ, "SHINGIKAI_DB": str(db)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shingikai.cli",
            "query",
            "SELECT repeat('x', 200) AS t FROM range(50000)",
            "--format",
            "csv",
            "-n",
            "50000",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(100)  # like `| head`: read a little, then stop listening
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) != 0
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    run = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0 and run.stdout.startswith("shingikai ")


def test_ingest_reports_how_many_files_are_copies(db, tmp_path):
    from shingikai.cli.main import _copies

    assert _copies(db) == 1  # the PDF of the text file
    assert _copies(tmp_path / "none.ducklake") == 0


@pytest.mark.slow  # the CLI in a subprocess, through Prefect
def test_ingest_says_what_it_does_from_the_start_and_fails_when_no_file_loads(tmp_path):
    """Off a terminal, a line at least every ~10 s from the first step on (a run used to be
    silent for up to 70 s); the time reported is the whole run's; every file failed: exit 1."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "broken.pdf").write_bytes(b"%PDF-1.4\n" + b"\x00not a pdf" * 100)
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shingikai.cli",
            "ingest",
            str(raw),
            "--db",
            str(tmp_path / "w.ducklake"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"},
    )
    assert proc.stderr is not None
    arrived = [(time.monotonic() - started, line.rstrip("\n")) for line in proc.stderr]
    out, _ = proc.communicate(timeout=300)
    err = [line for _, line in arrived]
    assert proc.returncode == 1, out + "\n".join(err)
    assert err[-1] == "error: none of the 1 new files could be loaded (the reasons are above)"
    assert "Traceback" not in "\n".join(err)
    steps = [line.split("] ", 1)[1] for line in err if line.startswith("[")]
    said = [s for s in steps if not s.startswith("…")]
    assert said[0] == f"finding files in {raw}", err
    assert said[1].startswith("1 file found; starting Prefect's API server"), err
    assert said[-2:] == ["extracting 1 file", "stopping the extraction workers and Prefect"], err
    gaps = [b[0] - a[0] for a, b in zip(arrived, arrived[1:], strict=False)]
    assert max(gaps) < 20, arrived  # said again every 10 s while a step lasts
    whole = float(re.search(r"warehouse: .* \(([\d.]+) s\)", out).group(1))  # type: ignore[union-attr]
    summary_at = arrived[-1][0]  # the summary is printed just before this last line
    assert summary_at - 3 < whole <= summary_at + 0.5, (whole, arrived)
    assert "failed: 1," in out and "broken.pdf" in out


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (
            ["query", "SELECT 1", "--width", "0"],
            "argument --width: 0 is not allowed: give at least 1",
        ),
        (["query", "SELECT 1", "--width", "-3"], "argument --width: -3 is not allowed"),
        (["query", "SELECT 1", "-n", "-5"], "argument -n/--max-rows: -5 is not allowed"),
        (["query", "SELECT 1", "--timeout", "nan"], "argument --timeout: nan is not allowed"),
        (
            ["ingest", "{tmp}", "--db", "{tmp}/w.ducklake", "--timeout", "-1"],
            "argument --timeout: -1 is not allowed: give more than 0",
        ),
        (["extract", "x.txt", "--max-mb", "0"], "argument --max-mb: 0 is not allowed"),
        (
            ["ingest", "{tmp}", "--db", "{tmp}/w.ducklake", "--workers", "0"],
            "argument --workers: 0",
        ),
        (["fetch", "--raw", "{tmp}", "--retries", "-1"], "argument --retries: -1 is not allowed"),
        (["search", "委託", "-n", "x"], "argument -n/--limit: 'x' is not a number"),
    ],
)
def test_nonsense_numbers_are_refused_in_one_line(argv, says, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([a.format(tmp=tmp_path) for a in argv])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {says}") and err.count("\n") == 1, err
    assert f"(see shingikai {argv[0]} --help)" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["query", "-f", "{tmp}"], "is a folder: -f/--file reads the SQL from one file"),
        (["query", "-f", "{tmp}/none.sql"], "cannot read the SQL from"),
        (["query", "SELECT 1", "-o", "{tmp}"], "is a folder: -o/--output writes one file"),
        (["query", "SELECT 1", "-o", "{tmp}/no/r.csv"], "no folder"),
        (["query", "SELECT 1", "-o", "{tmp}/r.parquet", "--format", "csv"], "ends in .parquet"),
        (["maintain", "--db", "{tmp}/typo.ducklake"], "no warehouse at"),
        (["export", "{tmp}/out", "--db", "{tmp}/typo.ducklake"], "no warehouse at"),
        (
            ["export", "{tmp}/o.duckdb", "--format", "duckdb", "--db", "{tmp}/t.ducklake"],
            "no warehouse at",
        ),
    ],
)
def test_paths_that_cannot_work_are_one_line_and_create_nothing(argv, says, db, tmp_path, capsys):
    argv = [a.format(tmp=tmp_path) for a in argv]
    if "--db" not in argv:
        argv += ["--db", str(db)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert says in err and err.count("\n") == 1 and "Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []  # no lake, no folder, no file


def test_a_query_into_a_file_gets_every_row_in_the_format_of_its_suffix(db, tmp_path, capsys):
    sql = "SELECT i, 'x' || i AS s FROM range(500) t(i)"
    for name in ("r.parquet", "r.csv", "r.json"):
        assert main(query(db, sql, "-o", str(tmp_path / name))) == 0
    assert capsys.readouterr().err == ""  # nothing was cut
    assert duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'r.parquet'}'").fetchone() == (500,)
    csv_rows = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv_rows[0] == "i,s" and len(csv_rows) == 501
    assert len(json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))) == 500
    assert main(query(db, sql, "-n", "10", "-o", str(tmp_path / "ten.csv"))) == 0
    assert len((tmp_path / "ten.csv").read_text(encoding="utf-8-sig").splitlines()) == 11
    assert "only the first 10 rows" in capsys.readouterr().err
    # on the screen: 200 unless -n says otherwise, and -n 0 is every row
    assert main(query(db, sql, "--format", "csv")) == 0
    screen = capsys.readouterr()
    assert len(screen.out.splitlines()) == 201 and "only the first 200 rows" in screen.err
    assert main(query(db, sql, "--format", "csv", "-n", "0")) == 0
    assert len(capsys.readouterr().out.splitlines()) == 501


@pytest.mark.slow  # the CLI in a subprocess, while its fork server loads GiNZA
@pytest.mark.parametrize("command", ["ingest", "extract"])
def test_ctrl_c_is_one_line_and_exit_130(command, tmp_path):
    """Ctrl-C on a terminal reaches the whole process group: the fork server loading GiNZA
    too, which printed a 40-line KeyboardInterrupt traceback after "interrupted"."""
    import psutil

    sample = tmp_path / "raw" / "a.txt"
    sample.parent.mkdir()
    shutil.copy(SEED_FILE, sample)
    argv = ["ingest", str(sample.parent), "--db", str(tmp_path / "w.ducklake")]
    if command == "extract":
        argv = ["extract", str(sample)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "shingikai.cli", *argv],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal's foreground job
    )
    try:

        def forkserver_started() -> bool:
            children = psutil.Process(proc.pid).children(recursive=True)
            return any("forkserver" in " ".join(c.cmdline()) for c in children)

        deadline = time.monotonic() + 120
        while not forkserver_started():
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline, "no fork server started"
            time.sleep(0.05)
        time.sleep(0.5)  # well into loading GiNZA (it takes seconds)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.splitlines()[-1] == "interrupted", err


def _readme_block(lang: str, containing: str) -> str:
    blocks = re.findall(rf"```{lang}\n(.*?)```", (ROOT / "README.md").read_text("utf-8"), re.S)
    found = [b.strip() for b in blocks if containing in b]
    assert len(found) == 1, f"the README has {len(found)} {lang} blocks with {containing}"
    return found[0]


@pytest.mark.slow  # two Python subprocesses
def test_the_readmes_offline_routes_open_the_warehouse_without_a_download(db, tmp_path):
    """The README's pandas line and its DuckDB-shell route, as written, on a machine where the
    extension repository cannot be reached (the plain ATTACH fails there)."""
    lake = str(db)
    offline = {"custom_extension_repository": "http://127.0.0.1:9"}  # nothing listens there
    plain = duckdb.connect(config=offline)
    with pytest.raises(duckdb.Error, match="Failed to download extension"):
        plain.execute(f"ATTACH 'ducklake:sqlite:{lake}' AS s (READ_ONLY)")
    plain.close()

    line = _readme_block("python", "connect_readonly").replace(
        "data/warehouse/shingikai.ducklake", lake
    )
    run = subprocess.run(
        [sys.executable, "-c", f"{line}\nprint(type(df).__name__, len(df))"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    with readonly(db) as con:
        (consultations,) = con.execute("SELECT count(*) FROM consultations").fetchone()
    assert consultations > 0
    assert run.stdout.split() == ["DataFrame", str(consultations)]

    command = _readme_block("sh", "attach_sql").replace("data/warehouse/shingikai.ducklake", lake)
    command = command.replace(".venv/bin/python", sys.executable)
    run = subprocess.run(
        command, shell=True, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr[-2000:]
    con = duckdb.connect(config=offline)
    for statement in (tmp_path / "open.sql").read_text("utf-8").split(";"):
        if statement.strip():
            con.execute(statement)
    assert con.execute("SELECT count(*) FROM documents").fetchone() == (2,)
    con.close()
