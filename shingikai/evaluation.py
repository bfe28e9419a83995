"""Score a warehouse against hand-made gold files (format: ../shared/gold/SCHEMA.md).

Documents are matched to gold files by file stem, so a PDF rendering and its
text are scored against the same gold. Scores are reported per group of
documents (by file type) and overall; the headline is the mean of all measures
that have data.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from models.canon import LEGAL_FORM_WORDS

MEETING_FIELDS = [
    "doc_kind",
    "municipality",
    "body",
    "term",
    "session",
    "fiscal_year",
    "held_on",
    "start_time",
    "end_time",
    "place",
    "observers",
]


def norm(value: object) -> str:
    """NFKC, no whitespace, no surrounding 「」."""
    if value is None:
        return ""
    s = unicodedata.normalize("NFKC", str(value))
    s = re.sub(r"\s+", "", s)
    return s.strip("「」『』")


def strip_legal(value: str) -> str:
    s = norm(value)
    for word in sorted(LEGAL_FORM_WORDS, key=len, reverse=True):
        s = s.replace(norm(word), "")
    return s


def ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, norm(a), norm(b)).ratio()


@dataclass
class Counts:
    """Accuracy counters and precision/recall counters per measure."""

    acc: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    prf: dict[str, list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0, 0])
    )  # tp, fp, fn
    errors: list[str] = field(default_factory=list)

    def hit(self, measure: str, ok: bool, note: str = "") -> None:
        self.acc[measure][0] += int(ok)
        self.acc[measure][1] += 1
        if not ok and note:
            self.errors.append(f"{measure}: {note}")

    def scores(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for m, (ok, n) in sorted(self.acc.items()):
            if n:
                out[m] = {"accuracy": ok / n, "n": n}
        for m, (tp, fp, fn) in sorted(self.prf.items()):
            if tp + fp + fn == 0:
                continue
            p = tp / (tp + fp) if tp + fp else 1.0
            r = tp / (tp + fn) if tp + fn else 1.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            out[m] = {"precision": p, "recall": r, "f1": f, "n": tp + fn}
        return out


def headline(scores: dict[str, dict[str, float]]) -> float:
    found = [s.get("f1", s.get("accuracy")) for s in scores.values()]
    values = [v for v in found if v is not None]
    return sum(values) / len(values) if values else 0.0


def _fmt_time(t: object) -> str | None:
    return None if t is None else str(t)[:5]


def score_document(con: duckdb.DuckDBPyConnection, doc_id: str, gold: dict, c: Counts) -> None:
    name = gold.get("document", doc_id)
    meeting = con.execute("SELECT * FROM meetings WHERE document_id = ?", [doc_id]).fetchdf()
    doc = con.execute("SELECT doc_kind FROM documents WHERE document_id = ?", [doc_id]).fetchone()
    row = meeting.iloc[0].to_dict() if len(meeting) else {}
    row["doc_kind"] = doc[0] if doc else None
    for f in MEETING_FIELDS:
        if gold.get(f) is None:
            continue
        got = row.get(f)
        if f in ("start_time", "end_time"):
            got = _fmt_time(got)
        elif f == "held_on" and got is not None:
            got = str(got)[:10]
        elif (
            f in ("term", "session", "fiscal_year", "observers") and got is not None and got == got
        ):
            got = int(got)
        ok = norm(got) == norm(gold[f])
        c.hit(f"meeting.{f}", ok, f"{name}: got {got!r}, want {gold[f]!r}")
    _score_consultations(con, doc_id, gold, c, name)
    _score_reports(con, doc_id, gold, c, name)
    _score_grounding(con, doc_id, c, name)


def _score_consultations(
    con: duckdb.DuckDBPyConnection, doc_id: str, gold: dict, c: Counts, name: str
) -> None:
    sys_rows = (
        con.execute(
            "SELECT * FROM consultations WHERE document_id = ? ORDER BY start_char", [doc_id]
        )
        .fetchdf()
        .to_dict("records")
    )
    for g, s in _match_consultations(sys_rows, gold.get("consultations", []), c, name):
        label = f"{name} #{g.get('number') or g['title'][:12]}"
        _score_consultation_fields(c, label, g, s)
        _score_consultation_parties(con, c, label, g, s)


def _match_consultations(
    sys_rows: list[dict], gold_rows: list[dict], c: Counts, name: str
) -> list[tuple[dict, dict]]:
    """Pair each gold consultation with the system's (by number, else by title); count detection."""
    unmatched = list(range(len(sys_rows)))
    pairs = []
    for g in gold_rows:
        match = None
        if g.get("number") is not None:
            match = next((i for i in unmatched if sys_rows[i]["number"] == g["number"]), None)
        else:
            best = max(
                unmatched, key=lambda i: ratio(sys_rows[i]["title"] or "", g["title"]), default=None
            )
            if best is not None and ratio(sys_rows[best]["title"] or "", g["title"]) >= 0.6:
                match = best
        if match is None:
            c.prf["consultations.detection"][2] += 1
            c.errors.append(
                f"consultations.detection: {name}: missed {g.get('number')} {g['title']}"
            )
            continue
        unmatched.remove(match)
        c.prf["consultations.detection"][0] += 1
        pairs.append((g, sys_rows[match]))
    for i in unmatched:
        c.prf["consultations.detection"][1] += 1
        c.errors.append(
            f"consultations.detection: {name}: invented {sys_rows[i]['number']} {sys_rows[i]['title']}"
        )
    return pairs


