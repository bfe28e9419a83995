-- shingikai analysis views: applied after models/schema.sql (shingikai.warehouse.apply_schema).
-- Each view reads top to bottom: import CTEs name the tables it uses, then logic CTEs,
-- then `final`, which is what the view returns.
-- Copies of one meeting or 答申 (a PDF and a web page, re-encoded files) share
-- documents.meeting_key; every view below reads only the copy that stands for the meeting
-- (documents.duplicate_of IS NULL), so each meeting, consultation, contractor and item
-- counts once. `CREATE OR REPLACE VIEW` drops column comments: they follow each view.

CREATE OR REPLACE VIEW meetings_once AS
WITH documents AS (
    SELECT * FROM main.documents WHERE status = 'ok'
),
meetings AS (
    SELECT document_id, municipality, body, held_on, fiscal_year FROM main.meetings
),
copies AS (
    SELECT
        coalesce(meeting_key, document_id) AS meeting_key,
        list(source_path ORDER BY duplicate_of NULLS FIRST, source_path) AS source_paths,
        list(document_id ORDER BY duplicate_of NULLS FIRST, source_path) AS document_ids,
        count(*) AS n_copies
    FROM documents
    GROUP BY ALL
),
final AS (
    SELECT
        coalesce(d.meeting_key, d.document_id) AS meeting_key,
        d.document_id,
        d.doc_kind,
        coalesce(m.municipality, d.municipality) AS municipality,
        m.body,
        m.held_on,
        coalesce(year(m.held_on), m.fiscal_year) AS year,
        d.source_path,
        c.n_copies,
        c.source_paths AS copies,
        c.document_ids AS copy_document_ids
    FROM documents AS d
    LEFT JOIN meetings AS m USING (document_id)
    JOIN copies AS c ON c.meeting_key = coalesce(d.meeting_key, d.document_id)
    WHERE d.duplicate_of IS NULL
)
SELECT * FROM final
ORDER BY municipality, held_on, meeting_key;
COMMENT ON VIEW meetings_once IS 'One row per meeting or 答申, however many files record it: the document that stands for it and every copy (same municipality, council, date, kind and consultations).';
COMMENT ON COLUMN meetings_once.meeting_key IS 'Identity of the meeting shared by its copies (documents.meeting_key); the document_id when the header is too incomplete to compare.';
COMMENT ON COLUMN meetings_once.document_id IS 'The copy whose rows the views count (documents.duplicate_of is null).';
COMMENT ON COLUMN meetings_once.doc_kind IS 'minutes, toshin, summary or other.';
COMMENT ON COLUMN meetings_once.municipality IS 'Local government (meeting header, else document).';
COMMENT ON COLUMN meetings_once.body IS 'The council''s name as the document gives it.';
COMMENT ON COLUMN meetings_once.held_on IS 'Meeting date; for a 答申, the date it was issued.';
COMMENT ON COLUMN meetings_once.year IS 'Year of held_on, else the fiscal year.';
COMMENT ON COLUMN meetings_once.source_path IS 'Source path of the copy that is counted.';
COMMENT ON COLUMN meetings_once.n_copies IS 'How many files record this meeting (1 when there is no copy).';
COMMENT ON COLUMN meetings_once.copies IS 'Source paths of every file recording the meeting, the counted one first.';
COMMENT ON COLUMN meetings_once.copy_document_ids IS 'document_id of every file recording the meeting, in the order of copies.';

