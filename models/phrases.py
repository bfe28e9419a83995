"""Phrase vocabularies: the words that name a kind of handling, an outcome or a condition.

Kept as data in ``models/data/`` (one row per phrase family, with an invented example
that the tests check), so that a newly seen wording is a row, not a code change.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class Phrase:
    """One row of a phrase file: the value it signals, its pattern and an example."""

    value: str
    pattern: re.Pattern[str]
    example: str


def _rows(name: str) -> tuple[Phrase, ...]:
    raw = files("models").joinpath("data", name).read_text(encoding="utf-8")
    body = "\n".join(line for line in raw.splitlines() if line and not line.startswith("#"))
    out = []
    for value, pattern, example in csv.reader(io.StringIO(body)):
        out.append(Phrase(value.strip(), re.compile(pattern), example.strip()))
    return tuple(out)


@cache
def category_words() -> tuple[Phrase, ...]:
    """Category -> words that name it (category_words.csv), in file order."""
    return _rows("category_words.csv")


@cache
def outcome_phrases() -> tuple[Phrase, ...]:
    """Outcome -> decision wording (outcome_phrases.csv), in the order they must be tried."""
    return _rows("outcome_phrases.csv")


@cache
def condition_phrases() -> tuple[Phrase, ...]:
    """Where (decision / answer) -> wording that attaches conditions (condition_phrases.csv)."""
    return _rows("condition_phrases.csv")


def first_outcome(sentence: str) -> str | None:
    """The outcome the first matching phrase row signals in a sentence, or None."""
    for phrase in outcome_phrases():
        if phrase.pattern.search(sentence):
            return phrase.value
    return None


def outcome_starts(sentence: str, value: str) -> list[int]:
    """Where in a sentence the phrase rows of one outcome match (every match of every row)."""
    return [
        m.start()
        for phrase in outcome_phrases()
        if phrase.value == value
        for m in phrase.pattern.finditer(sentence)
    ]


def has_condition(sentence: str, where: str) -> bool:
    return any(p.pattern.search(sentence) for p in condition_phrases() if p.value == where)
