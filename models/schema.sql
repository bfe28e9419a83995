-- shingikai warehouse: the single definition of every table.
-- Researchers read the data dictionary from the database itself
-- (`SELECT * FROM duckdb_columns()` or `shingikai schema`).
-- Offsets are 0-based, end-exclusive, into document_texts.text of the same document.

CREATE TABLE IF NOT EXISTS documents (
    document_id VARCHAR PRIMARY KEY,
    source_path VARCHAR NOT NULL,
    file_type VARCHAR CHECK (file_type IN ('pdf', 'text', 'markdown', 'html')),
    encoding VARCHAR,
    status VARCHAR NOT NULL CHECK (status IN ('ok', 'failed', 'needs_ocr', 'encrypted', 'unsupported')),
    error VARCHAR,
    doc_kind VARCHAR CHECK (doc_kind IN ('minutes', 'toshin', 'summary', 'other')),
    municipality VARCHAR,
    n_pages INTEGER,
    n_chars INTEGER,
    extractor_version VARCHAR NOT NULL,
    ingested_at TIMESTAMP,
    size_bytes BIGINT,
    source_url VARCHAR,
    warnings VARCHAR[] NOT NULL,
    content_digest VARCHAR,
    meeting_key VARCHAR,
    duplicate_of VARCHAR
);
-- warehouses built before these columns existed get them here
ALTER TABLE documents ADD COLUMN IF NOT EXISTS meeting_key VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS duplicate_of VARCHAR;
ALTER TABLE documents ADD COLUMN IF NOT EXISTS content_digest VARCHAR;
COMMENT ON TABLE documents IS 'One row per source file seen by ingest, readable or not.';
COMMENT ON COLUMN documents.document_id IS 'sha256 hex of the raw bytes; primary key. For a file that could not be read, a sha256 of its location instead (status failed).';
COMMENT ON COLUMN documents.source_path IS 'Path of the file as found under the ingest root: the root folder''s name, then the path below it. Not unique (two roots may hold the same names); every exact location is in document_locations.';
COMMENT ON COLUMN documents.file_type IS 'pdf, text, markdown or html; null when the file is not a recognisable document.';
COMMENT ON COLUMN documents.encoding IS 'Detected text encoding (utf-8, cp932, euc_jp); null for PDF.';
COMMENT ON COLUMN documents.status IS 'ok, failed, needs_ocr, encrypted or unsupported.';
COMMENT ON COLUMN documents.error IS 'When status is not ok: what went wrong and what a person can do about it.';
COMMENT ON COLUMN documents.doc_kind IS 'minutes (会議録), toshin (答申), summary (審議概要, results-only page) or other.';
COMMENT ON COLUMN documents.municipality IS 'Local government as written, with its 区/市/町/村 suffix, no prefecture.';
COMMENT ON COLUMN documents.n_pages IS 'Pages of a PDF; 1 for non-paginated input.';
COMMENT ON COLUMN documents.n_chars IS 'Length of the normalised text (document_texts.text).';
COMMENT ON COLUMN documents.extractor_version IS 'Version of the extractors that produced the rows; a new version re-extracts the file. ''unread'' for a file that could not be read (gone or unreadable during its run): the next ingest reads it again.';
COMMENT ON COLUMN documents.ingested_at IS 'When this version of the rows was loaded (UTC).';
COMMENT ON COLUMN documents.size_bytes IS 'Size of the raw file in bytes.';
COMMENT ON COLUMN documents.source_url IS 'URL the nightly fetch downloaded the file from; null for files placed by hand.';
COMMENT ON COLUMN documents.warnings IS 'Problems that did not stop loading, e.g. pages without a text layer.';
COMMENT ON COLUMN documents.content_digest IS 'sha256 of the normalised text''s letters and digits, without a browser''s print header and footer (print date, address, page count): equal for copies of one document however their lines and spaces fall (extractors/content.py). Null for a file that could not be read or holds under 100 letters and digits.';
COMMENT ON COLUMN documents.meeting_key IS 'The meeting or 答申 the document records, shared by its copies (a PDF and a web page, re-encoded files): municipality | council | date | doc_kind | consultations. Documents with one content_digest share one key: the least of theirs, else ''content | '' and the digest, so a copy whose header was read differently or not at all is still one meeting. Set by the loader; null without a date, or without a municipality when no consultation is recorded either, and without a content_digest.';
COMMENT ON COLUMN documents.duplicate_of IS 'For a copy, the document_id of the copy that stands for the meeting (text before PDF, UTF-8 first, then by source_path); null for that one. Views count only documents where this is null.';

