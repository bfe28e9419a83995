"""From text as read to the text every offset refers to.

The steps, in order, each an edit of a `MappedText` so offsets survive:
1. drop markup (HTML tags and entities, markdown headings and bullets),
2. drop page furniture (page numbers, running headers and footers),
3. drop glyphs without a Unicode mapping ((cid:NNN), NUL) and count them per page,
4. NFKC,
5. tidy whitespace and remove spaces inserted between characters (`平 成 25年`),
6. unwrap hard-wrapped lines,
7. join pages with a line break, and record where each page starts.
"""

from __future__ import annotations

import bisect
import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from extractors.tables import MD_DASHES
from extractors.textmap import MappedText
from models.vocab import header_labels

PAGE_BREAK = "\f"
# marks a line start that markup made structural (a bullet, a heading, a table row,
# a <p>): unwrapping never joins onto it; removed before the text is final
HARD = "\ue000"
# a list item opens here (markdown bullet, <li>): a break that is never undone
LIST = "\ue001"
# a table row whose first cell is empty (a continuation row): keeps its leading tab through
# the final trimming of line starts; removed before the text is final
EMPTY_CELL = "\ue002"

_BAD_GLYPH = re.compile(r"\(cid:\d+\)|\x00")


@dataclass(frozen=True)
class NormalizedText:
    """The normalised text with page starts and the map back to the raw text."""

    text: str
    page_starts: list[int]
    raw_text: str
    raw_offsets: list[int]  # one per character of text
    bad_glyphs: list[int]  # per page

    def page_of(self, offset: int) -> int:
        """1-based page of a text offset."""
        return max(1, bisect.bisect_right(self.page_starts, offset))


# --- 1. markup ---------------------------------------------------------------

_DROP_ELEMENTS = re.compile(
    r"<(script|style|noscript|nav|header|footer|aside|form|template)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
# links and boxes that content management systems put on every page, inside the main element too
_WEB_CHROME = re.compile(
    r"(?m)^[^\n<>]*?(?:<[^>]+>\s*)*(?:このページの先頭へ|ページの先頭へ(?:戻る)?|ページトップへ|このページに関するお問い合わせ|"
    r"このページの情報は役に立ちましたか|このページは分かりやすかったですか|印刷用ページを表示)[^\n]*$"
)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_BLOCK_TAG = re.compile(
    r"</?(p|div|br|li|ul|ol|tr|table|thead|tbody|h[1-6]|dl|dt|dd|section|article|main|blockquote|pre|hr)\b[^>]*>",
    re.IGNORECASE,
)
_CELL_TAG = re.compile(r"<(td|th)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<!DOCTYPE[^>]*>", re.IGNORECASE)
_ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]{1,8});")
_MD_HEADING = re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+")
_MD_BULLET = re.compile(r"(?m)^[ \t]*[-*+][ \t]+(?=\S)")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_MD_EMPHASIS = re.compile(r"\*\*|__")
_MD_LINEBREAK = re.compile(r"(?m)[ \t]{2,}$")


def strip_markup(mt: MappedText, *, html_page: bool = False, markdown: bool = False) -> MappedText:
    """Turn HTML fragments and markdown into plain lines; table cells become tab-separated."""
    if html_page:
        mt = mt.sub(_WEB_CHROME, "")
        mt = mt.sub(_COMMENT, "")
        mt = mt.sub(_DROP_ELEMENTS, "\n")
        mt = _keep_main(mt)
    if html_page or "<" in mt.text:
        mt = mt.sub(r"(?m)^(?=[^\n]*\t)", HARD)  # tab-separated rows
        mt = _html_cells(mt)
        mt = mt.sub(_CELL_TAG, "\t")
        mt = mt.sub(
            r"(?<=\t)(\s*<(p|div|ul|ol|li)\b[^>]*>)+", ""
        )  # a cell's first block opens no line
        mt = mt.sub(r"<li\b[^>]*>", "\n" + LIST)
        mt = mt.sub(_BLOCK_TAG, "\n" + HARD)
        mt = mt.sub(_ANY_TAG, "")
        mt = mt.sub(_ENTITY, lambda m: html.unescape(m.group(0)))
        mt = mt.sub(r"(?m)^\t+", "")  # a row's leading cell separator
        mt = mt.sub(r"(?m)\t+[ \t]*$", "")  # empty trailing cells
    if markdown:
        mt = text_tables(mt)
        mt = mt.sub(_MD_LINK, lambda m: m.group(1))
        mt = mt.sub(_MD_HEADING, HARD)
        mt = mt.sub(_MD_BULLET, LIST)
        mt = mt.sub(_MD_EMPHASIS, "")
        mt = mt.sub(_MD_LINEBREAK, "")
    return mt


