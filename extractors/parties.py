"""Contractors: the parties that receive personal data in a 諮問.

From the formal sheet (委託先, 結合先, 提供先) when there is one; otherwise from
the discussion, where a role word introduces the party (契約の相手方は…,
委託先の…, 受託者となる…) or a name carries a legal form (株式会社…, ㈱…).
GiNZA's named-entity recogniser confirms organisation names in those few
sentences (see `extractors.nlp`).
"""

from __future__ import annotations

import re

from extractors.sheets import SheetRow, labelled_values
from models.canon import canonical_contractor

LEGAL = r"(?:株式会社|有限会社|合同会社|合資会社|合名会社|\(株\)|\(有\)|一般社団法人|公益社団法人|一般財団法人|公益財団法人|社会福祉法人|特定非営利活動法人|NPO法人|医療法人|学校法人|独立行政法人|地方独立行政法人)"
_NAME_CHARS = r"[A-Za-z0-9\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fffー・&＆]"
_PRE_CHARS = (
    r"(?:(?![のはがをにでとへもやかより])[A-Za-z0-9\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fffー・&＆])"
)
# where a name that follows its legal form ends: a conjunction, punctuation, or a particle that
# opens the clause (に委託, が提供, の端末 …); a bare particle inside a kana name (かえで, たかのす) is not an end
_NAME_END = (
    r"(?={LEGAL}|[^A-Za-z0-9\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fffー・&＆]|及び|および|並びに|又は|$"
    r"|に(?:委託|再委託|提供|業務|対し|より|よる|て|お|は|、)|が|は|を|へ|と|から|より|まで|側|様"
    r"|の(?:\d|[\u30a1-\u30fa]|[\u4e00-\u9fff]{1,3}(?:を|に|が|は|で|へ|と|、|。))|で(?:ある|あり|す|、))"
).replace("{LEGAL}", LEGAL)
COMPANY_RE = re.compile(
    rf"{LEGAL}\s?{_NAME_CHARS}{{2,25}}?{_NAME_END}|{_PRE_CHARS}{{1,24}}(?<![\u3041-\u3096]){LEGAL}"
)
ROLE_RE = re.compile(
    rf"(?:契約の相手方は|(?:委託先|受託者|受託事業者|結合先|提供先|委託業者)(?:は|が|となる|である|として))、?\s*({_NAME_CHARS}{{2,30}}?)(?=になり|になる|となる|となり|で、|であり|です|である|が|は|に|と|を|の|、|。|\s|$)"
)
_ROLE_BEFORE = re.compile(
    r"(?:指定管理者|再委託先|委託先|受託者|構成員|提供先)(?:である|の|は|として|、)?$"
)
_HIRAGANA_ONLY = re.compile(r"^[\u3041-\u3096ー]+$")
_SEPARATORS = re.compile(r"[、,\n/／]")


