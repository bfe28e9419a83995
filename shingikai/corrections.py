"""What the `correct`, `confirm` and `corrections` commands do: write a correction, apply it to the
warehouse at once, list corrections, score the extractor against them, export them as gold.

The files (data/corrections/<document_id>.toml) are the record; the warehouse holds their effect.
`correct` writes the file, then loads the document again from the warehouse's own rows (its rows
as extracted are kept in `extracted_rows`), so `show` and queries see the correction at once
without extracting again; every later load (ingest, `--force`, a new extractor) applies it too
(`shingikai.warehouse.corrections`).
"""

from __future__ import annotations

import getpass
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import duckdb

from models.records import TABLE_ATTRS, TABLE_RECORDS, Document, Extraction
from shingikai import warehouse
from shingikai.show import DocumentNotFound, find_document
from shingikai.warehouse import corrections as fix
from shingikai.warehouse import store
from shingikai.warehouse.corrections import (
    LIST_FIELDS,
    MEETING_FIELDS,
    Correction,
    CorrectionError,
    CorrectionsFile,
    Place,
)

# statuses that say the correction holds a checked value (the others were not applied)
HELD = ("applied", "redundant", "confirmed")


def researcher(given: str | None = None) -> str:
    """Who corrects: --by, else $SHINGIKAI_USER, else the login name."""
    return given or os.environ.get("SHINGIKAI_USER") or getpass.getuser()


@dataclass
class Written:
    """What a `correct` or `confirm` did: the entries written, each one's status once applied,
    and the conflicts they are part of."""

    document_id: str
    source_path: str
    file: Path
    # each entry, its status, why not applied, and the extracted value (JSON)
    statuses: list[tuple[Correction, str, str, str]] = field(default_factory=list)
    conflicts: list[tuple[Correction, Correction]] = field(default_factory=list)


def _document(con: duckdb.DuckDBPyConnection, ref: str) -> tuple[str, str]:
    """The document `ref` names, if it was read: a file that failed has no values to correct."""
    try:
        document_id, source_path = find_document(con, ref)
    except DocumentNotFound as exc:
        raise CorrectionError(str(exc)) from None
    status, error = con.execute(
        "SELECT status, error FROM documents WHERE document_id = ?", [document_id]
    ).fetchall()[0]
    if status != "ok":
        raise CorrectionError(
            f"{source_path} was not read (status {status}: {error}): it has no values to correct"
        )
    return document_id, source_path


def current_rows(con: duckdb.DuckDBPyConnection, document_id: str) -> dict[str, list[dict]]:
    """A document's rows as the warehouse holds them (corrections applied), by table."""
    out = {}
    for table in [*warehouse.DOCUMENT_TABLES, "document_locations"]:
        cur = con.execute(f"SELECT * FROM {table} WHERE document_id = ?", [document_id])
        cols = [d[0] for d in cur.description]
        out[table] = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    return out


def correct(
    db: Path | str,
    ref: str,
    place_text: str,
    value_text: str | None,
    action: str = "set",
    why: str = "",
    by: str | None = None,
) -> Written:
    """Record one correction of the document `ref` and apply it to the warehouse.

    CorrectionError (one line) for an unknown document, field or value type, a place the
    document does not have, or a name to add that its text does not contain.
    """
    if not why.strip():
        raise CorrectionError('say why: --why "where the document says so"')
    place = fix.parse_place(place_text)
    _check_action(place, action)
    value = fix.parse_value(place, value_text, action)
    if not store.exists(db):
        raise CorrectionError(f"no warehouse at {db}: run `shingikai ingest` first")
    with warehouse.readonly(db) as con:
        document_id, source_path = _document(con, ref)
        rows = current_rows(con, document_id)
    _check_target(rows, place, value, action)
    entry = Correction(str(place), action, value, researcher(by), _now(), why.strip())
    return _record(db, document_id, source_path, [entry])


