"""Text that remembers where each character came from.

Every normalisation step (NFKC, dropping markup, unwrapping lines, removing
inserted spaces) is an edit of a `MappedText`. The result keeps, for each of its
characters, the offset of the raw character it came from, so any span of the
normalised text can be traced back to the raw text and its page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class MappedText:
    """`text` plus `offsets`: `offsets[i]` is the raw offset of `text[i]`.

    `offsets` has one extra element, the raw end, so that a span [s, e) maps to
    the raw span [offsets[s], offsets[e]) when e is a character boundary.
    """

    text: str
    offsets: tuple[int, ...]

    @classmethod
    def from_raw(cls, raw: str) -> MappedText:
        return cls(raw, tuple(range(len(raw) + 1)))

    def __len__(self) -> int:
        return len(self.text)

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The raw span that the normalised span [start, end) was read from."""
        if start >= end:
            return self.offsets[start], self.offsets[start]
        return self.offsets[start], self.offsets[end - 1] + 1

    def edit(self, edits: Iterable[tuple[int, int, str]]) -> MappedText:
        """Replace each span [start, end) by a string; spans must not overlap.

        A replacement of the same length maps character by character; otherwise
        every new character maps to the start of the span it replaces.
        """
        out: list[str] = []
        offs: list[int] = []
        pos = 0
        for start, end, rep in sorted(edits, key=lambda e: (e[0], e[1])):
            if start < pos:
                raise ValueError(f"overlapping edit at {start}")
            out.append(self.text[pos:start])
            offs.extend(self.offsets[pos:start])
            out.append(rep)
            if len(rep) == end - start:
                offs.extend(self.offsets[start:end])
            else:
                offs.extend([self.offsets[start]] * len(rep))
            pos = end
        out.append(self.text[pos:])
        offs.extend(self.offsets[pos:])
        return MappedText("".join(out), tuple(offs))

    def sub(
        self, pattern: str | re.Pattern[str], repl: str | Callable[[re.Match[str]], str]
    ) -> MappedText:
        """`re.sub` that keeps the map."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        edits = []
        for m in rx.finditer(self.text):
            rep = repl(m) if callable(repl) else m.expand(repl)
            if rep != m.group(0):
                edits.append((m.start(), m.end(), rep))
        return self.edit(edits) if edits else self

    def nfkc(self) -> MappedText:
        """NFKC, applied to clusters (a base character and the marks that combine with it)."""
        if self.text.isascii():
            return self
        edits = []
        for start, end in _clusters(self.text):
            chunk = self.text[start:end]
            norm = unicodedata.normalize("NFKC", chunk)
            if norm != chunk:
                edits.append((start, end, norm))
        return self.edit(edits) if edits else self


def _is_combining(ch: str) -> bool:
    if ch < "\u0300":  # nothing below the combining diacritics block combines
        return False
    decomposed = unicodedata.normalize("NFKD", ch)
    return bool(decomposed) and unicodedata.combining(decomposed[0]) > 0


def _clusters(text: str) -> list[tuple[int, int]]:
    """Spans of a non-combining character followed by its combining ones."""
    spans: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or not _is_combining(text[i]):
            spans.append((start, i))
            start = i
    return spans