_ROW_FIRST_CELL = re.compile(r"(<tr\b[^>]*>\s*)<(td|th)\b[^>]*>", re.IGNORECASE)
_CELL = re.compile(r"<(td|th)\b[^>]*>(.*?)</\1\s*>", re.IGNORECASE | re.DOTALL)


def _html_cells(mt: MappedText) -> MappedText:
    """One table row per line: a line break inside a cell is a `/`, the first cell opens no tab.

    An empty cell (a row continuing the label above, the second level of a two-level table,
    a blank remark) is kept, so every cell keeps its column.
    """
    edits = []
    for m in _CELL.finditer(mt.text):
        if not re.sub(r"\s|&nbsp;|<br\b[^>]*>", "", m.group(2), flags=re.I):
            edits.append((m.start(2), m.start(2), EMPTY_CELL))
            continue
        # a cell's own breaks: `<br>`, a line break, one list entry after another; the list's
        # tags themselves open no line of the page
        for br in _CELL_BREAK.finditer(m.group(2)):
            sep = "" if br.group("tag") else "/"
            edits.append((m.start(2) + br.start(), m.start(2) + br.end(), sep))
    # the blanks between one cell and the next keep the row on one line
    for gap in _BETWEEN_CELLS.finditer(mt.text):
        edits.append((gap.start(1), gap.end(1), ""))
    edits += _spanned_cells(mt.text)
    mt = mt.edit(sorted(edits)) if edits else mt
    return mt.sub(_ROW_FIRST_CELL, lambda m: m.group(1))


_TABLE = re.compile(r"<table\b.*?</table\s*>", re.IGNORECASE | re.DOTALL)
_ROW = re.compile(r"<tr\b[^>]*>(.*?)(?=<tr\b|</table\s*>)", re.IGNORECASE | re.DOTALL)
_SPAN_ATTR = re.compile(r"\b(colspan|rowspan)\s*=\s*[\"']?(\d{1,2})", re.IGNORECASE)
_SYNTHETIC_CELL = "<td>" + EMPTY_CELL + "</td>"


def _spanned_cells(text: str) -> list[tuple[int, int, str]]:
    """Empty cells inserted where a cell spans columns or rows, so that every cell of a row
    sits under its own column: a header `取扱いの区分` over four columns, a number cell down two
    rows. Insertions only (zero-width edits)."""
    edits: list[tuple[int, int, str]] = []
    for table in _TABLE.finditer(text):
        if not _SPAN_ATTR.search(table.group(0)):
            continue
        below: dict[int, int] = {}  # column -> rows a cell above still covers
        for row in _ROW.finditer(text, table.start(), table.end()):
            col = 0
            cells = list(_CELL.finditer(text, row.start(1), row.end(1)))
            for cell in cells:
                while below.get(col, 0) > 0:  # a cell from a row above sits here
                    edits.append((cell.start(), cell.start(), _SYNTHETIC_CELL))
                    below[col] -= 1
                    col += 1
                tag = text[cell.start() : text.find(">", cell.start())]
                spans = {k.lower(): int(v) for k, v in _SPAN_ATTR.findall(tag)}
                wide, tall = max(1, spans.get("colspan", 1)), max(1, spans.get("rowspan", 1))
                if wide > 1:
                    edits.append((cell.end(), cell.end(), _SYNTHETIC_CELL * (wide - 1)))
                for c in range(col, col + wide):
                    if tall > 1:
                        below[c] = tall - 1
                col += wide
            for c in sorted(k for k, v in below.items() if k >= col and v > 0):
                below[c] -= 1  # trailing columns covered from above: empty trailing cells go anyway
    return edits


_CELL_BREAK = re.compile(
    r"</li\s*>\s*<li\b[^>]*>|<br\b[^>]*>|\n|(?P<tag></?(?:ul|ol|li)\b[^>]*>)", re.IGNORECASE
)
_BETWEEN_CELLS = re.compile(r"</(?:td|th)\s*>(\s+)(?=<(?:td|th)\b)", re.IGNORECASE)


