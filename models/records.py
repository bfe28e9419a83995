"""Typed records: one dataclass per warehouse row.

Extractors build these from text and never touch the database; the loader in
`shingikai.warehouse` is the only writer. Field names are the warehouse's column
names (see `models/schema.sql`), so `dataclasses.asdict` gives a row.

Offsets (`start_char`, `end_char`) always index `DocumentText.text` of the same
document with Python slice semantics; `text[start_char:end_char]` holds the
evidence the value was read from.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from models.vocab import (
    Category,
    ContractorKind,
    CorrectionAction,
    CorrectionStatus,
    DocKind,
    FileType,
    IncidentType,
    Outcome,
    Side,
    SpeakerRole,
    Status,
    Vote,
)


@dataclass
class Document:
    """One source file seen by ingest, readable or not.

    A file that cannot be read still gets a row: `status` says what kind of
    problem it is and `error` what a person can do about it.
    """

    document_id: str  # sha256 hex of the raw bytes
    source_path: str  # path as found under the ingest root
    file_type: FileType | None  # None when unrecognisable
    encoding: str | None  # detected text encoding (cp932, euc_jp, utf-8); None for PDF
    status: Status
    error: str | None  # what went wrong and what to do, when status is not ok
    doc_kind: DocKind | None
    municipality: str | None
    n_pages: int | None
    n_chars: int | None
    extractor_version: str
    ingested_at: datetime | None = None
    size_bytes: int | None = None
    source_url: str | None = None  # where the nightly fetch downloaded it from
    warnings: list[str] = field(default_factory=list)  # e.g. pages without text layer
    # of the text without layout or print furniture (extractors.content): equal for copies
    content_digest: str | None = None
    # set by the loader from all loaded documents (shingikai.warehouse.derive), never by extraction
    meeting_key: str | None = None  # the meeting or 答申 recorded, shared by its copies
    duplicate_of: str | None = None  # the copy that stands for the meeting, when this is another


@dataclass
class DocumentLocation:
    """Where ingest found a document's bytes: one row per file, so no location is ever lost."""

    root: str  # absolute folder given to ingest
    path: str  # below root, with / separators
    document_id: str
    source_path: str  # the short form of documents.source_path


@dataclass
class DocumentText:
    """The normalised text that every offset refers to, with its way back to the source."""

    document_id: str
    text: str
    page_starts: list[int]  # offset where each page begins; [0] for non-paginated input
    raw_text: str = ""  # the text as read (pages joined by form feeds), before normalisation
    raw_offsets: list[int] = field(default_factory=list)  # raw offset of each text char


@dataclass
class Page:
    """One page of a document (one row for non-paginated input), with quality flags."""

    document_id: str
    page: int  # 1-based
    start_char: int
    end_char: int
    n_chars: int
    image_only: bool  # no text layer on this page: OCR needed
    bad_glyphs: int  # characters without a Unicode mapping ((cid:NNN), NUL)


@dataclass
class Meeting:
    """The header of a minutes, summary or 答申: who met, when and where.

    Missing values are None: nothing is guessed.
    """

    document_id: str
    municipality: str | None
    body: str | None  # the council's name as the document gives it
    term: int | None  # 第N期
    session: int | None  # 第M回
    fiscal_year: int | None  # Western year of 年度 when sessions count per fiscal year
    held_on: date | None  # meeting date (for a 答申, the date it was issued)
    start_time: time | None
    end_time: time | None
    place: str | None
    observers: int | None  # 傍聴人 (なし = 0); None when not stated


@dataclass
class Attendee:
    """A person listed as present or absent in the header."""

    document_id: str
    name: str
    role: str | None  # 会長, 副会長, 委員, or the official's title
    side: Side
    present: bool
    start_char: int
    end_char: int


@dataclass
class Consultation:
    """A 諮問 deliberated or answered in the document (not one merely mentioned)."""

    consultation_id: str  # stable across re-runs: document id + position
    document_id: str
    municipality: str | None
    number: int | None  # N of 諮問第N号; None when the document gives none
    number_text: str | None  # as written
    title: str | None  # subject without quotes or department
    department: str | None  # 所管課, shortest form
    categories: list[Category]
    outcome: Outcome  # `unknown` when the text stops before the decision
    outcome_text: str | None  # the document's own words of the decision
    vote: Vote | None  # None when the document does not say
    dissent: int | None  # members against, when stated
    has_conditions: bool  # requests, conditions or 付帯意見 attached to the answer
    start_char: int
    end_char: int
    page: int | None  # 1-based page where the consultation starts
    # ---- history across documents (issue 21): set by the loader (shingikai.warehouse.history),
    # never by extraction
    consultation_key: str | None = None  # the 諮問 this row records, shared by all its documents
    stage: str | None = None  # submitted, deliberated, deferred, answered or confirmed
    asked_on: date | None = None  # date of the 諮問, when an answer states it
    link_candidates: list[str] | None = None  # histories that fit equally: linked to none
    # ---- end history


@dataclass
class Contractor:
    """A party receiving personal data in a consultation (委託先, 結合先, 提供先, 受託者)."""

    consultation_id: str
    name: str  # as written, NFKC
    name_normalized: str  # canonical name shared across municipalities
    kind: ContractorKind
    start_char: int
    end_char: int
    document_id: str = ""
    source: str = ""  # "sheet" (formal attachment) or "discussion"


