"""Facts the loader derives in SQL from what is loaded, inside each loading transaction.

They depend on more than one document (which files are copies of one meeting) or on a
vocabulary (the kind of an incident). A load recomputes them for the documents it touches:
the batch, and every document that shares a meeting key with a document of the batch or with
one it replaced or removed. So a copy that arrives on a later night, or a copy that is replaced
or removed, is handled, and the cost is that of the batch, not of the warehouse.
`derive_batch` sets them in the rows of a batch before they go in; `derive(con)` recomputes
everything (`shingikai maintain` does, nightly, which also catches a change to these rules).
Only rows whose value changes are written.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from models.canon import incident_words
from shingikai.warehouse import history

# A meeting or 答申 is identified by municipality, council, date, kind of document and the
# consultations it records (numbers, else titles without spaces, sorted), so the same
# minutes as a web page, a PDF or a Shift_JIS file share one key whatever their bytes.
# Without a date there is no key. Without a municipality (a prefecture's council, a header
# that names none) the council's name and at least one consultation must identify it:
# two councils called 個人情報保護審査会 meeting on one day with nothing deliberated
# would otherwise be taken for one meeting.
# Copies with one content (documents.content_digest: the same words however the lines fall)
# are one meeting whatever their headers gave, so they share one key: the least of their
# own keys, else one made of the digest (a page that names no municipality, or no date).
# A key made of a digest never wins over a real one (it stands for "none"). One step only:
# a third copy of other content that shares a twin's own key, when the twins took another
# (two readings of one header), stays apart (rare: three copies, two of them read apart).
CONTENT_KEY = "content | "
SHARED_BY_CONTENT = rf"""
    SELECT
        * EXCLUDE (meeting_key),
        CASE
            WHEN content_digest IS NULL THEN meeting_key
            ELSE coalesce(
                min(CASE WHEN NOT starts_with(meeting_key, '{CONTENT_KEY}') THEN meeting_key END)
                    OVER (PARTITION BY content_digest),
                '{CONTENT_KEY}' || content_digest
            )
        END AS meeting_key
    FROM {{keys}}
"""

# The key of each document in scope from its own rows (tables named, so that it also runs on
# a batch's rows, or on the loaded documents a batch touches).
OWN_KEYS = r"""
consultation_lists AS (
        SELECT
            document_id,
            array_to_string(
                list_sort(list(coalesce(
                    CAST(number AS VARCHAR),
                    regexp_replace(coalesce(title, number_text, '?'), '\s+', '', 'g')
                ))),
                ','
            ) AS consultations
        FROM {consultations}
        GROUP BY document_id
    ),
    own_keys AS (
        SELECT
            d.document_id,
            d.source_path,
            d.file_type,
            d.encoding,
            d.content_digest,
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
        FROM {documents} AS d
        LEFT JOIN {meetings} AS m USING (document_id)
        LEFT JOIN consultation_lists AS cl USING (document_id)
    )
"""
KEYED = OWN_KEYS + ", keyed AS (" + SHARED_BY_CONTENT.replace("{keys}", "own_keys") + ")"

# The copy that stands for the meeting: text before PDF (its extraction is more
# direct), UTF-8 before other encodings, then by source_path and document_id.
RANKED = r"""
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
"""

# Write the marks where they change.
UPDATE_MARKS = r"""
UPDATE documents
SET meeting_key = k.meeting_key, duplicate_of = k.duplicate_of
FROM ({marks}) AS k
WHERE documents.document_id = k.document_id
    AND (
        documents.meeting_key IS DISTINCT FROM k.meeting_key
        OR documents.duplicate_of IS DISTINCT FROM k.duplicate_of
    )
