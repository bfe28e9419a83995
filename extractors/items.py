"""Personal-data items: the lists a 諮問 says it handles.

Lists come from sheet rows (取扱う個人情報, 送受信する項目) or prose
(…で扱う情報は、氏名、住所…である). Items are split on 、 and on 及び/・ only
when both sides are items themselves, so `特別区民税・都民税額` and
`所得の種類および金額` stay whole; parenthetical breakdowns are expanded.
"""

from __future__ import annotations

import re

from extractors.parties import RULE
from extractors.sheets import SheetRow, labelled_values
from models.canon import canonical_item, data_item_vocabulary

_PROSE = re.compile(
    r"(?:扱う|取り?扱う|提供する|送受信する|記録する|利用する|収集する|登録する|渡す|引き渡す|送付する|送信する|入力する|取得する|記載する|記録される|提供される)(?:個人)?(?:情報|項目)(?:の項目|の内容)?(?:は|として)[、,]?((?:[^。(（]|[(（][^)）\n]*[)）]){4,400}?)(?:である|です|でございます|となる|となります|になる|になります|とする|等である|等です|とされて(?:いる|おり)|とされた|とのこと)(?:こと|旨)?(?=[。\n]|について|を|$)"
)
_DROP_PHRASES = re.compile(r"(送信する項目|受信する項目|送受信する項目)(に同じ)?|[※*].*$")
_CLAUSE = re.compile(
    r"場合|について|ため|により|による|ように|こと$|など$|している|される|する$|した$"
)
_MAX_LEN = 24


