"""The review matrix: one Cell per paper x question, the Review that holds them, and its summaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from papertrail.models import Answer, Paper
from papertrail.review.battery import Battery

NOT_REPORTED = "not reported"
CHECK = "check"  # an uncertain cell: the reviewer should read the evidence
_VALUE_BEFORE_QUOTE = " — “"


@dataclass(frozen=True, slots=True)
class Cell:
    """One paper x question of the matrix."""

    paper: Paper
    key: str
    question: str
    answer: Answer
    seconds: float = 0.0  # answering time attributed to this cell

    @property
    def reported(self) -> bool:
        return self.answer.answerable

    @property
    def confidence(self) -> float:
        return self.answer.verdict.confidence

    @property
    def uncertain(self) -> bool:
        return self.answer.verdict.uncertain

    @property
    def pages(self) -> list[int]:
        return sorted({ev.page for ev in self.answer.evidence})

    def short(self, width: int = 70) -> str:
        """What the matrix shows: the extracted value (before the quote that backs it), or "not reported"."""
        if not self.reported:
            return NOT_REPORTED
        # The extractive answerer writes 'value — “quoted sentence” (p. N)'; other answers are shown whole.
        text = " ".join(self.answer.text.split()).split(_VALUE_BEFORE_QUOTE, 1)[0]
        return text if len(text) <= width else text[: width - 1].rstrip() + "…"

    def label(self, width: int = 70) -> str:
        mark = f"{CHECK}: " if self.uncertain else ""
        return f"{mark}{self.short(width)} ({self.confidence:.0%})"


@dataclass(frozen=True)
class Review:
    """The matrix: papers (rows) x battery questions (columns); a missing cell was not answered yet."""

    battery: Battery
    papers: tuple[Paper, ...]
    cells: Mapping[tuple[str, str], Cell]  # (paper id, question key) -> cell

    def cell(self, paper_id: str, key: str) -> Cell | None:
        return self.cells.get((paper_id, key))

    @property
    def size(self) -> int:
        return len(self.papers) * len(self.battery.items)

    @property
    def complete(self) -> bool:
        return len(self.cells) == self.size

    def ordered(self) -> list[Cell]:
        """Cells paper by paper, questions in battery order."""
        found = (self.cell(p.id, key) for p in self.papers for key in self.battery.keys)
        return [c for c in found if c is not None]


@dataclass(frozen=True, slots=True)
class Coverage:
    key: str
    question: str
    reported: int
    answered: int  # cells with a verdict so far (reported or not)

    @property
    def fraction(self) -> float:
        return self.reported / self.answered if self.answered else 0.0


def question_coverage(review: Review) -> list[Coverage]:
    """Per question: in how many papers it is reported."""
    result = []
    for item in review.battery.items:
        found = [c for p in review.papers if (c := review.cell(p.id, item.key)) is not None]
        result.append(Coverage(item.key, item.question, sum(c.reported for c in found), len(found)))
    return result


def paper_gaps(review: Review) -> dict[str, list[str]]:
    """Per paper id: the keys of the questions it does not report."""
    return {
        p.id: [k for k in review.battery.keys if (c := review.cell(p.id, k)) is not None and not c.reported]
        for p in review.papers
    }