"""

MARK_COPIES = UPDATE_MARKS.replace("{marks}", "WITH " + KEYED + ", " + RANKED)

# What the ranking reads of each document.
MARK_COLUMNS = (
    "document_id",
    "source_path",
    "file_type",
    "encoding",
    "content_digest",
    "meeting_key",
)

# The own keys of a batch's documents, from the batch's own rows (nothing read from the warehouse).
BATCH_KEYED = "WITH " + OWN_KEYS + " SELECT " + ", ".join(MARK_COLUMNS) + " FROM own_keys"


# The loaded documents a batch touches: those of its meetings or of the meetings of documents
# it replaced, removed or moved (their keys as recorded), those of its content, and those of
# the meetings of the latter (a document may take the batch's key and leave its meeting).
# The copies of one content share a key, so a touched one brings all the others along.
def _scope(
    con: duckdb.DuckDBPyConnection, keys: list[str], digests: list[str], batch: list[str]
) -> pa.Table:
    """The loaded documents (not of the `batch`) of meetings `keys` or of contents `digests`,
    and those of the meetings the latter hold: one read of `documents`, a second only when a
    document of the batch's content holds a key the batch does not."""
    sql = (
        "SELECT document_id, meeting_key FROM documents "
        "WHERE document_id NOT IN (SELECT unnest($batch::VARCHAR[])) AND ({})"
    )
    rows = con.execute(
        sql.format(
            "meeting_key IN (SELECT unnest($keys::VARCHAR[])) "
            "OR content_digest IN (SELECT unnest($digests::VARCHAR[]))"
        ),
        {"batch": batch, "keys": keys, "digests": digests},
    ).fetchall()
    more = sorted({k for _, k in rows if k} - set(keys))
    if more:
        rows += con.execute(
            sql.format("meeting_key IN (SELECT unnest($keys::VARCHAR[]))"),
            {"batch": batch, "keys": more},
        ).fetchall()
    return pa.table({"document_id": pa.array(sorted({d for d, _ in rows}), pa.string())})


def _rank_batch(loaded: str) -> str:
    """A batch about to be loaded (`_batch_keyed`, with its own keys), keyed and ranked with the
    loaded documents it touches (`loaded`: those rows of table `{}`; their own keys recomputed
    from their rows); with each one's marks as they are now (null for the batch's)."""
    return (
        "WITH "
        + OWN_KEYS.format(
            **{t: loaded.format(t) for t in ("documents", "meetings", "consultations")}
        )
        + ", every_key AS (SELECT "
        + ", ".join(MARK_COLUMNS)
        + " FROM _batch_keyed UNION ALL SELECT "
        + ", ".join(MARK_COLUMNS)
        + " FROM own_keys), keyed AS ("
        + SHARED_BY_CONTENT.replace("{keys}", "every_key")
        + r"""),
marks AS (
    WITH
"""
        + RANKED
        + r"""
)
SELECT marks.*, d.meeting_key AS was_key, d.duplicate_of AS was_duplicate_of, d.document_id IS NULL AS new
FROM marks LEFT JOIN (SELECT document_id, meeting_key, duplicate_of FROM """
        + loaded.format("documents")
        + """) AS d USING (document_id)
"""
    )


# with the loaded documents of `_scope` (registered as such)
RANK_BATCH = _rank_batch("(SELECT * FROM {} WHERE document_id IN (SELECT document_id FROM _scope))")
# when the batch touches no loaded document (most batches): nothing is read from the lake
RANK_BATCH_ALONE = _rank_batch("(SELECT * FROM {} WHERE false)")


# The first word (in file order) found in an incident's title decides its type.
CLASSIFIED = """
WITH words AS (
    SELECT unnest($words) AS word, unnest($types) AS incident_type,
           generate_subscripts($words, 1) AS priority
),
matched AS (
    SELECT r.report_id, arg_min(w.incident_type, w.priority) AS incident_type
    FROM {reports} AS r
    JOIN words AS w ON contains(r.title, w.word)
    WHERE r.is_incident
    GROUP BY r.report_id
)
SELECT
    r.report_id,
    CASE WHEN r.is_incident THEN coalesce(m.incident_type, 'other') END AS incident_type
FROM {reports} AS r
LEFT JOIN matched AS m USING (report_id)
"""

CLASSIFY_INCIDENTS = f"""
UPDATE reports
SET incident_type = t.incident_type
FROM ({CLASSIFIED.format(reports="reports")}) AS t
WHERE reports.report_id = t.report_id
    AND reports.incident_type IS DISTINCT FROM t.incident_type
"""

TABLES = {"documents": "documents", "meetings": "meetings", "consultations": "consultations"}


def _words() -> dict[str, list[str]]:
    pairs = incident_words()
    return {"words": [w for w, _ in pairs], "types": [t for _, t in pairs]}


def mark_copies(con: duckdb.DuckDBPyConnection) -> None:
    """Set documents.meeting_key, and duplicate_of for every copy but one, everywhere."""
    con.execute(MARK_COPIES.format(**TABLES))


def classify_incidents(con: duckdb.DuckDBPyConnection) -> None:
    """Set reports.incident_type from the words of models/data/incident_types.csv, everywhere."""
    con.execute(CLASSIFY_INCIDENTS, _words())