# --- text tables ---------------------------------------------------------------

_BAR = "|｜"
_BAR_ROW = re.compile(r"(?m)^[ \t\u3000]*[|｜](?=[^\n]*[|｜][ \t\u3000]*$)[^\n]*$")
_RULE_LINE = re.compile(
    rf"(?m)^[ \t\u3000]*(?:\+[-=]{{2,}}(?:\+[-=]{{2,}})*\+?|[|｜](?:[ \t]*{MD_DASHES}[ \t]*[|｜])+)[ \t\u3000]*$"
)
# a table drawn with box-drawing characters: its rules (┌──┬──┐, ├──┼──┤, ┗━━┻━━┛) and its rows
# (│a│b│, ┃a┃b┃)
_BOX_JOINTS = "┌┐└┘├┤┬┴┼┏┓┗┛┣┫┳┻╋┠┨┯┷┿╂┝┥┰┸╀╁╃╄╅╆╇╈╉╊┡┩┢┪╔╗╚╝╠╣╦╩╬"
_BOX_RULES = "─━═"
_BOX_BARS = "│┃║"
_BOX_LINE = re.compile(
    rf"(?m)^[ \t\u3000]*(?:[{_BOX_JOINTS}{_BOX_BARS}]*[{_BOX_RULES}][{_BOX_JOINTS}{_BOX_RULES}{_BOX_BARS}]*"
    rf"|[{_BOX_BARS}][^\n]*[{_BOX_BARS}])[ \t\u3000]*$"
)
_BOX_ASCII = str.maketrans(
    {
        **dict.fromkeys(_BOX_JOINTS, "+"),
        **dict.fromkeys(_BOX_RULES, "-"),
        **dict.fromkeys(_BOX_BARS, "|"),
    }
)


# a table copied from a web page as text: each cell on a line of its own, a header of short
# labels first, then the rows, each opening with its number (`第６１号`)
_COLUMN_WORDS = re.compile(
    r"番号|件名|名称|結果|委託先|提供先|結合先|受託者|個人情報|項目|担当|所管|区分|内容|備考|答申|取扱"
)
_NUMBER_HEAD = re.compile(r"番号|^No\.?$|^NO\.?$|^№$|^号$")
_ROW_NUMBER = re.compile(
    r"^[ \t\u3000]*(?:諮問)?[ \t\u3000]*(?:第[ \t\u3000]*)?[0-9０-９一二三四五六七八九十百]{1,5}[ \t\u3000]*号?[ \t\u3000]*$"
)


def _header_cell(line: str) -> bool:
    cell = line.strip(" \t\u3000")
    return 0 < len(cell) <= 16 and "。" not in cell and "\t" not in cell and "|" not in cell


def vertical_tables(mt: MappedText) -> MappedText:
    """A table whose cells are lines (a web page's table copied as text) becomes tab-separated
    rows, as readers give tables: its header, a run of three labels or more, two of them
    column words (件名, 委託先, 取り扱う個人情報, 結果), the first a number column; then one row per
    number line, up to a blank line. A row with more lines than columns puts the rest into its
    last cell. Each line break is replaced one for one, so every offset stays where it was."""
    text = mt.text
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    edits: list[tuple[int, int, str]] = []
    i = 0
    while i < len(spans):
        n = 0
        while i + n < len(spans) and _header_cell(text[spans[i + n][0] : spans[i + n][1]]):
            if n and _ROW_NUMBER.match(text[spans[i + n][0] : spans[i + n][1]]):
                break
            n += 1
        heads = [text[s:e].strip(" \t\u3000") for s, e in spans[i : i + n]]
        first_row = i + n
        if (
            n < 3
            or not _NUMBER_HEAD.search(heads[0])
            or sum(1 for h in heads if _COLUMN_WORDS.search(h)) < 2
            or first_row >= len(spans)
            or not _ROW_NUMBER.match(text[spans[first_row][0] : spans[first_row][1]])
        ):
            i += 1 if n > 3 else max(n, 1)  # a caption above the header: try from the next line
            continue
        for k in range(i, first_row - 1):
            edits.append((spans[k][1], spans[k][1] + 1, "\t"))
        j = first_row
        while j < len(spans) and _ROW_NUMBER.match(text[spans[j][0] : spans[j][1]]):
            end = j + 1
            while (
                end < len(spans)
                and text[spans[end][0] : spans[end][1]].strip()
                and not _ROW_NUMBER.match(text[spans[end][0] : spans[end][1]])
            ):
                end += 1
            for k in range(j, end - 1):
                edits.append((spans[k][1], spans[k][1] + 1, "\t" if k - j < n - 1 else " "))
            j = end
        i = j
    return mt.edit(edits) if edits else mt