CREATE OR REPLACE VIEW consultations_with_meeting AS
WITH counted AS (
    SELECT document_id, meeting_key, n_copies, copies FROM main.meetings_once
),
copies AS (
    SELECT document_id FROM main.documents WHERE duplicate_of IS NOT NULL
),
consultations AS (
    SELECT * FROM main.consultations WHERE document_id NOT IN (SELECT document_id FROM copies)
),
meetings AS (
    SELECT document_id, municipality, body, held_on, fiscal_year FROM main.meetings
),
documents AS (
    SELECT document_id, source_path, doc_kind, municipality FROM main.documents
),
final AS (
    SELECT
        c.*,
        coalesce(c.municipality, m.municipality, d.municipality) AS meeting_municipality,
        m.body,
        m.held_on,
        coalesce(year(m.held_on), m.fiscal_year) AS year,
        d.source_path,
        d.doc_kind,
        k.meeting_key,
        k.n_copies,
        k.copies
    FROM consultations AS c
    LEFT JOIN counted AS k USING (document_id)
    LEFT JOIN meetings AS m USING (document_id)
    LEFT JOIN documents AS d USING (document_id)
)
SELECT * FROM final;
COMMENT ON VIEW consultations_with_meeting IS 'Each consultation once (from the copy that stands for its meeting) with its meeting: date (held_on), council (body), municipality (meeting_municipality: consultation, else meeting, else document), year (of held_on, else fiscal_year), source_path, doc_kind and the copies of the document.';
COMMENT ON COLUMN consultations_with_meeting.consultation_id IS 'The consultation (consultations.consultation_id).';
COMMENT ON COLUMN consultations_with_meeting.document_id IS 'The document the row is read from: the counted copy of the meeting.';
COMMENT ON COLUMN consultations_with_meeting.municipality IS 'Local government named with the consultation, when it is.';
COMMENT ON COLUMN consultations_with_meeting.number IS 'N of 諮問第N号; null when none is given.';
COMMENT ON COLUMN consultations_with_meeting.number_text IS 'The number as written.';
COMMENT ON COLUMN consultations_with_meeting.title IS 'Subject of the 諮問.';
COMMENT ON COLUMN consultations_with_meeting.department IS 'Responsible section (所管課).';
COMMENT ON COLUMN consultations_with_meeting.categories IS 'Kinds of handling asked for (outsourcing, online_link, non_purpose_use, ...).';
COMMENT ON COLUMN consultations_with_meeting.outcome IS 'approved, rejected, deferred, withdrawn or unknown.';
COMMENT ON COLUMN consultations_with_meeting.outcome_text IS 'The document''s own words of the decision.';
COMMENT ON COLUMN consultations_with_meeting.vote IS 'unanimous or majority; null when not stated.';
COMMENT ON COLUMN consultations_with_meeting.dissent IS 'Members against, when stated.';
COMMENT ON COLUMN consultations_with_meeting.has_conditions IS 'True when the council attached requests, conditions or 付帯意見.';
COMMENT ON COLUMN consultations_with_meeting.start_char IS 'Start of the consultation''s first mention in document_texts.text.';
COMMENT ON COLUMN consultations_with_meeting.end_char IS 'End of that mention (exclusive).';
COMMENT ON COLUMN consultations_with_meeting.page IS '1-based page of that mention.';
COMMENT ON COLUMN consultations_with_meeting.meeting_municipality IS 'Municipality: the consultation''s, else the meeting header''s, else the document''s.';
COMMENT ON COLUMN consultations_with_meeting.body IS 'The council''s name as the document gives it.';
COMMENT ON COLUMN consultations_with_meeting.held_on IS 'Meeting date; for a 答申, the date it was issued.';
COMMENT ON COLUMN consultations_with_meeting.year IS 'Year of held_on, else the fiscal year.';
COMMENT ON COLUMN consultations_with_meeting.source_path IS 'Source path of the document.';
COMMENT ON COLUMN consultations_with_meeting.doc_kind IS 'minutes, toshin, summary or other.';
COMMENT ON COLUMN consultations_with_meeting.meeting_key IS 'Identity of the meeting shared by its copies (see view meetings_once).';
COMMENT ON COLUMN consultations_with_meeting.n_copies IS 'How many files record the meeting.';
COMMENT ON COLUMN consultations_with_meeting.copies IS 'Source paths of every file recording the meeting, the counted one first.';

