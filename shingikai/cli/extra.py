"""Commands added by later work (search, export, show, serve, fetch) register here."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add further subcommands; each module keeps its own `add_parser` call."""
    from shingikai.cli import analysis, nightly

    analysis.register(sub)
    nightly.register(sub)