def box_tables(mt: MappedText) -> MappedText:
    """A table drawn with box-drawing characters becomes the same table drawn in ASCII (`+---+`
    rules, `|` bars), character for character, which `extractors.tables` reads as a boxed table:
    its rows framed by rules, a row's wrapped lines one row, the table ending at its last rule."""
    return mt.sub(_BOX_LINE, lambda m: m.group(0).translate(_BOX_ASCII))


# a column gap: two blanks or more (an ideographic space counts) between two cells
_GAP = re.compile(r"(?<=\S)[ \u3000]{2,}(?=\S)")
_ALIGNED = re.compile(r"^(\S{2,24}?)[ \u3000]{2,}(\S.*)$")
# inside a block of aligned rows, a long label may leave a single ideographic space
_ALIGNED_TIGHT = re.compile(r"^(\S{2,24}?)\u3000(\S[^。]*)$")
_CONTINUED = re.compile(r"^(?:[ \u3000]{4,})(\S.*)$")


def text_tables(mt: MappedText) -> MappedText:
    """Tables drawn in plain text become tab-separated rows, one per line, as readers give them.

    Bars (`| a | b |`, `｜a｜b｜`, boxed rows between `+---+` rules) and columns aligned with
    blanks (`委託先　　　株式会社X` on two or more lines in a row) are rewritten: the rules go,
    the outer bars go, each gap between cells is a tab, and a row whose first cell is empty
    (a cell wrapped onto the next line) keeps a leading tab.
    """
    mt = mt.sub(_RULE_LINE, "")
    edits: list[tuple[int, int, str]] = []
    for m in _BAR_ROW.finditer(mt.text):
        line, base = m.group(0), m.start()
        bars = [i for i, c in enumerate(line) if c in _BAR]
        if len(bars) < 3:
            continue
        row: list[tuple[int, int, str]] = []
        for k, b in enumerate(bars):
            s = b - (len(line[:b]) - len(line[:b].rstrip(" \t\u3000")))
            e = b + 1 + _blank_len(line[b + 1 :])
            if k == len(bars) - 1:
                e = len(line)
            repl = HARD if k == 0 else ("" if k == len(bars) - 1 else "\t")
            if row and s <= row[-1][1]:
                # an empty cell between two bars: the gaps meet, and the cell is kept
                prev = row.pop()
                row.append((prev[0], max(prev[1], e), prev[2] + EMPTY_CELL + repl))
            else:
                row.append((s, e, repl))
        edits += [(base + s, base + e, r) for s, e, r in row]
    return mt.edit(sorted(edits)) if edits else mt


def _blank_len(cell: str) -> int:
    return len(cell) - len(cell.lstrip(" \t\u3000"))


def aligned_columns(mt: MappedText) -> MappedText:
    """Columns aligned with blanks on two or more consecutive lines: each gap becomes a tab."""
    text = mt.text
    spans = []
    pos = 0
    for line in text.split("\n"):
        spans.append((pos, line))
        pos += len(line) + 1
    edits: list[tuple[int, int, str]] = []
    block: list[tuple[int, str]] = []

    def flush() -> None:
        if sum(1 for _, ln in block if _ALIGNED.match(ln)) >= 2:
            for start, ln in block:
                tight = _ALIGNED_TIGHT.match(ln)
                if tight and not _ALIGNED.match(ln):
                    gap = start + tight.end(1)
                    edits.extend([(start, start, HARD), (gap, gap + 1, "\t")])
                    continue
                if _ALIGNED.match(ln):
                    edits.append((start, start, HARD))
                else:
                    lead = len(ln) - len(ln.lstrip(" \u3000"))
                    edits.append((start, start + lead, HARD + EMPTY_CELL + "\t"))
                for g in _GAP.finditer(ln):
                    edits.append((start + g.start(), start + g.end(), "\t"))
        block.clear()

    for start, ln in spans:
        if (
            "\t" not in ln
            and "|" not in ln
            and (
                _ALIGNED.match(ln) or (block and (_CONTINUED.match(ln) or _ALIGNED_TIGHT.match(ln)))
            )
        ):
            block.append((start, ln))
        else:
            flush()
    flush()
    return mt.edit(sorted(edits)) if edits else mt


