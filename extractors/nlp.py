"""GiNZA, run only on the few short spans that need language understanding.

The full `ja_ginza` pipeline parses about 2,000 characters a second here, so it
never sees whole documents: layout finds the candidate sentences, and GiNZA
decides what in them is an organisation. SudachiPy refuses input over 49,149
bytes, so longer spans are cut at sentence ends before parsing.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

ORG_LABELS = {
    "Company",
    "Company_Group",
    "Organization_Other",
    "Corporation_Other",
    "Government",
    "Public_Institution",
    "Political_Organization",
    "Military",
    "Show_Organization",
    "International_Organization",
    "Sports_Organization",
    "ORG",
    "Organization",
}
SUDACHI_MAX_BYTES = 49_149

if not Doc.has_extension("organisations"):
    Doc.set_extension("organisations", default=[])


@Language.factory("shingikai_organisations", requires=["doc.ents"], assigns=["doc._.organisations"])
def make_organisations(nlp: Language, name: str) -> OrganisationSpans:
    return OrganisationSpans()


class OrganisationSpans:
    """Collects GiNZA's organisation entities (companies, public bodies, other groups) into doc._.organisations."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.organisations = [e for e in doc.ents if e.label_ in ORG_LABELS]
        return doc


@lru_cache(maxsize=1)
def nlp() -> Language:
    """ja_ginza with the organisation collector; loaded once per process, from the installed package."""
    model = spacy.load("ja_ginza", exclude=["compound_splitter"])
    model.add_pipe("shingikai_organisations", last=True)
    return model


def chunks(text: str, limit: int = SUDACHI_MAX_BYTES // 2) -> list[tuple[int, str]]:
    """Cut text into pieces under the tokenizer's byte limit, at sentence ends where possible."""
    out = []
    pos = 0
    while pos < len(text):
        end = pos
        size = 0
        while end < len(text) and size + len(text[end].encode()) < limit:
            size += len(text[end].encode())
            end += 1
        if end < len(text):
            cut = text.rfind("。", pos, end)
            if cut > pos:
                end = cut + 1
        out.append((pos, text[pos:end]))
        pos = end
    return out


def organisations(text: str) -> list[tuple[int, int, str]]:
    """(start, end, label) of organisation names GiNZA finds in a short text."""
    found = []
    for offset, piece in chunks(text):
        doc = nlp()(piece)
        spans: list[Span] = doc._.organisations
        found += [(offset + s.start_char, offset + s.end_char, s.label_) for s in spans]
    return found
