"""The CLI and its documentation cannot drift apart: every command has help text and appears in
the README, and the README's example commands run."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from shingikai.cli.main import build_parser, main
from tests.conftest import ROOT, SAMPLES
from tests.ingest_helpers import cli_env, copy_lake
from tests.sample_warehouse import build

README = ROOT / "README.md"


def _subcommands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    helps = {ca.dest: ca.help for ca in action._choices_actions}
    missing = [name for name in action.choices if not (helps.get(name) or "").strip()]
    assert not missing, f"subcommands without help text: {missing}"
    return sorted(action.choices)


def readme_examples() -> list[str]:
    """The `shingikai ...` lines of the README's "Using it" block, without their comments."""
    text = README.read_text("utf-8")
    section = text[text.index("## Using it") :]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block, "the README's Using it section has no sh block"
    lines = [line.split("  #")[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line.startswith(".venv/bin/shingikai ")]


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]):
    cmds = _subcommands()
    assert {"ingest", "query", "schema", "search", "export", "show"} <= set(cmds)
    for cmd in cmds:
        with pytest.raises(SystemExit) as exit_:
            main([cmd, "--help"])
        assert exit_.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: shingikai {cmd}")
    # and the module entry point itself
    run = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-1000:]
    assert all(cmd in run.stdout for cmd in cmds)


def test_schema_command_lists_views():
    run = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", "schema"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "contractors_multi_municipality:" in run.stdout


def test_every_command_is_in_the_readme():
    text = README.read_text("utf-8")
    missing = [cmd for cmd in _subcommands() if f"shingikai {cmd}" not in text]
    assert not missing, f"commands the README does not mention: {missing}"
    shown = {shlex.split(line)[1] for line in readme_examples()}
    assert {"ingest", "extract", "query", "eval", "schema", "search", "export", "show"} <= shown


@pytest.fixture
def project(tmp_path_factory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder laid out like the repository after `make run` on the samples."""
    (tmp_path / "data" / "warehouse").mkdir(parents=True)
    copy_lake(build(tmp_path_factory), tmp_path / "data" / "warehouse" / "shingikai.ducklake")
    (tmp_path / "data" / "raw").mkdir()
    (tmp_path / "data" / "raw" / "samples").symlink_to(SAMPLES)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "example", [e for e in readme_examples() if " ingest " not in e], ids=lambda e: e.split()[1]
)
def test_readme_example_runs(example: str, project: Path, capsys: pytest.CaptureFixture[str]):
    code = main(shlex.split(example)[1:])
    out = capsys.readouterr()
    assert code == 0, (example, out.err[-2000:])
    assert out.out.strip(), f"{example} printed nothing"


def test_readme_sql_example_runs(project: Path, capsys: pytest.CaptureFixture[str]):
    sql = re.search(r"```sql\n(.*?)```", README.read_text("utf-8"), flags=re.S)
    assert sql, "the README has no SQL example"
    assert main(["query", sql.group(1)]) == 0
    assert "name_normalized" in capsys.readouterr().out


@pytest.mark.slow
def test_readme_ingest_example_runs(tmp_path: Path):
    (example,) = [e for e in readme_examples() if " ingest " in e]
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "samples").symlink_to(SAMPLES)
    run = subprocess.run(
        [sys.executable, "-m", "shingikai.cli", *shlex.split(example)[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        env=cli_env(),
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "files seen: 4, new: 4" in run.stdout
    assert (tmp_path / "data" / "warehouse" / "shingikai.ducklake").exists()
