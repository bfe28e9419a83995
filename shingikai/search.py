"""Keyword search over utterances, consultation titles, contractors and data items, by Sudachi tokens.

The query and every candidate row are segmented with SudachiPy (core dictionary,
SplitMode.C); a row matches when each query token appears among the row's tokens
(by surface or normalised form), so 委託 does not match inside 再委託先 when Sudachi
keeps that as one word, and 個人情報 does not need to be spelled as one string.
Rows are first narrowed in SQL to those that contain each token's surface (or its
normalised form), which keeps the tokenizer off most of the warehouse. Copies of a
meeting (documents.duplicate_of) are skipped, so each is found once. Read-only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from extractors.normalize import _tokenizer  # the one Sudachi tokenizer, shared with normalising
from shingikai.warehouse import readonly

_SKIP_POS = {"補助記号", "空白"}


@dataclass
class Hit:
    kind: str  # utterance, consultation (title), contractor or data_item
    source_path: str
    held_on: str | None
    speaker: str | None
    text: str
    snippet: str
    document_id: str
    start_char: int
    municipality: str | None = None


# what each kind of hit is, in the listing
KIND_LABELS = {"consultation": "諮問件名", "contractor": "委託先等", "data_item": "個人情報項目"}


def tokens(text: str) -> list[tuple[str, str]]:
    """(surface, normalized_form) of each word, punctuation and spaces dropped."""
    from sudachipy import SplitMode

    out = []
    for m in _tokenizer()[0].tokenize(text, SplitMode.C):
        if m.part_of_speech()[0] in _SKIP_POS:
            continue
        out.append((m.surface(), m.normalized_form()))
    return out


def _row_matches(query: list[tuple[str, str]], text: str) -> bool:
    words: set[str] = set()
    for surface, norm in tokens(text):
        words.add(surface)
        words.add(norm)
    return all(s in words or n in words for s, n in query)


def snippet(text: str, needles: list[str], width: int = 40) -> str:
    """The part of `text` around the first occurrence of each needle, every occurrence in 【】."""
    text = text.replace("\n", " ")
    found = [(text.find(n), n) for n in dict.fromkeys(needles) if n and n in text]
    if not found:
        return text[: 2 * width] + ("…" if len(text) > 2 * width else "")
    first = min(pos for pos, _ in found)
    last = max(pos + len(n) for pos, n in found)
    start = max(0, first - width)
    end = min(len(text), max(last, first + len(found[0][1])) + width, start + 6 * width)
    terms = sorted(
        {n for _, n in found}, key=len, reverse=True
    )  # longest first: 個人情報 before 個人
    pattern = re.compile("|".join(re.escape(n) for n in terms))
    marked = pattern.sub(lambda m: f"【{m.group(0)}】", text[start:end])
    return ("…" if start else "") + marked + ("…" if end < len(text) else "")


_FUNCTION_POS = {"助詞", "助動詞"}


def query_tokens(query: str) -> list[tuple[str, str]]:
    """Tokens a row must contain: content words of the query (particles kept only if nothing else)."""
    from sudachipy import SplitMode

    morphs = [
        m
        for m in _tokenizer()[0].tokenize(query, SplitMode.C)
        if m.part_of_speech()[0] not in _SKIP_POS
    ]
    content = [m for m in morphs if m.part_of_speech()[0] not in _FUNCTION_POS] or morphs
    return [(m.surface(), m.normalized_form()) for m in content]


def search(db: Path, query: str, limit: int = 50) -> list[Hit]:
    """The first `limit` hits (see `search_counted` for how many there are in all)."""
    return search_counted(db, query, limit)[0]


def search_counted(db: Path, query: str, limit: int = 50) -> tuple[list[Hit], int]:
    """Hits in utterances, consultation titles, contractors and data items, and their total.

    Each meeting is searched once: copies of a document (documents.duplicate_of) are skipped.
    """
    q = query_tokens(query)
    if not q:
        raise ValueError("give at least one keyword (punctuation and spaces alone match nothing)")
    # SQL prefilter: each query token must occur in the text as surface or normalised form
    conds, params = [], []
    for surface, norm in q:
        conds.append("(contains(t, ?) OR contains(t, ?))")
        params += [surface, norm]
    where = " AND ".join(conds)
    sql = f"""
        WITH rows AS (
            SELECT 'utterance' AS kind, u.document_id, u.text AS t, u.speaker, u.start_char, u.seq AS ord
            FROM utterances AS u
            UNION ALL
            SELECT 'consultation', c.document_id, c.title, NULL, c.start_char, c.start_char
            FROM consultations AS c WHERE c.title IS NOT NULL
            UNION ALL
            SELECT 'contractor', document_id, name, NULL, min(start_char), min(start_char)
            FROM contractors GROUP BY document_id, name
            UNION ALL
            SELECT 'data_item', document_id, item, NULL, min(start_char), min(start_char)
            FROM data_items GROUP BY document_id, item
        )
        SELECT r.kind, d.source_path, CAST(m.held_on AS VARCHAR), r.speaker, r.t, r.document_id,
               r.start_char, coalesce(m.municipality, d.municipality)
        FROM rows AS r
        JOIN documents AS d USING (document_id)
        LEFT JOIN meetings AS m USING (document_id)
        WHERE d.duplicate_of IS NULL AND {where}
        ORDER BY m.held_on NULLS LAST, d.source_path, r.kind DESC, r.ord
    """
    with readonly(Path(db)) as con:
        candidates = con.execute(sql, params).fetchall()
    needles = [s for s, _ in q] + [n for _, n in q]
    hits: list[Hit] = []
    total = 0
    for kind, path, held_on, speaker, text, doc_id, start, municipality in candidates:
        if not _row_matches(q, text):
            continue
        total += 1
        if len(hits) < limit:
            hits.append(
                Hit(
                    kind=kind,
                    source_path=path,
                    held_on=held_on,
                    speaker=speaker,
                    text=text,
                    snippet=snippet(text, needles),
                    document_id=doc_id,
                    start_char=start,
                    municipality=municipality,
                )
            )
    return hits, total


def format_hits(hits: list[Hit], total: int | None = None) -> str:
    if not hits:
        return "(no hits)"
    lines = []
    for h in hits:
        who = h.speaker if h.kind == "utterance" else KIND_LABELS.get(h.kind, h.kind)
        lines.append(
            f"{h.source_path}  {h.held_on or '----------'}  {h.municipality or '-'}  {who}\n"
            f"    {h.snippet}"
        )
    if total is not None and total > len(hits):
        lines.append(f"({len(hits)} of {total} hits shown: -n/--limit N shows more)")
    else:
        lines.append(f"({len(hits)} hits)")
    return "\n".join(lines)
