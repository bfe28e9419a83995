"""Kinds of handling a 諮問 asks approval for, from its title (words in models/data/category_words.csv)."""

from __future__ import annotations

import re

from extractors.sheets import SheetRow
from models.phrases import category_words
from models.vocab import Category

# a 答申's reasons, one heading per kind of handling it judges: `2 目的外利用及び外部提供の適否について`
_JUDGED = re.compile(
    r"(?m)^\s*(?:\d+|[(（]\d+[)）])\s*[.．、]?\s*(.{2,80}?)の(?:例外の)?(?:適否|可否)について\s*$"
)


def judged_headings(text: str, start: int, end: int) -> str:
    """The handlings a 答申 judges under headings of their own (`…の適否について`), joined."""
    return "\n".join(m.group(1) for m in _JUDGED.finditer(text, start, end))


# a row saying which handling the item asks for: `取扱いの種類　本人以外からの収集`,
# `取扱いの内容：個人情報の処理の委託（条例第11条第2項）`
_HANDLING_ROW = re.compile(
    r"(?m)^[ \t]*(?:取り?扱い?の?(?:種類|種別|内容|区分)|取扱区分|取扱種別)[ \t]*[:：\t ][ \t]*(\S.*)$"
)


def handling_rows(text: str, start: int, end: int) -> str:
    """The values of the rows in text[start:end] that name the handling asked for, joined."""
    return "\n".join(m.group(1) for m in _HANDLING_ROW.finditer(text, start, end))


def names_handling(words: str) -> bool:
    """Whether the words name a kind of handling (`電子計算組織の結合`, `外部委託`)."""
    return any(p.pattern.search(words) for p in category_words())


def categories(title: str, sheet: list[SheetRow], judged: str = "") -> list[Category]:
    """The categories a title (and a 答申's judged headings) names (`other` when none).

    A 事前一括承認 sheet adds blanket_approval.
    """
    found = []
    for subject in (title, judged):
        found += [
            Category(p.value)
            for p in category_words()
            if p.pattern.search(subject) and Category(p.value) not in found
        ]
    if (
        Category.ONLINE_LINK in found
        and Category.EXTERNAL_PROVISION not in found
        and re.search(r"提供", title)
    ):
        # a link that sends data out (オンライン結合による提供) is a provision as well
        found.append(Category.EXTERNAL_PROVISION)
    if any(r.family == "blanket" for r in sheet) and Category.BLANKET_APPROVAL not in found:
        found.append(Category.BLANKET_APPROVAL)
    return list(dict.fromkeys(found)) or [Category.OTHER]  # each once, in the order found
