"""Label | value tables printed without rulings, by other PDF producers than the corpus's.

The fixtures in tests/fixtures/producers are invented documents (README there)
rendered by LibreOffice and by headless Chromium with the tables' borders off,
so pdfplumber finds no cells and the lines of a wrapped label mix with its
value's lines. `extractors.pdf_columns` finds the gutter between the columns
and writes each row as `label<TAB>value`, as a ruled table is written.
"""

from __future__ import annotations

from pathlib import Path

from extractors.pipeline import extract_bytes
from extractors.reading import read_bytes, read_path
from tests.flows.test_hostile import build_pdf

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "producers"

# the sheet's rows as the source text has them (tests/fixtures/producers/*.txt)
ROWS = [
    ("1 事務の名称", "公民館の施設予約および利用者登録に関する事務"),
    ("3 委託先(受託者)", "株式会社架空サービス"),
    ("5 事務を担当する課の名称と連絡先", "生涯学習部 公民館運営課"),
    (
        "6 取り扱う個人情報の項目(委託先に渡すもの)",
        "登録番号、団体名、代表者氏名、住所、電話番号、電子メールアドレス、予約日時、利用施設名、利用人数、使用料の納付状況",
    ),
    (
        "7 個人情報を保護するために講じる措置",
        "委託契約書に個人情報の保護に関する特記事項を定め、受託者の従事者に研修を行う。",
    ),
]
ITEMS = [
    "登録番号",
    "団体名",
    "代表者氏名",
    "住所",
    "電話番号",
    "電子メールアドレス",
    "予約日時",
    "利用施設名",
    "利用人数",
    "使用料の納付状況",
]


def test_chromium_unruled_sheet_reads_as_label_value_rows() -> None:
    """Chromium centres a one-line label on a two-line value and wraps long labels in three."""
    text = read_path(FIXTURES / "unruled_sheet_only_kakuu_chromium.pdf").pages[0]
    lines = text.splitlines()
    for label, value in ROWS:
        assert f"{label}\t{value}" in lines, text
    # the centred label does not split its value's sentence
    assert any(ln.startswith("2 委託の内容と理由\t市では、") for ln in lines), text


def test_libreoffice_unruled_sheet_gives_the_consultations_items_and_contractor() -> None:
    """The minutes' 諮問 takes the sheet's items and contractor, as from a ruled sheet."""
    path = FIXTURES / "unruled_sheet_kakuu_libreoffice.pdf"
    out = extract_bytes(path.read_bytes(), path.name)
    assert [(c.number, c.outcome) for c in out.consultations] == [(5, "approved")]
    assert [d.item for d in out.data_items] == ITEMS
    assert [c.name for c in out.contractors] == ["株式会社架空サービス"]


def _line(x: float, y: float, text: str) -> bytes:
    return b"BT /F1 10 Tf %.1f %.1f Td (%s) Tj ET\n" % (x, y, text.encode())


def test_prose_with_a_hanging_indent_is_not_a_table() -> None:
    """Speaker labels with the speech indented beside them, the speech wrapping back to the
    margin: the text runs from the right column into the left one, so it is prose."""
    speech = "the committee has read the papers and asks the office to explain the plan in"
    content = b"".join(
        [
            _line(56, 760, "Chairman:") + _line(130, 760, speech),
            _line(56, 748, "more detail."),
            _line(56, 736, "Aoki Ken:") + _line(130, 736, speech),
            _line(56, 724, "in writing."),
            _line(56, 712, "Chairman:") + _line(130, 712, "Thank you."),
        ]
    )
    text = read_bytes(build_pdf([content]), "speech.pdf").pages[0]
    assert "\t" not in text, text


def test_labels_centred_half_a_line_off_their_values_make_a_table() -> None:
    """No label wraps here: each sits between the two lines of its value (as a word processor
    centres a cell), half a line off both, which no single flow of text does. Rows are
    apart by the cells' padding: one-line rows set without any are read as one row."""
    wide = "counter service for the lending and return of reserved books and"
    content = b"".join(
        [
            _line(150, 760, wide),
            _line(56, 754, "Work name"),
            _line(150, 748, "records"),
            _line(150, 730, wide),
            _line(56, 724, "Purpose"),
            _line(150, 718, "discs"),
            _line(56, 700, "Contractor") + _line(150, 700, "Kakuu Library Services Ltd."),
            _line(56, 684, "Start") + _line(150, 684, "1 April"),
        ]
    )
    lines = read_bytes(build_pdf([content]), "centred.pdf").pages[0].splitlines()
    assert lines == [
        f"Work name\t{wide}records",
        f"Purpose\t{wide}discs",
        "Contractor\tKakuu Library Services Ltd.",
        "Start\t1 April",
    ], lines
