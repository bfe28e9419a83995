"""One consultation across documents: which rows of `consultations` are the same 諮問.

A 諮問 is submitted at one meeting, deliberated and deferred at the next, decided at a third,
answered in a 答申 and the answer confirmed (答申書の確認). Each document records it as its own
row; the loader gives the rows of one 諮問 one `consultation_key` (the consultation_id of its
earliest row), each row its `stage` in that history, the date the 諮問 was made when a document
says it (`asked_on`), and, where a row fits two histories equally, the keys of both
(`link_candidates`): it is then linked to neither, and a person decides (view
`consultation_links_to_review`).

Rows are linked only within one local government and, when both name it, one council (its
name without the local government, the session or spaces). Two rows are the same 諮問 when
- they give the same number within its numbering period: a council whose numbers go down when
  the fiscal year changes restarts them each year, and a number then names one 諮問 only within a
  fiscal year (across the change of year the titles must agree as well); otherwise within
  NUMBER_GAP days of the history's last event;
- or, where one of them gives no number, the titles are very close (TITLE_RATIO, after removing
  spaces, brackets and 「について」) within TITLE_GAP days of the history's last event;
and the history is still open: nothing follows a 答申 or a withdrawal, only a 答申 or its
confirmation follows a decision, and a 答申 that says when it was asked for answers no history
that began before that date.

The rows are taken in date order and each joins the one history it fits (a deterministic pass
over one local government's rows), so the result depends only on the rows loaded, never on the
order they came in. A batch links its own rows among themselves and notes the local governments it
touches (`pending_links`); `relink_pending` relinks those with the rows already loaded there, at
the end of the batch's transaction or once at the end of an ingest run (each batch re-reading
every loaded row of its local governments made a run quadratic in what is loaded); `link_all`
relinks everything (`shingikai maintain`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from difflib import SequenceMatcher
from functools import lru_cache

import duckdb
import pyarrow as pa

from extractors.common import DATE_RE, parse_date

# ---- the rules' parameters -------------------------------------------------------------------

NUMBER_GAP = 400  # days: the same number further apart than this is another 諮問
TITLE_GAP = (
    183  # days: the same title further apart than this is another 諮問 (councils repeat them)
)
TITLE_RATIO = 0.95  # similarity of normalised titles to count as one subject
ASKED_SLACK = 7  # days a history may start before the date a 答申 gives for its 諮問

STAGES = ("submitted", "deliberated", "deferred", "answered", "confirmed")
DECIDED = ("approved", "rejected")

# a confirmation of the council's answer (答申書の確認, 答申案を承認): it follows a decision
CONFIRMATION_RE = re.compile(
    r"答申(?:書|案|文)(?:の|を|について|[(（]案[)）]の)?[^。]{0,20}?(?:確認|承認|了承|決定)"
)
# the date of the 諮問 an answer gives: 令和5年6月1日付けで諮問のあった, 6月1日付け諮問第3号
ASKED_RE = re.compile(
    rf"({DATE_RE.pattern})\s*(?:付け?|附)\s*(?:で|をもって|にて)?\s*(?:の)?\s*"
    rf"(?:貴[^\s。、]{{0,4}}から)?(?:[^。]{{0,12}}から)?諮問"
)
# the meeting-count prefix some headers leave before a council's name (令和3年度第4回, 第37回)
SESSION_PREFIX_RE = re.compile(r"^.*?(?:年度)?第[0-9]+回")
TITLE_NOISE_RE = re.compile(r"[\s「」『』()（）\[\]【】〔〕<>＜＞\"'“”‘’・、。,.:：]")
TITLE_TAIL_RE = re.compile(r"(?:について|に関して|に係る諮問|に関する諮問|の件)$")


# ---- what is read from the warehouse -----------------------------------------------------------

# Each consultation with what the links are decided from; `where` narrows to local governments.
EVENTS = r"""
SELECT
    c.consultation_id,
    c.document_id,
    d.duplicate_of,
    coalesce(d.meeting_key, d.document_id) AS meeting,
    d.doc_kind,
    nullif(regexp_extract(coalesce(c.municipality, m.municipality, d.municipality), '(\S+)\s*$', 1), '')
        AS place,
    m.body,
    m.held_on,
    c.number,
    c.title,
    c.outcome,
    c.outcome_text,
    c.start_char
