"""The everyday commands: readable query output, and one-line errors for everyday mistakes."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from shingikai.cli.main import main
from shingikai.render import display_width
from shingikai.warehouse import Writer, load
from tests.conftest import ROOT
from tests.shingikai.test_copies import PDF, SEED


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
        (["export", "{file}"], 2, "is a file"),
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
