"""One self-contained HTML page per document: its text with every extracted value highlighted.

Every span (contractor, data item, evidence of a scalar field, report, condition,
consultation heading, attendee) becomes a `<mark data-field=... data-consultation=...>`.
Overlapping spans are split at every boundary: each piece of text carries one
`<mark>` per span covering it, nested and closed before the next piece begins, so
the HTML is always well formed. The first piece of a span has `id="s-N"`; the
other pieces carry `data-span="s-N"`. A table of records links to `#s-N`.
"""

from __future__ import annotations

import bisect
import html
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

from shingikai.discover import sha256_of
from shingikai.warehouse import readonly

SHOW_DIR = Path("data/show")  # git-ignored
DEFAULT_RAW = Path("data/raw")

# One colour per field, light enough for black text, and far apart: every two differ by at
# least 17 in CIELAB (ΔE76; 2.3 is a just noticeable difference), so a legend entry and a mark
# are matched at a glance. Before, nine header fields fell to one default colour, and
# outcome and outcome_text shared one. tests/shingikai/test_search_show.py measures it.
COLORS = {
    "consultation": "#ffe14d",
    "title": "#fff6b0",
    "department": "#f7b6d9",
    "outcome": "#7fe0c0",
    "outcome_text": "#c2f5e6",
    "contractor": "#ffb066",
    "data_item": "#8fd0ff",
    "condition": "#c9a8ff",
    "report": "#a9e08a",
    "incident": "#ff7b7b",
    "attendee": "#d0d0d0",
    "municipality": "#80f880",
    "body": "#f8b098",
    "held_on": "#b0c898",
    "start_time": "#f898e0",
    "end_time": "#e0f880",
    "place": "#80f8b0",
    "observers": "#b0b0e0",
    "session": "#c8b080",
    "term": "#80c8c8",
    "fiscal_year": "#80f8f8",
    "vote": "#f8c8c8",
    "dissent": "#f8e0f8",
}


@dataclass
class Span:
    sid: str
    start: int
    end: int
    field: str
    table: str
    record_id: str
    consultation: str
    value: str
    corrected: str = ""  # a researcher's correction of this value: what, by whom (see corrections)


class DocumentNotFound(FileNotFoundError):
    pass