FROM {consultations} AS c
JOIN {documents} AS d USING (document_id)
LEFT JOIN {meetings} AS m USING (document_id)
WHERE d.status = 'ok'
"""

LINK_COLUMNS = ("consultation_key", "stage", "asked_on", "link_candidates")


@dataclass(frozen=True)
class Event:
    """One consultation row as the linking sees it."""

    consultation_id: str
    document_id: str
    duplicate_of: str | None  # the counted copy of its meeting, when this document is another
    meeting: str  # documents.meeting_key, else the document
    doc_kind: str | None
    place: str | None  # local government, normalised
    council: str | None  # council name, normalised; None when the header gives none
    held_on: date | None
    number: int | None
    title: str  # normalised
    outcome: str
    hint: str | None  # answered, confirmed or deferred when the row itself says so
    asked_on: date | None  # date of the 諮問, when the row states it
    start_char: int


@dataclass(frozen=True)
class Link:
    """What the loader writes in a consultation row."""

    consultation_key: str
    stage: str
    asked_on: date | None
    link_candidates: tuple[str, ...] = ()


def normalise_title(title: str | None) -> str:
    """Title without spaces, brackets, punctuation or a closing 「について」 (NFKC)."""
    t = TITLE_NOISE_RE.sub("", unicodedata.normalize("NFKC", title or ""))
    return TITLE_TAIL_RE.sub("", t)


def normalise_council(body: str | None, place: str | None) -> str | None:
    """The council's name without the session count, the local government or spaces."""
    if not body:
        return None
    b = re.sub(r"\s+", "", unicodedata.normalize("NFKC", body))
    b = SESSION_PREFIX_RE.sub("", b)
    if place and place in b:
        b = b[b.index(place) + len(place) :]
    return b or None


def asked_date(*texts: str | None) -> date | None:
    """The date of the 諮問 a text gives (…付けで諮問のあった), if any."""
    for text in texts:
        m = ASKED_RE.search(unicodedata.normalize("NFKC", text or ""))
        if m:
            inner = DATE_RE.search(m.group(1))
            if inner:
                return parse_date(inner)
    return None


def stage_hint(doc_kind: str | None, outcome: str, texts: Iterable[str | None]) -> str | None:
    """The stage a row shows by itself: answered (a 答申), confirmed, deferred; else None."""
    if doc_kind == "toshin":
        return "answered"
    if outcome == "deferred":
        return "deferred"
    if outcome in DECIDED and any(CONFIRMATION_RE.search(t or "") for t in texts):
        return "confirmed"
    return None


def event(row: dict) -> Event:
    """An Event from a row of EVENTS."""
    place = row["place"]
    texts = (row["outcome_text"], row["title"])
    return Event(
        consultation_id=row["consultation_id"],
        document_id=row["document_id"],
        duplicate_of=row["duplicate_of"],
        meeting=row["meeting"],
        doc_kind=row["doc_kind"],
        place=place,
        council=normalise_council(row["body"], place),
        held_on=row["held_on"],
        number=row["number"],
        title=normalise_title(row["title"]),
        outcome=row["outcome"],
        hint=stage_hint(row["doc_kind"], row["outcome"], texts),
        asked_on=asked_date(*texts) if row["doc_kind"] == "toshin" else None,
        start_char=row["start_char"],
    )


# ---- the linking itself (pure) -----------------------------------------------------------------


def fiscal_year(d: date) -> int:
    """Japanese fiscal year (April to March) of a date."""
    return d.year if d.month >= 4 else d.year - 1


@lru_cache(maxsize=65536)
def close_titles(a: str, b: str) -> bool:
    """Very close subjects: equal, or nearly so, once normalised."""
    if not a or not b:
        return False
    if a == b:
        return True
    if min(len(a), len(b)) < 8 or 2 * min(len(a), len(b)) < TITLE_RATIO * (len(a) + len(b)):
        return False  # too short to tell, or lengths too far apart for the ratio
    m = SequenceMatcher(None, a, b, autojunk=False)
    return m.quick_ratio() >= TITLE_RATIO and m.ratio() >= TITLE_RATIO