def derive(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every derived fact over the whole warehouse (`shingikai maintain`)."""
    mark_copies(con)
    classify_incidents(con)
    history.link_all(con)  # issue 21: one consultation across documents (after the copies)


def meeting_keys(con: duckdb.DuckDBPyConnection, documents: list[str]) -> list[str]:
    """The meeting keys recorded for `documents` (before they are replaced, removed or moved)."""
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


def derive_batch(
    con: duckdb.DuckDBPyConnection,
    batch: dict[str, pa.Table],
    touched: list[str],
    places: list[str] | None = None,
) -> dict[str, pa.Table]:
    """The derived facts of a batch about to be inserted (inside its transaction), set in its rows.

    `batch` is table -> the rows going in; `touched` the meeting keys of documents the batch
    replaced, removed or moved (`meeting_keys`, before the change), `places` the local
    governments of their consultations (`history.places_of`). The batch's documents are
    ranked with the loaded documents of the same meetings (or of touched ones): the batch's
    marks are set in its rows, and a loaded document's are updated only when they change (a
    copy arriving, going or moving). Its consultations are linked among themselves, and the
    local governments whose histories change are noted for `history.relink_pending`. Its
    reports get their incident type. Nothing else is read, so the cost is that of the batch,
    not of the warehouse.
    """
    keyed = _batch_keyed(con, batch)
    keys = sorted({k for k in keyed.column("meeting_key").to_pylist() if k} | set(touched))
    digests = sorted({d for d in keyed.column("content_digest").to_pylist() if d})
    if keyed.num_rows or keys:
        scope = _scope(con, keys, digests, keyed.column("document_id").to_pylist())
        con.register("_batch_keyed", keyed)
        con.register("_scope", scope)
        try:
            ranked = con.execute(
                RANK_BATCH if scope.num_rows else RANK_BATCH_ALONE
            ).fetch_arrow_table()
        finally:
            con.unregister("_batch_keyed")
            con.unregister("_scope")
        rows = ranked.to_pylist()
        changed = [
            r
            for r in rows
            if not r["new"]
            and (r["meeting_key"], r["duplicate_of"]) != (r["was_key"], r["was_duplicate_of"])
        ]
        if changed:
            # a loaded document that becomes (or stops being) a copy changes the histories of
            # its local governments: they are relinked with the batch's
            places = [*(places or []), *history.places_of(con, [r["document_id"] for r in changed])]
            con.register("_marks", pa.Table.from_pylist(changed))
            try:
                con.execute(
                    UPDATE_MARKS.replace(
                        "{marks}", "SELECT document_id, meeting_key, duplicate_of FROM _marks"
                    )
                )
            finally:
                con.unregister("_marks")
        marks = {r["document_id"]: (r["meeting_key"], r["duplicate_of"]) for r in rows if r["new"]}
        docs = batch["documents"]
        ids = docs.column("document_id").to_pylist()
        batch["documents"] = _set(
            _set(docs, "meeting_key", [marks.get(i, (None, None))[0] for i in ids]),
            "duplicate_of",
            [marks.get(i, (None, None))[1] for i in ids],
        )
    # issue 21: the batch's consultations linked among themselves, and the local governments
    # whose histories it changes noted to be relinked (copy marks first)
    batch = history.link_batch(con, batch, places or [])
    if "reports" in batch:
        con.register("_batch_reports", batch["reports"])
        try:
            types = dict(
                con.execute(CLASSIFIED.format(reports="_batch_reports"), _words()).fetchall()
            )
        finally:
            con.unregister("_batch_reports")
        reports = batch["reports"]
        batch["reports"] = _set(
            reports,
            "incident_type",
            [types.get(i) for i in reports.column("report_id").to_pylist()],
        )
    return batch


def _batch_keyed(con: duckdb.DuckDBPyConnection, batch: dict[str, pa.Table]) -> pa.Table:
    """MARK_COLUMNS of a batch's documents, computed from its own rows."""
    if "documents" not in batch:
        return pa.table({c: pa.array([], pa.string()) for c in MARK_COLUMNS})
    names = {}
    for table in TABLES:
        if table in batch:
            names[table] = f"_batch_{table}"
            con.register(names[table], batch[table])
        else:  # no rows of that table in the batch: an empty relation with its columns
            names[table] = f"(SELECT * FROM {table} WHERE false)"
    try:
        return con.execute(BATCH_KEYED.format(**names)).fetch_arrow_table()
    finally:
        for table in TABLES:
            if table in batch:
                con.unregister(f"_batch_{table}")


def _set(table: pa.Table, column: str, values: list) -> pa.Table:
    """`table` with `column` replaced by `values` (same type)."""
    i = table.schema.get_field_index(column)
    kind = table.schema.field(i).type
    array = pa.array(values, None if pa.types.is_null(kind) else kind)  # all-null: inferred
    return table.set_column(i, pa.field(column, array.type), array)