CREATE TABLE IF NOT EXISTS document_locations (
    root VARCHAR NOT NULL,
    path VARCHAR NOT NULL,
    document_id VARCHAR NOT NULL,
    source_path VARCHAR NOT NULL,
    PRIMARY KEY (root, path)
);
COMMENT ON TABLE document_locations IS 'Every file location where ingest found a document: identical bytes in two folders are one document with two locations.';
COMMENT ON COLUMN document_locations.root IS 'Absolute path of the folder given to ingest (symbolic links resolved); for a file given directly, its folder.';
COMMENT ON COLUMN document_locations.path IS 'Path of the file below root, with / separators; (root, path) is the primary key.';
COMMENT ON COLUMN document_locations.document_id IS 'The document whose bytes were at this location when it was last ingested (documents.document_id).';
COMMENT ON COLUMN document_locations.source_path IS 'The short form recorded in documents.source_path: root folder''s name / path.';

CREATE TABLE IF NOT EXISTS document_texts (
    document_id VARCHAR PRIMARY KEY,
    text VARCHAR NOT NULL,
    page_starts INTEGER[] NOT NULL,
    raw_text VARCHAR NOT NULL,
    raw_offsets INTEGER[] NOT NULL
);
COMMENT ON TABLE document_texts IS 'Normalised text of each readable document: every start_char/end_char in the warehouse indexes this text.';
COMMENT ON COLUMN document_texts.document_id IS 'The document (documents.document_id).';
COMMENT ON COLUMN document_texts.text IS 'NFKC text with hard wraps undone, inserted spaces removed, page furniture and markup dropped.';
COMMENT ON COLUMN document_texts.page_starts IS 'Offset in text where each page begins; one element for non-paginated input.';
COMMENT ON COLUMN document_texts.raw_text IS 'Text as read from the file (PDF pages joined by form feed), before normalisation.';
COMMENT ON COLUMN document_texts.raw_offsets IS 'For each character of text, its offset in raw_text: the way back to the source.';

CREATE TABLE IF NOT EXISTS document_pages (
    document_id VARCHAR NOT NULL,
    page INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    n_chars INTEGER NOT NULL,
    image_only BOOLEAN NOT NULL,
    bad_glyphs INTEGER NOT NULL
);
COMMENT ON TABLE document_pages IS 'One row per page (one for non-paginated input) with its span in the text and quality flags.';
COMMENT ON COLUMN document_pages.document_id IS 'The document.';
COMMENT ON COLUMN document_pages.page IS '1-based page number.';
COMMENT ON COLUMN document_pages.start_char IS 'Where the page begins in document_texts.text.';
COMMENT ON COLUMN document_pages.end_char IS 'Where the page ends in document_texts.text (exclusive).';
COMMENT ON COLUMN document_pages.n_chars IS 'Characters of normalised text on the page.';
COMMENT ON COLUMN document_pages.image_only IS 'True when the page has no text layer (scanned): its content is missing until OCR.';
COMMENT ON COLUMN document_pages.bad_glyphs IS 'Characters without a Unicode mapping ((cid:NNN), NUL) dropped from the page.';

