"""How the `shingikai` command reports a mistake: one line on standard error, non-zero exit."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from shingikai.paths import DEFAULT_DB, default_db


class UsageError(Exception):
    """Something a person can fix from the message alone (exit status 2)."""


class NothingDone(Exception):
    """The command ran but found nothing to work on (exit status 1)."""


def silence_stdout() -> None:
    """After the reader closed the pipe (`| head`): send what is left nowhere, so exit is quiet."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def add_db(s: argparse.ArgumentParser) -> None:
    """The --db option every command that reads or writes the warehouse takes."""
    s.add_argument(
        "--db",
        type=Path,
        default=default_db(),
        help=f"warehouse file (default: $SHINGIKAI_DB, else {DEFAULT_DB})",
    )
