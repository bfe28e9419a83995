"""A PDF page read by PDFium, shaped like the pdfplumber page `extractors.reading` lays out.

pdfplumber spends most of its time in pdfminer's parse and layout pass, while
its text and table geometry (clustering characters into lines, finding ruled
cells from the edges) is cheap: without pdfminer the same pages take 3.4-3.9x
less CPU (`python -m bench.pdf`, bench/out/pdf.md). So PDFium reads each character's text and box and each path's
segments, and pdfplumber's own geometry runs on those: the page text comes out
as pdfplumber wrote it, at PDFium's speed.

Boxes follow pdfminer's conventions so pdfplumber's tolerances mean the same:
origin at the top left, a character's box its advance width by its font size
(PDFium's "loose" box), each straight segment of a path an edge. Characters
PDFium generates itself (the spaces and line breaks it infers) are left out, as
pdfminer has none; a glyph without a Unicode mapping is written `(cid:N)`, as
pdfminer writes it, so normalisation counts it the same way.
"""

from __future__ import annotations

import ctypes
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pdfplumber.table import TableFinder, TableSettings
from pdfplumber.utils import chars_to_textmap
from pdfplumber.utils.geometry import clip_obj

Obj = dict[str, Any]
Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

# pdfplumber's default table settings (lines strategy); it drops edges shorter than its
# pre-filter (1pt) before joining collinear pieces (a dashed rule) into longer ones
_EDGE_MIN_LENGTH = 1.0
_TABLE_SETTINGS = TableSettings.resolve(None)
# a gap this wide (a share of the font size) is a space; narrower, a font's side bearing
_SPACE_GAP = 0.25