CREATE OR REPLACE VIEW data_flows AS
WITH consultations AS (
    SELECT * FROM main.consultations_with_meeting
),
contractors AS (
    -- one row per named party and consultation, at its first mention
    SELECT
        consultation_id,
        name_normalized,
        arg_min(kind, start_char) AS kind,
        arg_min(name, start_char) AS name,
        min(start_char) AS start_char,
        arg_min(end_char, start_char) AS end_char
    FROM main.contractors
    GROUP BY consultation_id, name_normalized
),
data_items AS (
    SELECT
        consultation_id,
        item_normalized,
        arg_min(category, start_char) AS category,
        arg_min(item, start_char) AS item,
        min(start_char) AS start_char,
        arg_min(end_char, start_char) AS end_char
    FROM main.data_items
    GROUP BY consultation_id, item_normalized
),
conditions AS (
    SELECT consultation_id, list(text ORDER BY start_char) AS conditions
    FROM main.consultation_conditions
    GROUP BY consultation_id
),
final AS (
    SELECT
        c.meeting_municipality AS municipality,
        c.year,
        c.held_on,
        c.body,
        c.consultation_id,
        c.number AS consultation_number,
        c.title AS consultation_title,
        c.department,
        c.categories,
        ct.name_normalized AS contractor,
        ct.kind AS contractor_kind,
        d.item_normalized AS data_item,
        d.category AS data_item_category,
        c.outcome,
        c.vote,
        c.has_conditions,
        coalesce(cc.conditions, []::VARCHAR[]) AS conditions,
        c.document_id,
        c.source_path,
        c.start_char AS consultation_start,
        c.end_char AS consultation_end,
        ct.name AS contractor_as_written,
        ct.start_char AS contractor_start,
        ct.end_char AS contractor_end,
        d.item AS data_item_as_written,
        d.start_char AS data_item_start,
        d.end_char AS data_item_end
    FROM consultations AS c
    LEFT JOIN contractors AS ct USING (consultation_id)
    LEFT JOIN data_items AS d USING (consultation_id)
    LEFT JOIN conditions AS cc USING (consultation_id)
)
SELECT * FROM final
ORDER BY municipality, year, consultation_id, contractor, data_item;
COMMENT ON VIEW data_flows IS 'Which personal data goes to which contractor, and what the council decided: one row per municipality, year, consultation, contractor and data item, with the outcome, the conditions, and where each value was read (document, spans). Each meeting counts once. A consultation without a named recipient or item has a row with nulls there.';
COMMENT ON COLUMN data_flows.municipality IS 'Local government (consultation, else meeting header, else document).';
COMMENT ON COLUMN data_flows.year IS 'Year of the meeting date, else the fiscal year.';
COMMENT ON COLUMN data_flows.held_on IS 'Meeting date; for a 答申, the date it was issued.';
COMMENT ON COLUMN data_flows.body IS 'The council''s name as the document gives it.';
COMMENT ON COLUMN data_flows.consultation_id IS 'The consultation (consultations.consultation_id).';
COMMENT ON COLUMN data_flows.consultation_number IS 'N of 諮問第N号; null when none is given.';
COMMENT ON COLUMN data_flows.consultation_title IS 'Subject of the 諮問.';
COMMENT ON COLUMN data_flows.department IS 'Responsible section (所管課).';
COMMENT ON COLUMN data_flows.categories IS 'Kinds of handling asked for (outsourcing, online_link, non_purpose_use, ...).';
COMMENT ON COLUMN data_flows.contractor IS 'Party receiving the data (contractors.name_normalized); null when the consultation names none.';
COMMENT ON COLUMN data_flows.contractor_kind IS 'company, public_body, association, designated_manager, or unnamed for generic words.';
COMMENT ON COLUMN data_flows.data_item IS 'Personal-data item (data_items.item_normalized); null when the consultation lists none.';
COMMENT ON COLUMN data_flows.data_item_category IS 'Category of the item: identity, contact, tax, family, health, usage, ...';
COMMENT ON COLUMN data_flows.outcome IS 'approved, rejected, deferred, withdrawn or unknown.';
COMMENT ON COLUMN data_flows.vote IS 'unanimous or majority; null when not stated.';
COMMENT ON COLUMN data_flows.has_conditions IS 'True when the council attached requests, conditions or 付帯意見.';
COMMENT ON COLUMN data_flows.conditions IS 'The sentences stating the conditions or requests, in document order (empty when none).';
COMMENT ON COLUMN data_flows.document_id IS 'The document every span of the row points into (document_texts.text).';
COMMENT ON COLUMN data_flows.source_path IS 'Source path of the document.';
COMMENT ON COLUMN data_flows.consultation_start IS 'Start of the consultation''s first mention.';
COMMENT ON COLUMN data_flows.consultation_end IS 'End of the consultation''s first mention (exclusive).';
COMMENT ON COLUMN data_flows.contractor_as_written IS 'The contractor''s name as written at its first mention.';
COMMENT ON COLUMN data_flows.contractor_start IS 'Start of the contractor''s first mention in the consultation.';
COMMENT ON COLUMN data_flows.contractor_end IS 'End of that mention (exclusive).';
COMMENT ON COLUMN data_flows.data_item_as_written IS 'The item as written at its first mention.';
COMMENT ON COLUMN data_flows.data_item_start IS 'Start of the item''s first mention in the consultation.';
COMMENT ON COLUMN data_flows.data_item_end IS 'End of that mention (exclusive).';

