"""Researchers' corrections: plain files read on every load, applied to the rows after extraction.

A researcher who finds a wrong value writes a correction (`shingikai correct`, `confirm`); it
lives in `data/corrections/<document sha256>.toml`, one file per document, under version
control, each entry with who, when and why. Every load of that document (ingest, `--force`,
a new extractor version) applies the file to the extracted rows before they go in, so a fix
outlives any re-extraction, and records in `corrections` what each entry found: the value it
replaced (`applied`), that the extractor already agrees (`redundant`, `confirmed`), that its
target is gone (`missing`), or that two researchers disagree (`conflict`: neither is applied).

A value's place names the record by what a reader sees, never by a row position that a new
extractor may shift: `meeting.FIELD`, `consultation:KEY[.FIELD]` and `report:KEY[.FIELD]`,
where KEY is the 諮問 number (digits) or the title. This module is pure (rows in, rows out)
but for reading and writing the files; the loader (`store._load_once`) calls `apply_to_batch`.
The loader reads the folder where it runs: ingest on Dask workers of other machines needs
$SHINGIKAI_CORRECTIONS pointing at the same folder there (shared storage, like the lake's files).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from models.canon import canonical_contractor, canonical_item
from models.vocab import Category, CorrectionAction, DocKind, Outcome, Vote

# two spellings of a value compare as the gold schema compares them
from shingikai.evaluation import norm, strip_legal

DEFAULT_DIR = Path("data/corrections")  # beside data/raw, under version control


def directory() -> Path:
    """Where corrections are read and written: $SHINGIKAI_CORRECTIONS, else data/corrections."""
    return Path(os.environ.get("SHINGIKAI_CORRECTIONS") or DEFAULT_DIR)


class CorrectionError(ValueError):
    """A correction a person must fix (unknown field, wrong value type): the message says how."""


# ---- places and values

# field -> value type; a type is "str", "int", "bool", "date", "time", "list" or an enum class
MEETING_FIELDS: dict[str, Any] = {
    "doc_kind": DocKind,  # kept in documents, with the meeting's other fields for a reader
    "municipality": "str",
    "body": "str",
    "term": "int",
    "session": "int",
    "fiscal_year": "int",
    "held_on": "date",
    "start_time": "time",
    "end_time": "time",
    "place": "str",
    "observers": "int",
}
CONSULTATION_FIELDS: dict[str, Any] = {
    "number": "int",
    "title": "str",
    "department": "str",
    "outcome": Outcome,
    "vote": Vote,
    "dissent": "int",
    "has_conditions": "bool",
    "categories": Category,  # a list of them
    "contractors": "list",  # names: --add / --remove one, confirm the whole list
    "data_items": "list",
}
REPORT_FIELDS: dict[str, Any] = {"title": "str", "department": "str", "is_incident": "bool"}
KINDS = {"meeting": MEETING_FIELDS, "consultation": CONSULTATION_FIELDS, "report": REPORT_FIELDS}
# the gold schema's names for the same fields
ALIASES = {"conditions": "has_conditions", "incident": "is_incident"}
LIST_FIELDS = ("contractors", "data_items")
NOT_NULL = {"outcome", "has_conditions", "is_incident", "categories"}
ACTIONS = tuple(CorrectionAction)


@dataclass(frozen=True)
class Place:
    """Where a value is: `meeting.held_on`, `consultation:5.outcome`, `report:<title>`."""

    kind: str  # meeting, consultation, report
    key: str | None  # consultation: number (digits) or title; report: title; meeting: None
    field: str | None  # None: the consultation or report itself (added or removed)

    def __str__(self) -> str:
        head = self.kind if self.key is None else f"{self.kind}:{self.key}"
        return head if self.field is None else f"{head}.{self.field}"

    @property
    def value_type(self) -> Any:
        return "str" if self.field is None else KINDS[self.kind][self.field]


def parse_place(text: str) -> Place:
    """A place as a person writes it; CorrectionError names what is wrong and what would do."""
    text = unicodedata.normalize("NFKC", text).strip()
    if text.startswith("meeting."):
        name = ALIASES.get(text[8:], text[8:])
        if name not in MEETING_FIELDS:
            raise CorrectionError(
                f"unknown meeting field {text[8:]!r}: one of {', '.join(MEETING_FIELDS)}"
            )
        return Place("meeting", None, name)
    kind, colon, rest = text.partition(":")
    if kind not in ("consultation", "report") or not colon or not rest.strip():
        raise CorrectionError(
            f"unknown field {text!r}: write meeting.FIELD, consultation:NUMBER_OR_TITLE[.FIELD] "
            "or report:TITLE[.FIELD] (e.g. consultation:5.outcome)"
        )
    fields = KINDS[kind]
    key, dot, name = rest.rpartition(".")
    if dot and ALIASES.get(name, name) in fields and key.strip():
        return Place(kind, key.strip(), ALIASES.get(name, name))
    if dot and re.fullmatch(r"[a-z_]+", name):
        raise CorrectionError(f"unknown {kind} field {name!r}: one of {', '.join(fields)}")
    return Place(kind, rest.strip(), None)


def parse_value(place: Place, text: str | None, action: str) -> Any:
    """The typed value of a correction from what a person typed (None: the value is empty)."""
    kind = place.value_type
    if action == "remove" and place.field is None:
        return None
    if text is None:
        raise CorrectionError(f"give a VALUE for {place}")
    text = unicodedata.normalize("NFKC", text).strip()
    if place.field in LIST_FIELDS:
        if action == "confirm":
            return [v for v in (s.strip() for s in re.split(r"[,、]", text)) if v]
        if not text:
            raise CorrectionError(f"give the name to {action} in {place}")
        return text
    if text.lower() in ("", "null", "none"):
        if place.field in NOT_NULL or place.field is None:
            raise CorrectionError(f"{place} cannot be empty")
        return None
    try:
        if place.field == "categories":
            return [Category(v.strip()).value for v in re.split(r"[,、]", text) if v.strip()]
        if isinstance(kind, type):  # an enum
            return kind(text).value
        if kind == "int":
            return int(text)
        if kind == "bool":
            if text.lower() not in ("true", "false", "yes", "no", "1", "0"):
                raise ValueError(text)
            return text.lower() in ("true", "yes", "1")
        if kind == "date":
            return date.fromisoformat(text)
        if kind == "time":
            return time.fromisoformat(text if text.count(":") else text + ":00")
    except ValueError:
        raise CorrectionError(
            f"{text!r} is not a valid value for {place}: {_expected(place)}"
        ) from None
    return text


def _expected(place: Place) -> str:
    kind = place.value_type
    if place.field == "categories":
        return "comma-separated categories from " + ", ".join(Category)
    if isinstance(kind, type):
        return "one of " + ", ".join(kind)  # type: ignore[arg-type]
    return {
        "int": "a whole number",
        "bool": "true or false",
        "date": "a date as YYYY-MM-DD",
        "time": "a time as HH:MM",
    }.get(kind, "text")


# ---- the files


@dataclass(frozen=True)
class Correction:
    """One researcher's statement about one value: what it is, who says so, when and why."""

    place: str
    action: str  # set, add (a list element, a consultation, a report), remove, confirm
    value: Any  # typed (see parse_value); None: an empty value
    by: str
    at: datetime  # UTC
    why: str

    @property
    def target(self) -> Place:
        return parse_place(self.place)

    def element(self) -> str | None:
        """What, within its place, this entry is about: the name added or removed from a list."""
        if self.target.field in LIST_FIELDS and self.action in ("add", "remove"):
            return norm(self.value)
        return None

    def claim(self) -> tuple[str, str]:
        """What the entry says the value is: two entries about one value agree when equal."""
        if self.action in ("add", "remove") and self.target.field in LIST_FIELDS:
            return (self.action, "")
        if self.action == "remove" or (self.action == "add" and self.target.field is None):
            return (self.action, "")
        return ("value", encode(self.value))


