"""One document from bytes to records: read, normalise, find the structure, extract.

Everything here is pure: no database, no Prefect. `extract_bytes` never raises
for a bad file; it returns a `documents` row whose status and error say what
went wrong.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from datetime import UTC, datetime
from typing import Any

from extractors import (
    agenda,
    decisions,
    departments,
    extractor_version,
    header,
    items,
    parties,
    sheets,
    speech,
)
from extractors.agenda import Item
from extractors.normalize import NormalizedText, normalize
from extractors.reading import Limits, RawDocument, ReadError, read_bytes
from models.canon import canonical_item
from models.phrases import category_words
from models.records import (
    Attendee,
    Condition,
    Consultation,
    Contractor,
    DataItem,
    Document,
    DocumentText,
    Evidence,
    Extraction,
    Meeting,
    Page,
    Report,
    Utterance,
)
from models.vocab import Category, DocKind, Status

_INCIDENT = re.compile(
    r"紛失|漏えい|漏洩|流出|誤送付|誤送信|誤交付|誤配|盗難|事故|誤って|不正アクセス|誤廃棄"
)
_ENDS_SECTION = re.compile(r"^(?:\(\d+\)\s*|\d+\s*)?(その他|閉会|次回|以上)\s*$", re.M)


def document_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def extract_bytes(
    data: bytes, source_path: str, *, limits: Limits | None = None, source_url: str | None = None
) -> Extraction:
    """Extract one document from its raw bytes; a bad file gives a documents row with its status."""
    doc_id = document_id_of(data)
    base: dict[str, Any] = dict(
        document_id=doc_id,
        source_path=source_path,
        extractor_version=extractor_version(),
        ingested_at=datetime.now(UTC).replace(tzinfo=None),
        size_bytes=len(data),
        source_url=source_url,
    )
    try:
        raw = read_bytes(data, source_path, limits)
    except ReadError as err:
        return Extraction(
            Document(
                file_type=err.file_type,
                encoding=err.encoding,
                status=err.status,
                error=err.reason,
                doc_kind=None,
                municipality=None,
                n_pages=None,
                n_chars=None,
                **base,
            )
        )
    return extract_raw(raw, base)


def extract_raw(raw: RawDocument, base: dict[str, Any]) -> Extraction:
    norm = normalize(raw.pages, file_type=raw.file_type)
    text = norm.text
    doc_id = base["document_id"]
    warnings = list(raw.warnings)
    for number, count in enumerate(norm.bad_glyphs, start=1):
        if count:
            warnings.append(
                f"page {number}: {count} glyphs without a Unicode mapping were dropped ((cid:N) or NUL); check that page"
            )
    if not text.strip():
        return Extraction(
            Document(
                file_type=raw.file_type,
                encoding=raw.encoding,
                status=Status.NEEDS_OCR,
                error="no readable text after removing unmapped glyphs: run OCR and ingest the result",
                doc_kind=None,
                municipality=None,
                n_pages=len(raw.pages),
                n_chars=0,
                warnings=warnings,
                **base,
            )
        )
    proceedings = agenda.proceedings_start(text)
    turns = speech.turns(text, proceedings) if proceedings < len(text) else []
    kind = header.doc_kind(text, len(turns))
    hdr = header.extract_header(text, kind)
    out = Extraction(
        Document(
            file_type=raw.file_type,
            encoding=raw.encoding,
            status=Status.OK,
            error=None,
            doc_kind=kind,
            municipality=hdr.municipality,
            n_pages=len(raw.pages),
            n_chars=len(text),
            warnings=warnings,
            **base,
        ),
        DocumentText(doc_id, text, norm.page_starts, norm.raw_text, norm.raw_offsets),
    )
    out.pages = _pages(doc_id, norm, raw)
    out.meeting = Meeting(
        doc_id,
        hdr.municipality,
        hdr.body,
        hdr.term,
        hdr.session,
        hdr.fiscal_year,
        hdr.held_on,
        hdr.start_time,
        hdr.end_time,
        hdr.place,
        hdr.observers,
    )
    for key, (s, e) in hdr.spans.items():
        out.evidence.append(Evidence(doc_id, "meetings", doc_id, key, text[s:e], s, e))
    out.attendees = [Attendee(doc_id, n, r, side, p, s, e) for n, r, side, p, s, e in hdr.attendees]
    out.utterances = [
        Utterance(doc_id, i + 1, t.speaker, t.role, text[t.start : t.end], t.start, t.end)
        for i, t in enumerate(turns)
    ]

    consults, results_by_item = agenda.consultation_items(text, kind == DocKind.TOSHIN)
    results = results_by_item
    reports = agenda.all_report_items(text, consults)
    regions = _regions(text, consults + reports, proceedings, kind)
    rows = sorted(sheets.sheet_rows(text) + sheets.pipe_rows(text), key=lambda r: r.label_start)
    blocks = _assign_sheets(text, rows, consults)
    if kind != DocKind.TOSHIN:
        regions = _cut_at_attachments(regions, rows, proceedings)
    for n, item in enumerate(consults, start=1):
        region = results.get(id(item), regions[id(item)][:2]) + (item.start,)
        _consultation(
            out, text, norm, item, n, region, blocks.get(id(item), []), kind, hdr.municipality
        )
    for n, item in enumerate(reports, start=1):
        s, e = item.title_span or (item.start, item.end)
        is_incident = bool(_INCIDENT.search(item.title or ""))
        out.reports.append(
            Report(
                f"{doc_id[:16]}-r{n:02d}",
                doc_id,
                item.title or "",
                item.department,
                is_incident,
                s,
                e,
            )
        )
    return out


def _pages(doc_id: str, norm: NormalizedText, raw: RawDocument) -> list[Page]:
    out = []
    starts = norm.page_starts + [len(norm.text)]
    for i in range(len(norm.page_starts)):
        s, e = starts[i], starts[i + 1]
        out.append(
            Page(
                doc_id,
                i + 1,
                s,
                e,
                e - s,
                (i + 1) in raw.image_only_pages,
                norm.bad_glyphs[i] if i < len(norm.bad_glyphs) else 0,
            )
        )
    return out


def _anchors(text: str, item: Item, others: list[Item], body_start: int) -> list[int]:
    """Where the proceedings return to the item: its number or its (distinguishing) title."""
    found = []
    if item.number is not None:
        for m in agenda.NUMBER_RE.finditer(text, body_start):
            if (
                agenda.number_of(m) == item.number
                and agenda.is_item_mention(text, m)
                or _decision_reference(text, m, item.number)
            ):
                found.append(m.start())
        # `諮問第9号および第10号` refers to the second by `第10号`
        for m in re.finditer(
            rf"諮問\s*第\s*\d+\s*号\s*(?:と|および|及び|、)\s*(?:諮問)?\s*第\s*({item.number})\s*号",
            text[body_start:],
        ):
            found.append(body_start + m.start())
    if item.title:
        key = _distinguishing_prefix(
            item.title, [o.title for o in others if o is not item and o.title]
        )
        pos = text.find(key, body_start)
        while pos >= 0:
            if item.title_span is None or pos != item.title_span[0]:
                found.append(_line_start(text, pos))
            pos = text.find(key, pos + 1)
    return sorted(set(found))


def _decision_reference(text: str, m: re.Match[str], number: int) -> bool:
    after = text[m.end() : m.end() + 60]
    return agenda.number_of(m) == number and bool(
        re.match(
            r"\s*(?:について|は|の採決|と諮問|および|及び|、|の説明|の審議|の質疑|に入|を議題|に係る説明)",
            after,
        )
    )


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _distinguishing_prefix(title: str, others: list[str]) -> str:
    for n in range(12, len(title) + 1):
        prefix = title[:n]
        if not any(o.startswith(prefix) for o in others):
            return prefix
    return title


def _regions(
    text: str, all_items: list[Item], body_start: int, kind: str
) -> dict[int, tuple[int, int, int]]:
    """(start, end, anchor) of each item's region: from where the proceedings take it up to the next item."""
    if kind == DocKind.TOSHIN or len(all_items) == 1 and body_start >= len(text):
        return {id(i): (0, len(text), i.start) for i in all_items}
    starts = {}
    for item in all_items:
        anchors = _anchors(text, item, all_items, body_start)
        starts[id(item)] = anchors[0] if anchors else item.start
    ordered = sorted(all_items, key=lambda i: starts[id(i)])
    out = {}
    for k, item in enumerate(ordered):
        s = starts[id(item)]
        if k == 0 and body_start < s:
            # the first item's explanation may come before the body names it
            s = body_start
        nxt = [starts[id(o)] for o in ordered[k + 1 :] if starts[id(o)] > s]
        e = nxt[0] if nxt else len(text)
        other = _ENDS_SECTION.search(text, s + 1, e)
        if other:
            e = other.start()
        out[id(item)] = (s, e, s)
    return out


