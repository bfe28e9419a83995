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

-- ---- history across documents (issue 21): consultations.consultation_key, set by the loader
-- (shingikai/warehouse/history.py), links the rows of one 諮問 across meetings and its 答申.
COMMENT ON COLUMN consultations_with_meeting.consultation_key IS 'The 諮問 across documents (consultations.consultation_key); see consultation_history.';
COMMENT ON COLUMN consultations_with_meeting.stage IS 'Stage of the 諮問 in this document: submitted, deliberated, deferred, answered or confirmed.';
COMMENT ON COLUMN consultations_with_meeting.asked_on IS 'Date the 諮問 was made, when a 答申 states it.';
COMMENT ON COLUMN consultations_with_meeting.link_candidates IS 'Histories this row fitted equally (linked to none); null otherwise.';

CREATE OR REPLACE VIEW consultation_history AS
WITH consultations AS (
    SELECT * FROM main.consultations_with_meeting
),
keyed AS (
    SELECT *, coalesce(consultation_key, consultation_id) AS history_key FROM consultations
),
final AS (
    SELECT
        history_key AS consultation_key,
        row_number() OVER (
            PARTITION BY history_key ORDER BY held_on NULLS LAST, document_id, start_char
        ) AS seq,
        count(*) OVER (PARTITION BY history_key) AS n_events,
        held_on,
        coalesce(stage, CASE WHEN doc_kind = 'toshin' THEN 'answered' ELSE 'deliberated' END) AS stage,
        outcome,
        outcome_text,
        has_conditions,
        meeting_municipality AS municipality,
        body,
        number,
        title,
        asked_on,
        consultation_id,
        document_id,
        doc_kind,
        source_path,
        link_candidates
    FROM keyed
)
SELECT * FROM final
ORDER BY municipality, consultation_key, seq;
COMMENT ON VIEW consultation_history IS 'One row per event in the life of a 諮問: each document (counted copy of its meeting) that records it, in date order, with its stage (submitted, deliberated, deferred, answered, confirmed) and the outcome at that stage. Rows sharing consultation_key are one 諮問.';
COMMENT ON COLUMN consultation_history.consultation_key IS 'The 諮問 (consultations.consultation_key): the consultation_id of its earliest row.';
COMMENT ON COLUMN consultation_history.seq IS '1-based order of the event in the 諮問''s history (by date, then document).';
COMMENT ON COLUMN consultation_history.n_events IS 'How many documents record this 諮問.';
COMMENT ON COLUMN consultation_history.held_on IS 'Date of the meeting, or of the 答申.';
COMMENT ON COLUMN consultation_history.stage IS 'submitted, deliberated, deferred, answered (a 答申) or confirmed (答申書の確認).';
COMMENT ON COLUMN consultation_history.outcome IS 'Outcome at this stage: approved, rejected, deferred, withdrawn or unknown.';
COMMENT ON COLUMN consultation_history.outcome_text IS 'The document''s own words of the decision at this stage.';
COMMENT ON COLUMN consultation_history.has_conditions IS 'True when conditions or requests were attached at this stage.';
COMMENT ON COLUMN consultation_history.municipality IS 'Local government (consultation, else meeting header, else document).';
COMMENT ON COLUMN consultation_history.body IS 'The council''s name as this document gives it.';
COMMENT ON COLUMN consultation_history.number IS 'N of 諮問第N号 as this document gives it; null when none.';
COMMENT ON COLUMN consultation_history.title IS 'Subject of the 諮問 as this document gives it.';
COMMENT ON COLUMN consultation_history.asked_on IS 'Date the 諮問 was made, when a 答申 of its history states it.';
COMMENT ON COLUMN consultation_history.consultation_id IS 'The row in consultations.';
COMMENT ON COLUMN consultation_history.document_id IS 'The document of this event.';
COMMENT ON COLUMN consultation_history.doc_kind IS 'minutes, toshin, summary or other.';
COMMENT ON COLUMN consultation_history.source_path IS 'Source path of the document.';
COMMENT ON COLUMN consultation_history.link_candidates IS 'When this row fitted two or more earlier 諮問 equally (and was linked to none): their keys.';