def _compose(m1: Matrix, m2: Matrix) -> Matrix:
    """m1 then m2 (PDF row-vector convention)."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def _object_matrix(obj: Any) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


class PdfiumPage:
    """One page: its characters, ruling edges and image count, with pdfplumber's page methods.

    Offers what `extractors.reading.page_text` calls on a pdfplumber page
    (`bbox`, `images`, `find_tables`, `extract_text_lines`, `extract_text`,
    `crop`, `flush_cache`); `crop` gives a page over the characters inside a box,
    clipped as pdfplumber clips them.
    """

    def __init__(
        self, chars: list[Obj], edges: list[Obj], images: int, bbox: tuple[float, ...]
    ) -> None:
        self.chars = chars
        self.edges = edges
        self.images = [None] * images
        self.bbox = bbox
        self._lines: list[Obj] | None = None

    @classmethod
    def read(cls, page: pdfium.PdfPage) -> PdfiumPage:
        left, bottom, right, top = page.get_mediabox()
        to_top_left: Matrix = (1.0, 0.0, 0.0, -1.0, -left, top)
        textpage = page.get_textpage()
        try:
            chars = _chars(textpage.raw, to_top_left)
            walk = _Walk(page.raw, textpage.raw)
            walk.objects(None, to_top_left)
        finally:
            textpage.close()
        return cls(
            chars + walk.spaces, walk.edges, walk.images, (0.0, 0.0, right - left, top - bottom)
        )

    def might_hold_a_table(self) -> bool:
        """Whether the rulings could make a cell: two long horizontal and two long vertical edges.

        pdfplumber's table finder needs both to make even one cell, so a page
        without them (prose, a browser-printed page without borders) skips it.
        """
        h = sum(1 for e in self.edges if e["orientation"] == "h")
        v = len(self.edges) - h
        return h >= 2 and v >= 2

    def find_tables(self) -> list[Any]:
        if not self.might_hold_a_table():
            return []
        return TableFinder(self, _TABLE_SETTINGS).tables  # type: ignore[arg-type]

    def extract_text_lines(self, strip: bool = True, return_chars: bool = False) -> list[Obj]:
        if not self.chars:
            return []
        if self._lines is None:
            textmap = chars_to_textmap(self.chars)
            self._lines = textmap.extract_text_lines(strip=strip, return_chars=return_chars)
        return self._lines

    def extract_text(self) -> str:
        if not self.chars:
            return ""
        return chars_to_textmap(self.chars).as_string  # type: ignore[no-any-return]

    def crop(self, bbox: tuple[float, ...], strict: bool = False) -> PdfiumPage:
        x0, top, x1, bottom = bbox
        inside = []
        for c in self.chars:
            # the cheap test first: most characters lie wholly outside a cell
            if c["x1"] < x0 or c["x0"] > x1 or c["bottom"] < top or c["top"] > bottom:
                continue
            clipped = clip_obj(c, bbox)  # type: ignore[arg-type]
            if clipped is not None:
                inside.append(clipped)
        return PdfiumPage(inside, [], 0, tuple(bbox))

    def flush_cache(self) -> None:
        self._lines = None


def _chars(textpage: Any, m: Matrix) -> list[Obj]:
    """The characters as pdfminer would give them, in content order, boxes from the top left.

    PDFium replaces a real space by one it generates itself, so a generated
    space that starts where the character before it ends, before a gap at least
    a quarter of the font size wide, is kept (as wide as the gap, as tall as
    the character before it); other generated spaces and line breaks are not.
    When PDFium has no font metrics for a glyph its "loose" box is the glyph's
    ink (it does not start at the glyph's origin): it then starts at the origin
    and takes the height of the em box before it on the same baseline.
    """
    a, _, _, d, e, f = m
    out: list[Obj] = []
    rect = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    baseline: tuple[float, float, float] | None = None  # the last em box: (origin y, bottom, top)
    pending_space = False
    for i in range(pdfium_c.FPDFText_CountChars(textpage)):
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        if code <= 0x20 and pdfium_c.FPDFText_IsGenerated(textpage, i):
            # where a real space was: it starts where the character before it ends
            pdfium_c.FPDFText_GetCharOrigin(textpage, i, ox, oy)
            pending_space = (
                code == 0x20 and bool(out) and abs(a * ox.value + e - out[-1]["x1"]) < 0.01
            )
            continue
        if pdfium_c.FPDFText_HasUnicodeMapError(textpage, i) == 1 or code == 0:
            text = f"(cid:{code})"
        else:
            try:
                text = chr(code)
            except ValueError:
                text = "\ufffd"
        if not pdfium_c.FPDFText_GetLooseCharBox(textpage, i, rect):
            continue
        upright = True
        if pdfium_c.FPDFText_GetMatrix(textpage, i, matrix):
            upright = 0 < matrix.a * matrix.d and matrix.b * matrix.c <= 0
        left, right, low, high = rect.left, rect.right, rect.bottom, rect.top
        pdfium_c.FPDFText_GetCharOrigin(textpage, i, ox, oy)
        if (
            abs(left - ox.value) > 0.05 * (high - low) and upright
        ):  # the glyph's ink, not its em box
            left = ox.value
            if baseline is not None and abs(baseline[0] - oy.value) < 0.01:
                low, high = baseline[1], baseline[2]
        elif upright:
            baseline = (oy.value, low, high)
        x0, x1 = sorted((a * left + e, a * right + e))
        top, bottom = sorted((d * high + f, d * low + f))
        if pending_space:
            prev = out[-1]
            if (
                x0 - prev["x1"] >= _SPACE_GAP * prev["height"]
                and abs(top - prev["top"]) < prev["height"]
            ):
                out.append(
                    {**prev, "text": " ", "x0": prev["x1"], "x1": x0, "width": x0 - prev["x1"]}
                )
            pending_space = False
        out.append(_char(text, x0, top, x1, bottom, upright))
    return out


def _box(kind: str, x0: float, top: float, x1: float, bottom: float) -> Obj:
    """An object as pdfplumber describes one (`doctop` is `top`: each page stands alone)."""
    return {
        "object_type": kind,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "doctop": top,
        "width": x1 - x0,
        "height": bottom - top,
    }


def _char(text: str, x0: float, top: float, x1: float, bottom: float, upright: bool) -> Obj:
    return {
        **_box("char", x0, top, x1, bottom),
        "text": text,
        "size": bottom - top,
        "upright": upright,
    }


class _Walk:
    """The page's objects: each path's level and plumb segments, the images, the lone spaces.

    Objects inside a form XObject are in the form's space: the form's matrix
    takes them to the page. A text object PDFium's text page holds no
    character of was spaces only (PDFium drops real spaces and generates its
    own where it judges a gap wide enough): pdfminer kept them, and a space
    splits pdfplumber's words however narrow it is, so each becomes a space
    character at the object's origin.
    """

    def __init__(self, page: Any, textpage: Any) -> None:
        self.page, self.textpage = page, textpage
        self.edges: list[Obj] = []
        self.spaces: list[Obj] = []
        self.images = 0
        self._text = (ctypes.c_ushort * 4)()
        self._size = ctypes.c_float()

    def objects(self, form: Any, parent: Matrix) -> None:
        count = (
            pdfium_c.FPDFPage_CountObjects(self.page)
            if form is None
            else pdfium_c.FPDFFormObj_CountObjects(form)
        )
        for i in range(count):
            obj = (
                pdfium_c.FPDFPage_GetObject(self.page, i)
                if form is None
                else pdfium_c.FPDFFormObj_GetObject(form, i)
            )
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_TEXT:
                # the length in bytes, its terminating NUL included: 2 is no character
                if pdfium_c.FPDFTextObj_GetText(obj, self.textpage, self._text, 8) <= 2:
                    self._space(obj, _compose(_object_matrix(obj), parent))
            elif kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                self.images += 1
            elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
                _path_edges(obj, _compose(_object_matrix(obj), parent), self.edges)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                self.objects(obj, _compose(_object_matrix(obj), parent))

    def _space(self, obj: Any, m: Matrix) -> None:
        a, b, c, d, x, y = m
        if a <= 0 or d >= 0 or abs(b) + abs(c) > 1e-6:  # not upright (y runs down the page)
            return
        if not pdfium_c.FPDFTextObj_GetFontSize(obj, self._size):
            return
        height = self._size.value * abs(d)
        if height <= 0:
            return
        top = y - 0.8 * height  # the baseline sits at about four fifths of the em box
        self.spaces.append(_char(" ", x, top, x + 0.25 * height, top + height, True))


def _path_edges(path: Any, m: Matrix, edges: list[Obj]) -> None:
    """Each segment between consecutive points of a subpath (Bézier control points included,
    as pdfminer lists them) that runs level or plumb and is long enough to rule a cell."""
    a, b, c, d, e, f = m
    x, y = ctypes.c_float(), ctypes.c_float()
    prev: tuple[float, float] | None = None
    for i in range(pdfium_c.FPDFPath_CountSegments(path)):
        seg = pdfium_c.FPDFPath_GetPathSegment(path, i)
        if not pdfium_c.FPDFPathSegment_GetPoint(seg, x, y):
            continue
        px, py = a * x.value + c * y.value + e, b * x.value + d * y.value + f
        if pdfium_c.FPDFPathSegment_GetType(seg) != pdfium_c.FPDF_SEGMENT_MOVETO and prev:
            _add_edge(prev, (px, py), edges)
        prev = (px, py)


def _add_edge(p0: tuple[float, float], p1: tuple[float, float], edges: list[Obj]) -> None:
    x0, x1 = sorted((p0[0], p1[0]))
    top, bottom = sorted((p0[1], p1[1]))
    if abs(x1 - x0) < 1e-3 and bottom - top >= _EDGE_MIN_LENGTH:
        orientation, x1 = "v", x0
    elif abs(bottom - top) < 1e-3 and x1 - x0 >= _EDGE_MIN_LENGTH:
        orientation, bottom = "h", top
    else:
        return
    edges.append({**_box("curve_edge", x0, top, x1, bottom), "orientation": orientation})
