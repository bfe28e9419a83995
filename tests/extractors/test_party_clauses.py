"""Parties with the words around them cut away.

Invented sentences (fictional companies); each case failed before its rule.
"""

from __future__ import annotations

from extractors.parties import from_discussion, from_sheet


def _names(text: str) -> list[str]:
    return [n for n, _, _ in from_discussion(text, 0, len(text))]


def test_a_clause_ending_in_a_verb_before_the_name() -> None:
    text = "運行は、町内でタクシー事業を営んでいる白浜交通有限会社に委託する方向で調整している。"
    assert _names(text) == ["白浜交通有限会社"]


def test_a_legal_form_used_as_a_common_noun_names_nobody() -> None:
    text = "同社は、一般社団法人が運営する個人情報保護に関する第三者認証を取得している。"
    assert _names(text) == []


def test_a_consortium_named_with_its_members_in_brackets() -> None:
    text = "さくらスポーツパートナーズ（代表団体：株式会社さくら東日本、構成団体：公益財団法人桜川市体育協会）"
    assert [n for n, _, _ in from_sheet(text, 0, len(text))] == ["さくらスポーツパートナーズ"]


def test_two_companies_joined_by_a_conjunction() -> None:
    text = "結合先は、株式会社ミドリ通信及びアオゾラリンク株式会社の2社です。"
    assert sorted(set(_names(text))) == ["アオゾラリンク株式会社", "株式会社ミドリ通信"]
