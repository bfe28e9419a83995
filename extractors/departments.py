"""Departments (所管課): the section responsible for a 諮問, in the shortest form that names it.

Read, in order of trust, from a bracket after the title (`…について（市民課）`), a sheet row
(所管課名), or the line that says who explained the item (`市民課長より説明`,
`【市民課から資料に基づき説明】`). A long form with its 部 or 局 in front
(`保健福祉部健康推進チーム`, `病院局経営管理課`) is cut to the section itself.
"""

from __future__ import annotations

import re

from extractors.agenda import _ENUM, Item, clean_title
from extractors.common import lines
from extractors.sheets import SheetRow

SECTION = r"(?:課|室|館|所|センター|係|担当|事務所|チーム|グループ|班)"
# who explained: `生活環境部市民課長、同主査より資料をもとに説明`, `市町村課から資料1に基づき説明`
_EXPLAINER = re.compile(
    rf"([^\s、。,，()（）「」『』【】<>＜＞:：]{{2,30}}?{SECTION})"
    r"(?:長|次長|主幹|主査|主任|参事|副参事|補佐|長補佐|職員|担当者)?"
    r"(?:[、,]\s*同[^\s、。]{1,6})*(?:から|より)[、,]?[^。\n]{0,30}?説明"
)
# what precedes the department in the same run of characters (`報告内容について市民課長より`)
_LEAD_IN = re.compile(r".*(?:について|に関して|に関し|である|では|は|が|を|に)(?=.{3})")
# the organisation above the section: everything up to its last unit (`県民局くらし県民部`,
# `保健所健康づくり課`, `教育委員会学校教育課`)
_PARENT = re.compile(r"^.*(?:[部局]|保健所|事務所|研究所|議会|委員会|本部|庁)(?=.{2,}$)")
# a list of sections is kept as written: the shortest form that names them all
_SEVERAL = re.compile(r"[、・,，]|及び|並びに")
# the organisation written apart from the section: `保健所 保険予防課`, `市議会 議会事務局`
_APART = re.compile(rf"^(?:\S+(?:[部局所会庁]|本部)\s+)+(\S{{2,30}}?(?:{SECTION}|局))$")


def shortest(name: str) -> tuple[str, int]:
    """The section's own name and its offset in `name`: `病院局経営管理課` -> (`経営管理課`, 3)."""
    lead = len(name) - len(name.lstrip())
    name = name.strip()
    if _SEVERAL.search(name):
        return name, lead
    apart = _APART.match(name)
    if apart:
        return apart.group(1), lead + apart.start(1)
    m = _PARENT.match(name)
    if m and re.search(rf"{SECTION}$", name[m.end() :]):
        return name[m.end() :], lead + m.end()
    return name, lead


# other ways a record says who is responsible, in the item's region:
# `〔説明：生活支援課〕`, `（所管　総務部総務課）`, `【担当課：市民課】`
_LABELLED = re.compile(
    rf"[(（〔【\[]\s*(?:説明|所管|担当|主管)(?:課|部署|部局|者)?\s*[:：\s]\s*"
    rf"([^()（）〔〕【】\[\]\s、。]{{2,30}}?{SECTION})\s*[)）〕】\]]"
)
# `実施機関である…教育委員会（学務課）から` : the section in brackets after the 実施機関
_ORGAN = re.compile(
    rf"実施機関(?:である|の)?[^、。()（）\n]{{0,20}}[(（]([^()（）\s、。]{{2,30}}?{SECTION})[)）]"
)
# the section announcing itself as its turn begins: `○椎名保険年金課長　保険年金課でございます`
_ANNOUNCE = re.compile(rf"([^\s、。,()（）「」『』【】○◯◎●]{{2,30}}?{SECTION})でございます")
# `健康長寿課からは、…が説明された`: the explanation may come later in the same sentence
_EXPLAINED_LATER = re.compile(
    rf"([^\s、。,，()（）「」『』【】<>＜＞:：]{{2,30}}?{SECTION})(?:から|より)は?[、,]?[^。\n]{{0,200}}?説明"
)
# the labels that name the section in charge
_IN_CHARGE = r"(?:所管課|担当課|所管部署|担当部署|主管課)"
# a labelled line of the item's own text: `３　所管課　　子育て応援課`, `担当課：市民課`
_LABEL_LINE = re.compile(
    r"^[ \t　]*(?:[0-9０-９]{1,2}[.．、 \t　]\s*|[(（][0-9０-９]{1,2}[)）]\s*)?"
    rf"(?:{_IN_CHARGE}|所管|担当)\s*[:：　 \t]\s*"
    rf"([^\s、。()（）]{{2,30}}?(?:{SECTION}|局|委員会))\s*$",
    re.M,
)
# a turn whose speaker is a section (`学校教育課　本件は…`, `○市民課長　それでは…`)
_SECTION_TURN = re.compile(
    rf"^[○◯◎〇]?[ \t　]*([^\s、。,()（）「」『』【】:：○◯◎〇]{{2,20}}?{SECTION})"
    r"(?:長|次長|主幹|主査|主任|参事|副参事|補佐|係長|職員|担当者)?"
    r"(?:[ \t　]*[(（][^()（）\n]{1,10}[)）])?(?:[ \t　]+|[ \t]*[:：])(?=\S)",
    re.M,
)
# a heading that says whose explanation follows: `<総務課の説明>`, `【市民課から説明】`
_EXPLAIN_HEAD = re.compile(
    rf"^[ \t　]*[<＜〈【\[［(（〔]\s*([^\s<＜〈【\[［(（〔、。]{{2,30}}?{SECTION})(?:長)?"
    r"\s*(?:の|から|より)\s*(?:補足)?説明\s*[>＞〉】\]］)）〕]",
    re.M,
)
# words that stand for a department without naming one
_GENERIC = re.compile(
    r"^(?:担当|所管|主管|関係|各|当該|事務局|実施機関)?(?:課|部署|担当|部局|室)?$"
)


