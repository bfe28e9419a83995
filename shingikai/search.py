"""Keyword search over utterances and consultation titles, by Sudachi tokens.

The query and every candidate row are segmented with SudachiPy (core dictionary,
SplitMode.C); a row matches when each query token appears among the row's tokens
(by surface or normalised form), so 委託 does not match inside 再委託先 when Sudachi
keeps that as one word, and 個人情報 does not need to be spelled as one string.
Rows are first narrowed in SQL to those that contain each token's surface (or its
normalised form), which keeps the tokenizer off most of the warehouse. Read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from extractors.normalize import _tokenizer  # the one Sudachi tokenizer, shared with normalising
from shingikai.warehouse import readonly

_SKIP_POS = {"補助記号", "空白"}


@dataclass
class Hit:
    kind: str  # utterance or consultation
    source_path: str
    held_on: str | None
    speaker: str | None
    text: str
    snippet: str
    document_id: str
    start_char: int


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
    pos = -1
    hit = ""
    for n in needles:
        pos = text.find(n)
        if pos >= 0:
            hit = n
            break
    text = text.replace("\n", " ")
    if pos < 0:
        return text[: 2 * width] + ("…" if len(text) > 2 * width else "")
    start, end = max(0, pos - width), min(len(text), pos + len(hit) + width)
    return (
        ("…" if start else "")
        + text[start:pos]
        + "【"
        + hit
        + "】"
        + text[pos + len(hit) : end]
        + ("…" if end < len(text) else "")
    )


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
    q = query_tokens(query)
    if not q:
        return []
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
        )
        SELECT r.kind, d.source_path, CAST(m.held_on AS VARCHAR), r.speaker, r.t, r.document_id, r.start_char
        FROM rows AS r
        JOIN documents AS d USING (document_id)
        LEFT JOIN meetings AS m USING (document_id)
        WHERE {where}
        ORDER BY m.held_on NULLS LAST, d.source_path, r.kind DESC, r.ord
    """
    with readonly(Path(db)) as con:
        candidates = con.execute(sql, params).fetchall()
    needles = [s for s, _ in q] + [n for _, n in q]
    hits: list[Hit] = []
    for kind, path, held_on, speaker, text, doc_id, start in candidates:
        if not _row_matches(q, text):
            continue
        hits.append(Hit(kind, path, held_on, speaker, text, snippet(text, needles), doc_id, start))
        if len(hits) >= limit:
            break
    return hits


def format_hits(hits: list[Hit]) -> str:
    if not hits:
        return "(no hits)"
    lines = []
    for h in hits:
        who = h.speaker if h.kind == "utterance" else "諮問件名"
        lines.append(f"{h.source_path}  {h.held_on or '----------'}  {who}\n    {h.snippet}")
    lines.append(f"({len(hits)} hits)")
    return "\n".join(lines)