CREATE OR REPLACE VIEW contractors_multi_municipality AS
WITH contractors AS (
    SELECT * FROM main.contractors
),
data_items AS (
    SELECT * FROM main.data_items
),
consultations AS (
    SELECT consultation_id, meeting_municipality AS municipality FROM main.consultations_with_meeting
),
contractor_places AS (
    SELECT ct.name_normalized, any_value(ct.kind) AS kind, c.municipality, ct.consultation_id
    FROM contractors AS ct
    JOIN consultations AS c USING (consultation_id)
    WHERE ct.kind <> 'unnamed' AND c.municipality IS NOT NULL
    GROUP BY ct.name_normalized, c.municipality, ct.consultation_id
),
multi AS (
    SELECT name_normalized
    FROM contractor_places
    GROUP BY name_normalized
    HAVING count(DISTINCT municipality) > 1
),
items AS (
    SELECT
        p.name_normalized,
        list(DISTINCT d.item_normalized ORDER BY d.item_normalized)
            FILTER (WHERE d.item_normalized IS NOT NULL) AS data_items,
        count(DISTINCT d.item_normalized) AS n_data_items
    FROM contractor_places AS p
    JOIN multi USING (name_normalized)
    LEFT JOIN data_items AS d USING (consultation_id)
    GROUP BY p.name_normalized
),
places AS (
    SELECT
        p.name_normalized,
        mode(p.kind) AS kind,
        count(DISTINCT p.municipality) AS n_municipalities,
        list(DISTINCT p.municipality ORDER BY p.municipality) AS municipalities,
        count(DISTINCT p.consultation_id) AS n_consultations
    FROM contractor_places AS p
    JOIN multi USING (name_normalized)
    GROUP BY p.name_normalized
),
final AS (
    SELECT
        places.name_normalized,
        places.kind,
        places.n_municipalities,
        places.municipalities,
        places.n_consultations,
        coalesce(items.data_items, []::VARCHAR[]) AS data_items,
        coalesce(items.n_data_items, 0) AS n_data_items
    FROM places
    LEFT JOIN items USING (name_normalized)
)
SELECT * FROM final
ORDER BY n_municipalities DESC, n_consultations DESC, name_normalized;
COMMENT ON VIEW contractors_multi_municipality IS 'One row per contractor (name_normalized, named parties only) that receives personal data in consultations of more than one municipality: the municipalities, the number of consultations, and the distinct personal-data items (item_normalized) handed to it. Each meeting counts once.';
COMMENT ON COLUMN contractors_multi_municipality.name_normalized IS 'Canonical name of the contractor (contractors.name_normalized).';
COMMENT ON COLUMN contractors_multi_municipality.kind IS 'company, public_body, association or designated_manager (the most frequent).';
COMMENT ON COLUMN contractors_multi_municipality.n_municipalities IS 'Municipalities whose consultations name the contractor.';
COMMENT ON COLUMN contractors_multi_municipality.municipalities IS 'Those municipalities, sorted.';
COMMENT ON COLUMN contractors_multi_municipality.n_consultations IS 'Distinct consultations naming the contractor.';
COMMENT ON COLUMN contractors_multi_municipality.data_items IS 'Distinct personal-data items (item_normalized) of those consultations.';
COMMENT ON COLUMN contractors_multi_municipality.n_data_items IS 'Number of those items.';

