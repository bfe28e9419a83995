"""Kinds of handling a 諮問 asks approval for, from its title (words in models/data/category_words.csv)."""

from __future__ import annotations

import re

from extractors.sheets import SheetRow
from models.phrases import category_words
from models.vocab import Category


def categories(title: str, sheet: list[SheetRow]) -> list[str]:
    """The categories a title names (`other` when none); a 事前一括承認 sheet adds blanket_approval."""
    found = [Category(p.value) for p in category_words() if p.pattern.search(title)]
    if (
        Category.ONLINE_LINK in found
        and Category.EXTERNAL_PROVISION not in found
        and re.search(r"提供", title)
    ):
        # a link that sends data out (オンライン結合による提供) is a provision as well
        found.append(Category.EXTERNAL_PROVISION)
    if any(r.family == "blanket" for r in sheet) and Category.BLANKET_APPROVAL not in found:
        found.append(Category.BLANKET_APPROVAL)
    return [str(c) for c in found] or [str(Category.OTHER)]