@dataclass
class History:
    """The events of one 諮問 so far, in date order."""

    events: list[Event] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    # begun by a row that fitted two histories: what follows it could belong to either
    doubtful: bool = False
    numbers: set[int] = field(default_factory=set)  # the numbers its rows give

    def add(self, e: Event, stage: str) -> None:
        self.events.append(e)
        self.stages.append(stage)
        if e.number is not None:
            self.numbers.add(e.number)

    @property
    def closed(self) -> bool:
        """Nothing can follow: begun in doubt, answered, or withdrawn."""
        return (
            self.doubtful
            or "answered" in self.stages
            or any(x.outcome == "withdrawn" for x in self.events)
        )

    @property
    def key(self) -> str:
        return self.events[0].consultation_id

    @property
    def first_on(self) -> date:
        return self.events[0].held_on  # type: ignore[return-value]

    @property
    def last_on(self) -> date:
        return self.events[-1].held_on  # type: ignore[return-value]

    @property
    def asked_on(self) -> date | None:
        return next((e.asked_on for e in self.events if e.asked_on), None)

    def accepts(self, e: Event, restarts: bool, councils: int) -> bool:
        """True when `e` can be the next event of this 諮問 (`councils`: how many councils of
        the local government are named)."""
        if self.doubtful:
            return False
        if councils > 1 and not any(x.council for x in self.events):
            return False  # a history without a council, where several sit
        if any(x.meeting == e.meeting or x.document_id == e.document_id for x in self.events):
            return False
        if e.council and any(x.council and x.council != e.council for x in self.events):
            return False
        outcomes = {x.outcome for x in self.events}
        if "answered" in self.stages or "withdrawn" in outcomes:
            return False
        if "confirmed" in self.stages and e.hint != "answered":
            return False
        if outcomes & set(DECIDED) and e.hint not in ("answered", "confirmed"):
            return False
        if e.asked_on and self.first_on < e.asked_on - timedelta(days=ASKED_SLACK):
            return False
        asked = self.asked_on
        if e.asked_on and asked and abs((e.asked_on - asked).days) > ASKED_SLACK:
            return False
        gap = (e.held_on - self.last_on).days  # type: ignore[operator]
        numbers = self.numbers
        if e.number is not None and numbers:
            if numbers != {e.number} or gap > NUMBER_GAP:
                return False
            if fiscal_year(e.held_on) == fiscal_year(self.first_on):  # type: ignore[arg-type]
                return True
            # across a change of fiscal year the number may have been given again: the titles
            # must agree too, unless one is missing where numbers are known not to restart
            untitled = not e.title or not any(x.title for x in self.events)
            return self.titled(e) or (untitled and not restarts)
        return gap <= TITLE_GAP and self.titled(e)

    def titled(self, e: Event) -> bool:
        """True when `e`'s title is very close to one of the history's."""
        return any(close_titles(e.title, t) for t in {x.title for x in self.events})


def _restarting(events: list[Event]) -> set[str | None]:
    """Councils (None: any of the place) whose numbers go down when the fiscal year changes
    (a later year's row gives a lower number than an earlier year's)."""
    lowest: dict[tuple[str | None, int], int] = {}  # (council, fiscal year) -> lowest number
    highest: dict[tuple[str | None, int], int] = {}
    for e in events:
        if e.number is not None and e.held_on is not None:
            k = (e.council, fiscal_year(e.held_on))
            lowest[k] = min(lowest.get(k, e.number), e.number)
            highest[k] = max(highest.get(k, e.number), e.number)
    out: set[str | None] = set()
    for (council, fy), low in lowest.items():
        if any(c == council and y < fy and high > low for (c, y), high in highest.items()):
            out.add(council)
    if out:
        out.add(None)  # a row without a council could be any of them
    return out


def _order(e: Event) -> tuple:
    return (e.held_on, e.meeting, e.start_char, e.consultation_id)


def link(events: Iterable[Event]) -> dict[str, Link]:
    """consultation_id -> Link for every event: histories within each local government."""
    events = list(events)
    counted = [e for e in events if e.duplicate_of is None]
    out: dict[str, Link] = {}
    places: dict[str, list[Event]] = {}
    for e in counted:
        if e.place and e.held_on:
            places.setdefault(e.place, []).append(e)
        else:  # nothing to tell it from another local government's or another time's
            out[e.consultation_id] = _alone(e)
    for group in places.values():
        out.update(_link_place(sorted(group, key=_order)))
    # a copy of a meeting takes the links of the same consultation in the counted copy
    by_doc: dict[str, list[Event]] = {}
    for e in counted:
        by_doc.setdefault(e.document_id, []).append(e)
    for e in events:
        if e.duplicate_of is None:
            continue
        twin = _twin(e, by_doc.get(e.duplicate_of, []))
        out[e.consultation_id] = out[twin.consultation_id] if twin else _alone(e)
    return out


def _alone(e: Event) -> Link:
    return Link(e.consultation_id, e.hint or _plain_stage(e, first=True), e.asked_on)