CREATE OR REPLACE VIEW item_frequency AS
WITH data_items AS (
    SELECT * FROM main.data_items
),
consultations AS (
    SELECT consultation_id, meeting_municipality AS municipality FROM main.consultations_with_meeting
),
final AS (
    SELECT
        d.item_normalized,
        d.category,
        c.municipality,
        count(*) AS n_mentions,
        count(DISTINCT d.consultation_id) AS n_consultations
    FROM data_items AS d
    JOIN consultations AS c USING (consultation_id)
    GROUP BY ALL
)
SELECT * FROM final
ORDER BY n_consultations DESC, item_normalized, municipality;
COMMENT ON VIEW item_frequency IS 'How often each personal-data item (item_normalized, category) is handled, per municipality: mentions and distinct consultations. Each meeting counts once.';
COMMENT ON COLUMN item_frequency.item_normalized IS 'Canonical vocabulary term of the item.';
COMMENT ON COLUMN item_frequency.category IS 'Category of the item (models/data/data_items.csv).';
COMMENT ON COLUMN item_frequency.municipality IS 'Local government of the consultations.';
COMMENT ON COLUMN item_frequency.n_mentions IS 'Times the item is written in those consultations.';
COMMENT ON COLUMN item_frequency.n_consultations IS 'Distinct consultations handling the item.';

CREATE OR REPLACE VIEW outcomes_by_municipality_year AS
WITH consultations AS (
    SELECT * FROM main.consultations_with_meeting
),
final AS (
    SELECT
        meeting_municipality AS municipality,
        year,
        outcome,
        count(*) AS n_consultations,
        count(*) FILTER (WHERE has_conditions) AS with_conditions
    FROM consultations
    GROUP BY ALL
)
SELECT * FROM final
ORDER BY municipality, year, outcome;
COMMENT ON VIEW outcomes_by_municipality_year IS 'Consultations per municipality, year and outcome, with how many carried conditions or requests (with_conditions). Each meeting counts once.';
COMMENT ON COLUMN outcomes_by_municipality_year.municipality IS 'Local government.';
COMMENT ON COLUMN outcomes_by_municipality_year.year IS 'Year of the meeting date, else the fiscal year.';
COMMENT ON COLUMN outcomes_by_municipality_year.outcome IS 'approved, rejected, deferred, withdrawn or unknown.';
COMMENT ON COLUMN outcomes_by_municipality_year.n_consultations IS 'Consultations with that outcome.';
COMMENT ON COLUMN outcomes_by_municipality_year.with_conditions IS 'Of those, how many carried requests, conditions or 付帯意見.';

CREATE OR REPLACE VIEW incidents AS
WITH counted AS (
    SELECT document_id, meeting_key FROM main.meetings_once
),
copies AS (
    SELECT document_id FROM main.documents WHERE duplicate_of IS NOT NULL
),
reports AS (
    SELECT * FROM main.reports
    WHERE is_incident AND document_id NOT IN (SELECT document_id FROM copies)
),
meetings AS (
    SELECT document_id, municipality, body, held_on, fiscal_year FROM main.meetings
),
documents AS (
    SELECT document_id, source_path, municipality FROM main.documents
),
final AS (
    SELECT
        r.report_id,
        r.document_id,
        r.title,
        r.incident_type,
        r.department,
        coalesce(m.municipality, d.municipality) AS municipality,
        m.body,
        m.held_on,
        coalesce(year(m.held_on), m.fiscal_year) AS year,
        d.source_path,
        k.meeting_key,
        r.start_char,
        r.end_char
    FROM reports AS r
    LEFT JOIN counted AS k USING (document_id)
    LEFT JOIN meetings AS m USING (document_id)
    LEFT JOIN documents AS d USING (document_id)
)
SELECT * FROM final
ORDER BY held_on, municipality, report_id;
COMMENT ON VIEW incidents IS 'Reports flagged as incidents, once per meeting, with their type (loss, leak, misdelivery, unauthorised_access, other), the meeting date, council, municipality and year.';
COMMENT ON COLUMN incidents.report_id IS 'The report (reports.report_id).';
COMMENT ON COLUMN incidents.document_id IS 'The document (the counted copy of the meeting).';
COMMENT ON COLUMN incidents.title IS 'Title of the report.';
COMMENT ON COLUMN incidents.incident_type IS 'loss, leak, misdelivery or unauthorised_access, from the words of the title (models/data/incident_types.csv); other when none of them occurs.';
COMMENT ON COLUMN incidents.department IS 'Reporting section, when stated.';
COMMENT ON COLUMN incidents.municipality IS 'Local government (meeting header, else document).';
COMMENT ON COLUMN incidents.body IS 'The council the incident was reported to.';
COMMENT ON COLUMN incidents.held_on IS 'Date of the meeting.';
COMMENT ON COLUMN incidents.year IS 'Year of the meeting date, else the fiscal year.';
COMMENT ON COLUMN incidents.source_path IS 'Source path of the document.';
COMMENT ON COLUMN incidents.meeting_key IS 'Identity of the meeting shared by its copies (see view meetings_once).';
COMMENT ON COLUMN incidents.start_char IS 'Start of the title in document_texts.text.';
COMMENT ON COLUMN incidents.end_char IS 'End of the title (exclusive).';