CREATE OR REPLACE VIEW consultations_final AS
WITH history AS (
    SELECT * FROM main.consultation_history
),
contractors AS (
    SELECT consultation_id, name_normalized FROM main.contractors WHERE kind <> 'unnamed'
),
data_items AS (
    SELECT consultation_id, item_normalized FROM main.data_items
),
conditions AS (
    SELECT consultation_id, text, start_char FROM main.consultation_conditions
),
events AS (
    SELECT
        consultation_key,
        min(held_on) AS first_on,
        max(held_on) AS last_on,
        min(asked_on) AS asked_on,
        arg_min(municipality, seq) AS municipality,
        arg_min(body, seq) AS body,
        arg_min(number, seq) FILTER (WHERE number IS NOT NULL) AS number,
        arg_min(title, seq) AS title,
        count(*) AS n_documents,
        list(stage ORDER BY seq) AS stages,
        list(outcome ORDER BY seq) AS outcomes,
        list(document_id ORDER BY seq) AS document_ids,
        list(source_path ORDER BY seq) AS source_paths,
        bool_or(has_conditions) AS has_conditions,
        bool_or(link_candidates IS NOT NULL) AS to_review,
        -- the last outcome stated, else unknown
        coalesce(arg_max(outcome, seq) FILTER (WHERE outcome <> 'unknown'), 'unknown') AS final_outcome,
        -- the first decision: a vote, a withdrawal or a 答申
        min(held_on) FILTER (
            WHERE outcome IN ('approved', 'rejected', 'withdrawn') OR stage = 'answered'
        ) AS decided_on
    FROM history
    GROUP BY consultation_key
),
parties AS (
    SELECT h.consultation_key, list(DISTINCT c.name_normalized ORDER BY c.name_normalized) AS contractors
    FROM history AS h JOIN contractors AS c USING (consultation_id)
    GROUP BY h.consultation_key
),
items AS (
    SELECT h.consultation_key, list(DISTINCT d.item_normalized ORDER BY d.item_normalized) AS data_items
    FROM history AS h JOIN data_items AS d USING (consultation_id)
    GROUP BY h.consultation_key
),
asked AS (
    SELECT h.consultation_key, list(c.text ORDER BY h.seq, c.start_char) AS conditions
    FROM history AS h JOIN conditions AS c USING (consultation_id)
    GROUP BY h.consultation_key
),
final AS (
    SELECT
        e.consultation_key,
        e.municipality,
        e.body,
        e.number,
        e.title,
        least(e.asked_on, e.first_on) AS first_on,
        e.last_on,
        e.decided_on,
        -- a history that begins with its 答申 and does not say when it was asked: unknown
        CASE WHEN e.asked_on IS NOT NULL OR e.stages[1] NOT IN ('answered', 'confirmed')
            THEN date_diff('day', least(e.asked_on, e.first_on), e.decided_on)
        END AS days_to_decision,
        e.final_outcome,
        year(coalesce(e.decided_on, e.last_on)) AS year,
        e.has_conditions OR a.conditions IS NOT NULL AS has_conditions,
        coalesce(a.conditions, []::VARCHAR[]) AS conditions,
        coalesce(p.contractors, []::VARCHAR[]) AS contractors,
        coalesce(i.data_items, []::VARCHAR[]) AS data_items,
        e.n_documents,
        e.stages,
        e.outcomes,
        e.document_ids,
        e.source_paths,
        e.to_review
    FROM events AS e
    LEFT JOIN parties AS p USING (consultation_key)
    LEFT JOIN items AS i USING (consultation_key)
    LEFT JOIN asked AS a USING (consultation_key)
)
SELECT * FROM final
ORDER BY municipality, first_on, consultation_key;
COMMENT ON VIEW consultations_final IS 'One row per 諮問 however many documents record it: first and last date, days from 諮問 to decision, final outcome, conditions attached at any stage, and every contractor and data item named in any of its documents.';
COMMENT ON COLUMN consultations_final.consultation_key IS 'The 諮問 (consultations.consultation_key).';
COMMENT ON COLUMN consultations_final.municipality IS 'Local government, from its first document.';
COMMENT ON COLUMN consultations_final.body IS 'The council''s name, from its first document.';
COMMENT ON COLUMN consultations_final.number IS 'N of 諮問第N号, from the first document that gives it; null when none does.';
COMMENT ON COLUMN consultations_final.title IS 'Subject, from its first document.';
COMMENT ON COLUMN consultations_final.first_on IS 'Date the 諮問 was made when a 答申 states it, else the date of its first document.';
COMMENT ON COLUMN consultations_final.last_on IS 'Date of its last document.';
COMMENT ON COLUMN consultations_final.decided_on IS 'Date of the first decision: approved, rejected or withdrawn at a meeting, or a 答申; null while undecided.';
COMMENT ON COLUMN consultations_final.days_to_decision IS 'Days from first_on to decided_on; null while undecided, or when the history begins with its answer and does not say when it was asked.';
COMMENT ON COLUMN consultations_final.final_outcome IS 'The last outcome its documents state (approved, rejected, deferred, withdrawn); unknown when none states one.';
COMMENT ON COLUMN consultations_final.year IS 'Year of decided_on, else of last_on: the year the 諮問 counts in.';
COMMENT ON COLUMN consultations_final.has_conditions IS 'True when conditions or requests were attached at any stage.';
COMMENT ON COLUMN consultations_final.conditions IS 'Every condition or request sentence, in the order of its history (empty when none).';
COMMENT ON COLUMN consultations_final.contractors IS 'Every named contractor (name_normalized) in any of its documents, sorted.';
COMMENT ON COLUMN consultations_final.data_items IS 'Every personal-data item (item_normalized) in any of its documents, sorted.';
COMMENT ON COLUMN consultations_final.n_documents IS 'How many documents record it (counted copies of meetings).';
COMMENT ON COLUMN consultations_final.stages IS 'Its stages in order (see consultation_history).';
COMMENT ON COLUMN consultations_final.outcomes IS 'The outcome at each stage, in the same order.';
COMMENT ON COLUMN consultations_final.document_ids IS 'Its documents, in the same order.';
COMMENT ON COLUMN consultations_final.source_paths IS 'Their source paths, in the same order.';
COMMENT ON COLUMN consultations_final.to_review IS 'True when one of its rows fitted two histories and was linked to none (view consultation_links_to_review).';