def _plain_stage(e: Event, first: bool) -> str:
    return "submitted" if first and e.outcome == "unknown" else "deliberated"


def _twin(e: Event, others: list[Event]) -> Event | None:
    """The same consultation in the counted copy: same number, else same title."""
    for o in others:
        if e.number is not None and o.number == e.number:
            return o
    for o in others:
        if e.number is None and o.number is None and e.title and o.title == e.title:
            return o
    return None


def _link_place(events: list[Event]) -> dict[str, Link]:
    restarts = _restarting(events)
    councils = len({e.council for e in events if e.council})
    histories: list[History] = []
    out: dict[str, Link] = {}
    candidates: dict[str, tuple[str, ...]] = {}
    active: list[History] = []  # histories whose last event is recent enough to continue
    for e in events:
        active = [
            h
            for h in active
            if not h.closed and (e.held_on - h.last_on).days <= NUMBER_GAP  # type: ignore[operator]
        ]
        fits = [
            h
            for h in active
            # another number is another 諮問: skip those before the full test
            if (e.number is None or not h.numbers or e.number in h.numbers)
            and h.accepts(e, e.council in restarts, councils)
        ]
        if len(fits) == 1:
            fits[0].add(e, e.hint or _plain_stage(e, first=False))
            continue
        if len(fits) > 1:  # two histories fit: link neither, a person decides
            candidates[e.consultation_id] = tuple(sorted(h.key for h in fits))
        h = History(doubtful=len(fits) > 1)
        h.add(e, e.hint or _plain_stage(e, first=True))
        histories.append(h)
        active.append(h)
    for h in histories:
        for e, stage in zip(h.events, h.stages, strict=True):
            out[e.consultation_id] = Link(
                h.key, stage, e.asked_on or h.asked_on, candidates.get(e.consultation_id, ())
            )
    return out


# ---- reading and writing -----------------------------------------------------------------------


