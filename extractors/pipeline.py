"""One document from bytes to records: read, normalise, find the structure, extract.

Everything here is pure: no database, no Prefect. `extract_bytes` never raises
for a bad file; it returns a `documents` row whose status and error say what
went wrong.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from extractors import (
    agenda,
    agenda_blocks,
    attachments,
    decisions,
    departments,
    extractor_version,
    header,
    items,
    parties,
    regions,
    sheets,
    speech,
)
from extractors.categories import categories, handling_rows, judged_headings
from extractors.content import content_digest
from extractors.normalize import NormalizedText, normalize
from extractors.reading import Limits, RawDocument, ReadError, read_bytes
from extractors.regions import ItemRegion
from models.canon import canonical_item
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
from models.vocab import (
    Category,
    ContractorKind,
    DocKind,
    FileType,
    Outcome,
    Side,
    SpeakerRole,
    Status,
    Vote,
)

_INCIDENT = re.compile(
    r"紛失|漏えい|漏洩|流出|誤送付|誤送信|誤交付|誤配|盗難|事故|誤って|不正アクセス|誤廃棄"
)


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
                file_type=FileType(err.file_type) if err.file_type else None,
                encoding=err.encoding,
                status=Status(err.status),
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
                file_type=FileType(raw.file_type),
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
            file_type=FileType(raw.file_type),
            encoding=raw.encoding,
            status=Status.OK,
            error=None,
            doc_kind=DocKind(kind),
            municipality=hdr.municipality,
            n_pages=len(raw.pages),
            n_chars=len(text),
            warnings=warnings,
            content_digest=content_digest(text),
            **base,
        ),
        DocumentText(doc_id, text, norm.page_starts, norm.raw_text, norm.raw_offsets),
    )
    out.pages = _pages(doc_id, norm, raw)
    out.meeting = Meeting(
        document_id=doc_id,
        municipality=hdr.municipality,
        body=hdr.body,
        term=hdr.term,
        session=hdr.session,
        fiscal_year=hdr.fiscal_year,
        held_on=hdr.held_on,
        start_time=hdr.start_time,
        end_time=hdr.end_time,
        place=hdr.place,
        observers=hdr.observers,
    )
    for key, (s, e) in hdr.spans.items():
        out.evidence.append(Evidence(doc_id, "meetings", doc_id, key, text[s:e], s, e))
    out.attendees = [
        Attendee(doc_id, n, r, Side(side), p, s, e) for n, r, side, p, s, e in hdr.attendees
    ]
    out.utterances = [
        Utterance(
            doc_id, i + 1, t.speaker, SpeakerRole(t.role), text[t.start : t.end], t.start, t.end
        )
        for i, t in enumerate(turns)
    ]

    toshin = kind == DocKind.TOSHIN
    # the agenda's lists read by shape (section labels, groups, neutral 議題 entries)
    lists = agenda_blocks.block_items(text, proceedings)
    consults, result_spans = agenda.consultation_items(text, toshin, proceedings, lists)
    reports = agenda.all_report_items(text, consults, proceedings, lists)
    rows = sheets.sheet_rows(text)
    # a table with a row per 諮問 is no one item's sheet: each row speaks for its own item
    sheet_like = [r for r in rows if not r.per_subject]
    item_regions = regions.item_regions(
        text,
        consults,
        reports,
        proceedings,
        toshin=toshin,
        rows=sheet_like,
        result_spans=result_spans,
    )
    # the lists no region was given: a table whose caption names a 諮問 (別表1 諮問第7号に係る…)
    # is that item's; any other, the item's whose own stretch of text holds it
    # departments the header gives: a keyed list of who explained, or one section in charge
    known = departments.keyed(text, consults, proceedings)
    if len(consults) == 1 and 0 not in known:
        name, span = departments.of_meeting(text, proceedings)
        if name and span:
            known[0] = (name, span)
    # captioned attachments (別表1 諮問第18号において取り扱う個人情報 …): by number, else by reference
    captioned_lists = attachments.attachments(text)
    # an attachment's own lines are read as the attachment, not as sheet rows of their own
    inside = [(a.start, a.end) for a in captioned_lists]

    def _outside(r: sheets.SheetRow) -> bool:
        return not any(s <= r.label_start <= e for s, e in inside)

    item_regions = [replace(r, sheet=[x for x in r.sheet if _outside(x)]) for r in item_regions]
    given = {r.label_start for region in item_regions for r in region.sheet}
    loose = [r for r in rows if r.label_start not in given and _outside(r)]
    for n, region in enumerate(item_regions, start=1):
        following = item_regions[n] if n < len(item_regions) else None
        shared = any(
            (o.start, o.end) == (region.start, region.end) for o in item_regions if o is not region
        )
        captioned = [r for r in loose if _caption_number(text, r.label_start) == region.item.number]
        # up to where the next item is taken up (a table the region was cut at, given to no item)
        stop = following.start if following is not None and following.start > region.end else None
        nearby = (
            []
            if shared and not region.section
            else [r for r in loose if _caption_number(text, r.label_start) is None]
        )
        start, end = region.section or (region.start, stop or region.end)
        if n - 1 in result_spans:  # a results table's row: the row's own line, its cells alone
            start, end = text.rfind("\n", 0, region.start) + 1, region.end
        else:  # a table with a row per 諮問 speaks for an item only in that item's row
            nearby = [r for r in nearby if not r.per_subject]
        own = captioned + sheets.within(nearby, start, end)
        own += [
            r
            for a in captioned_lists
            if _attachment_of(text, a, item_regions) is region
            for r in a.rows
            if not any(x.family == r.family for x in own + region.sheet)
        ]
        _consultation(
            out,
            norm,
            region,
            n,
            toshin=toshin,
            following=following,
            rows=own,
            reach=end,
            header_department=known.get(n - 1),
        )
    for n, item in enumerate(reports, start=1):
        title, title_span = _with_opening_bracket(text, item.title, item.title_span)
        s, e = title_span or (item.start, item.end)
        is_incident = bool(_INCIDENT.search(title or ""))
        out.reports.append(
            Report(
                report_id=f"{doc_id[:16]}-r{n:02d}",
                document_id=doc_id,
                title=title or "",
                department=item.department,
                is_incident=is_incident,
                start_char=s,
                end_char=e,
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


def _consultation(
    out: Extraction,
    norm: NormalizedText,
    region: ItemRegion,
    n: int,
    *,
    toshin: bool,
    following: ItemRegion | None = None,
    rows: list[sheets.SheetRow] | None = None,
    reach: int | None = None,
    header_department: tuple[str, tuple[int, int]] | None = None,
) -> None:
    """One consultation's records: the row, its evidence, conditions, contractors and items.

    `reach` is where the item's lists may still be looked for (past a region cut at a table).
    """
    text = norm.text
    doc_id = out.document.document_id
    cid = f"{doc_id[:16]}-c{n:02d}"
    item, sheet = region.item, region.sheet
    # a 答申's section of its own holds the item's department, tables and lists
    start, end = region.section or (region.start, region.end)
    decision = decisions.of_region(text, region, following, toshin=toshin)
    department, dspan = departments.of_consultation(text, item, sheet, start, end)
    if department is None and header_department:
        department, dspan = header_department
    title, title_span = _with_opening_bracket(text, item.title, item.title_span)
    span = title_span or (item.start, item.end)
    out.consultations.append(
        Consultation(
            consultation_id=cid,
            document_id=doc_id,
            municipality=out.document.municipality,
            number=item.number,
            number_text=item.number_text,
            title=title,
            department=department,
            categories=_categories(text, title, item.context, sheet, start, end, toshin=toshin),
            outcome=Outcome(decision.outcome),
            outcome_text=decision.outcome_text,
            vote=Vote(decision.vote) if decision.vote else None,
            dissent=decision.dissent,
            has_conditions=decision.has_conditions,
            start_char=item.start,
            end_char=max(item.end, span[1]),
            page=norm.page_of(item.start),
        )
    )
    evidence = [("title", title, title_span), ("department", department, dspan)]
    evidence.append(("outcome", decision.outcome, decision.span))
    for name, value, where in evidence:
        if value and where:
            out.evidence.append(Evidence(doc_id, "consultations", cid, name, value, *where))
    for s, e in decision.condition_spans:
        out.conditions.append(Condition(cid, doc_id, text[s:e].strip(), s, e))
    # items and parties: the sheet given to the item, else the tables of its own (`rows`)
    lists = sheet + [
        r
        for r in rows or []
        if r.family in ("items", "contractor") and not any(x.family == r.family for x in sheet)
    ]
    for name, s, e, source in parties.for_consultation(text, lists, start, end):
        normalized, kind = parties.canonical(name)
        out.contractors.append(
            Contractor(cid, name, normalized, ContractorKind(kind), s, e, doc_id, source)
        )
    for value, s, e in items.for_consultation(text, lists, start, max(end, reach or end)):
        c = canonical_item(value)
        out.data_items.append(
            DataItem(cid, value, c.item_normalized, c.category, s, e, doc_id, c.matched)
        )


def _with_opening_bracket(
    text: str, title: str | None, span: tuple[int, int] | None
) -> tuple[str | None, tuple[int, int] | None]:
    """A title read from just after the 「 it opens with (`「…制限」の例外事項に関する諮問` read as
    `…制限」の例外…`, its closing 」 left alone) gets its opening bracket back."""
    if not title or span is None or span[0] == 0 or text[span[0] - 1] not in "「『":
        return title, span
    if title.count("」") + title.count("』") <= title.count("「") + title.count("『"):
        return title, span
    return text[span[0] - 1] + title, (span[0] - 1, span[1])


def _categories(
    text: str,
    title: str | None,
    context: str | None,
    sheet: list[sheets.SheetRow],
    start: int,
    end: int,
    *,
    toshin: bool,
) -> list[Category]:
    """The handlings an item asks for: from its title (and a 答申's judged headings); a title
    that names none (only a 事務 or system) takes them from the heading it is listed under."""
    judged = judged_headings(text, start, end) if toshin else ""
    found = categories(title or "", sheet, "\n".join((judged, handling_rows(text, start, end))))
    if found == [Category.OTHER] and context:
        return categories(context, sheet)
    return found


def _attachment_of(
    text: str, att: attachments.Attachment, item_regions: list[ItemRegion]
) -> ItemRegion | None:
    """The consultation an attachment belongs to: the one its caption names, else the one
    item whose own text (its part of a 答申, its discussion) refers to it."""
    if att.number is not None:
        return next((r for r in item_regions if r.item.number == att.number), None)
    if len(item_regions) == 1:
        return item_regions[0]
    referring = [
        r
        for r in item_regions
        if attachments.referred(text, att.key, *(r.section or (r.start, min(r.end, att.start))))
    ]
    return referring[0] if len(referring) == 1 else None


def _caption_number(text: str, table_start: int) -> int | None:
    """The 諮問 number a table's caption (the line above it) names, if it names one."""
    line_start = text.rfind("\n", 0, max(0, text.rfind("\n", 0, table_start))) + 1
    caption = text[line_start : text.find("\n", line_start)] if line_start < table_start else ""
    m = agenda.NUMBER_RE.search(caption)
    return agenda.number_of(m) if m else None