@dataclass
class CorrectionsFile:
    """The corrections to one document (data/corrections/<document_id>.toml)."""

    document_id: str
    source_path: str = ""  # where the document was found, for a person reading the file
    corrections: list[Correction] = field(default_factory=list)
    checked_by: str | None = None  # set by `confirm DOC`: every value checked
    checked_at: datetime | None = None


def path_for(document_id: str, where: Path | None = None) -> Path:
    return (where or directory()) / f"{document_id}.toml"


def read_file(path: Path) -> CorrectionsFile:
    """A corrections file; CorrectionError says what in it cannot be read."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CorrectionError(f"{path}: cannot be read ({exc})") from None
    out = CorrectionsFile(
        document_id=str(data.get("document", path.stem)),
        source_path=str(data.get("source_path", "")),
    )
    checked = data.get("checked") or {}
    out.checked_by = checked.get("by")
    out.checked_at = _utc(checked["at"]) if "at" in checked else None
    for i, entry in enumerate(data.get("corrections", []), 1):
        try:
            place = parse_place(entry["place"])
            action = entry.get("action", "set")
            if action not in ACTIONS:
                raise CorrectionError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
            out.corrections.append(
                Correction(
                    place=str(place),
                    action=action,
                    value=_from_toml(entry.get("value")),
                    by=str(entry["by"]),
                    at=_utc(entry["at"]),
                    why=str(entry.get("why", "")),
                )
            )
        except (KeyError, TypeError, CorrectionError) as exc:
            raise CorrectionError(f"{path}: correction {i}: {exc}") from None
    return out


def _utc(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    raise TypeError(f"'at' must be a date and time, not {value!r}")


def _from_toml(value: Any) -> Any:
    return value


def write_file(path: Path, cf: CorrectionsFile) -> None:
    """Write the file whole (a temporary file renamed over it: never half written)."""
    lines = [
        "# Corrections to one document, applied on every load (shingikai correct / confirm).",
        f"document = {_toml(cf.document_id)}",
        f"source_path = {_toml(cf.source_path)}",
    ]
    if cf.checked_by and cf.checked_at:
        lines += ["", "[checked]", f"by = {_toml(cf.checked_by)}", f"at = {_toml(cf.checked_at)}"]
    for c in cf.corrections:
        lines += ["", "[[corrections]]", f"place = {_toml(c.place)}", f"action = {_toml(c.action)}"]
        if c.value is not None:
            lines.append(f"value = {_toml(c.value)}")
        lines += [f"by = {_toml(c.by)}", f"at = {_toml(c.at)}", f"why = {_toml(c.why)}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)


def _toml(value: Any) -> str:
    """A TOML literal: JSON's string escapes are TOML's basic-string escapes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    # JSON escapes the control characters TOML forbids in a string, but for DEL
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def encode(value: Any) -> str:
    """A value as text for the warehouse and for comparing two claims (JSON; dates ISO)."""
    return json.dumps(value, ensure_ascii=False, default=_iso, sort_keys=True)


