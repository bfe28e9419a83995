"""Commands added by later work (search, export, show, serve, fetch) register here."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add further subcommands; each module keeps its own `add_parser` call."""
    from flows import cli_analysis, cli_nightly

    cli_analysis.register(sub)
    cli_nightly.register(sub)
