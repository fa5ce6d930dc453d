"""The review matrix: one Cell per paper x question, the Review that holds them, and its summaries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from papertrail.models import Answer, Paper
from papertrail.review.battery import Battery
from papertrail.review.provenance import Provenance

NOT_REPORTED = "not reported"
CHECK = "check"  # an uncertain cell: the reviewer should read the evidence
_VALUE_BEFORE_QUOTE = " — “"

CellKey = tuple[str, str]  # (paper id, question key)


@dataclass(frozen=True, slots=True)
class Cell:
    """One paper x question of the matrix."""

    paper: Paper
    key: str
    question: str
    answer: Answer
    seconds: float = 0.0  # answering time attributed to this cell
    provenance: Provenance | None = None  # what produced it (None: stored before this was recorded)

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


class Decision(StrEnum):
    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"


class CellState(StrEnum):
    """What the matrix shows for a cell."""

    UNCHECKED = "unchecked"
    UNCERTAIN = "uncertain"  # not checked yet, and the engine could not decide
    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"
    DISPUTED = "disputed"  # two reviewers disagree and nobody has settled it


@dataclass(frozen=True, slots=True)
class Verification:
    """One reviewer's decision on one cell, with what the tool said when it was made."""

    paper_id: str
    key: str
    reviewer: str
    decision: Decision
    at: str  # ISO 8601, UTC
    tool_reported: bool
    tool_answer: str
    note: str = ""
    answer: str = ""  # the reviewer's own answer (edited)
    page: int | None = None  # where the reviewer's answer is stated (edited)
    settles: bool = False  # decides a disagreement between reviewers

    @property
    def reported(self) -> bool:
        """The reviewer's judgement: does the paper report it?"""
        if self.decision is Decision.ACCEPTED:
            return self.tool_reported
        return self.decision is Decision.EDITED or not self.tool_reported

    @property
    def shown_answer(self) -> str:
        """What the decision says the cell should read (the audit log shows it)."""
        if self.decision is Decision.EDITED:
            return self.answer
        if self.decision is Decision.REJECTED:
            return "reported (rejected the tool's “not reported”)" if self.reported else NOT_REPORTED
        return self.tool_answer

    def agrees_with(self, other: Verification) -> bool:
        """Same decision and, for edits, the same answer on the same page."""
        same = self.decision is other.decision and self.reported == other.reported
        if self.decision is Decision.EDITED and same:
            return " ".join(self.answer.lower().split()) == " ".join(other.answer.lower().split()) and (
                self.page == other.page
            )
        return same


@dataclass(frozen=True)
class Review:
    """The matrix: papers (rows) x battery questions (columns); a missing cell was not answered yet."""

    battery: Battery
    papers: tuple[Paper, ...]
    cells: Mapping[CellKey, Cell]
    # The reviewers' decisions shown with the cells (verify.shown_decisions), and cells in dispute.
    decisions: Mapping[CellKey, Verification] = field(default_factory=dict)
    disputed: frozenset[CellKey] = frozenset()

    def cell(self, paper_id: str, key: str) -> Cell | None:
        return self.cells.get((paper_id, key))

    def decision(self, paper_id: str, key: str) -> Verification | None:
        return self.decisions.get((paper_id, key))

    def state(self, cell: Cell) -> CellState:
        decision = self.decision(cell.paper.id, cell.key)
        if decision is not None:
            return CellState(decision.decision.value)
        if (cell.paper.id, cell.key) in self.disputed:
            return CellState.DISPUTED
        return CellState.UNCERTAIN if cell.uncertain else CellState.UNCHECKED

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
