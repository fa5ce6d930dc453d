"""Reviewers' decisions on the machine's cells: accept, edit (their own answer, on a page) or reject.

Decisions are kept as an append-only log (store.py): a reviewer who changes their mind adds a new
decision, and the latest one per reviewer counts. Two reviewers decide independently; where they
disagree, a third decision marked `settles` decides the cell and both originals stay in the log.

What a decision says about reporting, the figure agreement is measured on (agreement.py):
accepting keeps the tool's reported / not reported; an edit gives the reviewer's own answer, so the
paper reports it; rejecting says the tool got reporting the wrong way round (a value that is
reported but wrong is an edit, not a rejection).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from papertrail.review.matrix import NOT_REPORTED, Cell, CellKey, Decision, Review, Verification

MAX_NOTE_CHARS = 1000
MAX_REVIEWER_CHARS = 60


class VerificationError(ValueError):
    """A decision could not be recorded; the message says why."""


def _clean(text: str) -> str:
    return " ".join(text.split())


def decide(
    cell: Cell,
    reviewer: str,
    decision: Decision | str,
    note: str = "",
    answer: str = "",
    page: int | None = None,
    settles: bool = False,
) -> Verification:
    """A validated decision on the cell; bad input raises VerificationError and records nothing."""
    reviewer = _clean(reviewer)
    if not reviewer:
        raise VerificationError("Enter your name as the reviewer first.")
    if len(reviewer) > MAX_REVIEWER_CHARS:
        raise VerificationError(f"The reviewer name is longer than {MAX_REVIEWER_CHARS} characters.")
    try:
        decision = Decision(decision)
    except ValueError:
        raise VerificationError(f"Unknown decision {decision!r}: accepted, edited or rejected.") from None
    note = note.strip()
    if len(note) > MAX_NOTE_CHARS:
        raise VerificationError(f"The note is longer than {MAX_NOTE_CHARS} characters.")
    answer = _clean(answer)
    if decision is Decision.EDITED:
        if not answer:
            raise VerificationError("An edited cell needs your answer.")
        if page is None or not 1 <= page <= max(cell.paper.pages, 1):
            raise VerificationError(f"Give the page your answer is on (1 to {cell.paper.pages}).")
    else:
        answer, page = "", None
    return Verification(
        paper_id=cell.paper.id,
        key=cell.key,
        reviewer=reviewer,
        decision=decision,
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        tool_reported=cell.reported,
        tool_answer=_clean(cell.answer.text) if cell.reported else NOT_REPORTED,
        note=note,
        answer=answer,
        page=page,
        settles=settles,
    )


def settle(cell: Cell, settler: str, adopted: Verification, note: str = "") -> Verification:
    """Decide a disputed cell by adopting one reviewer's decision; the originals stay in the log."""
    reason = note.strip() or f"adopts {adopted.reviewer}'s decision"
    return decide(cell, settler, adopted.decision, reason, adopted.answer, adopted.page, settles=True)


def latest(log: Iterable[Verification]) -> dict[tuple[str, str, str], Verification]:
    """The decision that counts per (paper, key, reviewer): the latest; settlements are kept apart."""
    current: dict[tuple[str, str, str], Verification] = {}
    for v in log:  # oldest first
        if not v.settles:
            current[(v.paper_id, v.key, v.reviewer)] = v
    return current


def settlements(log: Iterable[Verification]) -> dict[CellKey, Verification]:
    found: dict[CellKey, Verification] = {}
    for v in log:
        if v.settles:
            found[(v.paper_id, v.key)] = v
    return found


def reviewers(log: Iterable[Verification]) -> list[str]:
    return sorted({v.reviewer for v in log if not v.settles})


def by_reviewer(log: Sequence[Verification], reviewer: str) -> dict[CellKey, Verification]:
    return {(p, k): v for (p, k, r), v in latest(log).items() if r == reviewer}


def disputes(log: Sequence[Verification]) -> dict[CellKey, list[Verification]]:
    """Cells where reviewers' current decisions differ, with those decisions (settled ones included)."""
    per_cell: dict[CellKey, list[Verification]] = {}
    for (paper_id, key, _), v in latest(log).items():
        per_cell.setdefault((paper_id, key), []).append(v)
    return {
        cell: sorted(found, key=lambda v: v.reviewer)
        for cell, found in per_cell.items()
        if any(not found[0].agrees_with(v) for v in found[1:])
    }


def final_decisions(log: Sequence[Verification]) -> dict[CellKey, Verification]:
    """The decision that stands per cell: the settlement, else the reviewers' when they all agree."""
    per_cell: dict[CellKey, list[Verification]] = {}
    for (paper_id, key, _), v in latest(log).items():
        per_cell.setdefault((paper_id, key), []).append(v)
    disputed = disputes(log)
    final = {cell: max(found, key=lambda v: v.at) for cell, found in per_cell.items() if cell not in disputed}
    final.update(settlements(log))
    return final


def shown_decisions(log: Sequence[Verification], reviewer: str = "") -> dict[CellKey, Verification]:
    """What the matrix shows: a reviewer sees their own decisions (independence) and settlements;
    without a reviewer, the decisions that stand."""
    if not reviewer:
        return final_decisions(log)
    return by_reviewer(log, reviewer) | settlements(log)


def to_check(review: Review, decided: Mapping[CellKey, Verification], later: Sequence[CellKey] = ()) -> list[Cell]:
    """The cells still to check, most in need first: uncertain, then the least confident; the cells
    put off for `later` come last, in the order they were put off."""
    waiting = [c for c in review.ordered() if (c.paper.id, c.key) not in decided]
    put_off = {cell: n for n, cell in enumerate(later)}
    return sorted(waiting, key=lambda c: (put_off.get((c.paper.id, c.key), -1), not c.uncertain, c.confidence))
