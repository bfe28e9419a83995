"""What is new tonight: the 諮問 that are new or moved a stage and touch what a researcher follows.

A watch list (a TOML file, see docs/watch.md) names terms (words of a 諮問's title in any of its
documents), contractors, data items and local governments. After a load, `write_digest` lists
every 諮問 (`consultations_final`) matching any of them that has a document the digest has not
reported before: new (none of its documents reported) or moved a stage (a further meeting, a
答申, a confirmation). It writes the list as Markdown and HTML, with a `shingikai show` page for
each document it names, and remembers the documents reported (`seen.json` beside the digests),
so the same 諮問 comes back another night only when its history moves on.
"""

from __future__ import annotations

import html
import json
import os
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import groupby
from pathlib import Path

from shingikai.warehouse import readonly

DIGEST_DIR = Path("data/digest")  # git-ignored, like data/show
SEEN = "seen.json"
KINDS = ("terms", "contractors", "data_items", "municipalities")


class WatchError(ValueError):
    """The watch list cannot be read: nothing was written."""


@dataclass(frozen=True)
class Watch:
    """What a researcher follows; a 諮問 matches when any one of them matches."""

    terms: tuple[str, ...] = ()  # words of its title, in any of its documents
    contractors: tuple[str, ...] = ()  # part of a contractor's canonical name
    data_items: tuple[str, ...] = ()  # part of a data item's canonical term
    municipalities: tuple[str, ...] = ()  # local governments, as the warehouse writes them


def load_watch(path: Path) -> Watch:
    """The watch list in `path`, or WatchError saying what is wrong with it."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise WatchError(f"no watch list at {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WatchError(f"{path} is not a TOML file: {exc}") from None
    unknown = sorted(set(data) - set(KINDS))
    if unknown:
        raise WatchError(
            f"{path}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(KINDS)})"
        )
    values: dict[str, tuple[str, ...]] = {}
    for kind in KINDS:
        items = data.get(kind, [])
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise WatchError(f"{path}: {kind} must be a list of non-empty strings")
        values[kind] = tuple(unicodedata.normalize("NFKC", i).strip() for i in items)
    if not any(values.values()):
        raise WatchError(
            f"{path} watches nothing: give terms, contractors, data_items or municipalities"
        )
    return Watch(**values)


@dataclass
class Event:
    consultation_id: str
    held_on: date | None
    stage: str
    outcome: str
    document_id: str
    source_path: str
    new: bool = False  # not reported by an earlier digest


@dataclass
class Entry:
    """One 諮問 of the digest."""

    consultation_key: str
    municipality: str | None
    number: int | None
    title: str | None
    final_outcome: str
    reasons: list[str]
    events: list[Event] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return all(e.new for e in self.events)


@dataclass
class Digest:
    entries: list[Entry]
    markdown: str
    markdown_path: Path
    html_path: Path


HISTORIES = """
WITH events AS (
    SELECT consultation_key, list(DISTINCT title) FILTER (WHERE title IS NOT NULL) AS titles
    FROM consultation_history GROUP BY consultation_key
)
SELECT f.consultation_key, f.municipality, f.number, f.title, f.final_outcome, f.contractors,
    f.data_items, e.titles
