"""Tests for models.canon.  All company names here are invented."""

from __future__ import annotations

import unicodedata
from importlib.resources import files

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import canon
from models.canon import (
    ITEM_CATEGORIES,
    LEGAL_FORM_WORDS,
    PARTY_KINDS,
    CanonicalItem,
    CanonicalParty,
    canonical_contractor,
    canonical_item,
    contractor_key,
)

# ----------------------------------------------------------------------------- contractors

CONTRACTOR_CASES = [
    # (raw, name_normalized, kind, legal_form, matched)
    ("", "", "unnamed", None, False),
    ("   \u3000\t\n", "", "unnamed", None, False),
    ("\u200b\ufeff", "", "unnamed", None, False),
    # spacing / width
    ("Q R X株式会社", "QRX株式会社", "company", "株式会社", True),
    ("ＱＲＸ　株式会社", "QRX株式会社", "company", "株式会社", True),
    ("株 式 会 社 つばめ製作", "株式会社つばめ製作", "company", "株式会社", True),
    ("「株式会社つばめ製作」、", "株式会社つばめ製作", "company", "株式会社", True),
    # abbreviations expand in place (front stays front, back stays back)
    ("(株)つばめ製作", "株式会社つばめ製作", "company", "株式会社", True),
    ("（株）つばめ製作", "株式会社つばめ製作", "company", "株式会社", True),
    ("㈱つばめ製作", "株式会社つばめ製作", "company", "株式会社", True),
    ("㊑つばめ製作", "株式会社つばめ製作", "company", "株式会社", True),
    ("( 株 )つばめ製作", "株式会社つばめ製作", "company", "株式会社", True),
    ("つばめ製作(株)", "つばめ製作株式会社", "company", "株式会社", True),
    ("㈲かもめ商会", "有限会社かもめ商会", "company", "有限会社", True),
    ("(有)かもめ商会", "有限会社かもめ商会", "company", "有限会社", True),
    ("(同)ミナトラボ", "合同会社ミナトラボ", "company", "合同会社", True),
    ("合資会社ミナトラボ", "合資会社ミナトラボ", "company", "合資会社", True),
    ("㈴ミナトラボ", "合名会社ミナトラボ", "company", "合名会社", True),
    ("(一社)ほしぞら協会", "一般社団法人ほしぞら協会", "association", "一般社団法人", True),
    ("(公社)ほしぞら協会", "公益社団法人ほしぞら協会", "association", "公益社団法人", True),
    ("(一財)ほしぞら財団", "一般財団法人ほしぞら財団", "association", "一般財団法人", True),
    ("（公財）ほしぞら財団", "公益財団法人ほしぞら財団", "association", "公益財団法人", True),
    ("(福)あさひ会", "社会福祉法人あさひ会", "association", "社会福祉法人", True),
    ("NPO法人こもれび", "特定非営利活動法人こもれび", "association", "特定非営利活動法人", True),
    (
        "ＮＰＯ法人 こもれび",
        "特定非営利活動法人こもれび",
        "association",
        "特定非営利活動法人",
        True,
    ),
    ("医療法人こもれび会", "医療法人こもれび会", "association", "医療法人", True),
    ("学校法人こもれび学園", "学校法人こもれび学園", "association", "学校法人", True),
    ("こもれび生活協同組合", "こもれび生活協同組合", "association", "生活協同組合", True),
    ("こもれび事業協同組合", "こもれび事業協同組合", "association", "事業協同組合", True),
    ("独立行政法人こもれび機構", "独立行政法人こもれび機構", "public_body", "独立行政法人", True),
    (
        "地方独立行政法人こもれび病院",
        "地方独立行政法人こもれび病院",
        "public_body",
        "地方独立行政法人",
        True,
    ),
    # OCR look-alikes, resolved toward the surrounding run
    ("ひまわリ株式会社", "ひまわり株式会社", "company", "株式会社", True),
    ("株式会社あリす", "株式会社ありす", "company", "株式会社", True),
    ("東京へルス株式会社", "東京ヘルス株式会社", "company", "株式会社", True),
    ("株式会社メディカルセンタ一", "株式会社メディカルセンター", "company", "株式会社", True),
    ("株式会社ミ力ン", "株式会社ミカン", "company", "株式会社", True),
    ("株式会社第ー企画", "株式会社第一企画", "company", "株式会社", True),
    ("口コミ株式会社", "口コミ株式会社", "company", "株式会社", True),  # legit script switch
    # designated managers: role goes to kind, the name stays bare
    ("指定管理者 株式会社つばめ製作", "株式会社つばめ製作", "designated_manager", "株式会社", True),
    ("指定管理者：つばめ製作(株)", "つばめ製作株式会社", "designated_manager", "株式会社", True),
    (
        "株式会社つばめ製作（指定管理者）",
        "株式会社つばめ製作",
        "designated_manager",
        "株式会社",
        True,
    ),
    ("指定管理者", "指定管理者", "unnamed", None, True),
    ("指定管理者(未定)", "指定管理者(未定)", "unnamed", None, True),
    ("指定管理者による運営", "指定管理者による運営", "company", None, False),
    # generic words
    ("民間事業者", "民間事業者", "unnamed", None, True),
    ("委託業者等", "委託業者等", "unnamed", None, True),
    ("受託者", "受託者", "unnamed", None, True),
    ("人材派遣業者", "人材派遣業者", "unnamed", None, True),
    ("弁護士", "弁護士", "unnamed", None, True),
    ("市内の印刷業者", "市内の印刷業者", "unnamed", None, True),
    # public bodies
    ("法務省", "法務省", "public_body", None, True),
    ("こども家庭庁", "こども家庭庁", "public_body", None, True),
    ("さくら地方法務局", "さくら地方法務局", "public_body", None, True),
    ("みどり市", "みどり市", "public_body", None, True),
    ("青葉区", "青葉区", "public_body", None, True),
    ("桜県桜町", "桜県桜町", "public_body", None, True),
    ("青葉区役所", "青葉区役所", "public_body", None, True),
    ("みどり市教育委員会", "みどり市教育委員会", "public_body", None, True),
    ("みどり市立図書館", "みどり市立図書館", "public_body", None, True),
    ("J-LIS", "地方公共団体情報システム機構", "public_body", None, True),
    ("Ｊ－ＬＩＳ", "地方公共団体情報システム機構", "public_body", None, True),
    ("国保連", "国民健康保険団体連合会", "public_body", None, True),
    ("みどり市シルバー人材センター", "みどり市シルバー人材センター", "association", None, True),
    # unknown: cleaned only
    ("つばめ製作", "つばめ製作", "company", None, False),
    ("<script>alert(1)</script>", "<script>alert(1)</script>", "company", None, False),
    ("'; DROP TABLE x; --", "DROPTABLEx;--", "company", None, False),
]


