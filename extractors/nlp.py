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
if not Doc.has_extension("negated_decision"):
    Doc.set_extension("negated_decision", default=False)

# words that carry a council's verdict; `差し支えない` is left out, its ない is the approval
DECISION_LEMMAS = {"承認", "適当", "妥当", "了承", "可", "認める"}
NEGATION_LEMMAS = {"ない", "ぬ", "ず", "ん"}


@Language.factory("shingikai_organisations", requires=["doc.ents"], assigns=["doc._.organisations"])
def make_organisations(nlp: Language, name: str) -> OrganisationSpans:
    return OrganisationSpans()


class OrganisationSpans:
    """Collects GiNZA's organisation entities (companies, public bodies, other groups) into doc._.organisations."""

    def __call__(self, doc: Doc) -> Doc:
        doc._.organisations = [e for e in doc.ents if e.label_ in ORG_LABELS]
        return doc


@Language.factory(
    "shingikai_decision_polarity",
    requires=["token.dep", "token.head", "token.lemma"],
    assigns=["doc._.negated_decision"],
)
def make_decision_polarity(nlp: Language, name: str) -> DecisionPolarity:
    return DecisionPolarity()


class DecisionPolarity:
    """Whether a decision sentence negates its verdict (`適当であるとは認められない`).

    From a verdict word (承認, 適当, 妥当, 了承, 認める) up its chain of heads to the root,
    a negating auxiliary (ない, ず) on any predicate of the chain negates the verdict;
    a negation inside a fixed phrase off the chain (`やむを得ない`) does not.
    """

    def __call__(self, doc: Doc) -> Doc:
        doc._.negated_decision = False
        for token in doc:
            if token.lemma_ not in DECISION_LEMMAS:
                continue
            node, seen = token, 0
            while seen < 12:
                if any(c.dep_ == "aux" and c.lemma_ in NEGATION_LEMMAS for c in node.children):
                    doc._.negated_decision = True
                    return doc
                if node.head is node:
                    break
                node, seen = node.head, seen + 1
        return doc


@lru_cache(maxsize=1)
def nlp() -> Language:
    """ja_ginza with the shingikai components; loaded once per process, from the installed package."""
    model = spacy.load("ja_ginza", exclude=["compound_splitter"])
    model.add_pipe("shingikai_organisations", last=True)
    model.add_pipe("shingikai_decision_polarity", last=True)
    return model


def negates_decision(sentence: str) -> bool:
    """GiNZA's reading of one decision sentence: does it deny its verdict?"""
    return bool(nlp()(sentence[:2000])._.negated_decision)


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