def confirm(
    db: Path | str,
    ref: str,
    place_text: str | None = None,
    value_text: str | None = None,
    why: str = "",
    by: str | None = None,
) -> Written:
    """Mark a value as checked and right: the given value, else the one the warehouse holds.
    Without a place, every value of the document is confirmed and the document is marked as
    fully checked (its corrections can then be exported as a gold file)."""
    if not store.exists(db):
        raise CorrectionError(f"no warehouse at {db}: run `shingikai ingest` first")
    with warehouse.readonly(db) as con:
        document_id, source_path = _document(con, ref)
        rows = current_rows(con, document_id)
    who, now, why = researcher(by), _now(), why.strip() or "checked against the document"
    if place_text is None:
        entries = [Correction(str(p), "confirm", v, who, now, why) for p, v in all_values(rows)]
        return _record(db, document_id, source_path, entries, checked=(who, now))
    place = fix.parse_place(place_text)
    if value_text is not None:
        value = fix.parse_value(place, value_text, "confirm")
        _check_target(rows, place, value, "confirm")
    else:
        value = dict(all_values(rows, [place])).get(place)
        _check_target(rows, place, value, "confirm")
    return _record(
        db, document_id, source_path, [Correction(str(place), "confirm", value, who, now, why)]
    )


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _check_action(place: Place, action: str) -> None:
    if place.field in LIST_FIELDS and action == "set":
        raise CorrectionError(f"{place} is a list: --add NAME or --remove NAME (or confirm it)")
    if place.field is None and action == "set":
        raise CorrectionError(
            f"{place} names a whole {place.kind}: --add or --remove it, or name a field "
            f"(e.g. {place}.title)"
        )
    if action in ("add", "remove") and place.field is not None and place.field not in LIST_FIELDS:
        raise CorrectionError(f"{place} is one value: correct it without --{action}")


def _check_target(rows: dict[str, list[dict]], place: Place, value: Any, action: str) -> None:
    """The place exists in the document (or, to add, does not yet); a name added is in the text."""
    if place.kind == "meeting":
        return
    table = "consultations" if place.kind == "consultation" else "reports"
    found = fix.find_records(rows[table], place.key or "", by_number=place.kind == "consultation")
    if place.field is None and action == "add":
        if found:
            raise CorrectionError(f"{place} is already in the document: nothing to add")
        return
    if not found:
        known = ", ".join(_key(r, place.kind) for r in rows[table]) or "none"
        raise CorrectionError(f"no {place} in this document ({place.kind}s: {known})")
    if len(found) > 1:
        raise CorrectionError(
            f"{len(found)} {place.kind}s match {place.key!r}: name one by its title"
        )
    if place.field in LIST_FIELDS and action == "add":
        text = (rows["document_texts"] or [{"text": ""}])[0]["text"]
        if fix.ground(text, value, found[0].get("start_char") or 0) is None:
            raise CorrectionError(
                f"{value!r} is not written in the document's text: a value must be grounded "
                "(write it as the document does)"
            )


def _key(record: dict, kind: str) -> str:
    if kind == "consultation" and record.get("number") is not None:
        return str(record["number"])
    return str(record.get("title"))


def all_values(
    rows: dict[str, list[dict]], only: list[Place] | None = None
) -> list[tuple[Place, Any]]:
    """Every value of a document a gold file holds, with its place (or only those `only` names)."""
    out: list[tuple[Place, Any]] = []
    doc = rows["documents"][0]
    meeting = (rows["meetings"] or [{}])[0]
    for name in MEETING_FIELDS:
        out.append(
            (
                Place("meeting", None, name),
                doc.get(name) if name == "doc_kind" else meeting.get(name),
            )
        )
    numbers = [c.get("number") for c in rows["consultations"]]
    for c in sorted(rows["consultations"], key=lambda r: r["start_char"]):
        key = (
            str(c["number"])
            if c.get("number") is not None and numbers.count(c["number"]) == 1
            else c["title"]
        )
        for name in fix.CONSULTATION_FIELDS:
            if name in LIST_FIELDS:
                column = "name" if name == "contractors" else "item"
                value: Any = _unique(
                    r[column] for r in rows[name] if r["consultation_id"] == c["consultation_id"]
                )
            else:
                value = c.get(name)
            out.append((Place("consultation", key, name), value))
    for r in sorted(rows["reports"], key=lambda r: r["start_char"]):
        for name in fix.REPORT_FIELDS:
            out.append((Place("report", r["title"], name), r.get(name)))
    return [(p, v) for p, v in out if only is None or p in only]