def _score_consultation_fields(c: Counts, label: str, g: dict, s: dict) -> None:
    """Title, department, outcome, vote, dissent, conditions and categories of one pair."""
    c.hit(
        "consultation.title",
        ratio(s["title"] or "", g["title"]) >= 0.9,
        f"{label}: got {s['title']!r}",
    )
    c.hit(
        "consultation.department",
        norm(s["department"]) == norm(g.get("department")),
        f"{label}: got {s['department']!r}, want {g.get('department')!r}",
    )
    c.hit(
        "consultation.outcome",
        s["outcome"] == g["outcome"],
        f"{label}: got {s['outcome']!r}, want {g['outcome']!r}",
    )
    if g.get("vote") is not None:
        c.hit(
            "consultation.vote",
            s["vote"] == g["vote"],
            f"{label}: got {s['vote']!r}, want {g['vote']!r}",
        )
    if g.get("dissent") is not None:
        got = None if s["dissent"] is None or s["dissent"] != s["dissent"] else int(s["dissent"])
        c.hit(
            "consultation.dissent",
            got == g["dissent"],
            f"{label}: got {got!r}, want {g['dissent']!r}",
        )
    if g["outcome"] != "unknown" and g.get("conditions") is not None:
        c.hit(
            "consultation.conditions",
            bool(s["has_conditions"]) == bool(g["conditions"]),
            f"{label}: got {s['has_conditions']!r}",
        )
    got_cats = set(s["categories"] if s["categories"] is not None else [])
    want_cats = set(g.get("categories") or [])
    c.prf["consultation.categories"][0] += len(got_cats & want_cats)
    c.prf["consultation.categories"][1] += len(got_cats - want_cats)
    c.prf["consultation.categories"][2] += len(want_cats - got_cats)
    if got_cats != want_cats:
        c.errors.append(
            f"consultation.categories: {label}: got {sorted(got_cats)}, want {sorted(want_cats)}"
        )


def _score_consultation_parties(
    con: duckdb.DuckDBPyConnection, c: Counts, label: str, g: dict, s: dict
) -> None:
    """Contractors and data items of one pair, as sets."""
    contractors = con.execute(
        "SELECT name, name_normalized FROM contractors WHERE consultation_id = ?",
        [s["consultation_id"]],
    ).fetchall()
    _score_set(
        c,
        "contractors",
        label,
        [(strip_legal(a), strip_legal(b)) for a, b in contractors],
        [strip_legal(x) for x in g.get("contractors", [])],
        [strip_legal(x) for x in g.get("optional_contractors", [])],
    )
    data_items = con.execute(
        "SELECT item, item_normalized FROM data_items WHERE consultation_id = ?",
        [s["consultation_id"]],
    ).fetchall()
    _score_set(
        c,
        "data_items",
        label,
        [(norm(a), norm(b)) for a, b in data_items],
        [norm(x) for x in g.get("data_items", [])],
        [norm(x) for x in g.get("optional_data_items", [])],
    )


def _score_set(
    c: Counts,
    measure: str,
    label: str,
    got: list[tuple[str, str]],
    want: list[str],
    optional: list[str],
) -> None:
    remaining = list(dict.fromkeys(want))
    for a, b in got:
        hit = next((w for w in remaining if w in (a, b)), None)
        if hit is not None:
            remaining.remove(hit)
            c.prf[measure][0] += 1
        elif a in want or b in want or a in optional or b in optional:
            continue  # a repeat of a matched value, or optional: neither helps nor hurts
        else:
            c.prf[measure][1] += 1
            c.errors.append(f"{measure}: {label}: extra {a!r}")
    for w in remaining:
        c.prf[measure][2] += 1
        c.errors.append(f"{measure}: {label}: missed {w!r}")