def _iso(value: Any) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def conflicts(corrections: list[Correction]) -> list[tuple[Correction, Correction]]:
    """Pairs of entries by different researchers that say different things about one value."""
    latest: dict[tuple[str, str | None, str], Correction] = {}
    for c in sorted(corrections, key=lambda c: c.at):
        latest[(c.place, c.element(), c.by)] = c
    out = []
    entries = list(latest.values())
    for i, a in enumerate(entries):
        for b in entries[i + 1 :]:
            same_value = (a.place, a.element()) == (b.place, b.element())
            if same_value and a.by != b.by and _disagree(a, b):
                out.append((a, b))
    return out


def _disagree(a: Correction, b: Correction) -> bool:
    ca, cb = a.claim(), b.claim()
    if ca[0] == "value" and cb[0] == "value":
        return _same(a.value, b.value) is False
    return ca != cb


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(norm, a)) == sorted(map(norm, b))
    if isinstance(a, str) or isinstance(b, str):
        return norm(a) == norm(b) and (a is None) == (b is None)
    return bool(a == b)


# ---- applying a document's corrections to its rows

# tables whose rows corrections change, kept as extracted (`extracted_rows`) while corrected
CORRECTED_TABLES = (
    "documents",
    "meetings",
    "consultations",
    "contractors",
    "data_items",
    "consultation_conditions",
    "reports",
    "evidence",
)