def _unique(values: Any) -> list[str]:
    return list(dict.fromkeys(values))


def _record(
    db: Path | str,
    document_id: str,
    source_path: str,
    entries: list[Correction],
    checked: tuple[str, datetime] | None = None,
) -> Written:
    """Add entries to the document's file (each replaces the same researcher's earlier entry on
    the same value), apply the file to the warehouse, and say what each entry found."""
    path = fix.path_for(document_id)
    cf = fix.read_file(path) if path.exists() else CorrectionsFile(document_id)
    cf.source_path = source_path
    for entry in entries:
        same = (entry.place, entry.element(), entry.by)
        cf.corrections = [c for c in cf.corrections if (c.place, c.element(), c.by) != same]
        cf.corrections.append(entry)
    if checked:
        cf.checked_by, cf.checked_at = checked
    fix.write_file(path, cf)
    applied = reapply(db, document_id)
    out = Written(document_id, source_path, path)
    ours = {id(e) for e in entries}
    out.conflicts = [
        (a, b) for a, b in fix.conflicts(cf.corrections) if id(a) in ours or id(b) in ours
    ]
    for entry in entries:
        out.statuses.append((entry, *applied.get(_entry_key(entry), ("not loaded", "", "null"))))
    return out


def _entry_key(c: Correction) -> tuple[str, str, str, str]:
    return (c.place, c.by, c.at.replace(tzinfo=None).isoformat(), fix.encode(c.value))


def _applied(db: Path | str) -> dict[tuple, tuple[str, str, str]]:
    """(place, by, at, value) -> (status, note, extracted value as JSON) of every correction as
    the warehouse applied it."""
    if not store.exists(db):
        return {}
    with warehouse.readonly(db) as con:
        return _statuses(con)


def _statuses(
    con: duckdb.DuckDBPyConnection, document_id: str | None = None
) -> dict[tuple, tuple[str, str, str]]:
    rows = con.execute(
        "SELECT place, corrected_by, corrected_at, value, status, note, extracted_value "
        "FROM corrections WHERE ? IS NULL OR document_id = ?",
        [document_id, document_id],
    ).fetchall()
    return {(r[0], r[1], r[2].isoformat(), r[3]): (r[4], r[5], r[6]) for r in rows}


def reapply(db: Path | str, document_id: str) -> dict[tuple, tuple[str, str, str]]:
    """Load a document again from the warehouse's rows, its corrections file applied anew;
    return what each of its corrections found (see `_statuses`)."""
    with warehouse.Writer(db) as w:
        rows = current_rows(w.con, document_id)
        if not rows["documents"]:
            return {}
        for table, stored in _extracted(w.con, document_id).items():
            rows[table] = stored
        warehouse.load(w.con, _as_extraction(rows))
        return _statuses(w.con, document_id)


def apply_all(db: Path | str) -> list[str]:
    """Apply every corrections file to its document in the warehouse (files pulled from a
    colleague, edited or deleted by hand, since the last load); the source paths of those
    applied again."""
    if not store.exists(db):
        raise CorrectionError(f"no warehouse at {db}: run `shingikai ingest` first")
    with warehouse.readonly(db) as con:
        loaded = dict(
            con.execute(
                "SELECT document_id, source_path FROM documents WHERE status = 'ok'"
            ).fetchall()
        )
        # documents corrected before whose file is gone: back to their values as extracted
        corrected = {
            r[0] for r in con.execute("SELECT DISTINCT document_id FROM extracted_rows").fetchall()
        }
    files = {fix.read_file(path).document_id for path in fix.directory().glob("*.toml")}
    done = []
    for document_id in sorted((files | corrected) & set(loaded)):
        reapply(db, document_id)
        done.append(loaded[document_id])
    return sorted(done)