CREATE OR REPLACE VIEW consultation_links_to_review AS
WITH history AS (
    SELECT * FROM main.consultation_history
),
candidates AS (
    SELECT consultation_key, consultation_id, held_on, municipality, body, number, title,
        source_path, unnest(link_candidates) AS candidate_key
    FROM history
    WHERE link_candidates IS NOT NULL
),
final AS (
    SELECT
        c.consultation_id,
        c.consultation_key,
        c.municipality,
        c.held_on,
        c.body,
        c.number,
        c.title,
        c.source_path,
        c.candidate_key,
        f.first_on AS candidate_first_on,
        f.number AS candidate_number,
        f.title AS candidate_title,
        f.source_paths AS candidate_source_paths
    FROM candidates AS c
    LEFT JOIN main.consultations_final AS f ON f.consultation_key = c.candidate_key
)
SELECT * FROM final
ORDER BY municipality, held_on, consultation_id, candidate_key;
COMMENT ON VIEW consultation_links_to_review IS 'Rows that fit the histories of two or more earlier 諮問 equally and were linked to none: one row per such row and candidate, for a person to judge.';
COMMENT ON COLUMN consultation_links_to_review.consultation_id IS 'The row left unlinked (consultations.consultation_id).';
COMMENT ON COLUMN consultation_links_to_review.consultation_key IS 'Its own history (it starts one).';
COMMENT ON COLUMN consultation_links_to_review.municipality IS 'Local government.';
COMMENT ON COLUMN consultation_links_to_review.held_on IS 'Date of its document.';
COMMENT ON COLUMN consultation_links_to_review.body IS 'Council, as its document gives it.';
COMMENT ON COLUMN consultation_links_to_review.number IS 'N of 諮問第N号 in its document; null when none.';
COMMENT ON COLUMN consultation_links_to_review.title IS 'Subject, as its document gives it.';
COMMENT ON COLUMN consultation_links_to_review.source_path IS 'Source path of its document.';
COMMENT ON COLUMN consultation_links_to_review.candidate_key IS 'A history it fits (consultations_final.consultation_key).';
COMMENT ON COLUMN consultation_links_to_review.candidate_first_on IS 'When that history began.';
COMMENT ON COLUMN consultation_links_to_review.candidate_number IS 'Its number; null when none.';
COMMENT ON COLUMN consultation_links_to_review.candidate_title IS 'Its subject.';
COMMENT ON COLUMN consultation_links_to_review.candidate_source_paths IS 'Its documents'' source paths, in order.';
-- ---- end history

