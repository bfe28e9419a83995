"""Keyword search over utterances, consultation titles, contractors and data items, by Sudachi tokens.

The query is segmented with SudachiPy (core dictionary, SplitMode.C) into its content
words (particles and punctuation dropped, so 個人情報の委託 finds 委託する個人情報); a row
matches when it contains every word, as written or in Sudachi's normalised form, anywhere:
USB finds USBメモリ and 個人 finds 個人情報, as a researcher expects of a search box.
A company's legal form counts the same written out or abbreviated (株式会社みらい finds
(株)みらい and ㈱みらい). Copies of a meeting (documents.duplicate_of) are skipped, so each
is found once. Read-only.
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


# a company's (or foundation's) legal form, written out and abbreviated: one word for a search
_LEGAL_FORMS = {
    "株式会社": ("(株)", "（株）", "㈱"),
    "有限会社": ("(有)", "（有）", "㈲"),
    "合同会社": ("(同)", "（同）"),
    "一般社団法人": ("(一社)", "（一社）"),
    "一般財団法人": ("(一財)", "（一財）"),
    "公益社団法人": ("(公社)", "（公社）"),
    "公益財団法人": ("(公財)", "（公財）"),
}


def spellings(word: str) -> list[str]:
    """`word` and the same word with its legal form written the other ways."""
    out = [word]
    for full, short in _LEGAL_FORMS.items():
        forms = (full, *short)
        for form in forms:
            if form in word:
                out += [word.replace(form, other) for other in forms if other != form]
    return list(dict.fromkeys(out))


def _alternatives(query: list[tuple[str, str]]) -> list[list[str]]:
    """For each query word, the strings any one of which a row must contain."""
    return [list(dict.fromkeys(spellings(s) + spellings(n))) for s, n in query]


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

    for full, short in _LEGAL_FORMS.items():  # (株) is punctuation and a symbol to Sudachi
        for form in short:
            query = query.replace(form, full)
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
    # each query word must occur in the text, in one of its spellings
    alternatives = _alternatives(q)
    conds, params = [], []
    for alts in alternatives:
        conds.append("(" + " OR ".join("contains(t, ?)" for _ in alts) + ")")
        params += alts
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
    needles = [a for alts in alternatives for a in alts]
    hits: list[Hit] = []
    total = 0
    for kind, path, held_on, speaker, text, doc_id, start, municipality in candidates:
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