@dataclass
class Found:
    """What one entry found when applied (a row of `corrections`)."""

    status: str  # applied, redundant, confirmed, missing, conflict
    extracted: Any = None  # the value the extractor gave, before the correction
    record_table: str | None = None
    record_id: str | None = None
    note: str = ""


def apply_document(
    rows: dict[str, list[dict]], cf: CorrectionsFile
) -> tuple[dict[str, list[dict]], list[dict]]:
    """One document's rows with its corrections applied, and a provenance row per correction.

    Entries apply in the order they were made, each to the rows as the ones before left them,
    so a consultation whose number was corrected is then found under its new number; each is
    judged (applied, redundant) against the extractor's value, not against an earlier entry's.
    """
    originals = {t: rows.get(t, []) for t in CORRECTED_TABLES}
    # each row carries its values as extracted while corrections change it (dropped at the end)
    rows = {
        t: [dict(r, **{EXTRACTED: r}) for r in rows.get(t, [])]
        for t in set(rows) | set(CORRECTED_TABLES)
    }
    doc = rows["documents"][0]
    disputed = {id(c) for pair in conflicts(cf.corrections) for c in pair}
    text = (rows.get("document_texts") or [{"text": ""}])[0]["text"]
    provenance: list[dict] = []
    warnings = []
    for c in sorted(cf.corrections, key=lambda c: c.at):
        if id(c) in disputed:
            result = Found("conflict", note="another researcher says otherwise: settle it")
            _locate(rows, c.target, result)
        else:
            result = _apply_one(rows, originals, c, text)
        if result.status in ("missing", "conflict"):
            warnings.append(f"correction {c.place} by {c.by}: {result.status}: {result.note}")
        provenance.append(
            {
                "document_id": doc["document_id"],
                "place": c.place,
                "action": c.action,
                "value": encode(c.value),
                "extracted_value": encode(result.extracted),
                "corrected_by": c.by,
                "corrected_at": c.at.replace(tzinfo=None),
                "why": c.why,
                "status": result.status,
                "record_table": result.record_table,
                "record_id": result.record_id,
                "note": result.note,
            }
        )
    doc["warnings"] = [w for w in doc.get("warnings") or [] if not w.startswith("correction ")]
    doc["warnings"] += warnings
    for table_rows in rows.values():
        for r in table_rows:
            r.pop(EXTRACTED, None)
    return rows, provenance


EXTRACTED = "__extracted__"  # the key of a row's own values as extracted, while corrections apply


def _locate(rows: dict[str, list[dict]], place: Place, result: Found) -> None:
    """Fill in which record a place names (for a provenance row), when it can be found."""
    try:
        table, record = _record(rows, place)
    except LookupError:
        return
    result.record_table = table
    result.record_id = _record_id(table, record)
    if place.field is not None and place.field not in LIST_FIELDS:
        result.extracted = record.get(EXTRACTED, {}).get(place.field)


def _record_id(table: str, record: dict) -> str:
    return record.get("consultation_id") or record.get("report_id") or record["document_id"]