def _cut_at_attachments(
    regions: dict[int, tuple[int, int, int]], rows: list[sheets.SheetRow], body_start: int
) -> dict[int, tuple[int, int, int]]:
    """Attachments (formal sheets after the proceedings) belong to no item's discussion."""
    starts = sorted(r.label_start for r in rows if r.family and r.label_start > body_start)
    out = {}
    for key, (s, e, a) in regions.items():
        cut = next((x for x in starts if s < x < e), None)
        out[key] = (s, cut if cut is not None and cut - s > 200 else e, a)
    return out


def _assign_sheets(
    text: str, rows: list[sheets.SheetRow], consults: list[Item]
) -> dict[int, list[sheets.SheetRow]]:
    """Give each block of sheet rows to the consultation whose title heads it."""
    useful = [r for r in rows if r.family]
    blocks: list[list[sheets.SheetRow]] = []
    for r in useful:
        # a family seen again starts the next sheet
        families = {x.family for x in blocks[-1]} if blocks else set()
        # a family seen again, or a title after the lists, starts the next sheet
        repeated = (r.family in families and r.family != "blanket") or (
            r.family == "title" and families - {"title", "blanket"}
        )
        if blocks and not repeated and r.label_start - blocks[-1][-1].value_end < 1500:
            blocks[-1].append(r)
        else:
            blocks.append([r])
    out: dict[int, list[sheets.SheetRow]] = {}
    if not consults:
        return out
    prev_end = 0
    for block in blocks:
        if not any(r.family in ("contractor", "items", "department") for r in block):
            continue
        # the sheet's heading: somewhere between the previous sheet and this one
        head = text[max(prev_end, block[0].label_start - 3000) : block[0].label_start]
        prev_end = block[-1].value_end
        titles = [r.value for r in block if r.family == "title"]
        best, score = None, 0.0
        for item in consults:
            if not item.title:
                continue
            s = max(
                [_similar(item.title, line) for line in head.split("\n")[-30:]]
                + [_similar(item.title, t) for t in titles]
                + [0.0]
            )
            if s > score:
                best, score = item, s
        if best is None or score < 0.6:
            if len(consults) == 1:
                best = consults[0]
            else:
                continue
        out.setdefault(id(best), []).extend(block)
    return out


