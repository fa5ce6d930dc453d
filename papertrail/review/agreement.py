"""How far the tool agrees with people on reported / not reported: per question, overall, Cohen's kappa.

The reference is either the reviewers' decisions (verify.py) or an imported label file: a CSV with a
`paper` column (file name, paper id or title), a `key` or `question` column, `reported` (y/n) and an
optional `answer`. Two reviewers are compared the same way, one taking the tool's place.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from papertrail.review.matrix import CellKey, Decision, Review, Verification
from papertrail.review.verify import latest

OVERALL = "overall"
_YES = {"y", "yes", "true", "1", "reported"}
_NO = {"n", "no", "false", "0", "not reported"}
MAX_LABEL_ROWS = 100_000


class LabelError(ValueError):
    """A label file could not be read; the message says which row and why."""


@dataclass(frozen=True, slots=True)
class Pair:
    """One cell judged twice: by the tool (or a first reviewer) and by the reference."""

    key: str
    tool: bool  # reported?
    reference: bool


@dataclass(frozen=True, slots=True)
class Agreement:
    """Reported / not reported agreement on a set of cells, with its confusion counts."""

    key: str
    both: int  # reported by both
    tool_only: int
    reference_only: int
    neither: int

    @property
    def cells(self) -> int:
        return self.both + self.tool_only + self.reference_only + self.neither

    @property
    def agreed(self) -> int:
        return self.both + self.neither

    @property
    def fraction(self) -> float:
        return self.agreed / self.cells if self.cells else math.nan

    @property
    def kappa(self) -> float:
        return cohen_kappa(self.both, self.tool_only, self.reference_only, self.neither)


def cohen_kappa(both: int, first_only: int, second_only: int, neither: int) -> float:
    """Cohen's kappa for two raters' yes/no; NaN when chance agreement is total (both raters constant)."""
    n = both + first_only + second_only + neither
    if n == 0:
        return math.nan
    observed = (both + neither) / n
    first_yes, second_yes = (both + first_only) / n, (both + second_only) / n
    chance = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
    return math.nan if chance == 1 else (observed - chance) / (1 - chance)


def agreement(pairs: Iterable[Pair], keys: Sequence[str]) -> list[Agreement]:
    """One row per question key (in the given order, those with cells), then the overall row."""
    counts: dict[str, list[int]] = {}
    for p in pairs:
        row = counts.setdefault(p.key, [0, 0, 0, 0])
        row[(0 if p.reference else 1) if p.tool else (2 if p.reference else 3)] += 1
    rows = [Agreement(key, *counts[key]) for key in keys if key in counts]
    total = [sum(r[i] for r in counts.values()) for i in range(4)]
    return [*rows, Agreement(OVERALL, *total)]


# -- references ---------------------------------------------------------------------------------------


def decision_pairs(review: Review, decisions: Mapping[CellKey, Verification]) -> list[Pair]:
    """The tool's reported / not reported against the reviewers' decided cells."""
    return [
        Pair(cell.key, cell.reported, d.reported)
        for cell in review.ordered()
        if (d := decisions.get((cell.paper.id, cell.key))) is not None
    ]


def accepted_share(review: Review, decisions: Mapping[CellKey, Verification]) -> tuple[int, int]:
    """(cells accepted as they are, cells decided): "the tool agreed with you on 83 % of cells"."""
    decided = [d for c in review.ordered() if (d := decisions.get((c.paper.id, c.key))) is not None]
    return sum(d.decision is Decision.ACCEPTED for d in decided), len(decided)


def reviewer_pairs(review: Review, log: Sequence[Verification], first: str, second: str) -> list[Pair]:
    """Two reviewers' own (unsettled) decisions on the cells both decided; `first` takes the tool's place."""
    current = latest(log)
    return [
        Pair(cell.key, a.reported, b.reported)
        for cell in review.ordered()
        if (a := current.get((cell.paper.id, cell.key, first))) is not None
        and (b := current.get((cell.paper.id, cell.key, second))) is not None
    ]


@dataclass(frozen=True, slots=True)
class Label:
    paper: str
    question: str  # a battery key or a question's text
    reported: bool
    answer: str = ""


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_labels(data: bytes | str) -> list[Label]:
    """Parse a label CSV (header row required); a bad row raises LabelError naming it."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    fields = {(f or "").strip().lower(): f for f in reader.fieldnames or []}
    if "paper" not in fields or "reported" not in fields or not ({"key", "question"} & set(fields)):
        raise LabelError("A label file needs a header with paper, key or question, and reported (y/n).")
    question_field = fields.get("key") or fields["question"]
    labels = []
    for number, row in enumerate(reader, start=2):
        if number > MAX_LABEL_ROWS:
            raise LabelError(f"The label file has more than {MAX_LABEL_ROWS} rows.")
        reported = _norm(row.get(fields["reported"]) or "")
        if reported not in _YES | _NO:
            raise LabelError(f"Row {number}: reported must be y or n, not {reported!r}.")
        paper, question = (row.get(fields["paper"]) or "").strip(), (row.get(question_field) or "").strip()
        if not paper or not question:
            raise LabelError(f"Row {number}: the paper and the question (or key) are required.")
        answer = (row.get(fields["answer"]) or "").strip() if "answer" in fields else ""
        labels.append(Label(paper, question, reported in _YES, answer))
    return labels


@dataclass(frozen=True, slots=True)
class LabelMatch:
    pairs: list[Pair]
    unmatched: list[Label]  # labels whose paper or question is not in the matrix (or not answered yet)


def label_pairs(review: Review, labels: Sequence[Label]) -> LabelMatch:
    """Match labels to cells: the paper by file name, id or title; the question by key or its text."""
    papers: dict[str, str] = {}
    for p in review.papers:
        for name in (p.filename, p.id, p.title):
            papers.setdefault(_norm(name), p.id)
    keys = {_norm(item.key): item.key for item in review.battery.items}
    keys |= {_norm(item.question): item.key for item in review.battery.items}
    pairs, unmatched = [], []
    for label in labels:
        paper_id, key = papers.get(_norm(label.paper)), keys.get(_norm(label.question))
        cell = review.cell(paper_id, key) if paper_id and key else None
        if cell is None:
            unmatched.append(label)
        else:
            pairs.append(Pair(cell.key, cell.reported, label.reported))
    return LabelMatch(pairs, unmatched)


def _figure(value: float, width: int) -> str:
    return format("n/a" if math.isnan(value) else f"{value:.3f}", f">{width}")


def format_agreement(rows: Sequence[Agreement], first: str = "tool", second: str = "labels") -> str:
    """A plain-text table: per question and overall, agreement, kappa and each side's reported count."""
    width = max(len(r.key) for r in rows)
    lines = [f"{'question':<{width}}  cells  agreement  kappa  {first} reported  {second} reported"]
    for r in rows:
        if r.key == OVERALL:
            lines.append("-" * len(lines[0]))
        lines.append(
            f"{r.key:<{width}}  {r.cells:>5}  {_figure(r.fraction, 9)}  {_figure(r.kappa, 5)}"
            f"  {r.both + r.tool_only:>{len(first) + 9}}  {r.both + r.reference_only:>{len(second) + 9}}"
        )
    return "\n".join(lines)