@pytest.mark.parametrize(("raw", "name", "kind", "form", "matched"), CONTRACTOR_CASES)
def test_canonical_contractor(raw, name, kind, form, matched):
    assert canonical_contractor(raw) == CanonicalParty(name, kind, form, matched)


@pytest.mark.parametrize(
    "variants",
    [
        ["(株)つばめ製作", "つばめ製作株式会社", "株式会社 つばめ製作"],
        ["Q R X株式会社", "ｑｒｘ(株)", "株式会社QRX"],
        ["指定管理者 株式会社つばめ製作", "つばめ製作"],
        ["エヌ・ティ・ワイ株式会社", "エヌティワイ(株)"],
    ],
)
def test_contractor_key_clusters_variants(variants):
    assert len({contractor_key(v) for v in variants}) == 1


def test_contractor_key_keeps_distinct_names_apart():
    assert contractor_key("(株)つばめ製作") != contractor_key("(株)かもめ製作")
    assert contractor_key("株式会社") == "株式会社"  # nothing left -> the name itself
    assert contractor_key("") == ""


# ----------------------------------------------------------------------------- items

ITEM_CASES = [
    # (raw, item_normalized, category, matched)
    ("", "", "other", False),
    ("  ", "", "other", False),
    ("等", "", "other", False),
    ("氏名", "氏名", "identity", True),
    (" 氏 名 ", "氏名", "identity", True),
    ("名前", "氏名", "identity", True),
    ("氏名等", "氏名", "identity", True),
    ("住所など", "住所", "contact", True),
    ("①氏名", "氏名", "identity", True),
    ("(1) 住所", "住所", "contact", True),
    ("・電話番号", "電話番号", "contact", True),
    ("男女の別", "性別", "identity", True),
    ("電子メールアドレス", "メールアドレス", "contact", True),
    ("ＴＥＬ", "電話番号", "contact", True),
    ("tel", "電話番号", "contact", True),
    ("ＦＡＸ番号", "FAX番号", "contact", True),
    ("生年月日", "生年月日", "identity", True),
    ("所得の種類及び金額", "所得の種類および金額", "tax", True),
    ("口座振替データ", "口座振替データ", "tax", True),
    ("軽自動車税額", "軽自動車税額", "tax", True),
    ("保護者氏名", "保護者の氏名", "family", True),
    ("子供の氏名", "子の氏名", "family", True),
    ("父親の電話番号", "父の電話番号", "family", True),
    ("父母のTEL", "父母の電話番号", "family", True),
    ("続柄", "続柄", "family", True),
    ("アレルギー", "アレルギー情報", "health", True),
    ("介護度", "要介護度", "health", True),
    ("貸出資料番号", "貸出資料番号", "usage", True),
    ("登録館", "利用登録館", "usage", True),
    ("車台番号", "車台番号", "vehicle", True),
    ("定置場", "定置場の住所", "vehicle", True),
    ("仮パスワード", "仮パスワード", "credential", True),
    ("ログインＩＤ", "ID", "credential", True),
    ("犯歴", "犯罪歴", "legal", True),
    ("死亡年月日", "死亡日", "civil_status", True),
    ("在外選挙人登録", "在外選挙人登録", "civil_status", True),
    # rules
    ("住所(方書を含む)", "住所", "contact", True),
    ("申請者の氏名", "申請者の氏名", "identity", True),
    ("証明写真", "証明写真", "identity", True),
    ("受付番号", "受付番号", "identity", True),
    ("申請年月日", "申請年月日", "other", True),
    ("転入年月日", "転入年月日", "civil_status", True),
    ("子ども手当の支給状況", "子ども手当の支給状況", "welfare", True),
    ("児童の学校名", "児童の学校名", "education", True),
    # unknown
    ("好きな色", "好きな色", "other", False),
    ("<img src=x onerror=alert(1)>", "<imgsrc=xonerror=alert(1)>", "other", False),
]