CREATE OR REPLACE VIEW data_flows AS
WITH consultations AS (
    SELECT * FROM main.consultations_with_meeting
),
histories AS (
    -- issue 21: a 諮問 recorded by several documents counts once, with its final outcome
    SELECT consultation_key, final_outcome, has_conditions, conditions FROM main.consultations_final
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
flows AS (
    SELECT
        c.*,
        coalesce(c.consultation_key, c.consultation_id) AS history_key,
        ct.name_normalized AS contractor,
        ct.kind AS contractor_kind,
        ct.name AS contractor_as_written,
        ct.start_char AS contractor_start,
        ct.end_char AS contractor_end,
        d.item_normalized AS data_item,
        d.category AS data_item_category,
        d.item AS data_item_as_written,
        d.start_char AS data_item_start,
        d.end_char AS data_item_end
    FROM consultations AS c
    LEFT JOIN contractors AS ct USING (consultation_id)
    LEFT JOIN data_items AS d USING (consultation_id)
),
once AS (
    -- each contractor and item of a 諮問 once, from the first document naming it; a row without
    -- a contractor (an item) only when no document of the 諮問 names one with that item (contractor)
    SELECT
        *,
        row_number() OVER (
            PARTITION BY history_key, contractor, data_item ORDER BY held_on NULLS LAST, document_id
        ) AS nth,
        bool_or(contractor IS NOT NULL) OVER (PARTITION BY history_key, data_item) AS item_has_party,
        bool_or(data_item IS NOT NULL) OVER (PARTITION BY history_key, contractor) AS party_has_item,
        bool_or(contractor IS NOT NULL OR data_item IS NOT NULL) OVER (PARTITION BY history_key)
            AS any_named
    FROM flows
),
final AS (
    SELECT
        o.meeting_municipality AS municipality,
        o.year,
        o.held_on,
        o.body,
        o.consultation_id,
        o.number AS consultation_number,
        o.title AS consultation_title,
        o.department,
        o.categories,
        o.contractor,
        o.contractor_kind,
        o.data_item,
        o.data_item_category,
        coalesce(h.final_outcome, o.outcome) AS outcome,
        o.vote,
        coalesce(h.has_conditions, o.has_conditions) AS has_conditions,
        coalesce(h.conditions, []::VARCHAR[]) AS conditions,
        o.document_id,
        o.source_path,
        o.start_char AS consultation_start,
        o.end_char AS consultation_end,
        o.contractor_as_written,
        o.contractor_start,
        o.contractor_end,
        o.data_item_as_written,
        o.data_item_start,
        o.data_item_end,
        o.history_key AS consultation_key,
        o.stage,
        o.outcome AS outcome_in_document
    FROM once AS o
    LEFT JOIN histories AS h ON h.consultation_key = o.history_key
    WHERE o.nth = 1
        AND (o.contractor IS NOT NULL OR NOT o.item_has_party)
        AND (o.data_item IS NOT NULL OR NOT o.party_has_item)
        AND (o.contractor IS NOT NULL OR o.data_item IS NOT NULL OR NOT o.any_named)
)
SELECT * FROM final
ORDER BY municipality, year, consultation_id, contractor, data_item;
COMMENT ON VIEW data_flows IS 'Which personal data goes to which contractor, and what the council decided: one row per municipality, year, consultation, contractor and data item, with the final outcome of the 諮問, its conditions, and where each value was read (document, spans). Each meeting counts once, and a 諮問 recorded by several documents once (consultation_key): each contractor and item from the first document naming it. A consultation without a named recipient or item has a row with nulls there.';
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
COMMENT ON COLUMN data_flows.outcome IS 'Final outcome of the 諮問 over all its documents (consultations_final.final_outcome): approved, rejected, deferred, withdrawn or unknown.';
COMMENT ON COLUMN data_flows.vote IS 'unanimous or majority; null when not stated.';
COMMENT ON COLUMN data_flows.has_conditions IS 'True when the council attached requests, conditions or 付帯意見 at any stage of the 諮問.';
COMMENT ON COLUMN data_flows.conditions IS 'The sentences stating the conditions or requests at any stage of the 諮問, in the order of its history (empty when none).';
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
COMMENT ON COLUMN data_flows.consultation_key IS 'The 諮問 across documents (consultations.consultation_key); see consultation_history.';
COMMENT ON COLUMN data_flows.stage IS 'Stage of the 諮問 in the document the row is read from (submitted, deliberated, deferred, answered, confirmed).';
COMMENT ON COLUMN data_flows.outcome_in_document IS 'The outcome stated in that document (the outcome at that stage).';

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
    -- issue 21: each 諮問 once, with its final outcome, in the year it was decided
    SELECT * FROM main.consultations_final
),
final AS (
    SELECT
        municipality,
        year,
        final_outcome AS outcome,
        count(*) AS n_consultations,
        count(*) FILTER (WHERE has_conditions) AS with_conditions
    FROM consultations
    GROUP BY ALL
)
SELECT * FROM final
ORDER BY municipality, year, outcome;
COMMENT ON VIEW outcomes_by_municipality_year IS 'Consultations per municipality, year and final outcome, with how many carried conditions or requests (with_conditions). Each 諮問 counts once however many documents record it (consultations_final), in the year of its decision (else of its last document).';
COMMENT ON COLUMN outcomes_by_municipality_year.municipality IS 'Local government.';
COMMENT ON COLUMN outcomes_by_municipality_year.year IS 'Year of the decision, else of the last document (consultations_final.year).';
COMMENT ON COLUMN outcomes_by_municipality_year.outcome IS 'Final outcome: approved, rejected, deferred, withdrawn or unknown.';
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
