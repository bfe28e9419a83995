"""GiNZA reads the negation of a verdict that no phrase row spells out (shingikai_decision_polarity)."""

from __future__ import annotations

import pytest
from spacy.language import Language

from extractors.decisions import find_decision
from extractors.nlp import negates_decision, nlp


def test_component_declares_what_it_needs_and_gives() -> None:
    meta = Language.get_factory_meta("shingikai_decision_polarity")
    assert set(meta.requires) >= {"token.dep", "token.head", "token.lemma"}
    assert meta.assigns == ["doc._.negated_decision"]
    assert "shingikai_decision_polarity" in nlp().pipe_names


@pytest.mark.parametrize(
    "sentence, negated",
    [
        ("本件は適当であるとは認められない。", True),
        ("本件を承認することはできない。", True),
        ("本件は原案のとおり承認する。", False),
        (
            "やむを得ないものと認める。",
            False,
        ),  # ない inside a fixed phrase, off the verdict's chain
        ("問題がないので承認する。", False),
        ("", False),
    ],
)
def test_negation_of_the_verdict(sentence: str, negated: bool) -> None:
    assert negates_decision(sentence) is negated


def test_a_negated_verdict_is_a_rejection() -> None:
    text = "審議の結果、本件は適当であるとは認められないとの結論に達した。"
    assert find_decision(text, 0, len(text)).outcome == "rejected"
    text = "審議の結果、本件は適当であると認められるとの結論に達した。"
    assert find_decision(text, 0, len(text)).outcome == "approved"


def test_a_full_stop_inside_brackets_ends_no_sentence() -> None:
    """Issue 23: `(以下「事業」という。)` ended the sentence at its 。, and outcome_text began
    with `)`: the verdict and its subject are one sentence."""
    text = "1 楓原市図書館事業(以下「事業」という。)における個人情報の目的外提供については、やむを得ないものと認める。"
    found = find_decision(text, 0, len(text), toshin=True)
    assert found.outcome == "approved"
    assert found.outcome_text is not None and found.outcome_text.startswith(
        "1 楓原市図書館事業(以下"
    )
    assert found.span is not None and text[found.span[0] : found.span[1]] == found.outcome_text