@pytest.mark.parametrize(("raw", "item", "category", "matched"), ITEM_CASES)
def test_canonical_item(raw, item, category, matched):
    assert canonical_item(raw) == CanonicalItem(item, category, matched)


# ----------------------------------------------------------------------------- data files


def test_item_categories_match_csv_header():
    text = (files("models") / "data" / "data_items.csv").read_text(encoding="utf-8")
    header = next(ln for ln in text.splitlines() if ln.startswith("# categories:"))
    listed = tuple(c.strip() for c in header.split(":", 1)[1].split(","))
    assert listed == ITEM_CATEGORIES


def test_vocabulary_is_consistent_and_idempotent():
    vocab = canon.data_item_vocabulary()
    assert len(vocab) >= 250
    assert "TEL" in vocab and "男女の別" in vocab  # keyed by the cleaned surface form
    category_of: dict[str, str] = {}
    for canonical, category in vocab.values():
        assert category in ITEM_CATEGORIES
        assert category_of.setdefault(canonical, category) == category, canonical
        assert canonical_item(canonical) == CanonicalItem(canonical, category, True)


def test_party_tables_are_valid():
    for kind in canon.legal_forms().values():
        assert kind in PARTY_KINDS
    for canonical, kind in canon._aliases().values():
        assert kind in PARTY_KINDS
        assert canonical_contractor(canonical) == CanonicalParty(
            canonical, kind, canon._first_form(canonical), True
        )
    exact, suffixes = canon._generic_parties()
    for term in exact | set(suffixes):
        assert canonical_contractor(term).kind == "unnamed", term


@pytest.mark.parametrize("abbr", sorted(canon._abbreviations()))
def test_every_abbreviation_expands(abbr):
    form = canon._abbreviations()[abbr]
    party = canonical_contractor(abbr + "ことり工房")
    assert party.name_normalized == form + "ことり工房"
    assert party.legal_form == form


def test_party_kinds_match_warehouse_vocabulary():
    from models.vocab import ContractorKind

    assert set(PARTY_KINDS) == {k.value for k in ContractorKind}


def test_legal_form_words():
    assert {"株式会社", "(株)", "（株）", "㈱", "NPO法人", "一般社団法人"} <= set(LEGAL_FORM_WORDS)
    # the scorer NFKCs each word before stripping: none may become a bare kanji like 株
    for word in LEGAL_FORM_WORDS:
        assert len(unicodedata.normalize("NFKC", word)) > 1, word
    lengths = [len(w) for w in LEGAL_FORM_WORDS]
    assert lengths == sorted(lengths, reverse=True)


# ----------------------------------------------------------------------------- properties

# Text biased toward the characters the rules care about.
_TRICKY = (
    "株式会社有限合同一般社団財団法人NPO()（）㈱㊑㈲ 　\u200b゛゙"
    "リりヘへベべペぺカ力エ工ロ口ニ二ー一タ夕ト卜あいうアイウ市区町村県都省庁"
    "指定管理者業者等など・「」:ＡＢＣabc123①の氏名住所番号年月日子父母保護者"
)
TEXT = st.one_of(st.text(), st.text(alphabet=_TRICKY, max_size=30))


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_contractor_never_raises_and_is_idempotent(text):
    first = canonical_contractor(text)
    assert first.kind in PARTY_KINDS
    second = canonical_contractor(first.name_normalized)
    assert second.name_normalized == first.name_normalized
    assert second.legal_form == first.legal_form
    if first.kind != "designated_manager":  # the role marker is not part of the name
        assert second == first
    assert contractor_key(first.name_normalized) == contractor_key(text)


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_item_never_raises_and_is_idempotent(text):
    first = canonical_item(text)
    assert first.category in ITEM_CATEGORIES
    assert canonical_item(first.item_normalized) == first


@pytest.mark.parametrize(
    "text",
    [
        "指定管理者" * 2000,
        "指定管理者(" * 2000,
        "X" + "(指定管理者)" * 2000,
        "子の" * 5000,
        "あリ" * 5000,
        "(株)" * 3000,
        "市" * 10000,
        "(" * 10000,
        "\u200b" * 10000 + "氏名",
    ],
)
def test_hostile_long_inputs_finish(text):
    # repetition must neither recurse per repeat nor go quadratic
    assert canonical_contractor(text).kind in PARTY_KINDS
    assert canonical_item(text).category in ITEM_CATEGORIES
    contractor_key(text)
