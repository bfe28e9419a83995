"""Decisions however a record states them: the second round's shapes.

Invented documents (fictional towns and people); each case failed before its rule.
"""

from __future__ import annotations

from extractors.pipeline import extract_bytes

HEAD = "令和6年度第3回若葉台市個人情報保護審議会 審議結果\n開催日時 令和6年10月1日(火)午後2時から\n"


def _outcomes(text: str) -> list[tuple[int | None, str, str | None]]:
    got = extract_bytes(text.encode("utf-8"), "decisions/doc.txt").consultations
    return [(c.number, c.outcome.value, c.vote.value if c.vote else None) for c in got]


def test_a_results_paragraph_that_names_a_range_of_consultations() -> None:
    text = HEAD + (
        "議題\n(1)諮問第12号 図書館システムの運用業務の委託について\n"
        "(2)諮問第13号 健診結果の目的外利用について\n(3)諮問第14号 防犯カメラ画像の提供について\n"
        "審議結果\n諮問第12号から諮問第14号までについては、いずれも原案のとおり承認された。\n"
    )
    assert [o[1] for o in _outcomes(text)] == ["approved"] * 3


def test_a_results_paragraph_that_decides_each_by_its_number() -> None:
    text = HEAD + (
        "議題\n(1)諮問第61号 住民票の写しのコンビニ交付に係るオンライン結合について\n"
        "(2)諮問第62号 延長保育事業の外部委託について\n(3)諮問第63号 検診情報の外部提供について\n"
        "審議の結果\n諮問第61号及び諮問第62号は、異議なく原案どおり承認された。"
        "諮問第63号は、継続審議とされた。\n"
    )
    got = _outcomes(text)
    assert got[:2] == [(61, "approved", "unanimous"), (62, "approved", "unanimous")]
    assert got[2][:2] == (63, "deferred")


def test_the_answer_given_after_a_label() -> None:
    text = HEAD + (
        "諮問第21号 外国語通訳業務の委託について\n答申:妥当(記録を保存させないよう契約書に明記すること。)\n"
    )
    assert [o[1] for o in _outcomes(text)] == ["approved"]


def test_the_summary_of_the_proceedings_under_its_own_heading() -> None:
    # 議事の概要 heads the proceedings: each item's decision is in its own part of them
    text = HEAD + (
        "次第\n1 開会\n2 議事\n(1)諮問第二十三号 国民健康保険事務に係る特定個人情報保護評価について\n"
        "(2)諮問第二十四号 予防接種台帳の記録項目の追加について\n3 閉会\n議事の概要\n"
        "(1)諮問第二十三号について\n住民保険課長から説明があった。\n審議の結果、妥当であるとの意見で一致した。\n"
        "(2)諮問第二十四号について\n健康福祉課長から説明があった。\n委員の意見が分かれ、継続審議とした。\n"
    )
    assert [(o[0], o[1]) for o in _outcomes(text)] == [(23, "approved"), (24, "deferred")]


def test_an_answer_drafted_from_the_deliberation_is_approved_without_conditions() -> None:
    # 審議結果を踏まえた答申案: the draft follows the deliberation; no request is attached
    text = HEAD + (
        "1 答申書の確認\n諮問第31号 国民健康保険事務に係る特定個人情報保護評価について\n"
        "前回諮問のあった案件について、事務局から審議結果を踏まえた答申案が提案され、承認された。\n"
    )
    got = extract_bytes(text.encode("utf-8"), "decisions/draft.txt").consultations
    assert [(c.outcome.value, c.has_conditions) for c in got] == [("approved", False)]