def split_items(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """(item, start, end) for each item in the list text[start:end]."""
    out: list[tuple[str, int, int]] = []
    if _CHECKBOX.search(text, start, end):
        # a checklist `■氏名 ■性別 □本籍`: only the ticked boxes are items
        for m in _CHECKED.finditer(text, start, end):
            if m.group(1) in _TICKED:
                _split(text, m.start(2), m.start(2) + len(m.group(2).rstrip()), out, depth=0)
        return out
    if _space_separated(text[start:end]):
        # a table cell `がん患者 受診者の性別 生年月日 住所`: the classes of persons head
        # the list and `…者の` distributes over the items after it
        for s, e in _space_pieces(text, start, end):
            _split(text, s, e, out, depth=0)
        return _without_person_classes(out)
    if _dot_list(text, start, end):
        # `氏名・住所・身体の状況(…)・緊急連絡先`: a list written with ・ alone
        for s, e in _top_level_pieces(text, start, end, seps="・\n"):
            _expand(text, s, e, out, depth=0)
        return out
    _split(text, start, end, out, depth=0)
    return out


def _dot_list(text: str, start: int, end: int) -> bool:
    """No 、 or commas, and three ・ or more outside brackets."""
    seg = text[start:end]
    if re.search(r"[、,，;；]", seg):
        return False
    pieces = _top_level_pieces(text, start, end, seps="・")
    return len(pieces) >= 4


_CHECKBOX = re.compile(r"[■□☐☑☒]")
_TICKED = "■☑☒"
_CHECKED = re.compile(r"([■□☐☑☒])[ \t]*([^■□☐☑☒\n]*)")
_PERSON_CLASS = re.compile(r"^[^\s]{0,12}(?:者|患者|児童|生徒|世帯員|受給者|対象者)$")
_PERSON_HEAD = re.compile(r"^[^\s]{1,12}(?:者|患者|児童|生徒)の(?=.{2})")


def _space_separated(seg: str) -> bool:
    """A list written with blanks only: no 、 or commas, and at least three blank-separated words
    (a `/` where a table cell's line broke counts as a blank)."""
    return (
        not re.search(r"[、,，;；]", seg)
        and bool(re.search(r"[ \u3000]", seg.strip()))
        and len(re.findall(r"[ \u3000/]+", seg.strip())) >= 2
    )


def _space_pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in re.finditer(r"[ \u3000\n/]+", text[start:end]):
        out.append((pos, start + m.start()))
        pos = start + m.end()
    out.append((pos, end))
    return [(s, e) for s, e in out if text[s:e].strip()]


def _without_person_classes(found: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    out = []
    heading, classes = True, False
    for item, s, e in found:
        if heading and _PERSON_CLASS.match(item) and item not in data_item_vocabulary():
            classes = True
            continue
        # `…者の` distributes only after the classes it names (`所有者の氏名 住所` keeps its head)
        head = _PERSON_HEAD.match(item) if heading and classes else None
        heading = False
        if head:
            item, s = item[head.end() :], s + head.end()
        out.append((item, s, e))
    return out


def _split(text: str, start: int, end: int, out: list[tuple[str, int, int]], depth: int) -> None:
    for s, e in _top_level_pieces(text, start, end):
        _expand(text, s, e, out, depth)


def _expand(text: str, s: int, e: int, out: list[tuple[str, int, int]], depth: int) -> None:
    """A piece with a parenthetical breakdown: `戸籍副本データ(本籍、…)` gives the head and each part."""
    seg = text[s:e]
    paren = re.search(r"[(（]", seg)
    close = _matching(seg, paren.start()) if paren and depth < 2 else None
    if paren is None or close is None:
        _emit(text, s, e, out)
        return
    if paren.start() > 0:
        _emit(text, s, s + paren.start(), out)
    inner = text[s + paren.start() + 1 : s + close]
    # a breakdown lists items (`口座情報(金融機関名、口座番号)`); one phrase alone that is not a
    # known item is a remark on the item before it (`転入年月日(世帯員全員)`)
    if (
        paren.start() == 0
        or len(_top_level_pieces(inner, 0, len(inner))) > 1
        or canonical_item(inner).matched
    ):
        _split(text, s + paren.start() + 1, s + close, out, depth + 1)
    if s + close + 1 < e:
        _expand(text, s + close + 1, e, out, depth)


def _matching(seg: str, open_pos: int) -> int | None:
    depth = 0
    for i in range(open_pos, len(seg)):
        if seg[i] in "(（":
            depth += 1
        elif seg[i] in ")）":
            depth -= 1
            if depth == 0:
                return i
    return None


def _top_level_pieces(
    text: str, start: int, end: int, seps: str = "、,，;；/\n"
) -> list[tuple[int, int]]:
    """Split on 、 , ; / and line breaks outside parentheses (a cell's lines are joined by `/`)."""
    pieces = []
    depth = 0
    pos = start
    for i in range(start, end):
        c = text[i]
        if c in "(（":
            depth += 1
        elif c in ")）":
            depth = max(0, depth - 1)
        elif depth == 0 and c in seps:
            pieces.append((pos, i))
            pos = i + 1
    pieces.append((pos, end))
    return [(s, e) for s, e in pieces if text[s:e].strip()]


def _emit(text: str, s: int, e: int, out: list[tuple[str, int, int]]) -> None:
    # labels inside the value (送信する項目…に同じ) are not items
    for ds, de in _split_on(text[s:e], s, _DROP_PHRASES.pattern):
        # 〜等 + more: `死亡日等戸籍の記載事項` is two items; `〜として` introduces the next
        for ps, pe in _split_on(
            text[ds:de],
            ds,
            r"(?<![均平同対上初中高優劣])等(?=.)(?![の級割価号分])|として|並びに|ならびに|および(?=.{0,3}[データ情報])",
        ):
            for qs, qe in _split_conjunction(text, ps, pe):
                _add(text, qs, qe, out)


def _split_on(seg: str, offset: int, pattern: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for m in re.finditer(pattern, seg):
        out.append((offset + pos, offset + m.start()))
        pos = m.end()
    out.append((offset + pos, offset + len(seg)))
    return out


def _split_conjunction(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Split on 及び/および/と/・ only when every side is an item of its own."""
    seg = text[s:e]
    parts = _split_on(seg, s, r"及び|および|又は|または")
    # `所得の種類および金額`: a right side that needs the left's head word is not an item
    if len(parts) > 1 and not any(_clean(text[a:b])[0] in _HEADLESS for a, b in parts[1:]):
        return [q for a, b in parts for q in _split_conjunction(text, a, b)]
    parts = _split_on(seg, s, r"・(?![^(（]*[)）])")
    known = sum(_clean(text[a:b])[0] in data_item_vocabulary() for a, b in parts)
    # `身長・体重・腹囲` splits; `特別区民税・都民税額`, `学年・組` stay whole; a longer run of
    # ・ is a list when most of its parts are known items (`氏名・フリガナ・住所・顔写真`)
    if len(parts) > 1 and (known == len(parts) or (len(parts) >= 4 and 2 * known >= len(parts))):
        return parts
    return [(s, e)]


_HEADLESS = {
    "金額",
    "額",
    "内容",
    "種類",
    "件数",
    "日付",
    "期間",
    "数",
    "名称",
    "番号",
    "区分",
    "状況",
}


def _clean(seg: str) -> tuple[str, int, int]:
    a, b = 0, len(seg)
    while a < b and seg[a] in " \t・-「」『』\"':：.。等":
        a += 1
    while b > a and seg[b - 1] in " \t・-「」『』\"'.。等など":
        b -= 1
    if seg[a:b].endswith("など"):
        b -= 2
    clause = re.match(
        r"^.{1,30}?(?:から得た|から取得した|に記載された|に記載の|における|に係る)(?=.{2})",
        seg[a:b],
    )
    if clause:
        a += clause.end()
    group = re.match(r"[^:：、,()（）\d]{1,10}[:：]\s*(?=\S{2})", seg[a:b])
    if group:  # the group an entry opens (`利用者登録：氏名、住所`): no part of the item
        a += group.end()
    lead = re.match(r"(および|及び|並びに|ならびに|又は|または|その他の|その他)", seg[a:b])
    if lead:
        a += lead.end()
    # a numbered entry's own number (`1.宛名番号`, `(2)氏名`, `③住所`)
    number = re.match(r"(?:\d{1,2}[.．、)）]|[(（]\d{1,2}[)）]|[①-⑳])\s*(?=\D)", seg[a:b])
    if number:
        a += number.end()
    return seg[a:b], a, b


# an entry that heads a group of items (`ア　保護者に関する情報`, `(2) 子どもの情報`): no item
_GROUP_HEAD = re.compile(
    r"^\s*(?:[ア-ン]|[(（]?\d{1,2}[)）.．]?)[ \t\u3000]+\S{1,16}?(?:に関する|についての|に係る|の)(?:情報|事項)\s*$"
)


def _add(text: str, s: int, e: int, out: list[tuple[str, int, int]]) -> None:
    if _GROUP_HEAD.match(text[s:e]):
        return
    item, a, b = _clean(text[s:e])
    item = re.sub(r"\s+", "", item)
    if not item or len(item) > _MAX_LEN or len(item) < 2 or _CLAUSE.search(item):
        return
    if re.fullmatch(r"[\d.,\-()（）]+|[ぁ-ん]+", item) or RULE.fullmatch(item):
        return
    if re.match(r"^(?:別表|別紙|別記|資料)\s*\d*(?:の|に|$)", item):  # `別表1のとおり`: a reference
        return
    out.append((item, s + a, s + b))


def prose_lists(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of lists written in prose: `…で扱う情報は、氏名、住所…である`."""
    return [m.span(1) for m in _PROSE.finditer(text, start, end)]


_LIST_BEFORE_VERB = re.compile(
    r"([^、。\n]{1,30}(?:、[^、。\n]{1,24}){1,}(?:(?:及び|および|並びに)[^、。\n]{1,24})?)"
    r"(?:等|など)?を(?:提供|送付|委託|引き渡|記載|入力|送受信|取り扱|扱|収集|利用|登録|送信)"
)
_LEAD_CLAUSE = re.compile(
    r"^.*(?:から得た|から取得した|に記載された|において|による|では|には|から|より|した|する|された|は|を|に|が)"
)


def verb_object_lists(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Lists given as the object of a handling verb: `…地権者の氏名、住所及び所有地の地番を提供する`."""
    out = []
    for m in _LIST_BEFORE_VERB.finditer(text, start, end):
        s, e = m.span(1)
        lead = _LEAD_CLAUSE.match(text[s:e].split("、")[0])
        if lead:
            s += lead.end()
        out.append((s, e))
    return out


def for_consultation(
    text: str, sheet: list[SheetRow], start: int, end: int
) -> list[tuple[str, int, int]]:
    """(item, start, end) of each data item a consultation handles, each item once.

    From the sheet's item rows; else lists under an items label in the text; else lists written in prose (`扱う情報は、…である`); else,
    as a last resort, verb objects that read mostly as personal-data items.
    """
    spans = [
        sp for r in sheet if r.family == "items" for sp in r.spans if text[sp[0] : sp[1]].strip()
    ]
    if not spans:
        spans = labelled_values(text, start, end, "items")
    if not spans:
        spans = prose_lists(text, start, end)
    if not spans:
        spans = [
            (s, e)
            for s, e in verb_object_lists(text, start, end)
            if sum(canonical_item(x).matched for x, _, _ in split_items(text, s, e)) >= 2
        ]
    out, seen = [], set()
    for s, e in spans:
        for item, a, b in split_items(text, s, e):
            if item not in seen:
                seen.add(item)
                out.append((item, a, b))
    return out
