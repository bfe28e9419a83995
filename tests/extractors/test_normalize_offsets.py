"""normalize(): Japanese cases, and the offset map back to the raw text for every case."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from itertools import pairwise

import pytest

from extractors.normalize import NormalizedText, normalize

# a paragraph hard-wrapped at 24 characters over 10+ lines, no line ending a sentence
PARAGRAPH = (
    "本審議会は、市が保有する個人情報の適正な取扱いを確保するため、実施機関からの諮問に応じて調査審議を行うものであり、"
    "委託先における安全管理措置の内容、再委託の有無、記録媒体の管理方法、従事者への研修の実施状況及び契約終了後のデータの消去方法について、"
    "所管課から詳細な説明を受けたうえで、委員の間で意見を交わし、必要に応じて条件を付して承認する運用としているところであるが、"
    "近年は電子計算組織の結合に係る案件が増加しており、その審議の在り方についても改めて検討していく必要があると考えられるとの意見があった"
)
WIDTH = 24
WRAPPED = [PARAGRAPH[i : i + WIDTH] for i in range(0, len(PARAGRAPH), WIDTH)]
assert len(WRAPPED) >= 10 and not any(ln.endswith("。") for ln in WRAPPED)
WRAP_BODY = "\n".join(WRAPPED)

SPEAKER = "(会長) それでは、諮問第1号について原案のとおり承認することとします。"
BULLET = "(委員) 委託先の選定方法について伺います。"

HEADER = "桐ヶ谷区情報公開・個人情報保護審議会 会議録"
PAGE_BODIES = [
    [
        "(会長) ただいまから審議会を開会いたします。",
        "(税務課長) 資料1に基づき説明いたします。",
        "(委員) 委託先はどのように選ぶのですか。",
        "(税務課長) 指名競争入札により選定いたします。",
    ],
    [
        "(委員) 作業はどこで行うのですか。",
        "(税務課長) 本庁舎の専用作業室で行います。",
        "(会長) ほかにご意見はございませんか。",
        "(委員) 特にありません。",
    ],
    [
        "(会長) 諮問第14号は原案のとおり承認といたします。",
        "(子ども家庭支援課長) 資料2をご覧ください。",
        "(委員) 事由まで伝える必要があるのですか。",
        "(子ども家庭支援課長) 区分にとどめます。",
    ],
    [
        "(会長) 意見を付して承認といたします。",
        "(中央図書館長) 資料3に基づき説明いたします。",
        "(委員) 何人分の情報ですか。",
        "(会長) 以上で閉会いたします。",
    ],
]
FURNISHED_PAGES = [
    "\n".join([HEADER, *body, f"- {n} -"]) for n, body in enumerate(PAGE_BODIES, start=1)
]
# the first page's copy of the header is kept: on page 1 it is the document's title
FURNISHED_TEXT = HEADER + "\n" + "\n".join(line for body in PAGE_BODIES for line in body)
FURNISHED_HEADS = (HEADER,) + tuple(body[0] for body in PAGE_BODIES[1:])

# the same content as full-width text with a full-width footer (as pdfplumber returns it)
FULLWIDTH_PAGES = [
    "\n".join(
        [
            HEADER,
            *[
                ln.translate(str.maketrans("()0123456789", "（）０１２３４５６７８９"))
                for ln in body
            ],
            f"－ {n} －",
        ]
    )
    for n, body in enumerate(PAGE_BODIES, start=1)
]


@dataclass
class Case:
    id: str
    pages: list[str]
    file_type: str = "text"
    want: str | None = None  # the whole normalised text
    contains: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()  # lines that must be whole lines of the output
    page_heads: tuple[str, ...] = ()  # what each page's content starts with


CASES = [
    Case("spaced-era", ["会議は平 成 25年に開かれた。"], want="会議は平成25年に開かれた。"),
    Case(
        "spaced-shimon-number",
        ["諮問第 23 号について審議した。"],
        want="諮問第23号について審議した。",
    ),
    Case(
        "spaced-label",
        ["会 議 の 名 称\t個人情報保護審議会"],
        want="会議の名称\t個人情報保護審議会",
    ),
    Case("spaced-latin", ["委託先はA G S株式会社である。"], want="委託先はAGS株式会社である。"),
    Case(
        "fullwidth-digits",
        ["令和２年４月１日から１２名が出席した。"],
        want="令和2年4月1日から12名が出席した。",
    ),
    Case(
        "fullwidth-latin",
        ["委託先はＴＳＫデータサービス株式会社"],
        want="委託先はTSKデータサービス株式会社",
    ),
    Case(
        "kabu",
        ["委託先は㈱みらい情報システムとする。"],
        want="委託先は(株)みらい情報システムとする。",
    ),
    Case("hard-wrap", [WRAP_BODY], want=PARAGRAPH),
    Case("hard-wrap-crlf", [WRAP_BODY.replace("\n", "\r\n")], want=PARAGRAPH),
    Case(
        "speaker-after-wrap",
        [WRAP_BODY + "\n" + SPEAKER],
        want=PARAGRAPH + "\n" + SPEAKER,
        lines=(SPEAKER,),
    ),
    Case(
        "speaker-fullwidth-paren",
        [WRAP_BODY + "\n（会長）　異議なしと認めます。"],
        lines=("(会長) 異議なしと認めます。",),
        contains=(PARAGRAPH,),
    ),
    Case(
        "markdown-bullet",
        [WRAP_BODY + "\n- " + BULLET],
        file_type="markdown",
        want=PARAGRAPH + "\n" + BULLET,
        lines=(BULLET,),
    ),
    Case(
        "page-furniture",
        FURNISHED_PAGES,
        want=FURNISHED_TEXT,
        absent=("- 1 -", "- 3 -"),
        page_heads=FURNISHED_HEADS,
    ),
    Case(
        "page-furniture-fullwidth",
        FULLWIDTH_PAGES,
        want=FURNISHED_TEXT,
        absent=("- 2 -",),
        page_heads=FURNISHED_HEADS,
    ),
    Case("empty", [""], want=""),
    Case("empty-pages", ["", ""], want=""),
    Case("whitespace-only", ["  \n\t \u3000\n\r\n "], want=""),
]


def _check_offsets(case_id: str, nt: NormalizedText, pages: list[str]) -> None:
    assert nt.raw_text == "\f".join(pages), (
        f"{case_id}: raw_text is not the pages joined by form feeds"
    )
    assert len(nt.raw_offsets) == len(nt.text), (
        f"{case_id}: {len(nt.raw_offsets)} offsets for {len(nt.text)} characters"
    )
    for i, ch in enumerate(nt.text):
        if ch.isspace():
            continue
        r = nt.raw_offsets[i]
        assert 0 <= r < len(nt.raw_text), (
            f"{case_id}: text[{i}]={ch!r} maps to {r}, outside the raw text"
        )
        source = unicodedata.normalize("NFKC", nt.raw_text[r])
        assert ch in source, (
            f"{case_id}: text[{i}]={ch!r} maps to raw[{r}]={nt.raw_text[r]!r}; "
            f"text …{nt.text[max(0, i - 8) : i + 8]!r}… raw …{nt.raw_text[max(0, r - 8) : r + 8]!r}…"
        )
    nonspace = [nt.raw_offsets[i] for i, ch in enumerate(nt.text) if not ch.isspace()]
    assert nonspace == sorted(nonspace), f"{case_id}: raw offsets of the text go backwards"


def _check_pages(case: Case, nt: NormalizedText) -> None:
    starts = nt.page_starts
    assert starts and starts[0] == 0, f"{case.id}: page_starts {starts} must begin at 0"
    assert len(starts) == len(case.pages), (
        f"{case.id}: {len(starts)} page starts for {len(case.pages)} pages"
    )
    assert all(a <= b for a, b in pairwise(starts)), f"{case.id}: page_starts {starts} go backwards"
    assert all(0 <= s <= len(nt.text) for s in starts), (
        f"{case.id}: page_starts {starts} outside the text"
    )
    if nt.text:
        raw_page_starts = [0]
        for p in case.pages[:-1]:
            raw_page_starts.append(raw_page_starts[-1] + len(p) + 1)
        for k, s in enumerate(starts):
            if s < len(nt.text):
                page_of_char = sum(1 for rs in raw_page_starts if rs <= nt.raw_offsets[s])
                assert page_of_char == k + 1, (
                    f"{case.id}: page {k + 1} starts at text[{s}]={nt.text[s]!r}, which comes from raw page {page_of_char}"
                )
    if case.page_heads:
        assert all(a < b for a, b in pairwise(starts)), (
            f"{case.id}: page_starts {starts} not strictly increasing"
        )
        for k, head in enumerate(case.page_heads):
            got = nt.text[starts[k] : starts[k] + len(head)]
            assert got == head, f"{case.id}: page {k + 1} starts with {got!r}, want {head!r}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_normalize_case(case: Case) -> None:
    nt = normalize(case.pages, file_type=case.file_type)
    if case.want is not None:
        assert nt.text == case.want, f"{case.id}: got {nt.text!r}, want {case.want!r}"
    for s in case.contains:
        assert s in nt.text, f"{case.id}: {s!r} missing from {nt.text!r}"
    for s in case.absent:
        assert s not in nt.text, f"{case.id}: {s!r} left in {nt.text!r}"
    text_lines = nt.text.split("\n")
    for line in case.lines:
        assert line in text_lines, (
            f"{case.id}: {line!r} is not a line of its own: {text_lines[-3:]!r}"
        )
    assert len(nt.bad_glyphs) == len(case.pages), (
        f"{case.id}: bad_glyphs {nt.bad_glyphs} for {len(case.pages)} pages"
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_offsets_map_back(case: Case) -> None:
    nt = normalize(case.pages, file_type=case.file_type)
    _check_offsets(case.id, nt, case.pages)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_page_starts(case: Case) -> None:
    nt = normalize(case.pages, file_type=case.file_type)
    _check_pages(case, nt)


def test_speaker_line_never_joined_even_at_wrap_width() -> None:
    """A `(会長)` line after a full-width line that does not end a sentence starts its own line."""
    for label in ("(会長)", "(委員)", "（事務局）", "(税務課長)"):
        nt = normalize([WRAP_BODY + "\n" + label + " 質問はございますか。"])
        assert nt.text.split("\n")[-1].startswith(unicodedata.normalize("NFKC", label)), (
            f"{label}: joined: {nt.text[-60:]!r}"
        )


def test_content_line_repeated_at_page_edges_is_kept() -> None:
    """A real line that happens to recur at the edge of several pages is not furniture when it differs in place."""
    bodies = [list(b) for b in PAGE_BODIES]
    for b in (
        bodies[0],
        bodies[2],
    ):  # 2 of 4 pages: under half, unlike the running header on every page
        b.append("(「異議なし」の声あり)")
    pages = ["\n".join([HEADER, *b, f"- {n} -"]) for n, b in enumerate(bodies, start=1)]
    nt = normalize(pages)
    assert nt.text.count("(「異議なし」の声あり)") == 2, (
        f"a spoken line recurring at the foot of 2 of 4 pages was removed as page furniture: {nt.text!r}"
    )


def test_bad_glyphs_counted_and_dropped() -> None:
    nt = normalize(["委託先は(cid:123)株式会社", "氏名\x00住所"])
    assert "(cid:" not in nt.text and "\x00" not in nt.text, nt.text
    assert nt.bad_glyphs == [1, 1], nt.bad_glyphs
    _check_offsets("bad-glyphs", nt, ["委託先は(cid:123)株式会社", "氏名\x00住所"])


@pytest.mark.parametrize(
    "raw, file_type",
    [
        ("第1回審議会議事録\n- とき 令和4年5月26日\n- ところ 第1会議室\n", "markdown"),
        (
            "<p>第1回審議会議事録</p><ul><li>とき 令和4年5月26日</li><li>ところ 第1会議室</li></ul>",
            "html",
        ),
    ],
)
def test_a_list_item_starting_with_hiragana_stays_its_own_line(raw: str, file_type: str) -> None:
    text = normalize([raw], file_type=file_type).text
    assert "\nとき 令和4年5月26日" in text and "\nところ 第1会議室" in text