@dataclass
class DataItem:
    """A personal-data item the consultation says it handles."""

    consultation_id: str
    item: str  # as written, NFKC
    item_normalized: str  # canonical vocabulary term (models/data/data_items.csv)
    category: str  # identity, contact, tax, family, health, usage, ...
    start_char: int
    end_char: int
    document_id: str = ""
    in_vocabulary: bool = False  # False: the vocabulary should grow (see unmapped view)


@dataclass
class Condition:
    """A request, condition or 付帯意見 the council attached to its answer."""

    consultation_id: str
    document_id: str
    text: str
    start_char: int
    end_char: int


@dataclass
class Report:
    """A 報告事項: a matter reported to the council, possibly an incident."""

    report_id: str
    document_id: str
    title: str
    department: str | None
    is_incident: bool  # loss, leak or misdelivery of personal data
    start_char: int
    end_char: int
    incident_type: IncidentType | None = None  # set by the loader from the title's words


@dataclass
class Utterance:
    """One speaker turn in minutes."""

    document_id: str
    seq: int  # 1-based order in the document
    speaker: str  # as written
    role: SpeakerRole
    text: str
    start_char: int
    end_char: int


@dataclass
class Evidence:
    """Where a scalar field was read from (meeting header, titles, outcomes)."""

    document_id: str
    record_table: str  # meetings, consultations, reports
    record_id: str  # document_id for meetings, consultation_id or report_id otherwise
    field: str
    value: str
    start_char: int
    end_char: int


# ---- researchers' corrections (shingikai/warehouse/corrections.py): rows the loader writes
@dataclass
class CorrectionApplied:
    """A researcher's correction or confirmation of one value, as the last load applied it.

    Never built by an extractor: the loader reads data/corrections/<document_id>.toml.
    """

    document_id: str
    place: str  # meeting.FIELD, consultation:KEY[.FIELD], report:KEY[.FIELD]
    action: CorrectionAction
    value: str  # JSON
    extracted_value: str  # JSON: what the extractor gave; "null" when nothing
    corrected_by: str
    corrected_at: datetime  # UTC
    why: str
    status: CorrectionStatus
    record_table: str | None
    record_id: str | None
    note: str


@dataclass
class ExtractedRows:
    """A corrected document's rows of one table as extracted, kept to re-apply corrections."""

    document_id: str
    record_table: str
    rows_json: str


# ---- end of researchers' corrections


@dataclass
class PendingLink:
    """A local government whose consultation histories a batch changed and that waits to be
    relinked (the loader's bookkeeping, `shingikai.warehouse.history`)."""

    place: str
    noted_at: datetime


@dataclass
class Extraction:
    """Everything extracted from one document; what `shingikai extract --json` prints."""

    document: Document
    text: DocumentText | None = None
    pages: list[Page] = field(default_factory=list)
    meeting: Meeting | None = None
    attendees: list[Attendee] = field(default_factory=list)
    consultations: list[Consultation] = field(default_factory=list)
    contractors: list[Contractor] = field(default_factory=list)
    data_items: list[DataItem] = field(default_factory=list)
    conditions: list[Condition] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    utterances: list[Utterance] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)

    def table_rows(self) -> dict[str, list[dict[str, Any]]]:
        """Rows per warehouse table, ready for a DataFrame."""
        rows: dict[str, list[dict[str, Any]]] = {"documents": [row(self.document)]}
        if self.text is not None:
            rows["document_texts"] = [row(self.text)]
        rows["document_pages"] = [row(p) for p in self.pages]
        rows["meetings"] = [row(self.meeting)] if self.meeting else []
        for name in TABLE_ATTRS:
            rows[name] = [row(r) for r in getattr(self, TABLE_ATTRS[name])]
        return rows


# warehouse table -> Extraction attribute, for list-valued tables
TABLE_ATTRS = {
    "attendees": "attendees",
    "consultations": "consultations",
    "contractors": "contractors",
    "data_items": "data_items",
    "consultation_conditions": "conditions",
    "reports": "reports",
    "utterances": "utterances",
    "evidence": "evidence",
}

# warehouse table -> record type; the contract test checks these against the DDL
TABLE_RECORDS: dict[str, type] = {
    "documents": Document,
    "document_locations": DocumentLocation,
    "document_texts": DocumentText,
    "document_pages": Page,
    "meetings": Meeting,
    "attendees": Attendee,
    "consultations": Consultation,
    "contractors": Contractor,
    "data_items": DataItem,
    "consultation_conditions": Condition,
    "reports": Report,
    "utterances": Utterance,
    "evidence": Evidence,
    "corrections": CorrectionApplied,
    "extracted_rows": ExtractedRows,
    "pending_links": PendingLink,
}


def row(record: Any) -> dict[str, Any]:
    """A record as a flat dict of column -> value."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


def _pickled_by_position(cls: type) -> None:
    """Pickle `cls` as its class and its fields' values in order, rebuilt by calling it.

    Extractions travel from each extraction worker to the process that commits them; pickle's
    default for a dataclass (an empty object, then its `__dict__`) made reading them back the
    committing process's largest cost after the commit itself (about 0.6 ms of a small
    document's 8 ms). By position it takes 40 % less, for the same objects.
    """
    names = tuple(f.name for f in dataclasses.fields(cls))

    def reduce(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, tuple(getattr(self, n) for n in names)

    setattr(cls, "__reduce__", reduce)  # noqa: B010 (mypy: no method assignment)


for _record in (*TABLE_RECORDS.values(), Page, DocumentText, Extraction):
    _pickled_by_position(_record)
