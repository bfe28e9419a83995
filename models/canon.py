"""Canonical entities: contractor / party names and personal-data items.

Pure functions over strings.  The only I/O is reading this package's own CSV files
in ``models/data/`` (lazily, once, via :func:`functools.lru_cache`), except for
:data:`LEGAL_FORM_WORDS`, which is built from ``legal_forms.csv`` at import.

Decisions worth knowing
-----------------------
* **Legal-form position is kept.**  In Japan 株式会社ABC (前株) and ABC株式会社 (後株) are
  different registered trade names, so ``name_normalized`` keeps the form where it was
  written and only expands abbreviations: ``(株)内田情報`` -> ``株式会社内田情報``.
  :func:`contractor_key` drops the form (and punctuation, ASCII case) so that callers
  can *cluster* variants that differ only in form or its position.
* **Role markers are dropped.**  ``指定管理者 ABC株式会社`` becomes name ``ABC株式会社``
  with kind ``designated_manager``; the role lives in ``kind``, the name stays joinable
  with other rows.  Hence ``name_normalized`` is a fixed point, but ``kind`` of the
  second pass is the bare name's kind (``company``) for designated managers.
* **``matched``** means a table row or a classification rule decided ``kind`` /
  ``category``.  Cleaning steps (NFKC, spaces, abbreviations, OCR look-alikes) alone
  do not count, which keeps the flag stable under re-canonicalisation.
* Names with no table row or rule hit get kind ``company`` with ``matched=False``: the
  warehouse allows only the five kinds of ``models.vocab.ContractorKind``, and a named
  party without any public-body / association / generic signal is most often a company
  written without its 株式会社.  ``matched=False`` marks the guess.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from types import MappingProxyType
from typing import Final

__all__ = [
    "ITEM_CATEGORIES",
    "LEGAL_FORM_WORDS",
    "PARTY_KINDS",
    "CanonicalItem",
    "CanonicalParty",
    "canonical_contractor",
    "canonical_item",
    "contractor_key",
    "data_item_vocabulary",
    "legal_forms",
]

#: Kinds of party; the same values as models.vocab.ContractorKind and the DDL CHECK.
PARTY_KINDS: Final = ("company", "public_body", "association", "designated_manager", "unnamed")

#: Fixed item categories; mirrors the ``# categories:`` header of data_items.csv.
ITEM_CATEGORIES: Final = (
    "identity",
    "contact",
    "tax",
    "family",
    "health",
    "usage",
    "vehicle",
    "welfare",
    "education",
    "employment",
    "credential",
    "legal",
    "civil_status",
    "other",
)


@dataclass(frozen=True, slots=True)
class CanonicalParty:
    name_normalized: str
    kind: str  # one of PARTY_KINDS
    legal_form: str | None  # full form, e.g. "株式会社", if the name carries one
    matched: bool  # True if an alias row or a classification rule decided `kind`


@dataclass(frozen=True, slots=True)
class CanonicalItem:
    item_normalized: str
    category: str  # one of ITEM_CATEGORIES
    matched: bool  # True if the vocabulary or a rule decided `category`


# --------------------------------------------------------------------------- data files


def _read_csv(name: str) -> list[dict[str, str]]:
    data = files(__package__ or "models").joinpath("data").joinpath(name)
    text = data.read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return [
        {k: (v or "").strip() for k, v in row.items()}
        for row in csv.DictReader(io.StringIO("\n".join(lines)))
    ]


@lru_cache(maxsize=1)
def legal_forms() -> Mapping[str, str]:
    """Full legal form -> kind, from legal_forms.csv (read-only)."""
    return MappingProxyType({r["form"]: r["kind"] for r in _read_csv("legal_forms.csv")})


@lru_cache(maxsize=1)
def _abbreviations() -> dict[str, str]:
    """Abbreviation (raw and normalised spelling) -> full legal form."""
    rows = _read_csv("legal_forms.csv")
    forms = [r["form"] for r in rows]
    out: dict[str, str] = {}
    for r in rows:
        for abbr in filter(None, r["abbreviations"].split("|")):
            for spelling in (abbr, _basic(abbr)):
                # ㊑ normalises to a bare 株, which also occurs inside 株式会社: expanding
                # it would never terminate, so such spellings are only used pre-NFKC.
                if not any(spelling in form for form in forms):
                    out[spelling] = r["form"]
    return out


def _legal_form_words() -> tuple[str, ...]:
    forms = tuple(legal_forms())
    # Callers NFKC the words before stripping; ㊑ would become a bare 株 and eat real
    # names, so spellings whose NFKC occurs inside a form are left out.
    abbrs = {a for a in _abbreviations() if not any(_basic(a) in f for f in forms)}
    # Longest first so that stripping in order removes 一般社団法人 before 社団法人.
    return tuple(sorted(set(forms) | abbrs, key=lambda w: (-len(w), w)))


@lru_cache(maxsize=1)
def _aliases() -> dict[str, tuple[str, str]]:
    """Cleaned alias -> (canonical name, kind); every canonical also maps to itself."""
    out: dict[str, tuple[str, str]] = {}
    for r in _read_csv("contractor_aliases.csv"):
        canonical = _clean_name(r["canonical"])
        out[_clean_name(r["alias"])] = (canonical, r["kind"])
        out.setdefault(canonical, (canonical, r["kind"]))
    return out


@lru_cache(maxsize=1)
def _generic_parties() -> tuple[frozenset[str], tuple[str, ...]]:
    """(exact terms, suffix terms) of generic, unnamed parties."""
    rows = _read_csv("generic_parties.csv")
    exact = frozenset(_clean_name(r["term"]) for r in rows if r["match"] == "exact")
    suffixes = tuple(_clean_name(r["term"]) for r in rows if r["match"] == "suffix")
    return exact, suffixes


@lru_cache(maxsize=1)
def data_item_vocabulary() -> Mapping[str, tuple[str, str]]:
    """Surface form -> (canonical term, category), from data_items.csv (read-only).

    Keys are cleaned like items (NFKC, no whitespace); canonicals map to themselves.
    """
    out: dict[str, tuple[str, str]] = {}
    for r in _read_csv("data_items.csv"):
        canonical = _clean_item(r["canonical"])
        out[_clean_item(r["term"])] = (canonical, r["category"])
        out.setdefault(canonical, (canonical, r["category"]))
    return MappingProxyType(out)


@lru_cache(maxsize=1)
def _vocabulary_index() -> dict[str, tuple[str, str]]:
    """data_item_vocabulary keyed by _item_key (ASCII case folded)."""
    return {_item_key(k): v for k, v in data_item_vocabulary().items()}


# --------------------------------------------------------------------------- text cleaning

# Zero-width and other format/control characters: PDF text layers are full of them and
# they would otherwise split words invisibly.
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def _basic(text: str) -> str:
    """Drop invisible characters and whitespace, NFKC, until stable.

    NFKC can itself produce spaces (゛ -> space + combining mark) and removing them can
    enable a new composition, so one pass is not always idempotent.
    """
    return _fixpoint(text, _basic_once)


def _basic_once(text: str) -> str:
    text = "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) not in _INVISIBLE)


def _fixpoint(text: str, step: Callable[[str], str], limit: int = 32) -> str:
    for _ in range(limit):
        new = step(text)
        if new == text:
            break
        text = new
    return text


_EDGE_PUNCT = "、。,:;・「」『』\"'“”‘’【】"


def _strip_edges(text: str) -> str:
    return text.strip(_EDGE_PUNCT)


# ---- OCR look-alikes -----------------------------------------------------------------

# Pairs that OCR and PDF text layers confuse.  Each maps a character to its twin in the
# other script.
_KANA_TWINS = {"リ": "り", "ヘ": "へ", "ベ": "べ", "ペ": "ぺ"}
_KANJI_TWINS = {"カ": "力", "エ": "工", "ロ": "口", "ニ": "二", "ー": "一", "タ": "夕", "ト": "卜"}
_TWIN = {**_KANA_TWINS, **{v: k for k, v in _KANA_TWINS.items()}}
_TWIN.update({**_KANJI_TWINS, **{v: k for k, v in _KANJI_TWINS.items()}})
_KANA_PAIR = set(_KANA_TWINS) | set(_KANA_TWINS.values())


def _script(ch: str) -> str | None:
    if "\u3041" <= ch <= "\u309f":
        return "hira"
    if "\u30a0" <= ch <= "\u30ff":  # includes ー, which behaves as katakana here
        return "kata"
    if "\u4e00" <= ch <= "\u9fff" or ch in "々〆ヶ〇":
        return "kanji"
    return None


def _fix_lookalikes(text: str) -> str:
    """Swap a look-alike to its twin when it sits inside a run of the twin's script.

    * hiragana/katakana twins (リ/り …): the kana neighbours decide (kanji neighbours are
      ignored because kanji sit next to either kana), e.g. あリす -> ありす, ひまわリ -> ひまわり.
    * katakana/kanji twins (カ/力 …): both neighbours must share the twin's script, because
      a script switch at a word edge is normal (口コミ, 第一システム); ー/一 also at the end
      of a katakana run (センタ一 -> センター), where a kanji 一 is implausible.
    """
    chars = list(text)
    for i, ch in enumerate(chars):
        twin = _TWIN.get(ch)
        if twin is None:
            continue
        left = _script(chars[i - 1]) if i > 0 else None
        right = _script(chars[i + 1]) if i + 1 < len(chars) else None
        own, target = _script(ch), _script(twin)
        if ch in _KANA_PAIR:
            context = {s for s in (left, right) if s in ("hira", "kata")}
            swap = context == {target}
        else:
            swap = left == right == target
            if ch == "一" and left == "kata" and right is None and i >= 2:
                swap = _script(chars[i - 2]) == "kata"
        if swap and own != target:
            chars[i] = twin
    return "".join(chars)


# ---- names ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _abbr_re() -> re.Pattern[str]:
    return re.compile(
        "|".join(re.escape(a) for a in sorted(_abbreviations(), key=len, reverse=True))
    )


@lru_cache(maxsize=1)
def _form_re() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(f) for f in sorted(legal_forms(), key=len, reverse=True)))


def _expand_abbreviations(text: str) -> str:
    return _abbr_re().sub(lambda m: _abbreviations()[m.group(0)], text)


def _clean_name_once(text: str) -> str:
    # Circled forms (㊑ -> 株) lose their meaning under NFKC, so expand before it too.
    text = _expand_abbreviations(text)
    text = _strip_edges(_basic(text))
    text = _expand_abbreviations(text)
    return _fix_lookalikes(text)


def _clean_name(text: str) -> str:
    return _fixpoint(text, _clean_name_once)


# --------------------------------------------------------------------------- party rules

_KANJI = "\u4e00-\u9fff々〆ヶ〇"
_KANA = "\u3041-\u309f\u30a0-\u30ff"
# Municipality: optional prefecture + one or two of 市/区/町/村 (横浜市, 港区, さいたま市,
# 南アルプス市, 横浜市中区, 〇〇県〇〇町), or a prefecture alone (〇〇県).
_MUNICIPALITY = (
    rf"(?:[{_KANJI}]{{1,3}}[都道府県])?(?:[{_KANJI}{_KANA}]{{1,7}}?[市区町村]){{1,2}}"
    rf"|[{_KANJI}]{{1,3}}[都道府県]"
)
_MUNICIPALITY_RE = re.compile(rf"(?:{_MUNICIPALITY})")
_JAPANESE_ONLY_RE = re.compile(rf"[{_KANJI}{_KANA}]+")

# A name ending with one of these is a public body on its own (法務省, デジタル庁, 〇〇地方法務局).
_PUBLIC_SUFFIXES = tuple(
    "省 庁 法務局 税務署 年金事務所 裁判所 検察庁 警察署 警察本部 消防本部 消防署 保健所"
    " 広域連合 一部事務組合 審議会 審査会 国民健康保険団体連合会 国保連合会".split()
)
# A municipality followed by one of these is one of its organs (〇〇市役所, 〇〇区教育委員会).
_ORGAN_SUFFIXES = tuple(
    "役所 役場 庁舎 委員会 議会 局 部 課 室 係 本部 事務所 センター 館 署 所".split()
)
# Associations that usually appear without their 法人格.
# Citizens' groups name themselves by what they are (〇〇サポーター, 〇〇の会, 〇〇ボランティア).
_ASSOCIATION_SUFFIXES = tuple(
    "協議会 協会 事業団 振興会 人材センター 連合会 サポーター サポーターズ ボランティア"
    " の会 友の会 自治会 町内会 クラブ 推進委員会 実行委員会".split()
)
_PUBLIC_PREFIX_RE = re.compile(r"^(?:.{0,8}?[都道府県市区町村]立|国立)")
# 指定管理者 + name, or name + (指定管理者).  The lookahead rejects prose that merely
# starts with the role word (指定管理者による…, 指定管理者制度).
# Repeated markers are consumed at once so hostile repetitions stay linear.
_MANAGER_RE = re.compile(
    r"^(?:指定管理者(?:である|の|[:(「])?)+"
    r"(?!による|において|として|から|制度|候補|[がはにをでへも])(?P<name>.+?)[)」]?$"
    r"|^(?P<name2>.+?)(?:\(指定管理者\))+$"
)


def _strip_remarks(text: str) -> str:
    """Drop a trailing (未定)-style remark and 等/など (generic lookups only)."""
    text = re.sub(r"\([^()]*\)$", "", text)
    return re.sub(r"(?:等|など|ほか|他)$", "", text)


def _is_public_body(name: str) -> bool:
    if not _JAPANESE_ONLY_RE.fullmatch(name):
        return False
    if _MUNICIPALITY_RE.fullmatch(name) or _PUBLIC_PREFIX_RE.match(name):
        return True
    return bool(_MUNICIPALITY_RE.match(name)) and name.endswith(_ORGAN_SUFFIXES)


def _classify(name: str) -> tuple[str, str, str | None, bool]:
    """(name_normalized, kind, legal_form, matched) of an already-cleaned name."""
    inner = name
    # Peel 指定管理者 markers in a loop (not recursion: hostile input may repeat them).
    while not _is_listed(inner) and (m := _MANAGER_RE.match(inner)):
        inner = _clean_name(m.group("name") or m.group("name2"))
    if inner == name:
        return _classify_plain(name)
    normalized, kind, form, _ = _classify_plain(inner)
    if kind == "unnamed":  # 指定管理者(未定)
        return name, "unnamed", None, True
    return normalized, "designated_manager", form, True


def _is_listed(name: str) -> bool:
    exact, _ = _generic_parties()
    return name in _aliases() or name in exact or _strip_remarks(name) in exact


def _classify_plain(name: str) -> tuple[str, str, str | None, bool]:
    if not name:
        return "", "unnamed", None, False
    if name in _aliases():
        canonical, kind = _aliases()[name]
        return canonical, kind, _first_form(canonical), True
    exact, suffixes = _generic_parties()
    if name in exact or _strip_remarks(name) in exact:
        return name, "unnamed", None, True
    form = _first_form(name)
    if form is not None:
        return name, legal_forms()[form], form, True
    if name.endswith(suffixes):
        return name, "unnamed", None, True
    japanese = bool(_JAPANESE_ONLY_RE.fullmatch(name))
    # Specific public suffixes win over association suffixes (〇〇県国民健康保険団体連合会),
    # association suffixes over municipal organs (〇〇市シルバー人材センター).
    if japanese and name.endswith(_PUBLIC_SUFFIXES):
        return name, "public_body", None, True
    if name.endswith(_ASSOCIATION_SUFFIXES) or re.sub(r"[0-9]+$", "", name).endswith(
        _ASSOCIATION_SUFFIXES
    ):
        return name, "association", None, True
    if _is_public_body(name):
        return name, "public_body", None, True
    return name, "company", None, False  # a guess: see the module docstring


def _first_form(name: str) -> str | None:
    m = _form_re().search(name)
    return m.group(0) if m else None


def canonical_contractor(name: str) -> CanonicalParty:
    """Canonicalise a contractor / recipient name as written in minutes.

    Steps: NFKC and whitespace removal (``X Y Z株式会社`` -> ``XYZ株式会社``), legal-form
    abbreviations expanded in place (``(株)``, ``㈱``, ``（株）`` -> ``株式会社``), OCR
    look-alikes fixed toward the surrounding script, then classification: alias table,
    ``指定管理者 <name>`` -> designated_manager, generic words -> unnamed, legal form ->
    its kind, public-body suffix rules -> public_body, otherwise ``company`` with
    ``matched=False``.  An empty name is ``unnamed`` with ``matched=False``.
    Never raises for any ``str``.
    """
    normalized, kind, form, matched = _classify(_clean_name(name))
    return CanonicalParty(normalized, kind, form, matched)


def contractor_key(name: str) -> str:
    """Comparison key for clustering spelling variants of one party.

    The canonical name without legal forms, middle dots and commas, ASCII case-folded:
    ``(株)ABC``, ``ABC株式会社`` and ``ａｂｃ 株式会社`` share the key ``abc``.  Falls back
    to the canonical name when nothing else is left (``株式会社`` alone).
    """
    normalized = canonical_contractor(name).name_normalized
    key = _form_re().sub("", normalized)
    key = re.sub(r"[・,、.'’]", "", key)
    return "".join(ch.lower() if ch.isascii() else ch for ch in key) or normalized


# --------------------------------------------------------------------------- items

_LIST_MARKER_RE = re.compile(r"^(?:[・\-*●○◯■□◆◇※]+|\(\d{1,2}\)|\d{1,2}[.)、])")
_ENCLOSED_NUMBER_RE = re.compile(r"^[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]")
_TRAILING_ETC_RE = re.compile(r"(?:等|など|ほか)$")


def _clean_item_once(text: str) -> str:
    text = _ENCLOSED_NUMBER_RE.sub("", text)  # ① becomes a bare "1" under NFKC
    text = _strip_edges(_basic(text))
    text = _LIST_MARKER_RE.sub("", text)
    return _strip_edges(_TRAILING_ETC_RE.sub("", text))


def _clean_item(text: str) -> str:
    return _fixpoint(text, _clean_item_once)


def _item_key(text: str) -> str:
    # ASCII case only: TEL / Tel / tel are one term; Japanese has no case.
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


# Relatives / household members: "<relation>(の)<item>" is a family item.
# Surface -> canonical relation word (子ども/子供 -> 子), longest match first.
_RELATIONS = dict(
    pair.split("=")
    for pair in (
        "父母=父母 両親=父母 父親=父 母親=母 父=父 母=母 子ども=子 子供=子 こども=子 子=子"
        " 児童=児童 乳幼児=乳幼児 家族=家族 保護者=保護者 配偶者=配偶者 世帯主=世帯主"
        " 世帯員=世帯員 扶養親族=扶養親族 扶養者=扶養者 親族=親族 同居者=同居者 同居人=同居者"
        " 祖父母=祖父母 兄弟姉妹=兄弟姉妹 きょうだい=兄弟姉妹"
    ).split()
)
_RELATIVE_ATTRIBUTES = ("identity", "contact", "employment", "family")
_RELATION_RE = re.compile(
    "^(" + "|".join(sorted(_RELATIONS, key=len, reverse=True)) + ")(の?)(.+)$"
)

# Substring keywords, checked in order (first hit wins) after vocabulary lookups fail.
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (category, tuple(words.split()))
    for category, words in (
        ("credential", "パスワード 暗証"),
        ("legal", "犯罪 前科 犯歴 逮捕 刑事 判決 訴訟 後見"),
        ("tax", "税 所得 収入 口座 金融機関 納付 滞納 控除 課税"),
        ("welfare", "手当 給付 受給 生活保護 扶助 年金 保険料 被保険者 助成 福祉"),
        (
            "health",
            "病 障害 障がい 健診 検診 健康 介護 アレルギー 診断 診療 医療 服薬 妊娠 予防接種 療育 看護",
        ),
        ("vehicle", "車両 自動車 車台 原動機 原付 自転車 駐車 排気"),
        ("usage", "貸出 返却 予約 利用 閲覧 図書 資料 来館 ログ アクセス"),
        ("education", "学校 学年 学級 在学 在籍 成績 就学 進学 学歴 幼稚園 保育"),
        ("employment", "勤務 勤め 職業 職歴 職種 就労 就職 雇用 給与 役職"),
        (
            "civil_status",
            "死亡 出生 婚姻 離婚 戸籍 住民票 住民基本台帳 転入 転出 異動 選挙 投票 帰化",
        ),
        ("family", "世帯 家族 扶養 続柄 親族 配偶者"),
        ("contact", "住所 電話 メール 連絡先 郵便 所在地 fax"),
        ("identity", "氏名 名前 生年月日 性別 年齢 写真"),
    )
)
# Last resort by head noun: identifiers and dates.
_SUFFIX_RULES = (
    (("番号", "コード", "no"), "identity"),
    (("年月日", "日付", "日時"), "other"),
)


@lru_cache(maxsize=1)
def _max_term_length() -> int:
    return max(map(len, data_item_vocabulary()))


def _lookup(text: str) -> tuple[str, str] | None:
    return _vocabulary_index().get(_item_key(text))


def _classify_item(text: str, relation: bool = True) -> tuple[str, str] | None:
    """(item_normalized, category) of a cleaned item, or None if no rule applies."""
    hit = _lookup(text)
    if hit:
        return hit
    m = _RELATION_RE.match(text) if relation else None
    if m:
        tail = _classify_item(m.group(3), relation=False)  # one level: input may be hostile
        # Only personal attributes of the relative make a family item; 子ども手当 is welfare.
        if tail and tail[1] in _RELATIVE_ATTRIBUTES:
            # Always "<relation>の<item>" so 父母氏名 and 父母の氏名 meet.
            return _lookup_or(f"{_RELATIONS[m.group(1)]}の{tail[0]}", "family")
    # Longest vocabulary suffix of >= 2 characters (bounded by the longest term).
    for i in range(max(1, len(text) - _max_term_length()), len(text) - 1):
        hit = _lookup(text[i:])
        if hit:
            # Keep the surface: substituting the canonical inside a longer word goes wrong
            # (証明写真 must not become 証明顔写真).
            return text, hit[1]
    key = _item_key(text)
    for category, words in _KEYWORDS:
        if any(w in key for w in words):
            return text, category
    for suffixes, category in _SUFFIX_RULES:
        if key.endswith(suffixes):
            return text, category
    return None


def _lookup_or(text: str, category: str) -> tuple[str, str]:
    # A rule's output may itself be a vocabulary term (携帯 + 電話番号); prefer its row.
    return _lookup(text) or (text, category)


def _canonical_item_once(item: str) -> CanonicalItem:
    text = _clean_item(item)
    if not text:
        return CanonicalItem("", "other", False)
    base = re.sub(r"\([^()]*\)$", "", text)  # 住所(方書を含む) -> 住所
    hit = _lookup(text) or (_classify_item(base) if base and base != text else None)
    hit = hit or _classify_item(text)
    if hit:
        return CanonicalItem(hit[0], hit[1], True)
    return CanonicalItem(text, "other", False)


def canonical_item(item: str) -> CanonicalItem:
    """Canonicalise one personal-data item (``男女の別`` -> ``性別``/identity).

    NFKC, whitespace, list markers and a trailing 等/など are removed; then exact
    vocabulary lookup, ``<relative>(の)<item>`` -> family, longest vocabulary suffix,
    keyword and head-noun rules.  Unknown items come back cleaned, category ``other``,
    ``matched=False``.  Re-applied until stable, so the result is idempotent.
    Never raises for any ``str``.
    """
    result = _canonical_item_once(item)
    for _ in range(4):
        again = _canonical_item_once(result.item_normalized)
        if again == result:
            break
        result = again
    return result


#: Every legal-form word and abbreviation (raw and NFKC spellings), longest first.
LEGAL_FORM_WORDS: Final[tuple[str, ...]] = _legal_form_words()
