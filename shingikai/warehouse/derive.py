"""Facts the loader derives in SQL from what is loaded, inside each loading transaction.

They depend on more than one document (which files are copies of one meeting) or on a
vocabulary (the kind of an incident). A load recomputes them for the documents it touches:
the batch, and every document that shares a meeting key with a document of the batch or with
one it replaced or removed. So a copy that arrives on a later night, or a copy that is replaced
or removed, is handled, and the cost is that of the batch, not of the warehouse.
`derive(con)` with no scope recomputes everything (`shingikai maintain` does, nightly, which
also catches a change to these rules). Only rows whose value changes are written.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from models.canon import incident_words

# A meeting or 答申 is identified by municipality, council, date, kind of document and the
# consultations it records (numbers, else titles without spaces, sorted), so the same
# minutes as a web page, a PDF or a Shift_JIS file share one key whatever their bytes.
# Without a date there is no key. Without a municipality (a prefecture's council, a header
# that names none) the council's name and at least one consultation must identify it:
# two councils called 個人情報保護審査会 meeting on one day with nothing deliberated
# would otherwise be taken for one meeting.
# The copy that stands for the meeting: text before PDF (its extraction is more
# direct), UTF-8 before other encodings, then by source_path and document_id.
MARK_COPIES = r"""
UPDATE documents
SET meeting_key = k.meeting_key, duplicate_of = k.duplicate_of
FROM (
    WITH consultation_lists AS (
        SELECT
            document_id,
            array_to_string(
                list_sort(list(coalesce(
                    CAST(number AS VARCHAR),
                    regexp_replace(coalesce(title, number_text, '?'), '\s+', '', 'g')
                ))),
                ','
            ) AS consultations
        FROM consultations
        WHERE {scope}
        GROUP BY document_id
    ),
    keyed AS (
        SELECT
            d.document_id,
            d.source_path,
            d.file_type,
            d.encoding,
            CASE
                WHEN d.status = 'ok' AND m.held_on IS NOT NULL
                    AND (
                        coalesce(m.municipality, d.municipality) IS NOT NULL
                        OR (m.body IS NOT NULL AND cl.consultations IS NOT NULL)
                    )
                THEN concat_ws(
                    ' | ',
                    coalesce(m.municipality, d.municipality),
                    regexp_replace(coalesce(m.body, ''), '\s+', '', 'g'),
                    CAST(m.held_on AS VARCHAR),
                    d.doc_kind,
                    coalesce(cl.consultations, '')
                )
            END AS meeting_key
        FROM documents AS d
        LEFT JOIN meetings AS m USING (document_id)
        LEFT JOIN consultation_lists AS cl USING (document_id)
        WHERE {scope_d}
    ),
    ranked AS (
        SELECT
            document_id,
            meeting_key,
            first_value(document_id) OVER (
                PARTITION BY meeting_key
                ORDER BY
                    file_type = 'pdf',
                    coalesce(encoding, '') <> 'utf-8',
                    source_path,
                    document_id
            ) AS counted
        FROM keyed
    )
    SELECT
        document_id,
        meeting_key,
        CASE WHEN meeting_key IS NOT NULL AND counted <> document_id THEN counted END
            AS duplicate_of
    FROM ranked
) AS k
WHERE documents.document_id = k.document_id
    AND (
        documents.meeting_key IS DISTINCT FROM k.meeting_key
        OR documents.duplicate_of IS DISTINCT FROM k.duplicate_of
    )
"""

# The first word (in file order) found in an incident's title decides its type.
CLASSIFY_INCIDENTS = """
UPDATE reports
SET incident_type = t.incident_type
FROM (
    WITH words AS (
        SELECT unnest($words) AS word, unnest($types) AS incident_type,
               generate_subscripts($words, 1) AS priority
    ),
    matched AS (
        SELECT r.report_id, arg_min(w.incident_type, w.priority) AS incident_type
        FROM reports AS r
        JOIN words AS w ON contains(r.title, w.word)
        WHERE r.is_incident AND {scope}
        GROUP BY r.report_id
    )
    SELECT
        r.report_id,
        CASE WHEN r.is_incident THEN coalesce(m.incident_type, 'other') END AS incident_type
    FROM reports AS r
    LEFT JOIN matched AS m USING (report_id)
    WHERE {scope}
) AS t
WHERE reports.report_id = t.report_id
    AND reports.incident_type IS DISTINCT FROM t.incident_type
"""


# the documents a scoped run recomputes: a relation registered for the transaction
_SCOPE = "document_id IN (SELECT document_id FROM _derive_scope)"
_EVERYTHING = "true"


def mark_copies(con: duckdb.DuckDBPyConnection, scoped: bool = False) -> None:
    """Set documents.meeting_key, and duplicate_of for every copy but one (of the scope)."""
    con.execute(
        MARK_COPIES.format(
            scope=_SCOPE if scoped else _EVERYTHING,
            scope_d=f"d.{_SCOPE}" if scoped else _EVERYTHING,
        )
    )


def classify_incidents(con: duckdb.DuckDBPyConnection, scoped: bool = False) -> None:
    """Set reports.incident_type from the words of models/data/incident_types.csv."""
    pairs = incident_words()
    con.execute(
        CLASSIFY_INCIDENTS.format(scope=f"r.{_SCOPE}" if scoped else _EVERYTHING),
        {"words": [w for w, _ in pairs], "types": [t for _, t in pairs]},
    )


def meeting_keys(con: duckdb.DuckDBPyConnection, documents: list[str]) -> list[str]:
    """The meeting keys recorded for `documents` (before they are replaced or removed)."""
    if not documents:
        return []
    return [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT meeting_key FROM documents WHERE meeting_key IS NOT NULL "
            "AND document_id IN (SELECT unnest(?::VARCHAR[]))",
            [documents],
        ).fetchall()
    ]


def derive(
    con: duckdb.DuckDBPyConnection,
    documents: list[str] | None = None,
    old_keys: list[str] | None = None,
) -> None:
    """Recompute the derived facts (inside the loading transaction).

    With `documents` (the batch just loaded) and `old_keys` (the meeting keys of the documents
    it replaced or removed, from `meeting_keys` before the delete), only the batch and the
    documents sharing a meeting with it, before or after, are recomputed; without, everything.
    """
    if documents is None:
        mark_copies(con)
        classify_incidents(con)
        return
    con.register("_derive_scope", pa.table({"document_id": pa.array(documents, pa.string())}))
    try:
        mark_copies(con, scoped=True)  # the batch's own keys, first
        keys = sorted(set(meeting_keys(con, documents)) | set(old_keys or []))
        scope = sorted(
            set(documents)
            | {
                r[0]
                for r in con.execute(
                    "SELECT document_id FROM documents WHERE meeting_key IN "
                    "(SELECT unnest(?::VARCHAR[]))",
                    [keys],
                ).fetchall()
            }
        )
        con.unregister("_derive_scope")
        con.register("_derive_scope", pa.table({"document_id": pa.array(scope, pa.string())}))
        mark_copies(con, scoped=True)  # then every copy of those meetings, ranked together
        classify_incidents(con, scoped=True)
    finally:
        con.unregister("_derive_scope")