CREATE OR REPLACE VIEW unmapped_values AS
WITH data_items AS (
    SELECT * FROM main.data_items WHERE NOT in_vocabulary
),
consultations AS (
    SELECT consultation_id, meeting_municipality AS municipality FROM main.consultations_with_meeting
),
final AS (
    SELECT
        'data_items' AS value_table,
        d.item_normalized AS value,
        count(*) AS n_mentions,
        count(DISTINCT c.municipality) AS n_municipalities,
        list(DISTINCT d.item ORDER BY d.item) AS as_written,
        list(DISTINCT c.municipality ORDER BY c.municipality) AS municipalities
    FROM data_items AS d
    JOIN consultations AS c USING (consultation_id)
    GROUP BY d.item_normalized
)
SELECT * FROM final
ORDER BY n_mentions DESC, value;
COMMENT ON VIEW unmapped_values IS 'Personal-data items not in the vocabulary yet (in_vocabulary = false), with counts and spellings: candidates for models/data/data_items.csv. Each meeting counts once.';
COMMENT ON COLUMN unmapped_values.value_table IS 'Table the value comes from (data_items).';
COMMENT ON COLUMN unmapped_values.value IS 'The value as normalised (item_normalized).';
COMMENT ON COLUMN unmapped_values.n_mentions IS 'Times it is written.';
COMMENT ON COLUMN unmapped_values.n_municipalities IS 'Municipalities it is written in.';
COMMENT ON COLUMN unmapped_values.as_written IS 'Its spellings as written.';
COMMENT ON COLUMN unmapped_values.municipalities IS 'Those municipalities, sorted.';