CREATE TABLE IF NOT EXISTS meetings (
    document_id VARCHAR PRIMARY KEY,
    municipality VARCHAR,
    body VARCHAR,
    term INTEGER,
    session INTEGER,
    fiscal_year INTEGER,
    held_on DATE,
    start_time TIME,
    end_time TIME,
    place VARCHAR,
    observers INTEGER
);
COMMENT ON TABLE meetings IS 'Header of each minutes, summary or 答申: which council met when and where.';
COMMENT ON COLUMN meetings.document_id IS 'The document.';
COMMENT ON COLUMN meetings.municipality IS 'Local government as written, with its suffix.';
COMMENT ON COLUMN meetings.body IS 'The council''s own name as the document gives it.';
COMMENT ON COLUMN meetings.term IS 'N of 第N期, when stated.';
COMMENT ON COLUMN meetings.session IS 'M of 第M回, when stated.';
COMMENT ON COLUMN meetings.fiscal_year IS 'Western year of the 年度 when sessions are counted per fiscal year (平成23年度第5回 -> 2011).';
COMMENT ON COLUMN meetings.held_on IS 'Meeting date; for a 答申, the date it was issued.';
COMMENT ON COLUMN meetings.start_time IS 'Start time (24-hour).';
COMMENT ON COLUMN meetings.end_time IS 'End time (24-hour; 午後 carried over from the start).';
COMMENT ON COLUMN meetings.place IS 'Meeting place as written.';
COMMENT ON COLUMN meetings.observers IS 'Number of members of the public observing (傍聴人; なし = 0); null when not stated.';

CREATE TABLE IF NOT EXISTS attendees (
    document_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    role VARCHAR,
    side VARCHAR NOT NULL CHECK (side IN ('member', 'official')),
    present BOOLEAN NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL
);
COMMENT ON TABLE attendees IS 'Each person listed as present or absent in a meeting header.';
COMMENT ON COLUMN attendees.document_id IS 'The document.';
COMMENT ON COLUMN attendees.name IS 'Name as written (often a surname only); for officials listed by title alone, the title.';
COMMENT ON COLUMN attendees.role IS '会長, 副会長, 委員, or the official''s title.';
COMMENT ON COLUMN attendees.side IS 'member (of the council) or official (municipal staff).';
COMMENT ON COLUMN attendees.present IS 'True when listed as present, false when listed as absent.';
COMMENT ON COLUMN attendees.start_char IS 'Start of the mention in document_texts.text.';
COMMENT ON COLUMN attendees.end_char IS 'End of the mention (exclusive).';

CREATE TABLE IF NOT EXISTS consultations (
    consultation_id VARCHAR PRIMARY KEY,
    document_id VARCHAR NOT NULL,
    municipality VARCHAR,
    number INTEGER,
    number_text VARCHAR,
    title VARCHAR,
    department VARCHAR,
    categories VARCHAR[] NOT NULL,
    outcome VARCHAR NOT NULL CHECK (outcome IN ('approved', 'rejected', 'deferred', 'withdrawn', 'unknown')),
    outcome_text VARCHAR,
    vote VARCHAR CHECK (vote IN ('unanimous', 'majority')),
    dissent INTEGER,
    has_conditions BOOLEAN NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    page INTEGER
);
COMMENT ON TABLE consultations IS 'Each 諮問 deliberated or answered in a document (not those merely mentioned).';
COMMENT ON COLUMN consultations.consultation_id IS 'Stable identifier: document id prefix and position in the document.';
COMMENT ON COLUMN consultations.document_id IS 'The document.';
COMMENT ON COLUMN consultations.municipality IS 'Local government (copied from the document for convenience).';
COMMENT ON COLUMN consultations.number IS 'N of 諮問第N号 (kanji and full-width numerals converted); null when none is given.';
COMMENT ON COLUMN consultations.number_text IS 'The number as written.';
COMMENT ON COLUMN consultations.title IS 'Subject of the 諮問, without quotation marks or the department.';
COMMENT ON COLUMN consultations.department IS 'Responsible section (所管課), shortest form that names it.';
COMMENT ON COLUMN consultations.categories IS 'Kinds of handling asked for: outsourcing, online_link, non_purpose_use, external_provision, indirect_collection, record_items, blanket_approval, other.';
COMMENT ON COLUMN consultations.outcome IS 'approved, rejected, deferred, withdrawn, or unknown when the text stops before the decision.';
COMMENT ON COLUMN consultations.outcome_text IS 'The document''s own words of the decision.';
COMMENT ON COLUMN consultations.vote IS 'unanimous (異議なし, 全員) or majority (多数); null when not stated.';
COMMENT ON COLUMN consultations.dissent IS 'Members against, when stated.';
COMMENT ON COLUMN consultations.has_conditions IS 'True when the council attached requests, conditions or 付帯意見 to its answer.';
COMMENT ON COLUMN consultations.start_char IS 'Start of the consultation''s first mention as an agenda item or heading.';
COMMENT ON COLUMN consultations.end_char IS 'End of that mention (exclusive).';
COMMENT ON COLUMN consultations.page IS '1-based page where that mention is.';
-- ---- history across documents (issue 21): set by the loader, shingikai/warehouse/history.py
ALTER TABLE consultations ADD COLUMN IF NOT EXISTS consultation_key VARCHAR;
ALTER TABLE consultations ADD COLUMN IF NOT EXISTS stage VARCHAR;
ALTER TABLE consultations ADD COLUMN IF NOT EXISTS asked_on DATE;
ALTER TABLE consultations ADD COLUMN IF NOT EXISTS link_candidates VARCHAR[];
COMMENT ON COLUMN consultations.consultation_key IS 'The 諮問 this row records, shared by every document of its history (submitted, deliberated, deferred, answered, confirmed): the consultation_id of its earliest row. Same local government, same council when both name it, same number within its numbering period or a very close title within 183 days; never across local governments. Set by the loader; see view consultation_history.';
COMMENT ON COLUMN consultations.stage IS 'Where this row stands in its 諮問''s history: submitted (first seen, undecided), deliberated (discussed or decided at a meeting), deferred (継続審議), answered (a 答申 document) or confirmed (the council confirms its answer, 答申書の確認). Set by the loader.';
COMMENT ON COLUMN consultations.asked_on IS 'Date the 諮問 was made, when a 答申 states it (…付けで諮問のあった); null otherwise. Set by the loader.';
COMMENT ON COLUMN consultations.link_candidates IS 'When the row fits the histories of two or more earlier 諮問 equally: their consultation_key values (the row is linked to none of them; see view consultation_links_to_review). Null otherwise. Set by the loader.';
-- ---- end history