_MAIN = re.compile(
    r"<(main)\b[^>]*>|<(div|section|article)\b[^>]*\b(id|class)=\"[^\"]*\b(main|content|contents|honbun|article|body-content)\b[^\"]*\"[^>]*>",
    re.IGNORECASE,
)


def _keep_main(mt: MappedText) -> MappedText:
    """On a web page, keep the main content element when the page marks one."""
    m = _MAIN.search(mt.text)
    if not m:
        return mt
    edits = [(0, m.start(), "")]
    close = mt.text.find("</main>", m.end()) if m.group(1) else -1
    if close >= 0:
        edits.append((close, len(mt.text), ""))
    return mt.edit(edits)


# --- 2. page furniture ---------------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^[\s\-－―‐—–]*(?:[-－―‐—–]\s*)?(?:\d+|[０-９]+)\s*(?:/\s*\d+)?[\s\-－―‐—–]*$|^[\s]*(?:p\.?|P\.?|ページ)?\s*\d+\s*(?:ページ|頁)?\s*$"
)


def _furniture_key(line: str) -> str:
    return re.sub(r"[0-9０-９]+", "#", line.strip())


def drop_page_furniture(mt: MappedText) -> MappedText:
    """Remove page numbers and running headers/footers of paginated text (pages split by form feeds)."""
    pages = mt.text.split(PAGE_BREAK)
    if len(pages) < 2:
        return mt
    spans: list[
        list[tuple[int, int, str]]
    ] = []  # per page: (start, end, line) of first/last 2 lines
    pos = 0
    for page in pages:
        lines = []
        off = pos
        for line in page.split("\n"):
            if line.strip():
                lines.append((off, off + len(line), line))
            off += len(line) + 1
        spans.append(lines[:2] + lines[-2:] if len(lines) > 4 else lines)
        pos += len(page) + 1
    # running headers start on page 2 at the latest; a line repeated on most later pages is furniture
    counts = Counter(_furniture_key(line) for lines in spans[1:] for _, _, line in set(lines))
    threshold = max(2, -(-(len(pages) - 1) * 3 // 5))
    edits = set()
    for number, lines in enumerate(spans):
        for start, end, line in lines:
            key = _furniture_key(line)
            # the first page's title may read like the running header of the others: keep it
            repeated = counts[key] >= threshold and len(key.strip()) > 0 and number > 0
            if _PAGE_NUMBER.match(line) or repeated:
                edits.add((start, end, ""))
        # a centred `- N -` that the reader joined onto the page's last line of text
        if lines and (lines[-1][0], lines[-1][1], "") not in edits:
            last_start, last_end, last = lines[-1]
            glued = _GLUED_PAGE_NUMBER.search(last)
            if glued and glued.start() > 0:
                edits.add((last_start + glued.start(), last_end, ""))
    return mt.edit(sorted(edits)) if edits else mt


_GLUED_PAGE_NUMBER = re.compile(r"\s*[-－―‐—–]\s*\d{1,4}\s*[-－―‐—–]\s*$")


# --- 5. whitespace ------------------------------------------------------------

_CJK = r"\u3005\u3006\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ー"
_CJK_PUNCT = r"、。，．・：；？！「」『』（）【】〔〕［］｛｝〈〉《》…‥"
_TOKEN_CHAR = rf"[{_CJK}{_CJK_PUNCT}0-9A-Za-z%％()]"

# a space between a CJK character and a digit, either way round
_SPACE_CJK_DIGIT = re.compile(rf"(?<=[{_CJK}]) (?=[0-9])|(?<=[0-9]) (?=[{_CJK}])")
# spaced letters: `X Y Z` -> `XYZ`
_SPACED_LATIN = re.compile(r"(?<![A-Za-z])[A-Z](?: [A-Z])+(?![A-Za-z])")


def _remove_inserted_spaces(mt: MappedText) -> MappedText:
    text = mt.text
    edits = []
    # a space next to a single isolated CJK character: `会 議 の 名 称`, `平 成 25年`
    for m in re.finditer(r" ", text):
        i = m.start()
        if i == 0 or i + 1 >= len(text):
            continue
        left, right = text[i - 1], text[i + 1]
        if not (_is_cjk(left) or _is_cjk(right)):
            continue
        lstart = i - 1
        while lstart > 0 and _is_token(text[lstart - 1]):
            lstart -= 1
        rend = i + 2
        while rend < len(text) and _is_token(text[rend]):
            rend += 1
        left_tok, right_tok = text[lstart:i], text[i + 1 : rend]
        if _line_initial_number(text, lstart, left_tok):
            continue
        single = (len(left_tok) == 1 and _is_cjk(left_tok)) or (
            len(right_tok) == 1 and _is_cjk(right_tok)
        )
        digit_pair = (_is_cjk(left) and right.isdigit() and right.isascii()) or (
            left.isdigit() and left.isascii() and _is_cjk(right)
        )
        if single or digit_pair:
            edits.append((i, i + 1, ""))
    mt = mt.edit(edits) if edits else mt
    spaces = [
        (m.start() + i, m.start() + i + 1, "")
        for m in _SPACED_LATIN.finditer(mt.text)
        for i, c in enumerate(m.group(0))
        if c == " "
    ]
    mt = mt.edit(spaces) if spaces else mt
    # `TSK データサービス`: a space between capitals and katakana inside one name
    return mt.sub(r"(?<=[A-Z]{2}) (?=[\u30a1-\u30fa])", "")


def _line_initial_number(text: str, start: int, token: str) -> bool:
    """`1 日 時` and `ア 住民税…` keep the space after their list marker."""
    line_start = text.rfind("\n", 0, start) + 1
    marker = token.isdigit() or (len(token) == 1 and "\u30a2" <= token <= "\u30f3")
    return marker and text[line_start:start].strip(" -・*■□●○◆" + HARD + LIST) == ""


def _is_cjk(s: str) -> bool:
    return bool(s) and all(re.match(rf"[{_CJK}]", c) for c in s)


def _is_token(c: str) -> bool:
    return c not in " \t\n\f" + HARD + LIST  # a markup marker is no part of a word


def tidy_whitespace(mt: MappedText) -> MappedText:
    mt = mt.sub(r"\r\n?", "\n")
    mt = mt.sub(
        r"[\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff]",
        lambda m: "" if m.group(0) in "\u200b\ufeff" else " ",
    )
    mt = mt.sub(r"[\x01-\x08\x0b\x0e-\x1f\x7f]", "")
    mt = mt.sub(r"(?m)[ \t]+$", "")  # trailing blanks
    mt = mt.sub(r"(?m)^ +", "")  # indentation carries no meaning once unwrapped
    mt = mt.sub(r" {2,}", " ")
    mt = mt.sub(r"\t[ \t]+|[ ]+\t", "\t")
    return _remove_inserted_spaces(mt)


# --- 6. unwrapping ------------------------------------------------------------

_TERMINAL = tuple("。！？!?")
_STRUCTURAL = re.compile(
    r"^(?:[-・●○◯■□◆◇▼▽▲△※→⇒＊*◎•]|"
    r"[(（][^()（）\n]{1,20}[)）]|"  # (会長), (1), （税務課）
    r"\d{1,3}[.．、)）]|\d{1,3}\s|"  # 1. 1、 1) 1
    r"[①-⑳⑴-⒇❶-❿]|"
    r"[ア-ン][\s.．、]|[ア-ン](?=[\u4e00-\u9fff「『])|"  # ア イ ウ enumeration
    r"[一二三四五六七八九十]{1,3}[\s、.．]|"
    r"[IVXⅠ-Ⅻ]{1,4}[\s.．]|"
    r"【|〔|第\d+|〇|資料\d|諮問第|答申第|記$|以上$|\ue000)"
)
_KANJI = re.compile(r"[\u3400-\u9fff々]")
_KANA_ENTRY = re.compile(r"^[ア-ン][ \t\u3000]")
_KATAKANA = re.compile(r"[\u30a1-\u30faー]")
_KATAKANA_END = re.compile(r"[\u30a1-\u30faー]$")
_HIRAGANA = re.compile(r"[\u3041-\u3096ー]")
_WORD_END = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u4e00-\u9fffー]$")


_STACKED = re.compile(r"(?m)^[ \t]*(\S)[ \t]*\n[ \t]*(\S)(?=[ \t\u3000]+\S)")


def stacked_labels(mt: MappedText) -> MappedText:
    """A two-character header label printed one character above the other in a narrow cell
    (`名` / `称 第7回…審議会`, `場` / `所 市役所…`): one label before its value."""
    edits = [
        (m.end(1), m.start(2), "")
        for m in _STACKED.finditer(mt.text)
        if m.group(1) + m.group(2) in header_labels()
    ]
    return mt.edit(edits) if edits else mt


def _is_header_label(line: str) -> bool:
    """A line that is nothing but a label of the meeting header (models/data/header_labels.csv)."""
    bare = re.sub(r"[\s\u3000]", "", line)
    return 0 < len(bare) <= 8 and unicodedata.normalize("NFKC", bare) in header_labels()


@lru_cache(maxsize=1)
def _tokenizer():  # type: ignore[no-untyped-def]
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").create(), SplitMode.A


def one_word(left: str, right: str) -> bool:
    """True when the shortest-unit tokenizer reads a word across the boundary of left|right."""
    tok, mode = _tokenizer()
    boundary = len(left)
    return any(m.begin() < boundary < m.end() for m in tok.tokenize(left + right, mode))


def _wrap_width(lines: list[str]) -> int | None:
    """The width at which the text was hard-wrapped, when a clear one exists."""
    # wrapped lines stop mid-sentence: measure the lines that do not end one
    lengths = [
        len(s)
        for s in lines
        if len(s) >= 10 and "\t" not in s and not s.rstrip().endswith(_TERMINAL)
    ]
    if len(lengths) < 8:
        return None
    counts = Counter(lengths)
    best, best_n = None, 0
    for width in sorted(counts):
        n = sum(counts[w] for w in range(width - 3, width + 1))
        if n > best_n:
            best, best_n = width, n
    if best is None or best_n < 0.5 * len(lengths) or best_n < 8:
        return None
    return best


_LEADING_NUMBER = re.compile(r"^\s*(\d{1,3})(?=[^\d,.，．年月日時分])")


def _next_number(opening: str, nxt: str) -> bool:
    """The next line opens with the number after the one that opened this paragraph (`6 …`, then
    `7…`): the next entry of a numbered list, even where its blank after the number is gone."""
    a, b = _LEADING_NUMBER.match(opening), _LEADING_NUMBER.match(nxt)
    return a is not None and b is not None and int(b.group(1)) == int(a.group(1)) + 1


def unwrap_lines(mt: MappedText) -> MappedText:
    """Join lines that a fixed page width broke, keeping breaks before structure and after sentences."""
    text = mt.text
    # lines as (start, end) spans, ignoring page breaks as separators of their own
    spans = []
    pos = 0
    for m in re.finditer(r"[\n\f]", text + "\n"):
        spans.append((pos, m.start()))
        pos = m.end()
    nonblank = [(s, e) for s, e in spans if text[s:e].strip()]
    width = _wrap_width([text[s:e] for s, e in nonblank])
    # without a clear wrap width, lines are paragraphs: only a break inside a word is undone
    threshold = 10**9 if width is None else max(width - 3, 12)
    edits = []
    paragraph = text[nonblank[0][0] : nonblank[0][1]] if nonblank else ""  # its first line
    for (s, e), (ns, ne) in zip(nonblank, nonblank[1:], strict=False):
        line, nxt = text[s:e], text[ns:ne]
        opening, paragraph = (
            paragraph,
            nxt,
        )  # the paragraph `line` ends; nxt opens the next unless joined
        if "\t" in nxt or line.rstrip().endswith(_TERMINAL):
            continue
        if _next_number(opening, nxt):
            continue
        # a line that stops mid-word was broken, however short, even where markup opened a
        # paragraph: before hiragana, inside a katakana word, or between two kanji that the
        # tokenizer reads as one word
        if nxt.lstrip().startswith(LIST):
            continue  # a list item is a new line whatever its first character
        if _is_header_label(nxt):
            continue  # a header label on a line of its own (日時, 会場, 出席者) starts its row
        head = nxt.lstrip().lstrip(HARD)
        # judged without trailing blanks, which the final text does not keep either (so that
        # normalising the text again joins nothing more)
        bare = line.rstrip(" \t")
        mid_word = (
            len(bare) >= 10
            and bool(_WORD_END.search(bare))
            and bool(
                _HIRAGANA.match(head)
                # (`イ　…` after a word in katakana is the next entry of a list, not the word's end)
                or (
                    _KATAKANA_END.search(bare)
                    and _KATAKANA.match(head)
                    and not _KANA_ENTRY.match(head)
                )
                or (
                    width is not None
                    and _KANJI.search(bare[-1])
                    and _KANJI.match(head)
                    and one_word(bare[-6:], head[:6])
                )
            )
        )
        if not mid_word and (
            _STRUCTURAL.match(nxt.lstrip()) or len(line) < threshold or "\t" in line
        ):
            continue
        gap = text[e:ns]
        # keep a page break as a character so pages can still be found; a word broken across
        # lines is joined without the blanks that ended its first half
        cut = s + len(bare) if mid_word else e
        edits.append((cut, ns, PAGE_BREAK if PAGE_BREAK in gap else ""))
        paragraph = opening
    return mt.edit(edits) if edits else mt


# --- all steps -----------------------------------------------------------------


def normalize(raw_pages: list[str], *, file_type: str = "text") -> NormalizedText:
    """Normalise the pages of one document into the text that offsets refer to."""
    raw = PAGE_BREAK.join(raw_pages)
    mt = MappedText.from_raw(raw)
    if file_type in ("markdown", "html") or re.search(r"<(p|table|td|li|br)\b", raw[:200000], re.I):
        mt = strip_markup(mt, html_page=file_type == "html", markdown=file_type == "markdown")
    if file_type == "text":
        mt = vertical_tables(mt)
        mt = text_tables(mt)
    if file_type in ("text", "markdown"):
        mt = box_tables(mt)
    if file_type in ("text", "markdown"):
        mt = aligned_columns(mt)
    mt = drop_page_furniture(mt)
    bad = [len(_BAD_GLYPH.findall(p)) for p in raw_pages]
    mt = mt.sub(_BAD_GLYPH, "")
    mt = mt.nfkc()
    mt = stacked_labels(mt)
    mt = tidy_whitespace(mt)
    # a page's last line ends at the page break: mark it as a line end, so that only unwrapping
    # (which turns the break back into a bare page break) joins it to the next page's first line
    mt = mt.sub(r"(?<!\n)\f", "\n\f")
    mt = unwrap_lines(mt)
    mt = mt.sub(HARD, "")
    mt = mt.sub(LIST, "")
    mt = mt.sub(r"(?m)^[ \t]+|[ \t]+$", "")
    mt = mt.sub(EMPTY_CELL, "")
    mt = mt.sub(r"\n[\n ]*", "\n")  # blank lines carry no meaning after unwrapping
    # page starts: the first character whose raw offset lies on the page
    raw_starts = []
    pos = 0
    for p in raw_pages:
        raw_starts.append(pos)
        pos += len(p) + 1
    # page breaks themselves become line breaks (or vanish inside an unwrapped line)
    mt = mt.sub(r"[ \t]*\n*\f[\f\n \t]*", lambda m: "\n" if "\n" in m.group(0) else "")
    mt = mt.sub(r"^\n+|\n+$", "")
    # a join (of pages, or across a dropped glyph or marker) can put a combining mark after a new base:
    # compose it, so that normalising the text again changes nothing
    if not unicodedata.is_normalized("NFKC", mt.text):
        mt = mt.nfkc()
    offsets = list(mt.offsets[:-1])
    page_starts = [min(bisect.bisect_left(offsets, r), len(mt.text)) for r in raw_starts]
    page_starts = _monotone(page_starts) if page_starts else [0]
    page_starts[0] = 0
    return NormalizedText(mt.text, page_starts, raw, offsets, bad)


def _monotone(starts: list[int]) -> list[int]:
    out: list[int] = []
    for s in starts:
        out.append(max(s, out[-1]) if out else s)
    return out


def normalize_fragment(text: str) -> str:
    """The normalisation of a short string (a value from gold or a query), without unwrapping."""
    return tidy_whitespace(MappedText.from_raw(text).nfkc()).text