def _record(rows: dict[str, list[dict]], place: Place) -> tuple[str, dict]:
    """The table and row a place names; LookupError says why none (or several) match."""
    if place.kind == "meeting":
        if place.field in ("doc_kind",):
            return "documents", rows["documents"][0]
        if not rows["meetings"]:  # a row of its own only once a value is set (`_apply_one`)
            empty = _empty_meeting(rows["documents"][0]["document_id"])
            return "meetings", dict(empty, **{EXTRACTED: empty})
        return "meetings", rows["meetings"][0]
    table = "consultations" if place.kind == "consultation" else "reports"
    found = find_records(rows[table], place.key or "", by_number=place.kind == "consultation")
    if not found:
        raise LookupError(f"no {place.kind} {place.key!r} in the document any more")
    if len(found) > 1:
        raise LookupError(f"{len(found)} {place.kind}s match {place.key!r}: name it by title")
    return table, found[0]


def find_records(records: list[dict], key: str, by_number: bool) -> list[dict]:
    """The consultations or reports a key names: by number (digits), else by title, written
    exactly or (a new extractor may trim a title differently) the most similar at 0.8 or more."""
    if by_number and key.isdigit():
        return [r for r in records if r.get("number") == int(key)]
    exact = [r for r in records if norm(r.get("title")) == norm(key)]
    if exact:
        return exact
    scored = [
        (difflib.SequenceMatcher(None, norm(r.get("title")), norm(key)).ratio(), r) for r in records
    ]
    best = max((s for s, _ in scored), default=0.0)
    return [r for s, r in scored if s == best and s >= 0.8]


def _empty_meeting(document_id: str) -> dict:
    return {"document_id": document_id} | {f: None for f in MEETING_FIELDS if f != "doc_kind"}


def _apply_one(
    rows: dict[str, list[dict]], originals: dict[str, list[dict]], c: Correction, text: str
) -> Found:
    place = c.target
    if place.field is None:
        return _apply_record(rows, originals, c, place, text)
    try:
        table, record = _record(rows, place)
    except LookupError as exc:
        if place.field in ("number", "title") and c.action in ("set", "confirm"):
            moved = replace(place, key=str(c.value), field=None)
            try:  # the key it gives is there already: the extractor now agrees
                table, record = _record(rows, moved)
                return Found("redundant", c.value, table, _record_id(table, record))
            except LookupError:
                pass
        return Found("missing", note=str(exc))
    result = Found("applied", record_table=table, record_id=_record_id(table, record))
    if place.field in LIST_FIELDS:
        _apply_list(rows, originals, c, place.field, record, text, result)
        return result
    if c.action not in ("set", "confirm"):
        return Found("missing", note=f"{c.action} does not apply to {place}: use set")
    result.extracted = record.get(EXTRACTED, {}).get(place.field)
    if _same(result.extracted, c.value) and EXTRACTED in record:
        result.status = "confirmed" if c.action == "confirm" else "redundant"
    record[place.field] = c.value
    if table == "meetings" and not any(r is record for r in rows["meetings"]):
        if c.value is not None:  # a header the extractor did not find at all
            rows["meetings"].append(record)
    if place.kind == "meeting" and place.field == "municipality":  # also where readers find it
        rows["documents"][0]["municipality"] = c.value
        for consultation in rows["consultations"]:
            consultation["municipality"] = c.value
    return result


