"""`make notebooks` starts JupyterLab as root too (issue 23): JupyterLab refuses root without
`--allow-root`, and the target failed in a container's root shell without a hint."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


def test_make_notebooks_allows_root_only_as_root() -> None:
    if shutil.which("make") is None:
        pytest.fail("make is not installed: the project's entry points need it")
    dry = subprocess.run(
        ["make", "-n", "notebooks"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    (lab,) = [line for line in dry.splitlines() if "jupyter lab" in line]
    root = os.geteuid() == 0
    assert ("--allow-root" in lab) == root, lab
    assert ("running as root" in dry) == root
