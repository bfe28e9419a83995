"""A digest of what a document says, shared by its copies whatever their layout.

A council's web page, the same page printed to PDF and a re-encoded file hold the same
words but not the same characters: the print breaks lines where the paper ends (or joins
lines the page kept apart), drops or adds blank lines and spaces, draws bullets with other
glyphs, and a browser adds its own header and footer (the print date and time, the page's
title, its address, `1/3`). Two documents whose digests are equal are copies of one
document, so the loader takes them for one meeting even when their headers were read
differently, or not at all (no municipality, no date; shingikai.warehouse.derive).

The digest is taken over the normalised text (NFKC, running headers and page numbers of
paginated text already dropped) after:
1. dropping every short line (60 characters at most) that holds a print stamp (a numeric
   date with a time, `2020/06/08 12:34`, `6/8/20, 12:34 PM`): a browser's header or
   footer, with the page title printed beside the stamp (a longer one is a header that
   unwrapping joined to text: only its stamp goes, and its title stays);
2. removing addresses (`https://…`), print stamps and page counts (`1/3`, `1 / 3`) wherever
   they stand (a footer the reader joined onto a line of text), and lines that hold a page
   number alone (a text copy of a paginated original keeps them where the PDF reader drops them);
3. keeping letters and digits only: whitespace, line breaks, punctuation and bullets go.
Too little text (a header only, an empty page) gives no digest: short texts say too little
to tell two meetings apart.
"""

from __future__ import annotations

import hashlib
import re

from extractors.chrome import PRINT_STAMP

# a line that holds a print stamp and little else: a browser's header or footer (the stamp
# and the page's title); a longer one is text the reader joined it to, and keeps its text
_STAMP_LINE = re.compile(rf"(?m)^(?=.*{PRINT_STAMP.pattern}).{{0,{60}}}$")
_FURNITURE = re.compile(
    rf"https?://\S+|{PRINT_STAMP.pattern}|(?<!\d)\d{{1,4}}\s*/\s*\d{{1,4}}(?=\s*$)"
    # a line holding a page number alone (`1`, `- 2 -`): a text copy of a paginated original keeps it
    r"|^[^\S\n]*[-‐―]?[^\S\n]*\d{1,4}[^\S\n]*[-‐―]?[^\S\n]*$",
    re.M,
)
# every character that is not a letter, a digit or a combining mark: written with \W, which
# counts the underscore as a word character, so it goes too
_NOT_WORD = re.compile(r"[\W_]+")
MIN_CHARS = 100


def content_digest(text: str) -> str | None:
    """sha256 (hex) of the letters and digits of `text` without print furniture; None when short."""
    kept = _NOT_WORD.sub("", _FURNITURE.sub("", _STAMP_LINE.sub("", text))).casefold()
    if len(kept) < MIN_CHARS:
        return None
    return hashlib.sha256(kept.encode("utf-8")).hexdigest()