def _apply_list(
    rows: dict[str, list[dict]],
    originals: dict[str, list[dict]],
    c: Correction,
    table: str,
    record: dict,
    text: str,
    result: Found,
) -> None:
    """Add, remove or confirm contractors or data items of one consultation; the status says
    whether the extractor's own list (`originals`) already agreed."""
    cid = record["consultation_id"]
    column = "name" if table == "contractors" else "item"
    extracted = [r for r in originals[table] if r["consultation_id"] == cid]
    result.record_table, result.extracted = table, [r[column] for r in extracted]
    wanted = c.value if c.action == "confirm" else [c.value]
    agreed = {
        "add": lambda: any(_matches(table, r, c.value) for r in extracted),
        "remove": lambda: not any(_matches(table, r, c.value) for r in extracted),
        "confirm": lambda: _same(
            sorted({_key_of(table, r, wanted) for r in extracted}), sorted(map(norm, wanted))
        ),
    }[c.action]()
    if agreed:
        result.status = "confirmed" if c.action == "confirm" else "redundant"
    mine = [r for r in rows[table] if r["consultation_id"] == cid]
    if c.action == "remove":
        rows[table] = [r for r in rows[table] if not (r in mine and _matches(table, r, c.value))]
        return
    missing = [w for w in wanted if not any(_matches(table, r, w) for r in mine)]
    extra = (
        []
        if c.action == "add"
        else [r for r in mine if not any(_matches(table, r, w) for w in wanted)]
    )
    rows[table] = [r for r in rows[table] if not any(r is e for e in extra)]
    for w in missing:
        span = ground(text, w, record.get("start_char") or 0)
        if span is None:
            result.status = "missing"
            result.note = f"{w!r} does not occur in the document's text"
            continue
        rows[table].append(_new_row(table, cid, record["document_id"], w, span))


def _key_of(table: str, row: dict, wanted: list[str]) -> str:
    """The name of a row as the list `wanted` writes it, when it is one of them."""
    return next(
        (norm(w) for w in wanted if _matches(table, row, w)),
        norm(row["name" if table == "contractors" else "item"]),
    )


def _matches(table: str, row: dict, value: str) -> bool:
    if table == "contractors":
        key = strip_legal(value)
        return key in (strip_legal(row["name"]), strip_legal(row["name_normalized"]))
    return norm(value) in (norm(row["item"]), norm(row["item_normalized"]))


def _new_row(table: str, cid: str, document_id: str, value: str, span: tuple[int, int]) -> dict:
    if table == "contractors":
        party = canonical_contractor(value)
        return {
            "consultation_id": cid,
            "name": value,
            "name_normalized": party.name_normalized,
            "kind": party.kind,
            "start_char": span[0],
            "end_char": span[1],
            "document_id": document_id,
            "source": "correction",
        }
    item = canonical_item(value)
    return {
        "consultation_id": cid,
        "item": value,
        "item_normalized": item.item_normalized,
        "category": item.category,
        "start_char": span[0],
        "end_char": span[1],
        "document_id": document_id,
        "in_vocabulary": item.matched,
    }


def ground(text: str, value: str, near: int = 0) -> tuple[int, int] | None:
    """Where `value` is written in the text (its first occurrence from `near`, else anywhere),
    ignoring whitespace the text has inside it; None when it is not there."""
    wanted = norm(value)
    if not wanted:
        return None
    kept = [i for i, ch in enumerate(text) if not ch.isspace()]
    squeezed = "".join(text[i] for i in kept)
    starts = [m.start() for m in re.finditer(re.escape(wanted), squeezed)]
    if not starts:
        return None
    after = [s for s in starts if kept[s] >= near]
    s = (after or starts)[0]
    return kept[s], kept[s + len(wanted) - 1] + 1