def _score_reports(
    con: duckdb.DuckDBPyConnection, doc_id: str, gold: dict, c: Counts, name: str
) -> None:
    rows = con.execute(
        "SELECT title, is_incident FROM reports WHERE document_id = ?", [doc_id]
    ).fetchall()
    unmatched = list(range(len(rows)))
    for g in gold.get("reports", []):
        best = max(unmatched, key=lambda i: ratio(rows[i][0], g["title"]), default=None)
        if best is None or ratio(rows[best][0], g["title"]) < 0.8:
            c.prf["reports.detection"][2] += 1
            c.errors.append(f"reports.detection: {name}: missed {g['title']}")
            continue
        unmatched.remove(best)
        c.prf["reports.detection"][0] += 1
        c.hit(
            "report.incident",
            bool(rows[best][1]) == bool(g.get("incident")),
            f"{name}: {g['title']}",
        )
    for i in unmatched:
        c.prf["reports.detection"][1] += 1
        c.errors.append(f"reports.detection: {name}: invented {rows[i][0]}")


def _score_grounding(con: duckdb.DuckDBPyConnection, doc_id: str, c: Counts, name: str) -> None:
    rows = con.execute(
        """
        WITH spans AS (
            SELECT name AS value, start_char, end_char FROM contractors WHERE document_id = $1
            UNION ALL
            SELECT item, start_char, end_char FROM data_items WHERE document_id = $1
        )
        SELECT s.value, substr(t.text, s.start_char + 1, s.end_char - s.start_char) AS evidence
        FROM spans s JOIN document_texts t ON t.document_id = $1
        """,
        [doc_id],
    ).fetchall()
    for value, evidence in rows:
        c.hit("grounding", norm(value) in norm(evidence), f"{name}: {value!r} not in {evidence!r}")


def load_gold(gold_dir: Path) -> dict[str, dict]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(Path(gold_dir).glob("*.json"))
    }


def evaluate(con: duckdb.DuckDBPyConnection, gold_dir: Path) -> dict:
    """Scores per file type and overall, with the errors behind them."""
    gold = load_gold(gold_dir)
    docs = con.execute(
        "SELECT document_id, source_path, file_type, status FROM documents"
    ).fetchall()
    groups: dict[str, Counts] = defaultdict(Counts)
    matched = defaultdict(list)
    for doc_id, source_path, file_type, status in docs:
        stem = Path(source_path).stem
        if stem not in gold:
            continue
        group = "pdf" if file_type == "pdf" else "text"
        matched[group].append(source_path)
        if status != "ok":
            groups[group].errors.append(f"{source_path}: status {status}")
            continue
        score_document(con, doc_id, gold[stem], groups[group])
    overall = Counts()
    for counts in groups.values():
        for k, (a, b) in counts.acc.items():
            overall.acc[k][0] += a
            overall.acc[k][1] += b
        for k, v in counts.prf.items():
            for i in range(3):
                overall.prf[k][i] += v[i]
        overall.errors += counts.errors
    result: dict[str, Any] = {"groups": {}, "gold_files": len(gold)}
    for name, counts in sorted(groups.items()):
        s = counts.scores()
        result["groups"][name] = {
            "documents": len(matched[name]),
            "headline": headline(s),
            "scores": s,
            "errors": counts.errors,
        }
    s = overall.scores()
    result["overall"] = {
        "documents": sum(len(v) for v in matched.values()),
        "headline": headline(s),
        "scores": s,
    }
    return result


def format_report(result: dict, show_errors: bool = False) -> str:
    lines = []
    for name, g in list(result["groups"].items()) + [("overall", result["overall"])]:
        lines.append(f"== {name}: {g['documents']} documents, headline {g['headline']:.3f}")
        lines.append(f"{'measure':32} {'score':>7} {'P':>7} {'R':>7} {'n':>5}")
        for m, s in g["scores"].items():
            if "f1" in s:
                lines.append(
                    f"{m:32} {s['f1']:7.3f} {s['precision']:7.3f} {s['recall']:7.3f} {s['n']:5d}"
                )
            else:
                lines.append(f"{m:32} {s['accuracy']:7.3f} {'':7} {'':7} {s['n']:5d}")
        if show_errors and g.get("errors"):
            lines.append("errors:")
            lines += [f"  {e}" for e in g["errors"]]
    return "\n".join(lines)