def find_document(con, ref: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """document_id and source_path for a document_id prefix, a source_path, or a path to the file.

    A path as it was given to ingest (`data/raw/samples/x.txt`, recorded as `samples/x.txt`)
    matches by its ending, and an existing file by its bytes (the document_id is their sha256).
    """
    tail = ref.removeprefix("./")
    digest = sha256_of(Path(ref)) if Path(ref).is_file() else ""
    rows = con.execute(
        "SELECT document_id, source_path FROM documents WHERE document_id = ? "
        "OR starts_with(document_id, ?) OR source_path = ? "
        "OR ends_with(source_path, '/' || ?) OR ends_with(?, '/' || source_path) ORDER BY source_path",
        [digest, ref.lower(), tail, tail, tail],
    ).fetchall()
    exact = [r for r in rows if r[0] == digest or r[1] == tail]
    rows = exact or rows
    if not rows:
        raise DocumentNotFound(
            f"no document matches {ref!r} (give a document_id prefix, a source_path, or the file)"
        )
    if len(rows) > 1:
        listing = ", ".join(f"{d[:12]} {p}" for d, p in rows[:10])
        raise DocumentNotFound(f"{ref!r} matches {len(rows)} documents: {listing}")
    return rows[0][0], rows[0][1]


def source_link(con, doc_id: str, source_path: str, ref: str) -> str | None:  # type: ignore[no-untyped-def]
    """Where the source file can be opened: the file given, a place ingest found it
    (document_locations: absolute, so from any folder), a local file with the same bytes, or
    its URL."""
    url = con.execute("SELECT source_url FROM documents WHERE document_id = ?", [doc_id]).fetchone()
    found = con.execute(
        "SELECT root, path FROM document_locations WHERE document_id = ? ORDER BY root, path",
        [doc_id],
    ).fetchall()
    located = [Path(root) / path for root, path in found]
    for candidate in (Path(ref), *located, Path(source_path), DEFAULT_RAW / source_path):
        if candidate.is_file() and sha256_of(candidate) == doc_id:
            return candidate.resolve().as_uri()
    return url[0] if url and url[0] else None


def copies(con, doc_id: str) -> list[tuple[str, str, str | None, bool]]:  # type: ignore[no-untyped-def]
    """(document_id, source_path, file_type, counted) of every file recording the same meeting."""
    return con.execute(
        "SELECT d.document_id, d.source_path, d.file_type, d.duplicate_of IS NULL FROM documents AS d "
        "JOIN documents AS me ON me.meeting_key = d.meeting_key "
        "WHERE me.document_id = ? ORDER BY d.duplicate_of NULLS FIRST, d.source_path",
        [doc_id],
    ).fetchall()


# ---- history across documents (issue 21) ----------------------------------------------------


def history(con, doc_id: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    """For each consultation of the document, every event of its 諮問's history: (consultation_id,
    number_text, title, link_candidates, seq, held_on, stage, outcome, document_id, source_path)."""
    return con.execute(
        "SELECT me.consultation_id, me.number_text, me.title, me.link_candidates, h.seq, "
        "h.held_on, h.stage, h.outcome, h.document_id, h.source_path "
        "FROM consultations AS me JOIN consultation_history AS h "
        "ON h.consultation_key = coalesce(me.consultation_key, me.consultation_id) "
        "WHERE me.document_id = ? ORDER BY me.start_char, me.consultation_id, h.seq",
        [doc_id],
    ).fetchall()


def history_html(rows: list[tuple], doc_id: str) -> str:
    """A list per consultation of the documents of its history, each linked to its own page
    (`shingikai show` writes <document_id prefix>.html side by side in data/show/)."""
    blocks = []
    for cid, group in groupby(rows, key=lambda r: r[0]):
        events = list(group)
        _, number, title, candidates = events[0][:4]
        review = (
            f" — fits {len(candidates)} earlier 諮問 equally, linked to none "
            "(view consultation_links_to_review)"
            if candidates
            else ""
        )
        items = []
        for *_, held_on, stage, outcome, other, path in events:
            name = html.escape(path)
            here = other == doc_id
            link = f"{name} — this page" if here else f'<a href="{other[:12]}.html">{name}</a>'
            items.append(
                f"<li>{held_on or '?'} {html.escape(stage)} ({html.escape(outcome)}): {link}</li>"
            )
        blocks.append(
            f'<li data-history="{html.escape(cid)}">{html.escape(number or "")} '
            f"{html.escape(title or '')}{review}<ol>{''.join(items)}</ol></li>"
        )
    if not blocks:
        return ""
    return (
        '<div class="history"><h2>History of each 諮問</h2><p>Documents recording the same '
        "諮問 (consultations.consultation_key), in date order; the others' pages are made with "
        "<code>shingikai show &lt;document_id prefix&gt;</code>.</p>"
        f"<ul>{''.join(blocks)}</ul></div>"
    )


# ---- end history


def page_of(page_starts: list[int], offset: int) -> int:
    """1-based page holding `offset`."""
    return max(1, bisect.bisect_right(page_starts, offset))


def collect_spans(con, doc_id: str, n: int) -> list[Span]:  # type: ignore[no-untyped-def]
    q = """
    SELECT * FROM (
      SELECT start_char, end_char, 'consultation', 'consultations', consultation_id, consultation_id,
             coalesce(number_text, '') || ' ' || coalesce(title, '') FROM consultations WHERE document_id = $d
      UNION ALL
      SELECT start_char, end_char, 'contractor', 'contractors', consultation_id, consultation_id,
             name_normalized || ' (' || kind || ')' FROM contractors WHERE document_id = $d
      UNION ALL
      SELECT start_char, end_char, 'data_item', 'data_items', consultation_id, consultation_id,
             item_normalized || ' [' || category || ']' FROM data_items WHERE document_id = $d
      UNION ALL
      SELECT e.start_char, e.end_char, e.field, e.record_table, e.record_id,
             CASE WHEN e.record_table = 'consultations' THEN e.record_id ELSE '' END, coalesce(e.value, '')
      FROM evidence AS e WHERE e.document_id = $d
      UNION ALL
      SELECT start_char, end_char, 'condition', 'consultation_conditions', consultation_id, consultation_id, text
      FROM consultation_conditions WHERE document_id = $d
      UNION ALL
      SELECT start_char, end_char, CASE WHEN is_incident THEN 'incident' ELSE 'report' END, 'reports', report_id, '',
             title FROM reports WHERE document_id = $d
      UNION ALL
      SELECT start_char, end_char, 'attendee', 'attendees', name, '',
             name || coalesce(' ' || role, '') || CASE WHEN present THEN '' ELSE ' (欠席)' END
      FROM attendees WHERE document_id = $d
    ) ORDER BY 1, 2 DESC
    """
    spans = []
    for i, (s, e, fld, table, rid, cid, value) in enumerate(
        con.execute(q, {"d": doc_id}).fetchall()
    ):
        s, e = max(0, int(s)), min(n, int(e))
        if e <= s:
            continue
        spans.append(Span(f"s-{i + 1}", s, e, fld, table, rid or "", cid or "", value or ""))
    return spans


def highlight(text: str, spans: list[Span], page_starts: list[int] | None = None) -> str:
    """The text as HTML with a nested <mark> per covering span on each piece between boundaries.

    With `page_starts` (more than one page), a marker `<span class="page" id="p-N">` opens
    each page.
    """
    pages = {
        start: i + 1 for i, start in enumerate(page_starts or []) if len(page_starts or []) > 1
    }
    cuts = {0, len(text), *(s.start for s in spans), *(s.end for s in spans), *pages}
    bounds = sorted(b for b in cuts if 0 <= b <= len(text))
    # outer (longer) spans first so nesting is stable
    ordered = sorted(spans, key=lambda s: (s.start, -s.end, s.sid))
    seen: set[str] = set()
    out = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        piece = html.escape(text[a:b])
        covering = [s for s in ordered if s.start <= a and b <= s.end]
        opens, closes = [], []
        for s in covering:
            attrs = (
                f' data-field="{html.escape(s.field)}" data-table="{s.table}"'
                f' data-consultation="{html.escape(s.consultation)}" data-record="{html.escape(s.record_id)}"'
                f' title="{html.escape(s.field + ": " + s.value)}"'
                f' style="background:{COLORS.get(s.field, "#ffe0b3")}"'
            )
            if s.corrected:
                attrs += f' data-corrected="{html.escape(s.corrected)}" class="corrected"'
            if s.sid not in seen:
                seen.add(s.sid)
                attrs = f' id="{s.sid}" data-label="{html.escape(s.field)}"' + attrs
            else:
                attrs = f' data-span="{s.sid}"' + attrs
            opens.append(f"<mark{attrs}>")
            closes.append("</mark>")
        marker = f'<span class="page" id="p-{pages[a]}">p. {pages[a]}</span>' if a in pages else ""
        out.append(marker + "".join(opens) + piece + "".join(reversed(closes)))
    return "".join(out)


CSS = """
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2em;max-width:1100px;color:#222}
pre.doc{white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.9;font-family:inherit;border:1px solid #ccc;padding:1em;background:#fcfcfc}
mark{padding:0 1px;border-radius:2px;color:inherit}
mark mark{border-bottom:2px solid rgba(0,0,0,.35)}
mark[data-label]::before{content:attr(data-label);font-size:.62em;vertical-align:super;color:#555;margin-right:1px;
 background:#fff;border:1px solid #bbb;border-radius:3px;padding:0 2px;white-space:nowrap}
mark:target{outline:3px solid #e33}
table{border-collapse:collapse;font-size:.85em;margin-top:1em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
.legend span{display:inline-block;padding:0 6px;margin:2px;border-radius:3px;white-space:nowrap}
mark.corrected{outline:2px dashed #c00}
span.page{display:block;text-align:right;color:#777;font-size:.8em;border-top:1px dashed #bbb;margin-top:.5em}
"""


def render(db: Path, ref: str) -> tuple[str, str, int]:
    """(html, document_id, number of highlighted spans)."""
    with readonly(Path(db)) as con:
        doc_id, source_path = find_document(con, ref)
        row = con.execute(
            "SELECT text, page_starts FROM document_texts WHERE document_id = ?", [doc_id]
        ).fetchone()
        if row is None:
            status, error = con.execute(
                "SELECT status, error FROM documents WHERE document_id = ?", [doc_id]
            ).fetchall()[0]
            raise DocumentNotFound(f"{source_path} has no text (status {status}: {error})")
        text, page_starts = row[0], list(row[1] or [0])
        link = source_link(con, doc_id, source_path, ref)
        others = copies(con, doc_id)
        meeting = con.execute(
            "SELECT municipality, body, held_on FROM meetings WHERE document_id = ?", [doc_id]
        ).fetchone()
        spans = collect_spans(con, doc_id, len(text))
        corrections = mark_corrected(con, doc_id, spans, text)
        histories_html = history_html(history(con, doc_id), doc_id)  # issue 21
    body = highlight(text, spans, page_starts)
    rows = "\n".join(
        f'<tr><td><a href="#{s.sid}">{s.sid}</a></td><td>{s.table}</td><td>{html.escape(s.field)}</td>'
        f"<td>{html.escape(s.consultation)}</td><td>{html.escape(s.value)}"
        f"{'<br>✎ ' + html.escape(s.corrected) if s.corrected else ''}</td>"
        f"<td>{s.start}–{s.end}</td><td>{page_of(page_starts, s.start)}</td>"
        f"<td>{html.escape(text[s.start : s.end][:60])}</td></tr>"
        for s in spans
    )
    source_html = (
        f'source file: <a href="{html.escape(link)}">{html.escape(source_path)}</a>'
        if link
        else f"source file {html.escape(source_path)} is not on this machine"
    )
    copies_html = ""
    if len(others) > 1:
        items = "".join(
            f"<li><code>{d[:12]}</code> {html.escape(p)} ({html.escape(t or '?')})"
            f"{' — counted in the views' if counted else ''}{' — this page' if d == doc_id else ''}</li>"
            for d, p, t, counted in others
        )
        copies_html = (
            f'<div class="copies">{len(others)} files record this meeting:<ul>{items}</ul></div>'
        )
    fields = sorted({s.field for s in spans})
    legend = " ".join(
        f'<span style="background:{COLORS.get(f, "#ffe0b3")}">{html.escape(f)}</span>'
        for f in fields
    )
    head = " ".join(str(x) for x in (meeting or ()) if x is not None)
    page = f"""<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>{html.escape(source_path)}</title><style>{CSS}</style></head>
<body data-document="{doc_id}">
<h1>{html.escape(source_path)}</h1>
<p>{html.escape(head)} — document <code>{doc_id[:16]}</code>, {len(page_starts)} page(s), {len(spans)} highlighted values</p>
<p class="source">{source_html}</p>
{copies_html}
{histories_html}
<p class="legend">{legend}</p>
<pre class="doc">{body}</pre>
<h2>Records</h2>
<table id="records"><thead><tr><th>span</th><th>table</th><th>field</th><th>consultation</th><th>value</th><th>chars</th><th>page</th><th>text</th></tr></thead>
<tbody>
{rows}
</tbody></table>
{corrections_table(corrections)}
</body></html>
"""
    return page, doc_id, len(spans)


# ---- researchers' corrections (shingikai/corrections.py): marked on the values they changed


def mark_corrected(con, doc_id: str, spans: list[Span], text: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Mark each span whose value a researcher corrected; return the document's corrections.

    A scalar's evidence span is the one for its record and field; a contractor or data item
    added by a correction is the span of that name in its consultation."""
    if not con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'corrections' "
        "AND database_name = current_database()"
    ).fetchone()[0]:
        return []  # a warehouse from before corrections
    rows = con.execute(
        "SELECT place, action, value, extracted_value, status, corrected_by, corrected_at, why, "
        "record_table, record_id, note FROM corrections WHERE document_id = ? ORDER BY corrected_at",
        [doc_id],
    ).fetchall()
    for place, action, value, extracted, status, by, at, _, table, rid, _ in rows:
        if status != "applied" or table is None:
            continue
        column = place.rpartition(".")[2]
        note = f"{action} {value} by {by} {at:%Y-%m-%d} (extracted: {extracted})"
        for s in spans:
            if s.table != table or s.record_id != rid:
                continue
            if table in ("contractors", "data_items"):
                added = action in ("add", "confirm") and _same_text(text[s.start : s.end], value)
                if added:
                    s.corrected = note
            elif s.field == column:
                s.corrected = note
    return rows


def _same_text(written: str, value_json: str) -> bool:
    import json
    import re

    value = json.loads(value_json)
    names = value if isinstance(value, list) else [value]
    squeeze = lambda v: re.sub(r"\s+", "", str(v))  # noqa: E731
    return squeeze(written) in {squeeze(n) for n in names}


def corrections_table(rows: list[tuple]) -> str:
    """The document's corrections: each value, what it replaced, its status, who, when, why."""
    if not rows:
        return ""
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(v))}</td>"
            for v in (
                place,
                action,
                value,
                extracted,
                status,
                by,
                f"{at:%Y-%m-%d %H:%M}",
                why,
                note,
            )
        )
        + "</tr>"
        for place, action, value, extracted, status, by, at, why, _, _, note in rows
    )
    return (
        '<h2>Corrections</h2>\n<table id="corrections"><thead><tr><th>place</th><th>action</th>'
        "<th>value</th><th>extracted</th><th>status</th><th>by</th><th>at</th><th>why</th>"
        f"<th>note</th></tr></thead>\n<tbody>\n{body}\n</tbody></table>"
    )


# ---- end of researchers' corrections


def show(db: Path, ref: str, out: Path | None = None) -> tuple[Path, int]:
    """Write the page to `out` (default data/show/<document_id prefix>.html, which git ignores)."""
    page, doc_id, n = render(db, ref)
    out = Path(out) if out else SHOW_DIR / f"{doc_id[:12]}.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out, n