CREATE TABLE IF NOT EXISTS contractors (
    consultation_id VARCHAR NOT NULL,
    name VARCHAR NOT NULL,
    name_normalized VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('company', 'public_body', 'association', 'designated_manager', 'unnamed')),
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    document_id VARCHAR NOT NULL,
    source VARCHAR NOT NULL
);
COMMENT ON TABLE contractors IS 'Each party receiving personal data in a consultation (委託先, 結合先, 提供先, 受託者).';
COMMENT ON COLUMN contractors.consultation_id IS 'The consultation.';
COMMENT ON COLUMN contractors.name IS 'Name as written (NFKC).';
COMMENT ON COLUMN contractors.name_normalized IS 'Canonical name shared across municipalities (legal form, spacing, width, aliases resolved).';
COMMENT ON COLUMN contractors.kind IS 'company, public_body, association, designated_manager, or unnamed for generic words.';
COMMENT ON COLUMN contractors.start_char IS 'Start of the name in document_texts.text.';
COMMENT ON COLUMN contractors.end_char IS 'End of the name (exclusive).';
COMMENT ON COLUMN contractors.document_id IS 'The document.';
COMMENT ON COLUMN contractors.source IS 'sheet (formal attachment) or discussion (speech).';

CREATE TABLE IF NOT EXISTS data_items (
    consultation_id VARCHAR NOT NULL,
    item VARCHAR NOT NULL,
    item_normalized VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    document_id VARCHAR NOT NULL,
    in_vocabulary BOOLEAN NOT NULL
);
COMMENT ON TABLE data_items IS 'Each personal-data item a consultation states it handles.';
COMMENT ON COLUMN data_items.consultation_id IS 'The consultation.';
COMMENT ON COLUMN data_items.item IS 'Item as written (NFKC).';
COMMENT ON COLUMN data_items.item_normalized IS 'Canonical vocabulary term (models/data/data_items.csv).';
COMMENT ON COLUMN data_items.category IS 'identity, contact, tax, family, health, usage, ... (see models/data/data_items.csv).';
COMMENT ON COLUMN data_items.start_char IS 'Start of the item in document_texts.text.';
COMMENT ON COLUMN data_items.end_char IS 'End of the item (exclusive).';
COMMENT ON COLUMN data_items.document_id IS 'The document.';
COMMENT ON COLUMN data_items.in_vocabulary IS 'False when the item is not in the vocabulary yet (see view unmapped_values).';