def explainer(text: str, start: int, end: int) -> tuple[str | None, tuple[int, int] | None]:
    """The department responsible for the item, from the first lines of its region.

    In order: a label in brackets (`〔説明：…課〕`) or on its own line (`所管課　…課`), the
    section after the 実施機関 (`実施機関である…（…課）から`), who explained (`…課長より説明`),
    the section announcing itself (`…課でございます`), who explained later in the sentence
    (`…課からは、…説明`), a turn whose speaker is the section (`…課　本件は…`); then a label
    or a heading of whose explanation follows (`<…課の説明>`) anywhere in the item.
    """
    stop = min(end, start + 600)
    near = (_LABELLED, _LABEL_LINE, _ORGAN, _EXPLAINER, _ANNOUNCE, _EXPLAINED_LATER, _SECTION_TURN)
    # a label names the section wherever it stands in the item (a 答申's `所管課` near its end)
    for rxs, until in ((near, stop), ((_LABELLED, _LABEL_LINE, _EXPLAIN_HEAD), end)):
        for rx in rxs:
            for m in rx.finditer(text, start, until):
                s, e = m.span(1)
                lead = _LEAD_IN.match(text, s, e)
                if lead:
                    s = lead.end()
                name, offset = shortest(text[s:e])
                if _GENERIC.match(name):
                    continue
                return name, (s + offset, s + offset + len(name))
    return None, None


_TRAILING_SECTION = re.compile(rf"[(（]([^()（）]{{2,30}}?{SECTION})[)）]$")
_SHEET_TAIL = re.compile(r"([^\s部局本]{2,20}?(?:課|室|館|係|センター|事務所|担当))$")


def from_sheet_value(text: str, s: int, e: int) -> tuple[str | None, tuple[int, int] | None]:
    """The section in a 所管課 cell: its first line's last section name."""
    value = text[s:e].strip().split("\n")[0].strip()
    if not value:
        return None, None
    inner = _TRAILING_SECTION.search(value)  # the subject with its section in brackets
    if inner:
        value = inner.group(1)
    m = _SHEET_TAIL.search(value)
    short = m.group(1) if m else value.split()[-1]
    pos = text.find(short, s, e)
    return short, (pos, pos + len(short)) if pos >= 0 else None


# the organ with its section in brackets (`市長（危機管理課）`, `教育委員会(中央図書館)`)
_ORGAN_SECTION = re.compile(rf"^[^()（）]{{1,15}}[(（]([^()（）]{{2,30}}?{SECTION})[)）]$")


def _short(name: str, span: tuple[int, int]) -> tuple[str, tuple[int, int]]:
    inner = _ORGAN_SECTION.match(name)
    if inner:
        name, span = inner.group(1), (span[0] + inner.start(1), span[0] + inner.end(1))
    short, offset = shortest(name)
    return short, (span[0] + offset, span[0] + offset + len(short))


def of_consultation(
    text: str, item: Item, sheet: list[SheetRow], start: int, end: int
) -> tuple[str | None, tuple[int, int] | None]:
    """The department of a consultation, from the most trusted place that names one."""
    if item.department and item.department_span:
        return _short(item.department, item.department_span)
    for r in sheet:
        if r.family == "department":
            return from_sheet_value(text, r.value_start, r.value_end)
    for r in sheet:
        # in brackets after the subject in the sheet (`…事務（健康福祉部…チーム）`)
        if r.family == "title":
            _, _, dept, span = clean_title(text, r.value_start, r.value_end)
            if dept and span:
                return _short(dept, span)
    return explainer(text, start, end)


