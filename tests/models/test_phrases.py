"""Every row of the phrase vocabularies (models/data/*.csv) does what its example says."""

from __future__ import annotations

import pytest

from extractors.categories import categories
from models.phrases import (
    category_words,
    condition_phrases,
    first_outcome,
    has_condition,
    outcome_phrases,
)
from models.vocab import Category, Outcome


@pytest.mark.parametrize("phrase", category_words(), ids=lambda p: p.example)
def test_category_row_names_its_category(phrase) -> None:
    assert Category(phrase.value)
    assert phrase.value in categories(phrase.example, [])


@pytest.mark.parametrize("phrase", outcome_phrases(), ids=lambda p: p.example)
def test_outcome_row_classifies_its_example(phrase) -> None:
    assert Outcome(phrase.value)
    assert first_outcome(phrase.example) == phrase.value


@pytest.mark.parametrize("phrase", condition_phrases(), ids=lambda p: p.example)
def test_condition_row_finds_its_example(phrase) -> None:
    assert phrase.value in ("decision", "after", "answer")
    assert has_condition(phrase.example, phrase.value)


@pytest.mark.parametrize(
    "sentence, outcome",
    [
        ("本件は承認できないものとする。", "rejected"),
        ("事前一括承認基準について説明があった。", None),
        ("承認済みの案件について報告する。", None),
        ("", None),
        ("   ", None),
        ("<script>承認</script>", "approved"),
        ("実施機関の対応はやむを得ないと判断する。", "approved"),
        ("本件については適当でないと判断する。", "rejected"),
        ("実施に支障はないものと認める。", "approved"),
        ("全会一致で原案を可決した。", "approved"),
        ("結論は次回に持ち越すこととした。", "deferred"),
        ("支障はないのでしょうか。", None),
        # failed before: a past approval the speaker refers to is no decision
        ("既に本審議会で御承認いただいた範囲で行います。", None),
        ("前回ご承認いただいております。", None),
        # failed before: finding no problem is no rejection
        ("提供先の安全管理措置に特段の問題は認められない。", None),
        ("当該部分を開示すべきであるとはいえない。", None),
    ],
)
def test_outcome_cases(sentence: str, outcome: str | None) -> None:
    assert first_outcome(sentence) == outcome


@pytest.mark.parametrize(
    "title, expected",
    [
        ("個人情報の収集制限の例外について", {"indirect_collection"}),
        ("住民情報の目的外利用及び外部提供について", {"non_purpose_use", "external_provision"}),
        ("オンライン結合による提供について", {"online_link", "external_provision"}),
        ("個人情報の目的外の提供について", {"external_provision"}),
        ("利用目的以外の目的のための利用について", {"non_purpose_use"}),
        ("戸籍情報の間接収集について", {"indirect_collection"}),
        ("審議会の運営について", {"other"}),
        ("", {"other"}),
    ],
)
def test_categories_of_titles(title: str, expected: set[str]) -> None:
    assert set(categories(title, [])) == expected


def test_a_toshin_names_what_it_judges_in_its_headings() -> None:
    from extractors.categories import judged_headings

    text = (
        "記\n1 収集制限の例外の適否について\n本件は…\n2 目的外利用及び外部提供の適否について\n…\n"
    )
    judged = judged_headings(text, 0, len(text))
    assert set(categories("給付事務に係る個人情報の取扱いについて", [], judged)) == {
        "indirect_collection",
        "non_purpose_use",
        "external_provision",
    }
    assert judged_headings("適否についての説明があった。", 0, 15) == ""