def summary_line(db: Path | str) -> str | None:
    """What the warehouse made of the corrections (after an ingest), or None when there are none."""
    if not store.exists(db):
        return None
    with warehouse.readonly(db) as con:
        try:
            counts = dict(
                con.execute("SELECT status, count(*) FROM corrections GROUP BY 1").fetchall()
            )
        except duckdb.CatalogException:  # a warehouse from before corrections
            return None
    if not counts:
        return None
    parts = ", ".join(f"{k} {counts[k]}" for k in sorted(counts))
    alarm = counts.get("missing", 0) + counts.get("conflict", 0)
    return f"corrections: {parts}" + (
        " (see shingikai corrections: some are not applied)" if alarm else ""
    )


def _extracted(con: duckdb.DuckDBPyConnection, document_id: str) -> dict[str, list[dict]]:
    """The rows as extracted that the warehouse keeps for a corrected document, typed again."""
    out = {}
    for table, text in con.execute(
        "SELECT record_table, rows_json FROM extracted_rows WHERE document_id = ?", [document_id]
    ).fetchall():
        types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        out[table] = [
            {k: _typed(types.get(k, ""), v) for k, v in record.items()}
            for record in json.loads(text)
        ]
    return out


def _typed(kind: str, value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    if kind == "DATE":
        return date.fromisoformat(value)
    if kind.startswith("TIMESTAMP"):
        return datetime.fromisoformat(value)
    if kind == "TIME":
        return time.fromisoformat(value)
    return value


def _as_extraction(rows: dict[str, list[dict]]) -> Extraction:
    def records(table: str) -> list:
        return [TABLE_RECORDS[table](**r) for r in rows.get(table, [])]

    texts = records("document_texts")
    meetings = records("meetings")
    return Extraction(
        document=Document(**rows["documents"][0]),
        text=texts[0] if texts else None,
        pages=records("document_pages"),
        meeting=meetings[0] if meetings else None,
        **{attr: records(table) for table, attr in TABLE_ATTRS.items()},
    )


# ---- listing, scoring, exporting


@dataclass
class Listed:
    document_id: str
    source_path: str
    entry: Correction
    status: str  # as the warehouse applied it; "not loaded" when it has not
    note: str
    extracted: str  # JSON: the extractor's value it replaced


def listing(db: Path | str) -> tuple[list[Listed], list[tuple[str, Correction, Correction]]]:
    """Every correction in the files, with what the warehouse made of it; and the conflicts."""
    applied = _applied(db)
    out, disputes = [], []
    for path in sorted(fix.directory().glob("*.toml")):
        cf = fix.read_file(path)
        for c in sorted(cf.corrections, key=lambda c: c.at):
            status, note, extracted = applied.get(_entry_key(c), ("not loaded", "", "null"))
            out.append(Listed(cf.document_id, cf.source_path, c, status, note, extracted))
        disputes += [
            (cf.source_path or cf.document_id, a, b) for a, b in fix.conflicts(cf.corrections)
        ]
    return out, disputes


def score_extractor(db: Path | str) -> dict[str, dict[str, float]]:
    """How often the extractor gave the value researchers corrected or confirmed, per field.

    A scalar counts as right when the extractor's value was the checked one (redundant,
    confirmed); a list (contractors, data items) is scored per name: precision, recall, F1.
    Corrections not applied (missing, conflict) are not scored.
    """
    with warehouse.readonly(db) as con:
        rows = con.execute(
            "SELECT place, action, value, extracted_value, status FROM corrections "
            "WHERE status IN (SELECT unnest(?::VARCHAR[]))",
            [list(HELD)],
        ).fetchall()
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    prf: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for place_text, action, value, extracted, status in rows:
        place = fix.parse_place(place_text)
        name = f"{place.kind}.{place.field or 'detected'}"
        if place.field in LIST_FIELDS:
            tally = prf[name]
            got = {fix.norm(v) for v in json.loads(extracted) or []}
            if action == "confirm":
                want = {fix.norm(v) for v in json.loads(value) or []}
                tally[0] += len(got & want)
                tally[1] += len(got - want)
                tally[2] += len(want - got)
            elif action == "add":
                tally[0 if status == "redundant" else 2] += 1
            elif status == "applied":  # removed: the extractor had a name it should not
                tally[1] += 1
            continue
        acc[name][0] += int(status in ("redundant", "confirmed"))
        acc[name][1] += 1
    out: dict[str, dict[str, float]] = {}
    for name, (ok, n) in sorted(acc.items()):
        out[name] = {"accuracy": ok / n, "n": n}
    for name, (tp, fp, fn) in sorted(prf.items()):
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[name] = {
            "precision": p,
            "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "n": tp + fp + fn,
        }
    return out


def export_gold(db: Path | str, out_dir: Path) -> tuple[list[Path], list[str]]:
    """A gold file (../shared/gold/SCHEMA.md) for every fully checked document; and why others
    were left out. A document is fully checked once `confirm DOC` confirmed all its values and
    none of its corrections is missing its target or in conflict."""
    written, skipped = [], []
    out_dir.mkdir(parents=True, exist_ok=True)
    with warehouse.readonly(db) as con:
        for path in sorted(fix.directory().glob("*.toml")):
            cf = fix.read_file(path)
            name = cf.source_path or cf.document_id
            if not cf.checked_by:
                skipped.append(f"{name}: not fully checked (confirm it: shingikai confirm DOC)")
                continue
            rows = current_rows(con, cf.document_id)
            if not rows["documents"]:
                skipped.append(f"{name}: not in the warehouse")
                continue
            bad = con.execute(
                "SELECT count(*) FROM corrections WHERE document_id = ? AND status IN ('missing', 'conflict')",
                [cf.document_id],
            ).fetchone()
            if bad and bad[0]:
                skipped.append(f"{name}: {bad[0]} corrections missing their target or in conflict")
                continue
            gold = gold_of(rows, con)
            target = out_dir / f"{Path(rows['documents'][0]['source_path']).stem}.json"
            target.write_text(
                json.dumps(gold, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
            written.append(target)
    return written, skipped


def gold_of(rows: dict[str, list[dict]], con: duckdb.DuckDBPyConnection) -> dict:
    """A document's checked values in the gold format: only the consultations and reports that a
    correction or confirmation names (one the extractor invented since is not gold)."""
    doc = rows["documents"][0]
    checked = {
        r[0]
        for r in con.execute(
            "SELECT record_id FROM corrections WHERE document_id = ? AND status IN (SELECT unnest(?::VARCHAR[]))",
            [doc["document_id"], list(HELD)],
        ).fetchall()
    }
    meeting = (rows["meetings"] or [{}])[0]
    gold: dict[str, Any] = {
        "document": Path(doc["source_path"]).name,
        "doc_kind": doc.get("doc_kind"),
    }
    for name in MEETING_FIELDS:
        if name != "doc_kind":
            gold[name] = _plain(doc.get(name) if name == "municipality" else meeting.get(name))
    gold["consultations"] = []
    for c in sorted(rows["consultations"], key=lambda r: r["start_char"]):
        if c["consultation_id"] not in checked:
            continue
        cid = c["consultation_id"]
        names = {
            t: _unique(
                r["name" if t == "contractors" else "item"]
                for r in rows[t]
                if r["consultation_id"] == cid
            )
            for t in LIST_FIELDS
        }
        gold["consultations"].append(
            {
                "number": c.get("number"),
                "title": c.get("title"),
                "department": c.get("department"),
                "categories": list(c.get("categories") or []),
                "outcome": c.get("outcome"),
                "vote": c.get("vote"),
                "dissent": c.get("dissent"),
                "contractors": names["contractors"],
                "optional_contractors": [],
                "data_items": names["data_items"],
                "optional_data_items": [],
                "conditions": bool(c.get("has_conditions")),
            }
        )
    gold["reports"] = [
        {
            "title": r["title"],
            "department": r.get("department"),
            "incident": bool(r.get("is_incident")),
        }
        for r in sorted(rows["reports"], key=lambda r: r["start_char"])
        if r["report_id"] in checked
    ]
    return gold


def _plain(value: Any) -> Any:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return value
