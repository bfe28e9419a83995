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
    return s.strip("「」『』\"'")


# the legal-form words the gold schema drops before comparing party names
_LEGAL = re.compile(
    r"(株式会社|\(株\)|有限会社|\(有\)|合同会社|一般社団法人|一般財団法人|公益社団法人|公益財団法人"
    r"|社会福祉法人|特定非営利活動法人)"
)


def strip_legal(value: object) -> str:
    return _LEGAL.sub("", norm(value))


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


def score_document(
    con: duckdb.DuckDBPyConnection,
    doc_id: str | None,
    gold: dict,
    c: Counts,
    name: str | None = None,
) -> None:
    """Add one document's scores to `c`; doc_id None scores a document that was not loaded.

    Errors name the document scored (`name`, its source_path): one gold file scores the text
    and the PDF of a page alike, and an error in the PDF must say the PDF."""
    name = name or str(gold.get("document", doc_id))
    meeting = con.execute("SELECT * FROM meetings WHERE document_id = ?", [doc_id]).fetchdf()
    doc = con.execute(
        "SELECT doc_kind, municipality FROM documents WHERE document_id = ?", [doc_id]
    ).fetchone()
    row = meeting.iloc[0].to_dict() if len(meeting) else {}
    # the document's kind and local government are the documents row's, as the contract says
    row["doc_kind"], row["municipality"] = doc if doc else (None, None)
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


def _records(con: duckdb.DuckDBPyConnection, sql: str, *args: object) -> list[dict]:
    cur = con.execute(sql, list(args))
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def similarity(a: object, b: object) -> float:
    """difflib ratio of the normalised strings; 0 when either is empty."""
    x, y = norm(a), norm(b)
    return difflib.SequenceMatcher(None, x, y).ratio() if x and y else 0.0


def match_consultations(gold: list[dict], system: list[dict]) -> tuple[list, list[dict]]:
    """(gold, system or None) pairs, and the system rows no gold took.

    Each gold consultation in turn takes the best unused system row: one with its number
    (and the most similar title among those), else the most similar title at ratio >= 0.6.
    """
    pairs: list[tuple[dict, dict | None]] = []
    used: set[int] = set()
    for g in gold:
        best, best_score = None, 0.0
        for i, row in enumerate(system):
            if i in used:
                continue
            if g.get("number") is not None and row.get("number") == g["number"]:
                score = 1.0 + similarity(g["title"], row.get("title"))
            else:
                score = similarity(g["title"], row.get("title"))
                if score < 0.6:
                    continue
            if score > best_score:
                best, best_score = i, score
        if best is None:
            pairs.append((g, None))
        else:
            used.add(best)
            pairs.append((g, system[best]))
    return pairs, [row for i, row in enumerate(system) if i not in used]


def _score_consultations(
    con: duckdb.DuckDBPyConnection, doc_id: str | None, gold: dict, c: Counts, name: str
) -> None:
    sys_rows = _records(
        con, "SELECT * FROM consultations WHERE document_id = ? ORDER BY start_char", doc_id
    )
    text_row = con.execute("SELECT text FROM document_texts WHERE document_id = ?", [doc_id])
    found = text_row.fetchone()
    text = found[0] if found else ""
    pairs, extra = match_consultations(gold.get("consultations", []), sys_rows)
    for s in extra:
        c.prf["consultations.detection"][1] += 1
        c.errors.append(f"consultations.detection: {name}: invented {s['number']} {s['title']}")
    for g, s in pairs:
        label = f"{name} #{g.get('number') or g['title'][:12]}"
        if s is None:
            # a missed consultation: every value it should have given is missed too
            c.prf["consultations.detection"][2] += 1
            c.errors.append(
                f"consultations.detection: {name}: missed {g.get('number')} {g['title']}"
            )
            c.prf["contractors"][2] += len(g.get("contractors", []))
            c.prf["data_items"][2] += len(g.get("data_items", []))
            c.prf["consultation.categories"][2] += len(g.get("categories", []))
            for f in ("title", "department", "outcome"):
                if g.get(f) is not None:
                    c.hit(f"consultation.{f}", False)
            continue
        c.prf["consultations.detection"][0] += 1
        _score_pair(con, g, s, c, label, text)