FROM consultations_final AS f JOIN events AS e USING (consultation_key)
"""
EVENTS = """
SELECT consultation_key, consultation_id, held_on, stage, outcome, document_id, source_path
FROM consultation_history ORDER BY consultation_key, seq
"""


def reasons(watch: Watch, municipality: str | None, titles, contractors, items) -> list[str]:  # type: ignore[no-untyped-def]
    """Why a 諮問 matches the watch list (empty: it does not)."""
    norm = [unicodedata.normalize("NFKC", t) for t in titles or []]
    out = [f"term {t}" for t in watch.terms if any(t in title for title in norm)]
    out += [f"contractor {c}" for c in watch.contractors if any(c in x for x in contractors or [])]
    out += [f"data item {d}" for d in watch.data_items if any(d in x for x in items or [])]
    out += [f"local government {m}" for m in watch.municipalities if municipality == m]
    return out


def collect(db: Path, watch: Watch, seen: set[str]) -> tuple[list[Entry], set[str]]:
    """The matching 諮問 with a document not in `seen`; and every consultation row loaded."""
    with readonly(db) as con:
        histories = con.execute(HISTORIES).fetchall()
        events = con.execute(EVENTS).fetchall()
    by_key = {
        key: [Event(r[1], r[2], r[3], r[4], r[5], r[6], new=r[1] not in seen) for r in rows]
        for key, rows in groupby(events, key=lambda r: r[0])
    }
    entries = []
    for key, municipality, number, title, outcome, contractors, items, titles in histories:
        history = by_key.get(key, [])
        if not any(e.new for e in history):
            continue
        why = reasons(watch, municipality, titles, contractors, items)
        if why:
            entries.append(Entry(key, municipality, number, title, outcome, why, history))
    entries.sort(
        key=lambda e: (e.municipality or "", e.events[-1].held_on or date.min, e.consultation_key)
    )
    return entries, {r[1] for r in events}


def _seen(out_dir: Path) -> set[str]:
    path = out_dir / SEEN
    if not path.exists():
        return set()
    try:
        return set(json.loads(path.read_text(encoding="utf-8"))["reported"])
    except (ValueError, KeyError, TypeError):
        raise WatchError(
            f"{path} is damaged: delete it to report every matching 諮問 again"
        ) from None


def _save_seen(out_dir: Path, seen: set[str]) -> None:
    tmp = out_dir / (SEEN + ".tmp")
    tmp.write_text(json.dumps({"reported": sorted(seen)}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, out_dir / SEEN)


def _label(e: Entry) -> str:
    number = f"諮問第{e.number}号 " if e.number is not None else ""
    return f"{e.municipality or '?'} — {number}{e.title or '(no title)'}"


def _status(e: Entry) -> str:
    if e.is_new:
        return "new"
    moved = [x.stage for x in e.events if x.new]
    return "moved: " + ", ".join(moved)


def render_markdown(
    entries: list[Entry], links: dict[str, str], when: datetime, watch_path: Path
) -> str:
    lines = [
        f"# shingikai digest — {when:%Y-%m-%d %H:%M} UTC",
        "",
        f"{len(entries)} 諮問 new or moved a stage that match the watch list `{watch_path}`.",
    ]
    for e in entries:
        lines += ["", f"## {_label(e)} ({_status(e)})", ""]
        lines.append(f"- final outcome: {e.final_outcome}; matched: {', '.join(e.reasons)}")
        for x in e.events:
            mark = " **new**" if x.new else ""
            lines.append(
                f"- {x.held_on or '?'} {x.stage} ({x.outcome}): [{x.source_path}]({links[x.document_id]}){mark}"
            )
    return "\n".join(lines) + "\n"


def render_html(
    entries: list[Entry], links: dict[str, str], when: datetime, watch_path: Path
) -> str:
    blocks = []
    for e in entries:
        items = "".join(
            f"<li>{x.held_on or '?'} {html.escape(x.stage)} ({html.escape(x.outcome)}): "
            f'<a href="{html.escape(links[x.document_id])}">{html.escape(x.source_path)}</a>'
            f"{' <strong>new</strong>' if x.new else ''}</li>"
            for x in e.events
        )
        blocks.append(
            f'<section data-consultation="{html.escape(e.consultation_key)}"><h2>{html.escape(_label(e))} '
            f"({html.escape(_status(e))})</h2><p>final outcome: {html.escape(e.final_outcome)}; "
            f"matched: {html.escape(', '.join(e.reasons))}</p><ul>{items}</ul></section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="ja"><head><meta charset="utf-8"><title>shingikai digest</title>'
        "</head><body>"
        f"<h1>shingikai digest — {when:%Y-%m-%d %H:%M} UTC</h1><p>{len(entries)} 諮問 new or moved "
        f"a stage that match the watch list <code>{html.escape(str(watch_path))}</code>.</p>"
        + "".join(blocks)
        + "</body></html>\n"
    )


def write_digest(
    db: Path,
    watch_path: Path,
    out_dir: Path = DIGEST_DIR,
    show_dir: Path | None = None,
    when: datetime | None = None,
) -> Digest:
    """List tonight's 諮問 in `out_dir` (digest-<time>.md and .html), write a `show` page for each
    document named (in `show_dir`, default <out_dir>/../show), and remember what was reported."""
    from shingikai.show import DocumentNotFound, show

    watch = load_watch(watch_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    show_dir = Path(show_dir) if show_dir else out_dir.parent / "show"
    entries, loaded = collect(Path(db), watch, _seen(out_dir))
    links = {}
    for doc in sorted({x.document_id for e in entries for x in e.events}):
        try:
            page, _ = show(Path(db), doc, show_dir / f"{doc[:12]}.html")
        except DocumentNotFound:  # no text to show (cannot happen for a row with a consultation)
            links[doc] = "#"
            continue
        links[doc] = Path(os.path.relpath(page, out_dir)).as_posix()
    when = when or datetime.now(UTC)
    stem = f"digest-{when:%Y%m%d-%H%M%S}"
    markdown = render_markdown(entries, links, when, watch_path)
    md_path, html_path = out_dir / f"{stem}.md", out_dir / f"{stem}.html"
    md_path.write_text(markdown, encoding="utf-8")
    html_path.write_text(render_html(entries, links, when, watch_path), encoding="utf-8")
    _save_seen(out_dir, _seen(out_dir) | loaded)
    return Digest(entries, markdown, md_path, html_path)