# a list of who explained, keyed by the agenda's numbering: `説明者　１－ア　税務住民課　課長…`,
# `議題(2)関係` with the section on the next line
_KEY = (
    r"(?:議題|案件|審議事項|諮問事項)?\s*[(（]?\s*([0-9]{1,2})\s*[)）]?"
    r"(?:\s*[-－‐ー―の]\s*([ア-ン]))?\s*(?:関係|分)?"
)
_KEYED = re.compile(
    rf"^\s*(?:(?:説明者|説明員|諮問庁|担当課|所管課|出席職員)\s*[:：]?\s*)?{_KEY}"
    rf"(?:\s+|\s*[:：]\s*|$)([^\s、。,()（）]{{2,30}}?{SECTION})?(?=[\s(（長]|$)"
)


def _item_key(text: str, item: Item) -> tuple[str | None, str | None]:
    """(number, kana) of the agenda line that gives the item: `２　…` -> ("2", None),
    `　イ　…` under `１　外部委託について` -> ("1", "イ")."""
    if not item.title_span:
        return None, None
    start = text.rfind("\n", 0, item.title_span[0]) + 1
    m = _ENUM.match(text[start : item.title_span[0] + 1])
    if not m or start + m.end() > item.title_span[0] + 1:
        return None, None
    number = m.group(1) if m.group(1) and m.group(1).isdigit() else m.group(2)
    kana = m.group(3) or (m.group(1) if m.group(1) and not m.group(1).isdigit() else None)
    if number or not kana:
        return number, None
    for line in reversed(list(lines(text, max(0, start - 2000), max(0, start - 1)))):
        up = _ENUM.match(line.text)
        if up and (up.group(2) or (up.group(1) or "").isdigit()):
            return up.group(2) or up.group(1), kana
    return None, kana


def keyed(text: str, items: list[Item], agenda_end: int) -> dict[int, tuple[str, tuple[int, int]]]:
    """Departments a keyed list of who explained gives, by the index of the item in `items`."""
    keys = [_item_key(text, it) for it in items]
    out: dict[int, tuple[str, tuple[int, int]]] = {}
    pending: tuple[str, str | None] | None = None
    in_list = False  # the lines after a labelled or `…関係` key continue the list
    for line in lines(text, 0, agenda_end):
        m = _KEYED.match(line.text)
        keyed_form = m is not None and bool(
            re.search(r"説明|諮問庁|担当課|所管課|出席職員|関係|分|[-－‐ー―]", m.group(0))
        )
        if not m or not (keyed_form or in_list):
            if pending and line.text.strip():  # the section on the line after its key
                d = re.match(rf"\s*([^\s、。,()（）]{{2,30}}?{SECTION})(?=[\s(（長]|$)", line.text)
                if d:
                    _give(keys, out, pending, d.group(1), line.start + d.start(1))
                pending = None
            elif line.text.strip():
                in_list = False
            continue
        in_list = True
        number, kana, name = m.group(1), m.group(2), m.group(3)
        if name is None:
            pending = (number, kana)
            continue
        pending = None
        _give(keys, out, (number, kana), name, line.start + m.start(3))
    return out


def _give(
    keys: list[tuple[str | None, str | None]],
    out: dict[int, tuple[str, tuple[int, int]]],
    key: tuple[str, str | None],
    name: str,
    pos: int,
) -> None:
    number, kana = key
    hits = [i for i, k in enumerate(keys) if k[0] == number and (kana is None or k[1] == kana)]
    if len(hits) == 1 and not _GENERIC.match(name):
        short, offset = shortest(name)
        out.setdefault(hits[0], (short, (pos + offset, pos + offset + len(short))))


# the meeting's own `担当課：(総務課)…` line: the department of a meeting that takes up one 諮問
_HEADER_DEPT = re.compile(
    rf"^\s*{_IN_CHARGE}\s*[:：\s]\s*[(（]?([^\s、。,()（）:：]{{2,30}}?{SECTION})(?=[\s)）長、]|$)",
    re.M,
)


def of_meeting(text: str, agenda_end: int) -> tuple[str | None, tuple[int, int] | None]:
    """The section a header line names as the one in charge (for a meeting with one 諮問)."""
    m = _HEADER_DEPT.search(text, 0, agenda_end)
    if not m or _GENERIC.match(m.group(1)):
        return None, None
    name, offset = shortest(m.group(1))
    return name, (m.start(1) + offset, m.start(1) + offset + len(name))