-- ---- researchers' corrections (shingikai/warehouse/corrections.py)
CREATE OR REPLACE VIEW corrected_values AS
WITH corrections AS (
    SELECT * FROM main.corrections
),
documents AS (
    SELECT document_id, source_path, municipality, duplicate_of FROM main.documents
),
final AS (
    SELECT
        c.document_id,
        d.source_path,
        d.municipality,
        c.record_table,
        c.record_id,
        nullif(regexp_extract(c.place, '\.([a-z_]+)$', 1), '') AS field,
        c.place,
        c.action,
        c.value,
        c.extracted_value,
        c.status,
        c.status = 'applied' AS differs_from_extraction,
        c.corrected_by,
        c.corrected_at,
        c.why,
        d.duplicate_of IS NULL AS counted
    FROM corrections AS c
    JOIN documents AS d USING (document_id)
)
SELECT * FROM final
ORDER BY source_path, corrected_at;
COMMENT ON VIEW corrected_values IS 'Every value researchers corrected or confirmed (data/corrections), as the last load applied it: the value the warehouse now holds beside the one the extractor gave.';
COMMENT ON COLUMN corrected_values.document_id IS 'The document.';
COMMENT ON COLUMN corrected_values.source_path IS 'Source path of the document.';
COMMENT ON COLUMN corrected_values.municipality IS 'Local government of the document.';
COMMENT ON COLUMN corrected_values.record_table IS 'Table holding the value (documents, meetings, consultations, contractors, data_items, reports); null when its target was not found.';
COMMENT ON COLUMN corrected_values.record_id IS 'document_id, consultation_id or report_id of the record.';
COMMENT ON COLUMN corrected_values.field IS 'Column of the value (contractors, data_items for a list); null for a whole consultation or report added or removed.';
COMMENT ON COLUMN corrected_values.place IS 'Where the value is, as the researcher named it (meeting.FIELD, consultation:KEY.FIELD, report:KEY.FIELD).';
COMMENT ON COLUMN corrected_values.action IS 'set, add, remove or confirm.';
COMMENT ON COLUMN corrected_values.value IS 'The researcher''s value (JSON).';
COMMENT ON COLUMN corrected_values.extracted_value IS 'The extractor''s value (JSON).';
COMMENT ON COLUMN corrected_values.status IS 'applied, redundant (the extractor agrees), confirmed, missing (target gone: not applied), conflict (researchers disagree: not applied).';
COMMENT ON COLUMN corrected_values.differs_from_extraction IS 'True when the warehouse holds the researcher''s value in place of a different extracted one.';
COMMENT ON COLUMN corrected_values.corrected_by IS 'Who.';
COMMENT ON COLUMN corrected_values.corrected_at IS 'When (UTC).';
COMMENT ON COLUMN corrected_values.why IS 'Why.';
COMMENT ON COLUMN corrected_values.counted IS 'True when the document is the copy the other views count (documents.duplicate_of is null).';

CREATE OR REPLACE VIEW consultation_value_origins AS
WITH consultations AS (
    SELECT consultation_id, document_id, number, title, outcome FROM main.consultations
),
corrections AS (
    SELECT
        record_id AS consultation_id,
        regexp_extract(place, '\.([a-z_]+)$', 1) AS field,
        status
    FROM main.corrections
    WHERE record_table IN ('consultations', 'contractors', 'data_items')
),
origins AS (
    SELECT
        consultation_id,
        list(DISTINCT field ORDER BY field) FILTER (WHERE status = 'applied' AND field <> '')
            AS corrected_fields,
        list(DISTINCT field ORDER BY field) FILTER (WHERE status IN ('redundant', 'confirmed') AND field <> '')
            AS checked_fields,
        bool_or(status = 'applied' AND field = '') AS added_by_researcher
    FROM corrections
    GROUP BY consultation_id
),
final AS (
    SELECT
        c.consultation_id,
        c.document_id,
        c.number,
        c.title,
        c.outcome,
        coalesce(o.corrected_fields, []) AS corrected_fields,
        coalesce(o.checked_fields, []) AS checked_fields,
        coalesce(o.added_by_researcher, false) AS added_by_researcher
    FROM consultations AS c
    LEFT JOIN origins AS o USING (consultation_id)
)
SELECT * FROM final
ORDER BY document_id, consultation_id;
COMMENT ON VIEW consultation_value_origins IS 'For each consultation, which of its values researchers corrected and which they checked: every other value is as extracted.';
COMMENT ON COLUMN consultation_value_origins.consultation_id IS 'The consultation.';
COMMENT ON COLUMN consultation_value_origins.document_id IS 'The document.';
COMMENT ON COLUMN consultation_value_origins.number IS 'N of 諮問第N号 (as corrected).';
COMMENT ON COLUMN consultation_value_origins.title IS 'Subject (as corrected).';
COMMENT ON COLUMN consultation_value_origins.outcome IS 'Outcome (as corrected).';
COMMENT ON COLUMN consultation_value_origins.corrected_fields IS 'Fields whose value is a researcher''s, replacing a different extracted one (contractors, data_items: the list was changed).';
COMMENT ON COLUMN consultation_value_origins.checked_fields IS 'Fields a researcher confirmed or corrected to the value the extractor gives.';
COMMENT ON COLUMN consultation_value_origins.added_by_researcher IS 'True for a consultation the extractor missed, added by a correction.';
-- ---- end of researchers' corrections
