-- shingikai analysis views: applied after models/schema.sql (shingikai.warehouse.apply_schema).
-- Each view reads top to bottom: import CTEs name the tables it uses, then logic CTEs,
-- then `final`, which is what the view returns.

CREATE OR REPLACE VIEW consultations_with_meeting AS
WITH consultations AS (
    SELECT * FROM main.consultations
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
        d.doc_kind
    FROM consultations AS c
    LEFT JOIN meetings AS m USING (document_id)
    LEFT JOIN documents AS d USING (document_id)
)
SELECT * FROM final;
COMMENT ON VIEW consultations_with_meeting IS 'Each consultation with its meeting: date (held_on), council (body), municipality (meeting_municipality: consultation, else meeting, else document), year (of held_on, else fiscal_year), source_path and doc_kind.';

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
COMMENT ON VIEW contractors_multi_municipality IS 'One row per contractor (name_normalized, named parties only) that receives personal data in consultations of more than one municipality: the municipalities, the number of consultations, and the distinct personal-data items (item_normalized) handed to it.';

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
    LEFT JOIN consultations AS c USING (consultation_id)
    GROUP BY ALL
)
SELECT * FROM final
ORDER BY n_consultations DESC, item_normalized, municipality;
COMMENT ON VIEW item_frequency IS 'How often each personal-data item (item_normalized, category) is handled, per municipality: mentions and distinct consultations.';

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
COMMENT ON VIEW outcomes_by_municipality_year IS 'Consultations per municipality, year and outcome, with how many carried conditions or requests (with_conditions).';

CREATE OR REPLACE VIEW incidents AS
WITH reports AS (
    SELECT * FROM main.reports WHERE is_incident
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
        r.department,
        coalesce(m.municipality, d.municipality) AS municipality,
        m.body,
        m.held_on,
        coalesce(year(m.held_on), m.fiscal_year) AS year,
        d.source_path,
        r.start_char,
        r.end_char
    FROM reports AS r
    LEFT JOIN meetings AS m USING (document_id)
    LEFT JOIN documents AS d USING (document_id)
)
SELECT * FROM final
ORDER BY held_on, municipality, report_id;
COMMENT ON VIEW incidents IS 'Reports flagged as incidents (loss, leak, misdelivery) with the meeting date, council, municipality and year.';

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
    LEFT JOIN consultations AS c USING (consultation_id)
    GROUP BY d.item_normalized
)
SELECT * FROM final
ORDER BY n_mentions DESC, value;
COMMENT ON VIEW unmapped_values IS 'Personal-data items not in the vocabulary yet (in_vocabulary = false), with counts and spellings: candidates for models/data/data_items.csv.';
