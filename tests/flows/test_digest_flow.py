"""The nightly digest as a Prefect flow (issue 21): tonight's 諮問 as the run's Markdown artifact,
and a run whose watch list or digest folder lies outside the allowed roots is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.digest import ARTIFACT_KEY, check_paths, digest_flow
from flows.runners import use_local_api_unless_configured
from shingikai.run_parameters import ParameterRefused
from shingikai.warehouse import Writer, load_many
from tests.shingikai.test_history import SEQUENCES

pytestmark = pytest.mark.slow  # Prefect's temporary API


def test_digest_flow_publishes_an_artifact(tmp_path: Path):
    from prefect.artifacts import Artifact

    use_local_api_unless_configured()
    db = tmp_path / "w.duckdb"
    with Writer(db) as w:
        load_many(w.con, SEQUENCES)
    watch = tmp_path / "watch.toml"
    watch.write_text('terms = ["防犯カメラ"]\n', encoding="utf-8")
    lines = digest_flow(db=str(db), watch=str(watch), out=str(tmp_path / "digest"))
    assert lines[0].startswith("2 諮問 new or moved")  # withdrawn 第2号 and resubmitted 第3号
    artifact = Artifact.get(ARTIFACT_KEY)
    assert artifact is not None
    assert "防犯カメラの設置に伴う個人情報の収集" in str(artifact.data)
    assert "](../show/" in str(artifact.data)


def test_digest_paths_outside_the_roots_are_refused(tmp_path: Path):
    check_paths([tmp_path], watch=str(tmp_path / "w.toml"), digest=str(tmp_path / "d"))
    with pytest.raises(ParameterRefused, match="watch='/etc/w.toml' is outside"):
        check_paths([tmp_path], watch="/etc/w.toml", digest=None)