def from_sheet(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Names in a 委託先 / 結合先 value: `窓口A 株式会社X 窓口B 法人Y` keeps X and Y."""
    out = []
    for ls, le in _split_spans(text, start, end, _SEPARATORS):
        tokens = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[ls:le])]
        tokens = [(ls + a, ls + b - _address_len(text[ls + a : ls + b])) for a, b in tokens]
        tokens = [t for t in tokens if not re.fullmatch(r"[(（].*[)）]", text[t[0] : t[1]])]
        if not tokens:
            continue
        tokens = [_operator(text, *t) for t in tokens]
        if len(tokens) == 1:
            out.append((text[tokens[0][0] : tokens[0][1]], *tokens[0]))
            continue
        orgs = _with_facilities(text, [t for t in tokens if _looks_like_org(text[t[0] : t[1]])])
        if orgs:
            for t in orgs:
                out.append((text[t[0] : t[1]], *t))
        elif len(tokens) % 2 == 0:
            # label / name pairs
            for t in tokens[1::2]:
                out.append((text[t[0] : t[1]], *t))
        else:
            out.append((text[tokens[-1][0] : tokens[-1][1]], *tokens[-1]))
    # a party still to be chosen (未定, 選定中) names nobody
    return [(_unwrap(n), s, e) for n, s, e in out if len(n) >= 2 and not _UNDECIDED.match(n)]


# a system or place named by who runs it (`株式会社Xが運用するサーバ`): the party is who runs it
_OPERATED = re.compile(r"(.{2,40}?)(?:が|の)(?:運用|運営|管理|提供|保有|設置)する")
# a facility of the corporation named just before it (`医療法人社団X　Y健診センター`): one party
_FACILITY = re.compile(r"(?:センター|病院|診療所|クリニック|支店|営業所|事業所|工場|研究所|支社)$")


def _operator(text: str, a: int, b: int) -> tuple[int, int]:
    m = _OPERATED.match(text, a, b)
    return (a, a + len(m.group(1))) if m and _looks_like_org(m.group(1)) else (a, b)


def _with_facilities(text: str, orgs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in orgs:
        if (
            out
            and not text[out[-1][1] : a].strip()
            and re.search(LEGAL, text[out[-1][0] : out[-1][1]])
            and _FACILITY.search(text[a:b])
            and not re.search(LEGAL, text[a:b])
        ):
            out[-1] = (out[-1][0], b)
            continue
        out.append((a, b))
    return out


_UNDECIDED = re.compile(
    r"^(?:未定|未決定|選定中|調整中|検討中|なし|無し?|該当なし|-|－)(?:[(（]|$)"
)


# the party's address in brackets after its name: `株式会社X(霞浦市中央1丁目)`, `X(本社:東京都)`
_ADDRESS = re.compile(
    r"(?<=[^(（])[(（][^()（）]{0,20}(?:[都道府県市区町村郡]|丁目|番地|所在地|本社|本店|住所)[^()（）]{0,20}[)）]$"
)


# a remark in brackets after the name: `X共同企業体(運営事業者)`, `X連合会(KDBシステム)`; a
# legal form in brackets (`X(株)`) is part of the name
_REMARK = re.compile(
    r"(?<=[^(（\s])[(（](?:[^()（）]{3,30}|[^()（）]{0,20}(?:代表|構成|[:：])[^()（）]{1,60})[)）]$"
)


def _address_len(token: str) -> int:
    m = _ADDRESS.search(token) or _REMARK.search(token)
    return len(m.group(0)) if m else 0


def _unwrap(name: str) -> str:
    name = name.strip("「」『』")
    if re.fullmatch(r"[(（][^()（）]*[)）]", name):
        name = name[1:-1]
    return name


_ORG_SUFFIX = re.compile(
    rf"{LEGAL}|(?:省|庁|局|機構|協会|連合会|事業団|組合|法人|センター|プロジェクト|公社|財団|社団|会社|事務所|研究所|大学|銀行|金庫|サービス)$|^(?:.{{1,6}}[都道府県市区町村])$"
)


def _looks_like_org(name: str) -> bool:
    # `各地区`, `当市`, `同社` point at a party without naming it
    return bool(_ORG_SUFFIX.search(name)) and not re.match(
        r"^(各|当|同|本|全|他|両|前記|上記)", name
    )


def _split_spans(text: str, start: int, end: int, rx: re.Pattern[str]) -> list[tuple[int, int]]:
    """Pieces of text[start:end] between separators; a separator inside brackets splits nothing
    (`協議会の構成機関(警察署、児童相談所)` is one piece)."""
    out = []
    pos = start
    for m in rx.finditer(text, start, end):
        if _depth(text[pos : m.start()]) > 0:
            continue
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return [_bare(text, a, b) for a, b in out if text[a:b].strip()]


def _depth(seg: str) -> int:
    return seg.count("(") + seg.count("（") - seg.count(")") - seg.count("）")


# a piece's role label, a conjunction before the name, a copula after it: `委託先:X`, `及びX`,
# `Xでございます`
_ROLE_LABEL = re.compile(
    r"\s*(?:(?:再委託先|再委託|委託先|結合先|提供先|受託者|受託事業者|指定管理者)\s*[:：]\s*"
    r"|(?:及び|および|並びに|ならびに)\s*)"
)
_COPULA = re.compile(r"(?:でございます|でございまして|です|である)\s*$")


def _bare(text: str, a: int, b: int) -> tuple[int, int]:
    role = _ROLE_LABEL.match(text, a, b)
    if role:
        a = role.end()
    copula = _COPULA.search(text, a, b)
    if copula:
        b = copula.start()
    return a, b


_ENTRUSTED = re.compile(
    rf"(?:^|[、。\s])({_NAME_CHARS}{{3,30}}?)に(?:業務を)?(?:委託|再委託|提供)(?:する|したい|します|し)"
)


# the other end of an online link: `市のサーバとX機構の…センターを専用回線で結合する`
_LINKED = re.compile(
    rf"と({_NAME_CHARS}{{3,30}}?(?:機構|協会|連合会|センター|公社|事業団|省|庁))"
    rf"(?:の{_NAME_CHARS}{{1,20}})?(?:を|と)[^。\n]{{0,20}}?(?:結合|接続)"
)


def from_discussion(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """Names introduced by a role word or carrying a legal form, in text[start:end]."""
    out = [(m.group(1), m.start(1), m.end(1)) for m in _LINKED.finditer(text, start, end)]
    for m in _ENTRUSTED.finditer(text, start, end):
        name = m.group(1)
        if re.search(r"[\u30a1-\u30faA-Za-z]", name) and not re.search(
            r"[をでがはにへ]|から|まで|より", name
        ):
            out.append((name, m.start(1), m.end(1)))
    for m in ROLE_RE.finditer(text, start, end):
        name = m.group(1)
        if _HIRAGANA_ONLY.match(name) or len(name) < 2:
            continue
        company = COMPANY_RE.search(text, m.start(1), min(end, m.end(1) + 10))
        if company and company.start() < m.end(1):
            out.append((company.group(0), company.start(), company.end()))
        else:
            out.append((name, m.start(1), m.end(1)))
    for m in COMPANY_RE.finditer(text, start, end):
        name = re.sub(r"(側|様|さん|社員|職員)$", "", m.group(0))
        verb = _VERB_END.match(name)
        if verb:  # `…を営んでいる白浜交通有限会社`, `A株式会社及びB株式会社`: not the name's
            name = name[verb.end() :]
            m_start = m.start() + verb.end()
        else:
            m_start = m.start()
        if re.fullmatch(rf"{LEGAL}\s?[\u3041-\u3096]+|[\u3041-\u3096]+{LEGAL}", name):
            continue  # `NPO法人ではない`: a legal form, not a name
        if re.match(rf"{LEGAL}\s?[のはがをにでとへも][\u4e00-\u9fff]", name):
            continue  # `一般社団法人が運営する…`: the legal form as a common noun
        out.append((name, m_start, m_start + len(name)))
    return out


# a verb or a conjunction just before a name given with its legal form after it
_VERB_END = re.compile(
    r"^(?:て?いる|てある|ある|する|した|された|される|なる|おる|及び|および|並びに|ならびに|又は|または)"
    r"(?=[\u4e00-\u9fff\u30a1-\u30fa])"
)


def canonical(name: str) -> tuple[str, str]:
    c = canonical_contractor(name)
    return c.name_normalized, c.kind


_GENERIC = re.compile(
    r"^(責任|メンバー|方|人|会社|業者|事業者|職員|相手|担当|市|区|町|村|データ|システム|情報|個人情報)$|(?:システム|パソコン|データ|サーバ|ネットワーク|ではない|した際|する際|する|した|して|される)$"
)


def confirmed(text: str, candidates: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Keep names that carry a legal form or an organisation suffix, or that GiNZA reads as an organisation."""
    from extractors.nlp import organisations

    out = []
    cache: dict[tuple[int, int], list[tuple[int, int, str]]] = {}
    for name, s, e in candidates:
        if _GENERIC.match(name):
            continue
        if re.search(LEGAL, name) or _looks_like_org(name):
            out.append((name, s, e))
            continue
        # the sentence around the candidate, parsed once
        a = max(text.rfind("。", 0, s), text.rfind("\n", 0, s)) + 1
        b = min([p for p in (text.find("。", e), text.find("\n", e)) if p >= 0] or [len(text)])
        if (a, b) not in cache:
            cache[(a, b)] = [(a + x, a + y, lab) for x, y, lab in organisations(text[a:b])]
        # GiNZA's organisation entities, or a proper-looking name (katakana or letters) that a role word introduced
        if any(x < e and y > s for x, y, _ in cache[(a, b)]) or (
            re.search(r"[\u30a1-\u30faA-Za-z]", name)
            and len(name) >= 4
            and not re.search(r"[をでがはにへ]|から|まで|より", name)
        ):
            out.append((name, s, e))
    return out


# a table's drawn rule read as a cell (`――――`, `─┼─`): no party, no item
RULE = re.compile(r"[\s―─━‐\-=＝_┼┬┴├┤│┌┐└┘+|]+")


def for_consultation(
    text: str, sheet: list[SheetRow], start: int, end: int
) -> list[tuple[str, int, int, str]]:
    """(name, start, end, source) of each party receiving data: the sheet's, else the discussion's.

    A name found again inside a longer mention (`みらい情報` in `株式会社 みらい情報`) is
    that mention; a party is listed once by its canonical name.
    """
    found: list[tuple[str, int, int, str]] = []
    for r in sheet:
        if r.family == "contractor":
            found += [
                (n, s, e, "sheet") for vs, ve in r.spans for n, s, e in from_sheet(text, vs, ve)
            ]
    if not found:
        for vs, ve in labelled_values(text, start, end, "contractor"):
            found += [(n, s, e, "sheet") for n, s, e in from_sheet(text, vs, ve)]
    if not found:
        found = [
            (n, s, e, "discussion")
            for n, s, e in confirmed(text, from_discussion(text, start, end))
        ]
    else:
        # a party the sheet leaves out but the discussion names with its legal form, as the one
        # taking a role (指定管理者である一般財団法人X, 再委託先の株式会社Y)
        found += [
            (n, s, e, "discussion")
            for n, s, e in from_discussion(text, start, end)
            if re.match(LEGAL, n) and _ROLE_BEFORE.search(text, max(start, s - 12), s)
        ]
    found = [
        f
        for f in found
        if not any(o[1] <= f[1] and f[2] <= o[2] and o[2] - o[1] > f[2] - f[1] for o in found)
        and not RULE.fullmatch(f[0])
    ]
    out, seen = [], set()
    for name, s, e, source in found:
        normalized, _ = canonical(name)
        if normalized not in seen:
            seen.add(normalized)
            out.append((name, s, e, source))
    return out
