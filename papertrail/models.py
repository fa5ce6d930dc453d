"""The domain vocabulary that flows from extraction to the UI.

A Passage produced by extraction is what is chunked, indexed, retrieved, cited,
highlighted and exported: it carries its page and the rectangle of every word,
so any span of its text can be highlighted exactly on the rendered page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on a 1-based physical page, in PDF points (PyMuPDF coordinates)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def to_list(self) -> list[float]:
        return [self.page, round(self.x0, 2), round(self.y0, 2), round(self.x1, 2), round(self.y1, 2)]

    @classmethod
    def from_list(cls, values: list[float]) -> Box:
        page, x0, y0, x1, y1 = values
        return cls(int(page), float(x0), float(y0), float(x1), float(y1))


@dataclass(frozen=True, slots=True)
class WordSpan:
    """Where one word of a passage's text sits: text[start:end] is drawn inside box."""

    start: int
    end: int
    box: Box


class PassageKind(StrEnum):
    TITLE = "title"
    ABSTRACT = "abstract"
    HEADING = "heading"
    BODY = "body"
    CAPTION = "caption"
    TABLE = "table"
    FOOTNOTE = "footnote"
    REFERENCE = "reference"


@dataclass(frozen=True, slots=True)
class Passage:
    paper_id: str
    ordinal: int  # position in reading order within the paper
    text: str
    page: int  # 1-based page where the passage starts
    section: str  # heading of the section it belongs to ("" before the first heading)
    kind: PassageKind
    words: tuple[WordSpan, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.paper_id}:{self.ordinal}"

    @property
    def pages(self) -> list[int]:
        return sorted({w.box.page for w in self.words} or {self.page})

    def boxes_for(self, start: int = 0, end: int | None = None) -> list[Box]:
        """Rectangles of the words overlapping text[start:end], merged per line."""
        end = len(self.text) if end is None else end
        merged: list[Box] = []
        for word in self.words:
            if word.end <= start or word.start >= end:
                continue
            b = word.box
            last = merged[-1] if merged else None
            same_line = (
                last is not None
                and last.page == b.page
                and abs(last.y0 - b.y0) < 2
                and abs(last.y1 - b.y1) < 2
                and b.x0 >= last.x0 - 1
            )
            if same_line:
                merged[-1] = Box(b.page, last.x0, min(last.y0, b.y0), max(last.x1, b.x1), max(last.y1, b.y1))
            else:
                merged.append(b)
        return merged

    def words_json(self) -> str:
        """Compact form for flat vector-store metadata: [[start, end, page, x0, y0, x1, y1], ...]."""
        return json.dumps([[w.start, w.end, *w.box.to_list()] for w in self.words], separators=(",", ":"))

    @staticmethod
    def words_from_json(raw: str) -> tuple[WordSpan, ...]:
        return tuple(WordSpan(int(s), int(e), Box.from_list(rest)) for s, e, *rest in json.loads(raw or "[]"))


@dataclass(frozen=True, slots=True)
class Paper:
    id: str  # first 16 hex digits of the file's sha256
    title: str
    authors: str
    pages: int
    sha256: str
    filename: str
    added_at: str  # ISO 8601, UTC
    passages: int = 0
    warnings: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()  # pages without a text layer whose text was read by OCR
    year: int | None = None  # the year most named on the first page (publication year, usually)

    @property
    def ocr_mark(self) -> str:
        """The visible mark of a paper whose text (some of it) comes from OCR, else ""."""
        if not self.ocr_pages:
            return ""
        if len(self.ocr_pages) == self.pages:
            return "text from OCR"
        return f"text from OCR on {len(self.ocr_pages)} of {self.pages} pages"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A cited span: text is passage.text[start:end]."""

    passage: Passage
    start: int
    end: int
    score: float

    @property
    def text(self) -> str:
        return self.passage.text[self.start : self.end]

    @property
    def page(self) -> int:
        boxes = self.boxes
        return boxes[0].page if boxes else self.passage.page

    @property
    def paper_id(self) -> str:
        return self.passage.paper_id

    @property
    def boxes(self) -> list[Box]:
        return self.passage.boxes_for(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The engine's own judgement of whether the paper answers the question."""

    answerable: bool
    confidence: float  # 0..1, calibrated probability that the verdict+answer is right
    reasons: tuple[str, ...] = ()
    # Too close to call: `answerable` is the best guess, shown as "check these passages".
    uncertain: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    text: str  # the answer shown to the user; for unanswerable, what was looked for
    verdict: Verdict
    evidence: tuple[Evidence, ...] = ()
    backend: str = "extractive"
    paper_ids: tuple[str, ...] = field(default=())

    @property
    def answerable(self) -> bool:
        return self.verdict.answerable


@dataclass(frozen=True, slots=True)
class PaperAnswer:
    """One paper's answer to a question asked of the whole library."""

    paper: Paper
    answer: Answer


@dataclass(frozen=True, slots=True)
class LibraryAnswer:
    question: str
    answering: tuple[PaperAnswer, ...]  # the papers that answer, best first
    not_answering: int  # papers judged not to answer: read and found wanting, or no passage close enough to read
    papers_read: int  # candidate papers the engine read


@dataclass(frozen=True, slots=True)
class PassageHit:
    """A passage matching a library search; spans are the matched words' (start, end) in its text."""

    paper: Paper
    passage: Passage
    score: float
    spans: tuple[tuple[int, int], ...]
