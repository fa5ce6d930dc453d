"""Rows and blocks (paragraph-like groups of rows) and the text patterns the stages share."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from papertrail.models import PassageKind
from papertrail.pdf.extract.lines import Line, Word


@dataclass
class Row:
    words: list[Word]
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    cells: int  # runs of words separated by wide gaps (table cells)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class Block:
    """A paragraph-like group of rows inside one column (or one full-width band)."""

    page: int
    rows: list[Row]
    left: float  # column bounds, for indent and short-line tests
    right: float
    kind: PassageKind = PassageKind.BODY
    starts_column: bool = False
    indented: bool = False

    @cached_property
    def text(self) -> str:
        return " ".join(r.text for r in self.rows)

    @cached_property
    def size(self) -> float:
        return dominant(((r.size, len(r.text)) for r in self.rows), self.rows[0].size)

    @property
    def bold(self) -> bool:
        return all(r.bold for r in self.rows)


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def dominant(pairs: Iterable[tuple[float, int]], default: float) -> float:
    counts: Counter[float] = Counter()
    for value, weight in pairs:
        counts[value] += weight
    return counts.most_common(1)[0][0] if counts else default


def v_overlap(a: Line | Row, b: Line | Row) -> float:
    return min(a.y1, b.y1) - max(a.y0, b.y0)


BULLET = re.compile(r"^[•▪◦‣∙●■□◆▶➢✓–—]\s|^\(?[0-9ivx]{1,3}\)\s")
CAPTION = re.compile(
    r"^(?i:f\s?i\s?g\s?(?:u\s?r\s?e)?s?\.?|t\s?a\s?b\s?l\s?e|tab\.|scheme|algorithm|listing|chart|plate|box|"
    r"(?:supplementary|extended data)\s+(?:fig(?:ure)?|table)\.?)"
    r"\s*(?:[Ss]?\d+|[IVXLC]+\b|[ivxlc]+\b|[A-Z]\d+)[a-z]?(\s*[.:|—–-]|\s+[A-Z(])"
)


BARE_LABEL = re.compile(r"^(?i:fig(?:ure)?\.?|table|tab\.)\s*[A-Z]?\d+[a-z]?[.:]?$")
SENTENCE_END = re.compile(r"[.!?]['\"”’)\]]*(\d{1,3}(,\d{1,3})*)?$")
TERMINAL = re.compile(r"[.!?:]['\"”’)\]]*(\d{1,3}(,\d{1,3})*)?$")
_WORDLIKE = re.compile(r"^[(\[\"'“‘]*[^\W\d_]+([-'’.][^\W\d_]+)*[.,;:!?)\]\"'”’]*$")


def _wordy_row(row: Row) -> bool:
    """A row of running text: one cell, six or more tokens, most of them words (not numbers)."""
    if row.cells != 1 or len(row.words) < 6:
        return False
    return sum(1 for w in row.words if _WORDLIKE.match(w.text)) >= 0.6 * len(row.words)


def prose_like(block: Block) -> bool:
    """Running text rather than labels: a long single-cell row, a sentence, or a lower-case continuation."""
    text = block.text
    if any(_wordy_row(r) for r in block.rows):
        return True
    ends_sentence = bool(TERMINAL.search(text))
    if text[:1].islower() and (len(text.split()) >= 3 or ends_sentence):
        return True
    return len(text) >= 40 and ends_sentence