CREATE TABLE IF NOT EXISTS consultation_conditions (
    consultation_id VARCHAR NOT NULL,
    document_id VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL
);
COMMENT ON TABLE consultation_conditions IS 'Requests, conditions and 付帯意見 attached to a consultation''s answer.';
COMMENT ON COLUMN consultation_conditions.consultation_id IS 'The consultation.';
COMMENT ON COLUMN consultation_conditions.document_id IS 'The document.';
COMMENT ON COLUMN consultation_conditions.text IS 'The sentence that states the condition or request.';
COMMENT ON COLUMN consultation_conditions.start_char IS 'Start of the sentence in document_texts.text.';
COMMENT ON COLUMN consultation_conditions.end_char IS 'End of the sentence (exclusive).';

CREATE TABLE IF NOT EXISTS reports (
    report_id VARCHAR PRIMARY KEY,
    document_id VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    department VARCHAR,
    is_incident BOOLEAN NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    incident_type VARCHAR CHECK (incident_type IN ('loss', 'leak', 'misdelivery', 'unauthorised_access', 'other'))
);
ALTER TABLE reports ADD COLUMN IF NOT EXISTS incident_type VARCHAR;
COMMENT ON TABLE reports IS 'Each 報告事項 (matter reported to the council), flagged when it is an incident.';
COMMENT ON COLUMN reports.report_id IS 'Stable identifier: document id prefix and position.';
COMMENT ON COLUMN reports.document_id IS 'The document.';
COMMENT ON COLUMN reports.title IS 'Title of the report.';
COMMENT ON COLUMN reports.department IS 'Reporting section, when stated.';
COMMENT ON COLUMN reports.is_incident IS 'True for loss, leak or misdelivery of personal data (紛失, 漏えい, 誤送付).';
COMMENT ON COLUMN reports.start_char IS 'Start of the title in document_texts.text.';
COMMENT ON COLUMN reports.end_char IS 'End of the title (exclusive).';
COMMENT ON COLUMN reports.incident_type IS 'For an incident: loss, leak, misdelivery or unauthorised_access, from the words of its title (models/data/incident_types.csv), else other; null when not an incident. Set by the loader.';

CREATE TABLE IF NOT EXISTS utterances (
    document_id VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    speaker VARCHAR NOT NULL,
    role VARCHAR NOT NULL CHECK (role IN ('chair', 'vice_chair', 'member', 'official', 'members')),
    text VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL
);
COMMENT ON TABLE utterances IS 'Each speaker turn in minutes.';
COMMENT ON COLUMN utterances.document_id IS 'The document.';
COMMENT ON COLUMN utterances.seq IS '1-based order of the turn in the document.';
COMMENT ON COLUMN utterances.speaker IS 'Speaker label as written (会長, 委員, 情報公開課長, ...).';
COMMENT ON COLUMN utterances.role IS 'chair, vice_chair, member, official, or members for collective answers.';
COMMENT ON COLUMN utterances.text IS 'What was said (the turn without its label).';
COMMENT ON COLUMN utterances.start_char IS 'Start of the turn''s text in document_texts.text.';
COMMENT ON COLUMN utterances.end_char IS 'End of the turn''s text (exclusive).';

CREATE TABLE IF NOT EXISTS evidence (
    document_id VARCHAR NOT NULL,
    record_table VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    value VARCHAR NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL
);
COMMENT ON TABLE evidence IS 'Where each scalar field (meeting header, titles, departments, outcomes) was read from.';
COMMENT ON COLUMN evidence.document_id IS 'The document.';
COMMENT ON COLUMN evidence.record_table IS 'Table of the record: meetings, consultations or reports.';
COMMENT ON COLUMN evidence.record_id IS 'document_id for meetings, consultation_id or report_id otherwise.';
COMMENT ON COLUMN evidence.field IS 'Column name of the value.';
COMMENT ON COLUMN evidence.value IS 'The value as stored, as text.';
COMMENT ON COLUMN evidence.start_char IS 'Start of the evidence in document_texts.text.';
COMMENT ON COLUMN evidence.end_char IS 'End of the evidence (exclusive).';

