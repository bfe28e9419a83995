"""One self-contained HTML page per document: its text with every extracted value highlighted.

Every span (contractor, data item, evidence of a scalar field, report, condition,
consultation heading, attendee) becomes a `<mark data-field=... data-consultation=...>`.
Overlapping spans are split at every boundary: each piece of text carries one
`<mark>` per span covering it, nested and closed before the next piece begins, so
the HTML is always well formed. The first piece of a span has `id="s-N"`; the
other pieces carry `data-span="s-N"`. A table of records links to `#s-N`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from shingikai.warehouse import readonly

COLORS = {
    "contractor": "#ffd28a",
    "data_item": "#b9e6ff",
    "condition": "#d7c4ff",
    "report": "#c8f0c0",
    "incident": "#ff9f9f",
    "consultation": "#ffe96b",
    "attendee": "#e8e8e8",
    "title": "#fff3a8",
    "department": "#f9cfe8",
    "outcome_text": "#a8f0dc",
    "outcome": "#a8f0dc",
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


class DocumentNotFound(FileNotFoundError):
    pass


def find_document(con, ref: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """document_id and source_path for a document_id prefix or a source path (or its tail)."""
    rows = con.execute(
        "SELECT document_id, source_path FROM documents WHERE document_id LIKE ? || '%' OR source_path = ? "
        "OR source_path LIKE '%/' || ? ORDER BY source_path",
        [ref.lower(), ref, ref.lstrip("./")],
    ).fetchall()
    if not rows:
        raise DocumentNotFound(
            f"no document matches {ref!r} (give a document_id prefix or a source_path)"
        )
    if len(rows) > 1:
        listing = ", ".join(f"{d[:12]} {p}" for d, p in rows[:10])
        raise DocumentNotFound(f"{ref!r} matches {len(rows)} documents: {listing}")
    return rows[0][0], rows[0][1]


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


def highlight(text: str, spans: list[Span]) -> str:
    """The text as HTML with a nested <mark> per covering span on each piece between boundaries."""
    bounds = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
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
            if s.sid not in seen:
                seen.add(s.sid)
                attrs = f' id="{s.sid}" data-label="{html.escape(s.field)}"' + attrs
            else:
                attrs = f' data-span="{s.sid}"' + attrs
            opens.append(f"<mark{attrs}>")
            closes.append("</mark>")
        out.append("".join(opens) + piece + "".join(reversed(closes)))
    return "".join(out)


CSS = """
body{font-family:"Noto Sans CJK JP","Hiragino Sans","Yu Gothic",sans-serif;margin:2em;max-width:1100px;color:#222}
pre.doc{white-space:pre-wrap;word-break:break-all;line-height:1.9;font-family:inherit;border:1px solid #ccc;padding:1em;background:#fcfcfc}
mark{padding:0 1px;border-radius:2px;color:inherit}
mark mark{border-bottom:2px solid rgba(0,0,0,.35)}
mark[data-label]::before{content:attr(data-label);font-size:.62em;vertical-align:super;color:#555;margin-right:1px;
 background:#fff;border:1px solid #bbb;border-radius:3px;padding:0 2px}
mark:target{outline:3px solid #e33}
table{border-collapse:collapse;font-size:.85em;margin-top:1em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
.legend span{display:inline-block;padding:0 6px;margin:2px;border-radius:3px}
"""


def render(db: Path, ref: str) -> tuple[str, str, int]:
    """(html, document_id, number of highlighted spans)."""
    with readonly(Path(db)) as con:
        doc_id, source_path = find_document(con, ref)
        row = con.execute(
            "SELECT text FROM document_texts WHERE document_id = ?", [doc_id]
        ).fetchone()
        if row is None:
            status, error = con.execute(
                "SELECT status, error FROM documents WHERE document_id = ?", [doc_id]
            ).fetchall()[0]
            raise DocumentNotFound(f"{source_path} has no text (status {status}: {error})")
        text = row[0]
        meeting = con.execute(
            "SELECT municipality, body, held_on FROM meetings WHERE document_id = ?", [doc_id]
        ).fetchone()
        spans = collect_spans(con, doc_id, len(text))
    body = highlight(text, spans)
    rows = "\n".join(
        f'<tr><td><a href="#{s.sid}">{s.sid}</a></td><td>{s.table}</td><td>{html.escape(s.field)}</td>'
        f"<td>{html.escape(s.consultation)}</td><td>{html.escape(s.value)}</td>"
        f"<td>{s.start}–{s.end}</td><td>{html.escape(text[s.start : s.end][:60])}</td></tr>"
        for s in spans
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
<p>{html.escape(head)} — document <code>{doc_id[:16]}</code>, {len(spans)} highlighted values</p>
<p class="legend">{legend}</p>
<pre class="doc">{body}</pre>
<h2>Records</h2>
<table id="records"><thead><tr><th>span</th><th>table</th><th>field</th><th>consultation</th><th>value</th><th>chars</th><th>text</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""
    return page, doc_id, len(spans)


def show(db: Path, ref: str, out: Path | None = None) -> tuple[Path, int]:
    page, doc_id, n = render(db, ref)
    out = Path(out) if out else Path(f"show-{doc_id[:12]}.html")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out, n