def _apply_record(
    rows: dict[str, list[dict]],
    originals: dict[str, list[dict]],
    c: Correction,
    place: Place,
    text: str,
) -> Found:
    """Add a consultation or report the extractor missed, or remove one it invented."""
    table = "consultations" if place.kind == "consultation" else "reports"
    by_number = place.kind == "consultation"
    found = find_records(rows[table], place.key or "", by_number)
    extracted = find_records(originals[table], place.key or "", by_number)
    doc_id = rows["documents"][0]["document_id"]
    agreed = "confirmed" if c.action == "confirm" else "redundant"
    if c.action == "remove":
        if len(found) > 1:
            return Found("missing", note=f"{len(found)} {place.kind}s match {place.key!r}")
        status = "applied" if extracted else "redundant"
        if not found:
            return Found(status, None, table)
        gone = found[0]
        rid = _record_id(table, gone)
        rows[table] = [r for r in rows[table] if r is not gone]
        for child in ("contractors", "data_items", "consultation_conditions", "evidence"):
            key = "record_id" if child == "evidence" else "consultation_id"
            rows[child] = [r for r in rows[child] if r.get(key) != rid]
        return Found(status, gone.get("title") if extracted else None, table, rid)
    if found:  # there, as extracted or as an earlier correction added it
        title = found[0].get("title") if extracted else None
        status = agreed if extracted else "applied"
        return Found(status, title, table, _record_id(table, found[0]))
    if c.action == "confirm":
        return Found("missing", note=f"no {place.kind} {place.key!r} in the document any more")
    title = str(c.value) if c.value is not None else place.key
    span = ground(text, title or "") or (0, 0)
    n = 1 + sum(1 for r in rows[table] if "-k" in _record_id(table, r))
    if table == "consultations":
        rid = f"{doc_id[:16]}-kc{n:02d}"  # k: added by a correction, never an extractor's id
        number = int(place.key) if place.key and place.key.isdigit() else None
        rows[table].append(
            {
                "consultation_id": rid,
                "document_id": doc_id,
                "municipality": rows["documents"][0].get("municipality"),
                "number": number,
                "number_text": None,
                "title": title,
                "department": None,
                "categories": [],
                "outcome": "unknown",
                "outcome_text": None,
                "vote": None,
                "dissent": None,
                "has_conditions": False,
                "start_char": span[0],
                "end_char": span[1],
                "page": None,
            }
        )
    else:
        rid = f"{doc_id[:16]}-kr{n:02d}"
        rows[table].append(
            {
                "report_id": rid,
                "document_id": doc_id,
                "title": title,
                "department": None,
                "is_incident": False,
                "start_char": span[0],
                "end_char": span[1],
                "incident_type": None,
            }
        )
    return Found("applied", None, table, rid)


def apply_to_batch(
    merged: dict[str, list[dict]], where: Path | None = None
) -> dict[str, list[dict]]:
    """The rows of a batch with each document's corrections applied (the loader's step).

    For a corrected document, its rows as extracted go to `extracted_rows` (so that a new
    correction can be applied later without extracting again) and each entry's outcome to
    `corrections`. A corrections file that cannot be read loads the document uncorrected,
    with the reason in documents.warnings: it never fails the document.
    """
    where = where or directory()
    docs = [d for d in merged.get("documents", []) if d.get("status") == "ok"]
    files = {d["document_id"]: path_for(d["document_id"], where) for d in docs}
    files = {k: p for k, p in files.items() if p.exists()}
    if not files:
        return merged
    out = {t: [r for r in rs if _owner(merged, t, r) not in files] for t, rs in merged.items()}
    for document_id, path in files.items():
        mine = {
            t: [r for r in rs if _owner(merged, t, r) == document_id] for t, rs in merged.items()
        }
        try:
            cf = read_file(path)
        except CorrectionError as exc:
            mine["documents"][0]["warnings"] = [
                *(mine["documents"][0].get("warnings") or []),
                f"corrections not applied: {exc}",
            ]
            corrected, provenance = mine, list[dict]()
        else:
            corrected, provenance = apply_document(mine, cf)
            out.setdefault("extracted_rows", []).extend(extracted_rows(mine, document_id))
        for table, table_rows in corrected.items():
            out.setdefault(table, []).extend(table_rows)
        out.setdefault("corrections", []).extend(provenance)
    return out


def _owner(merged: dict[str, list[dict]], table: str, record: dict) -> str | None:
    return record.get("document_id")


def extracted_rows(rows: dict[str, list[dict]], document_id: str) -> list[dict]:
    """The extractor's own rows of the tables corrections change, one JSON text per table."""
    return [
        {
            "document_id": document_id,
            "record_table": table,
            "rows_json": json.dumps(rows.get(table, []), ensure_ascii=False, default=_iso_full),
        }
        for table in CORRECTED_TABLES
    ]


def _iso_full(value: Any) -> str:
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    raise TypeError(type(value).__name__)
