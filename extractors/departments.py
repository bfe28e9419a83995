"""Departments (所管課): the section responsible for a 諮問, in the shortest form that names it.

Read, in order of trust, from a bracket after the title (`…について（市民課）`), a sheet row
(所管課名), or the line that says who explained the item (`市民課長より説明`,
`【市民課から資料に基づき説明】`). A long form with its 部 or 局 in front
(`保健福祉部健康推進チーム`, `病院局経営管理課`) is cut to the section itself.
"""

from __future__ import annotations

import re

from extractors.agenda import Item, clean_title
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
# the organisation above the section: everything up to the last 部 or 局 (`県民局くらし県民部`)
_PARENT = re.compile(r"^.*[部局](?=.{2,}$)")


def shortest(name: str) -> tuple[str, int]:
    """The section's own name and its offset in `name`: `病院局経営管理課` -> (`経営管理課`, 3)."""
    if "、" in name or "・" in name:
        return name, 0  # a list of sections is kept as written
    m = _PARENT.match(name)
    if m and re.search(rf"{SECTION}$", name[m.end() :]):
        return name[m.end() :], m.end()
    return name, 0


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
# words that stand for a department without naming one
_GENERIC = re.compile(
    r"^(?:担当|所管|主管|関係|各|当該|事務局|実施機関)?(?:課|部署|担当|部局|室)?$"
)


def explainer(text: str, start: int, end: int) -> tuple[str | None, tuple[int, int] | None]:
    """The department responsible for the item, from the first lines of its region.

    In order: a label in brackets (`〔説明：…課〕`), the section after the 実施機関
    (`実施機関である…（…課）から`), who explained (`…課長より説明`), the section announcing
    itself (`…課でございます`), who explained later in the sentence (`…課からは、…説明`).
    """
    stop = min(end, start + 600)
    for rx in (_LABELLED, _ORGAN, _EXPLAINER, _ANNOUNCE, _EXPLAINED_LATER):
        for m in rx.finditer(text, start, stop):
            s, e = m.span(1)
            lead = _LEAD_IN.match(text, s, e)
            if lead:
                s = lead.end()
            name, offset = shortest(text[s:e])
            if _GENERIC.match(name):
                continue
            return name, (s + offset, s + offset + len(name))
    return None, None


_SHEET_TAIL = re.compile(r"([^\s部局本]{2,20}?(?:課|室|館|係|センター|事務所|担当))$")


def from_sheet_value(text: str, s: int, e: int) -> tuple[str | None, tuple[int, int] | None]:
    """The section in a 所管課 cell: its first line's last section name."""
    value = text[s:e].strip().split("\n")[0].strip()
    if not value:
        return None, None
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