def _similar(a: str, b: str) -> float:
    b = b.strip()
    if not b:
        return 0.0
    if a in b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b).ratio()


def _consultation(
    out: Extraction,
    text: str,
    norm: NormalizedText,
    item: Item,
    n: int,
    region: tuple[int, int, int],
    sheet: list[sheets.SheetRow],
    kind: str,
    municipality: str | None,
) -> None:
    doc_id = out.document.document_id
    cid = f"{doc_id[:16]}-c{n:02d}"
    start, end, _ = region
    decision = _decide(text, item, start, end, kind)
    department, dspan = item.department, item.department_span
    if department is not None and dspan is not None:
        short, offset = departments.shortest(department)
        department, dspan = short, (dspan[0] + offset, dspan[0] + offset + len(short))
    if department is None:
        for r in sheet:
            if r.family == "department":
                department, dspan = _short_department(text, r.value_start, r.value_end)
                break
    if department is None:
        # a department in brackets after the subject in the sheet (`…事務（健康福祉部…チーム）`)
        for r in sheet:
            if r.family == "title":
                _, _, department, dspan = agenda.clean_title(text, r.value_start, r.value_end)
                if department and dspan:
                    short, offset = departments.shortest(department)
                    department, dspan = short, (dspan[0] + offset, dspan[0] + offset + len(short))
                    break
    if department is None:
        department, dspan = departments.explainer(text, start, end)
    title = item.title
    categories = _categories(title or "", sheet, text)
    span = item.title_span or (item.start, item.end)
    out.consultations.append(
        Consultation(
            cid,
            doc_id,
            municipality,
            item.number,
            item.number_text,
            title,
            department,
            categories,
            decision.outcome,
            decision.outcome_text,
            decision.vote,
            decision.dissent,
            decision.has_conditions,
            item.start,
            max(item.end, span[1]),
            norm.page_of(item.start),
        )
    )
    ev = out.evidence
    if item.title_span:
        ev.append(Evidence(doc_id, "consultations", cid, "title", title or "", *item.title_span))
    if dspan:
        ev.append(Evidence(doc_id, "consultations", cid, "department", department or "", *dspan))
    if decision.span:
        ev.append(
            Evidence(doc_id, "consultations", cid, "outcome", decision.outcome, *decision.span)
        )
    for s, e in decision.condition_spans:
        out.conditions.append(Condition(cid, doc_id, text[s:e].strip(), s, e))
    _parties(out, text, cid, sheet, start, end)
    _items(out, text, cid, sheet, start, end)