-- ---- researchers' corrections (shingikai/warehouse/corrections.py; files in data/corrections)
CREATE TABLE IF NOT EXISTS corrections (
    document_id VARCHAR NOT NULL,
    place VARCHAR NOT NULL,
    action VARCHAR NOT NULL CHECK (action IN ('set', 'add', 'remove', 'confirm')),
    value VARCHAR NOT NULL,
    extracted_value VARCHAR NOT NULL,
    corrected_by VARCHAR NOT NULL,
    corrected_at TIMESTAMP NOT NULL,
    why VARCHAR NOT NULL,
    status VARCHAR NOT NULL CHECK (status IN ('applied', 'redundant', 'confirmed', 'missing', 'conflict')),
    record_table VARCHAR,
    record_id VARCHAR,
    note VARCHAR NOT NULL
);
COMMENT ON TABLE corrections IS 'Each researcher''s correction or confirmation of a value (data/corrections/<document_id>.toml), as the last load of its document applied it: the values in the other tables are the corrected ones.';
COMMENT ON COLUMN corrections.document_id IS 'The document corrected.';
COMMENT ON COLUMN corrections.place IS 'Where the value is: meeting.FIELD, consultation:NUMBER_OR_TITLE[.FIELD] or report:TITLE[.FIELD].';
COMMENT ON COLUMN corrections.action IS 'set (a field), add or remove (a contractor, data item, consultation or report), confirm (the value is checked and right).';
COMMENT ON COLUMN corrections.value IS 'The value the researcher gives, as JSON (a name for add/remove; a list for a confirmed list).';
COMMENT ON COLUMN corrections.extracted_value IS 'What the extractor gave before the correction, as JSON (null when it gave nothing; the list of names for contractors or data items).';
COMMENT ON COLUMN corrections.corrected_by IS 'Who made the correction.';
COMMENT ON COLUMN corrections.corrected_at IS 'When the correction was made (UTC).';
COMMENT ON COLUMN corrections.why IS 'The researcher''s reason, e.g. where the document says so.';
COMMENT ON COLUMN corrections.status IS 'applied (the extracted value was replaced), redundant (the extractor already agrees), confirmed (a confirmation the extractor agrees with), missing (its target no longer exists: not applied), conflict (another researcher says otherwise: neither applied).';
COMMENT ON COLUMN corrections.record_table IS 'Table of the corrected value: documents, meetings, consultations, contractors, data_items or reports; null when its target was not found.';
COMMENT ON COLUMN corrections.record_id IS 'document_id for documents and meetings, consultation_id for consultations, contractors and data items, report_id for reports.';
COMMENT ON COLUMN corrections.note IS 'Why a correction was not applied (missing, conflict); empty otherwise.';

CREATE TABLE IF NOT EXISTS extracted_rows (
    document_id VARCHAR NOT NULL,
    record_table VARCHAR NOT NULL,
    rows_json VARCHAR NOT NULL
);
COMMENT ON TABLE extracted_rows IS 'For a corrected document only: its rows as the extractor gave them, before corrections, so that a new correction applies without extracting again.';
COMMENT ON COLUMN extracted_rows.document_id IS 'The document.';
COMMENT ON COLUMN extracted_rows.record_table IS 'The table the rows belong to (documents, meetings, consultations, contractors, data_items, consultation_conditions, reports, evidence).';
COMMENT ON COLUMN extracted_rows.rows_json IS 'The rows as a JSON array of objects (dates and times in ISO 8601).';
-- ---- end of researchers' corrections

-- ---- the loader's own bookkeeping (shingikai/warehouse/history.py): no extracted value
CREATE TABLE IF NOT EXISTS pending_links (
    place VARCHAR NOT NULL,
    noted_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE pending_links IS 'Internal to the loader, not research data: local governments whose consultation histories (consultations.consultation_key, stage, asked_on, link_candidates) a batch changed and that are not relinked yet. Each batch of an ingest links its own rows among themselves and notes its local governments here in its own commit; the run relinks them all in its last commit and empties the table. A run stopped before that leaves them here, and the next ingest (even one with nothing new) or `shingikai maintain` relinks them first. Empty when every history is up to date.';
COMMENT ON COLUMN pending_links.place IS 'The local government, as the linking names it (the last word of the municipality); may appear once per batch.';
COMMENT ON COLUMN pending_links.noted_at IS 'When the batch that noted it committed (UTC).';
