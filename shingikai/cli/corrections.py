"""The commands researchers correct the record with: `correct`, `confirm`, `corrections`.

They only shape arguments and print; `shingikai.corrections` does the work. A mistake in the
input (unknown document, field or value) is one line on standard error, exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from shingikai.cli.common import NothingDone, UsageError, add_db

_Sub = argparse._SubParsersAction  # type: ignore[type-arg]

PLACES = (
    "FIELD is where the value is: meeting.FIELD (doc_kind, municipality, body, term, session, "
    "fiscal_year, held_on, start_time, end_time, place, observers); "
    "consultation:N.FIELD or consultation:TITLE.FIELD (number, title, department, outcome, vote, "
    "dissent, has_conditions, categories, contractors, data_items); report:TITLE.FIELD (title, "
    "department, is_incident); consultation:N or report:TITLE alone with --add or --remove."
)


def _library() -> Any:
    from shingikai import corrections

    return corrections


def _fail(exc: Exception) -> UsageError:
    return UsageError(str(exc))


def _show(value_json: str) -> str:
    return "null" if value_json in ("null", "") else value_json


def _print_written(written: Any) -> None:
    from shingikai.warehouse.corrections import encode

    where = written.source_path or written.document_id[:16]
    for entry, status, note, extracted in written.statuses:
        was = "" if status == "confirmed" else f"; extracted {_show(extracted)}"
        shown = "" if entry.value is None else f" {encode(entry.value)}"
        print(
            f"{where}: {entry.action} {entry.place}{shown}: {status}{was}"
            + (f" ({note})" if note else "")
        )
    print(f"recorded in {written.file}")
    for a, b in written.conflicts:
        print(_conflict_line(where, a, b), file=sys.stderr)


def _conflict_line(where: str, a: Any, b: Any) -> str:
    from shingikai.warehouse.corrections import encode

    def said(c: Any) -> str:
        what = c.action if c.action in ("add", "remove") else encode(c.value)
        return f"{c.by} says {what} ({c.at:%Y-%m-%d %H:%M})"

    return (
        f"conflict: {where}: {a.place}: {said(a)}, {said(b)}: neither is applied until one of you "
        "corrects it again to agree"
    )


def ingest_note(db: Path) -> str | None:
    """The line `ingest` prints on what its loads made of the corrections."""
    return _library().summary_line(db)


def cmd_correct(args: argparse.Namespace) -> int:
    from shingikai.warehouse.corrections import CorrectionError

    action = "add" if args.add else "remove" if args.remove else "set"
    try:
        written = _library().correct(
            args.db, args.document, args.field, args.value, action, args.why or "", args.by
        )
    except CorrectionError as exc:
        raise _fail(exc) from None
    _print_written(written)
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    from shingikai.warehouse.corrections import CorrectionError

    try:
        written = _library().confirm(
            args.db, args.document, args.field, args.value, args.why or "", args.by
        )
    except CorrectionError as exc:
        raise _fail(exc) from None
    if args.field is None:  # every value: a summary, not one line per value
        counts: dict[str, int] = {}
        for _, status, _, _ in written.statuses:
            counts[status] = counts.get(status, 0) + 1
        where = written.source_path or written.document_id[:16]
        print(
            f"{where}: {len(written.statuses)} values confirmed, the document marked as checked ("
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            + f")\nrecorded in {written.file}"
        )
        for a, b in written.conflicts:
            print(_conflict_line(where, a, b), file=sys.stderr)
    else:
        _print_written(written)
    return 0


def cmd_corrections(args: argparse.Namespace) -> int:
    from shingikai.warehouse.corrections import CorrectionError, encode

    lib = _library()
    try:
        if args.export_gold:
            written, skipped = lib.export_gold(args.db, Path(args.export_gold))
            for path in written:
                print(f"gold file written: {path}")
            for line in skipped:
                print(f"left out: {line}", file=sys.stderr)
            if not written:
                raise NothingDone(
                    "no fully checked document to export: confirm one with shingikai confirm DOC"
                )
            return 0
        if args.apply:
            for source_path in lib.apply_all(args.db):
                print(f"applied: {source_path}")
        listed, disputes = lib.listing(args.db)
    except CorrectionError as exc:
        raise _fail(exc) from None
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "document_id": item.document_id,
                        "source_path": item.source_path,
                        "place": item.entry.place,
                        "action": item.entry.action,
                        "value": json.loads(encode(item.entry.value)),
                        "extracted_value": json.loads(item.extracted),
                        "corrected_by": item.entry.by,
                        "corrected_at": item.entry.at.isoformat(),
                        "why": item.entry.why,
                        "status": item.status,
                        "note": item.note,
                    }
                    for item in listed
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for item in listed:
            e = item.entry
            value = "" if e.value is None else " " + encode(e.value)
            print(
                f"{item.source_path or item.document_id[:16]}\t{e.action} {e.place}{value}\t"
                f"{item.status}\twas {_show(item.extracted)}\t{e.by} {e.at:%Y-%m-%d %H:%M}\t{e.why}"
            )
        print(f"{len(listed)} corrections")
    for where, a, b in disputes:
        print(_conflict_line(where, a, b), file=sys.stderr)
    return 0


def cmd_eval_corrections(args: argparse.Namespace) -> int:
    """`eval --corrections`: how often the extractor gave the checked value, per field."""
    from shingikai.evaluation import headline

    scores = _library().score_extractor(args.db)
    if not scores:
        raise NothingDone(
            f"no applied correction or confirmation in {args.db}: nothing to score "
            "(shingikai correct / confirm, then ingest)"
        )
    if args.json:
        print(json.dumps({"measures": scores, "headline": headline(scores)}, indent=2))
        return 0
    for name, s in scores.items():
        if "accuracy" in s:
            print(f"{name:<32} accuracy {s['accuracy']:.3f}  (n={s['n']:g})")
        else:
            print(
                f"{name:<32} P {s['precision']:.3f}  R {s['recall']:.3f}  F1 {s['f1']:.3f}  "
                f"(n={s['n']:g})"
            )
    print(f"headline (mean of {len(scores)} measures): {headline(scores):.3f}")
    return 0


_add_db = add_db


def _add_common(s: argparse.ArgumentParser) -> None:
    _add_db(s)
    s.add_argument("--by", help="who you are (default: $SHINGIKAI_USER, else your login name)")


def add_correct(sub: _Sub) -> None:
    s = sub.add_parser(
        "correct",
        help="correct a wrong value; the correction survives every re-extraction",
        description="Record that a value of DOCUMENT is VALUE, why and who says so, in "
        "data/corrections/<document_id>.toml (or $SHINGIKAI_CORRECTIONS), and apply it to the "
        "warehouse at once. Every later load applies it again. " + PLACES,
    )
    s.add_argument("document", help="document_id prefix, source_path, or the file itself")
    s.add_argument("field", metavar="FIELD", help="where the value is, e.g. consultation:5.outcome")
    s.add_argument(
        "value",
        nargs="?",
        help="the right value (null for none; categories comma-separated); "
        "a consultation's title with --add",
    )
    s.add_argument("--why", required=True, help="why, e.g. where the document says so")
    which = s.add_mutually_exclusive_group()
    which.add_argument(
        "--add",
        action="store_true",
        help="add VALUE to a list (contractors, data_items) or add a consultation or report "
        "the extractor missed",
    )
    which.add_argument(
        "--remove",
        action="store_true",
        help="remove VALUE from a list, or remove a consultation or report that is not one",
    )
    _add_common(s)
    s.set_defaults(func=cmd_correct)


def add_confirm(sub: _Sub) -> None:
    s = sub.add_parser(
        "confirm",
        help="mark a value (or a whole document) as checked and right",
        description="Record that a value of DOCUMENT is right as the warehouse holds it (or as "
        "VALUE), so that evaluation counts it and a later extractor is held to it. Without FIELD, "
        "every value of the document is confirmed and the document is marked as fully checked: "
        "`shingikai corrections --export-gold` then writes its gold file. " + PLACES,
    )
    s.add_argument("document", help="document_id prefix, source_path, or the file itself")
    s.add_argument("field", metavar="FIELD", nargs="?", help="where the value is (default: all)")
    s.add_argument("value", nargs="?", help="the value checked (default: the warehouse's)")
    s.add_argument("--why", help="how it was checked (default: checked against the document)")
    _add_common(s)
    s.set_defaults(func=cmd_confirm)


def add_corrections(sub: _Sub) -> None:
    s = sub.add_parser(
        "corrections",
        help="list researchers' corrections and what the last load made of them",
        description="List every correction in data/corrections (or $SHINGIKAI_CORRECTIONS): the "
        "document, the value, its status in the warehouse (applied, redundant: the extractor now "
        "agrees, confirmed, missing: its target no longer exists, conflict: two researchers "
        "disagree), the extracted value it replaced, who, when and why. Conflicts are also "
        "reported on standard error.",
    )
    s.add_argument("--json", action="store_true", help="print the list as JSON")
    s.add_argument(
        "--export-gold",
        metavar="DIR",
        help="write a gold file (../shared/gold/SCHEMA.md format) for each fully checked document",
    )
    s.add_argument(
        "--apply",
        action="store_true",
        help="apply every corrections file to the warehouse first (files pulled from colleagues "
        "or edited by hand since the last load)",
    )
    _add_db(s)
    s.set_defaults(func=cmd_corrections)


COMMANDS = (add_correct, add_confirm, add_corrections)