def _decide(text: str, item: Item, start: int, end: int, kind: str) -> decisions.Decision:
    if kind == DocKind.TOSHIN:
        return decisions.find_decision(text, start, end, toshin=True)
    # a decision written on the line that takes the item up (○ 諮問第N号「…」について…「可」とする)
    line_end = text.find("\n", start)
    line_end = end if line_end < 0 or line_end > end else line_end
    first = decisions.find_decision(text, start, line_end)
    if first.outcome != "unknown":
        rest = decisions.find_decision(text, start, end)
        if first.has_conditions or not rest.has_conditions:
            return decisions.Decision(
                first.outcome,
                first.outcome_text,
                first.span,
                first.vote or rest.vote,
                first.dissent,
                first.has_conditions,
                first.condition_spans,
            )
        return rest
    return decisions.find_decision(text, start, end)


_DEPT_TAIL = re.compile(r"([^\s部局本]{2,20}?(?:課|室|館|係|センター|事務所|担当))$")


def _short_department(text: str, s: int, e: int) -> tuple[str | None, tuple[int, int] | None]:
    value = text[s:e].strip().split("\n")[0].strip()
    if not value:
        return None, None
    m = _DEPT_TAIL.search(value)
    short = m.group(1) if m else value.split()[-1]
    pos = text.find(short, s, e)
    return short, (pos, pos + len(short)) if pos >= 0 else None


def _categories(title: str, sheet: list[sheets.SheetRow], text: str) -> list[str]:
    found = [Category(p.value) for p in category_words() if p.pattern.search(title)]
    if (
        Category.ONLINE_LINK in found
        and Category.EXTERNAL_PROVISION not in found
        and re.search(r"提供", title)
    ):
        found.append(Category.EXTERNAL_PROVISION)
    if any(r.family == "blanket" for r in sheet) and Category.BLANKET_APPROVAL not in found:
        found.append(Category.BLANKET_APPROVAL)
    return [str(c) for c in found] or [str(Category.OTHER)]


def _parties(
    out: Extraction, text: str, cid: str, sheet: list[sheets.SheetRow], start: int, end: int
) -> None:
    doc_id = out.document.document_id
    found: list[tuple[str, int, int, str]] = []
    for r in sheet:
        if r.family == "contractor":
            found += [
                (n, s, e, "sheet")
                for n, s, e in parties.from_sheet(text, r.value_start, r.value_end)
            ]
    if not found:
        found = [
            (n, s, e, "discussion")
            for n, s, e in parties.confirmed(text, parties.from_discussion(text, start, end))
        ]
    # a name found again inside a longer mention (`みらい情報` in `株式会社 みらい情報`) is that mention
    found = [
        f
        for f in found
        if not any(o[1] <= f[1] and f[2] <= o[2] and o[2] - o[1] > f[2] - f[1] for o in found)
    ]
    seen = set()
    for name, s, e, source in found:
        normalized, kind = parties.canonical(name)
        if normalized in seen:
            continue
        seen.add(normalized)
        out.contractors.append(Contractor(cid, name, normalized, kind, s, e, doc_id, source))


def _items(
    out: Extraction, text: str, cid: str, sheet: list[sheets.SheetRow], start: int, end: int
) -> None:
    doc_id = out.document.document_id
    spans = [(r.value_start, r.value_end) for r in sheet if r.family == "items"]
    if not spans:
        spans = items.prose_lists(text, start, end)
    fallback = False
    if not spans:
        spans, fallback = items.verb_object_lists(text, start, end), True
    seen = set()
    if fallback:
        # without a labelled list, keep only lists that read mostly as personal-data items
        spans = [
            (s, e)
            for s, e in spans
            if sum(canonical_item(x).matched for x, _, _ in items.split_items(text, s, e)) >= 2
        ]
    for s, e in spans:
        for item, a, b in items.split_items(text, s, e):
            if item in seen:
                continue
            seen.add(item)
            c = canonical_item(item)
            out.data_items.append(
                DataItem(cid, item, c.item_normalized, c.category, a, b, doc_id, c.matched)
            )