def _events(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[Event]:
    rel = con.execute(sql, params)
    names = [d[0] for d in rel.description]
    return [event(dict(zip(names, r, strict=True))) for r in rel.fetchall()]


def _write(con: duckdb.DuckDBPyConnection, links: dict[str, Link]) -> int:
    """Write the links of loaded rows where they change; how many rows changed."""
    if not links:
        return 0
    table = _links_table(links)
    con.register("_links", table)
    try:
        changed = con.execute(
            """
            SELECT count(*) FROM consultations AS c JOIN _links AS l USING (consultation_id)
            WHERE c.consultation_key IS DISTINCT FROM l.consultation_key
                OR c.stage IS DISTINCT FROM l.stage
                OR c.asked_on IS DISTINCT FROM l.asked_on
                OR c.link_candidates IS DISTINCT FROM l.link_candidates
            """
        ).fetchall()[0][0]
        if changed:
            con.execute(
                """
                UPDATE consultations
                SET consultation_key = l.consultation_key, stage = l.stage,
                    asked_on = l.asked_on, link_candidates = l.link_candidates
                FROM _links AS l
                WHERE consultations.consultation_id = l.consultation_id
                    AND (consultations.consultation_key IS DISTINCT FROM l.consultation_key
                        OR consultations.stage IS DISTINCT FROM l.stage
                        OR consultations.asked_on IS DISTINCT FROM l.asked_on
                        OR consultations.link_candidates IS DISTINCT FROM l.link_candidates)
                """
            )
    finally:
        con.unregister("_links")
    return int(changed)


def _links_table(links: dict[str, Link]) -> pa.Table:
    ids = sorted(links)
    return pa.table(
        {
            "consultation_id": pa.array(ids, pa.string()),
            "consultation_key": pa.array([links[i].consultation_key for i in ids], pa.string()),
            "stage": pa.array([links[i].stage for i in ids], pa.string()),
            "asked_on": pa.array([links[i].asked_on for i in ids], pa.date32()),
            "link_candidates": pa.array(
                [list(links[i].link_candidates) or None for i in ids], pa.list_(pa.string())
            ),
        }
    )


TABLES = {"documents": "documents", "meetings": "meetings", "consultations": "consultations"}


def link_all(con: duckdb.DuckDBPyConnection) -> int:
    """Relink every consultation in the warehouse; how many rows changed. Nothing is left
    pending after it (`pending_links` emptied)."""
    changed = _write(con, link(_events(con, EVENTS.format(**TABLES))))
    con.execute("DELETE FROM pending_links")
    return changed


def places_of(con: duckdb.DuckDBPyConnection, documents: list[str]) -> list[str]:
    """The local governments of loaded documents' consultations (before they are replaced)."""
    if not documents:
        return []
    sql = f"SELECT DISTINCT place FROM ({EVENTS.format(**TABLES)}) WHERE place IS NOT NULL "
    sql += "AND document_id IN (SELECT unnest(?::VARCHAR[]))"
    return [r[0] for r in con.execute(sql, [documents]).fetchall()]


def link_batch(
    con: duckdb.DuckDBPyConnection, batch: dict[str, pa.Table], touched: Iterable[str] = ()
) -> dict[str, pa.Table]:
    """Link a batch about to be inserted (inside its transaction) among itself, and note the
    local governments whose histories it changes in `pending_links` (same transaction).

    The batch's rows get the links of its own consultations taken together: nothing is read
    from the warehouse, so a batch costs the same however much is loaded. Their histories with
    the rows already loaded in the same local governments (and in `touched` ones, where the
    batch replaced or removed documents, or changed which copy of a meeting counts) are set by
    `relink_pending`: at the end of the batch's own transaction (`store.load_many`), or once for
    a whole run (ingest), so that a run's cost is not that of its batches times what is loaded.
    `batch["documents"]` must already carry its copy marks (`derive.derive_batch`).
    """
    places = set(touched)
    if "consultations" in batch:
        names = {}
        for table in TABLES:
            if table in batch:
                names[table] = f"_history_{table}"
                con.register(names[table], batch[table])
            else:
                names[table] = f"(SELECT * FROM {table} WHERE false)"
        try:
            mine = _events(con, EVENTS.format(**names))
        finally:
            for table in TABLES:
                if table in batch:
                    con.unregister(f"_history_{table}")
        places |= {e.place for e in mine if e.place}
        links = link(mine)
        rows = batch["consultations"]
        got = [links.get(i) for i in rows.column("consultation_id").to_pylist()]
        for column in LINK_COLUMNS:
            values = [
                (
                    list(getattr(g, column)) or None
                    if column == "link_candidates"
                    else getattr(g, column)
                )
                if g
                else None
                for g in got
            ]
            rows = _set(rows, column, values)
        batch["consultations"] = rows
    note_pending(con, places)
    return batch


def note_pending(con: duckdb.DuckDBPyConnection, places: Iterable[str]) -> None:
    """Note `places` in `pending_links`, to be relinked (inside the caller's transaction). Rows
    are appended, never looked up: a place noted by several batches is relinked once."""
    places = sorted(set(places))
    if places:
        con.execute(
            "INSERT INTO pending_links SELECT unnest(?::VARCHAR[]), now()::TIMESTAMP", [places]
        )


def pending_places(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The local governments noted in `pending_links`, each once."""
    return [
        r[0] for r in con.execute("SELECT DISTINCT place FROM pending_links ORDER BY 1").fetchall()
    ]


def relink_pending(con: duckdb.DuckDBPyConnection) -> int:
    """Relink the local governments noted in `pending_links` (inside the caller's transaction);
    how many loaded rows changed."""
    places = pending_places(con)
    return relink(con, places) if places else 0


def relink(con: duckdb.DuckDBPyConnection, places: list[str]) -> int:
    """Relink every consultation of `places` with all the others loaded there, as `link_all`
    does, and the copies of their documents wherever their own rows say they are (a copy takes
    its counted twin's links); empty `pending_links` (inside the caller's transaction, which
    read `places` from it). Rows are written only where their links change; how many did."""
    sql = (
        f"WITH e AS ({EVENTS.format(**TABLES)}), "
        "here AS (SELECT * FROM e WHERE place IN (SELECT unnest(?::VARCHAR[]))) "
        "SELECT * FROM here UNION ALL SELECT * FROM e WHERE duplicate_of IN "
        "(SELECT document_id FROM here) AND consultation_id NOT IN (SELECT consultation_id FROM here)"
    )
    changed = _write(con, link(_events(con, sql, [places])))
    con.execute("DELETE FROM pending_links")
    return changed


def _set(table: pa.Table, column: str, values: list) -> pa.Table:
    kinds = {
        "consultation_key": pa.string(),
        "stage": pa.string(),
        "asked_on": pa.date32(),
        "link_candidates": pa.list_(pa.string()),
    }
    array = pa.array(values, kinds[column])
    i = table.schema.get_field_index(column)
    if i < 0:
        return table.append_column(pa.field(column, array.type), array)
    return table.set_column(i, pa.field(column, array.type), array)