def _score_pair(
    con: duckdb.DuckDBPyConnection, g: dict, s: dict, c: Counts, label: str, text: str
) -> None:
    c.hit(
        "consultation.title",
        similarity(g["title"], s["title"]) >= 0.9,
        f"{label}: got {s['title']!r}",
    )
    if g.get("department") is not None:
        c.hit(
            "consultation.department",
            norm(s["department"]) == norm(g["department"]),
            f"{label}: got {s['department']!r}, want {g['department']!r}",
        )
    c.hit(
        "consultation.outcome",
        s["outcome"] == g["outcome"],
        f"{label}: got {s['outcome']!r}, want {g['outcome']!r}",
    )
    if g.get("vote") is not None:
        c.hit("consultation.vote", s["vote"] == g["vote"], f"{label}: got {s['vote']!r}")
    if g.get("dissent") is not None:
        c.hit(
            "consultation.dissent", s["dissent"] == g["dissent"], f"{label}: got {s['dissent']!r}"
        )
    if g.get("outcome") != "unknown":
        c.hit(
            "consultation.conditions",
            bool(s["has_conditions"]) == bool(g.get("conditions")),
            f"{label}: got {s['has_conditions']!r}",
        )
    _score_set(
        c, "consultation.categories", label, s["categories"] or [], g.get("categories", []), []
    )
    cid = s["consultation_id"]
    contractors = _records(con, "SELECT * FROM contractors WHERE consultation_id = ?", cid)
    want, optional = g.get("contractors", []), g.get("optional_contractors", [])
    known = {strip_legal(x) for x in want + optional}
    names = []
    for r in contractors:
        cands = [strip_legal(r["name"]), strip_legal(r["name_normalized"])]
        names.append(next((x for x in cands if x in known), cands[0]))
    _score_set(
        c,
        "contractors",
        label,
        names,
        [strip_legal(x) for x in want],
        [strip_legal(x) for x in optional],
    )
    items = _records(con, "SELECT * FROM data_items WHERE consultation_id = ?", cid)
    want, optional = g.get("data_items", []), g.get("optional_data_items", [])
    known = {norm(x) for x in want + optional}
    values = []
    for r in items:
        cands = [norm(r["item"]), norm(r["item_normalized"])]
        values.append(next((x for x in cands if x in known), cands[0]))
    _score_set(c, "data_items", label, values, [norm(x) for x in want], [norm(x) for x in optional])
    # grounding: each contractor and item row's span holds its value
    for r, field_name in [(r, "name") for r in contractors] + [(r, "item") for r in items]:
        a, b = r["start_char"], r["end_char"]
        ok = a is not None and b is not None and norm(r[field_name]) in norm(text[a:b])
        c.hit("grounding", ok, f"{label}: {r[field_name]!r} not in its span {a}:{b}")


def _score_set(
    c: Counts, measure: str, label: str, got: list[str], want: list[str], optional: list[str]
) -> None:
    """Precision/recall over distinct values; optional values neither help nor hurt."""
    required, allowed = set(want), set(optional)
    seen: set[str] = set()
    for v in got:
        if not v or v in seen:
            continue
        seen.add(v)
        if v in required:
            c.prf[measure][0] += 1
        elif v not in allowed:
            c.prf[measure][1] += 1
            c.errors.append(f"{measure}: {label}: extra {v!r}")
    for v in sorted(required - seen):
        c.prf[measure][2] += 1
        c.errors.append(f"{measure}: {label}: missed {v!r}")


def _score_reports(
    con: duckdb.DuckDBPyConnection, doc_id: str | None, gold: dict, c: Counts, name: str
) -> None:
    rows = con.execute(
        "SELECT title, is_incident FROM reports WHERE document_id = ?", [doc_id]
    ).fetchall()
    used: set[int] = set()
    for g in gold.get("reports", []):
        best, best_score = None, 0.0
        for i, (title, _) in enumerate(rows):
            score = similarity(g["title"], title)
            if i not in used and score >= 0.8 and score > best_score:
                best, best_score = i, score
        if best is None:
            c.prf["reports.detection"][2] += 1
            c.errors.append(f"reports.detection: {name}: missed {g['title']}")
            continue
        used.add(best)
        c.prf["reports.detection"][0] += 1
        c.hit(
            "report.incident",
            bool(rows[best][1]) == bool(g.get("incident")),
            f"{name}: {g['title']}",
        )
    for i in set(range(len(rows))) - used:
        c.prf["reports.detection"][1] += 1
        c.errors.append(f"reports.detection: {name}: invented {rows[i][0]}")


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
    seen = set()
    for doc_id, source_path, file_type, status in docs:
        stem = Path(source_path).stem
        if stem not in gold:
            continue
        seen.add(stem)
        group = "pdf" if file_type == "pdf" else "text"
        matched[group].append(source_path)
        if status != "ok":
            groups[group].errors.append(f"{source_path}: status {status}")
            score_document(con, None, gold[stem], groups[group], source_path)
            continue
        score_document(con, doc_id, gold[stem], groups[group], source_path)
    for stem in sorted(set(gold) - seen):
        # a gold file whose document was never loaded scores as a document with nothing found
        groups["missing"].errors.append(f"{stem}: no document in the warehouse")
        matched["missing"].append(stem)
        score_document(con, None, gold[stem], groups["missing"])
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
