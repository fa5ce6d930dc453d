"""Running a battery across papers: one `ask_many` pass per paper, each paper's cells stored as it finishes."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from papertrail.models import Answer, Paper
from papertrail.review.audit import Rerun, latest_rerun
from papertrail.review.battery import Battery, builtin_battery
from papertrail.review.matrix import Cell, Review
from papertrail.review.provenance import provenance
from papertrail.review.store import ReviewStore
from papertrail.review.verify import disputes, settlements, shown_decisions
from papertrail.settings import Settings

if TYPE_CHECKING:
    from papertrail.library import Library


class BatchAnswerer(Protocol):
    settings: Settings  # what it answers with: recorded with every cell

    def ask(self, question: str, paper_ids: Sequence[str]) -> Answer: ...

    def ask_many(self, questions: Sequence[str], paper_ids: Sequence[str]) -> list[Answer]: ...


# (cells done, cells in all, what is happening now)
Progress = Callable[[int, int, str], None]


def _papers(library: Library, paper_ids: Sequence[str]) -> tuple[Paper, ...]:
    papers = []
    for paper_id in dict.fromkeys(paper_ids):  # keep order, drop repeats
        paper = library.paper(paper_id)
        if paper is None:
            raise KeyError(f"No paper with id {paper_id} in the library.")
        papers.append(paper)
    return tuple(papers)


def with_decisions(review: Review, store: ReviewStore, reviewer: str = "") -> Review:
    """The review with the decisions shown to this reviewer (or those that stand) and open disputes."""
    log = store.verifications(review.battery, [p.id for p in review.papers])
    open_disputes = frozenset(disputes(log)) - set(settlements(log))
    return replace(review, decisions=shown_decisions(log, reviewer), disputed=open_disputes)


def load_review(
    library: Library, paper_ids: Sequence[str], battery: Battery, store: ReviewStore, reviewer: str = ""
) -> Review:
    """What has been answered and decided so far, without answering anything."""
    papers = _papers(library, paper_ids)
    cells = {(p.id, key): c for p in papers for key, c in store.load(battery, p).items()}
    return with_decisions(Review(battery, papers, cells), store, reviewer)


def run(
    library: Library,
    answerer: BatchAnswerer,
    paper_ids: Sequence[str],
    battery: Battery,
    store: ReviewStore,
    progress: Progress | None = None,
) -> Review:
    """Answer every missing cell, one `ask_many` pass per paper, saving each paper's cells as it finishes."""
    report = progress or (lambda done, total, message: None)
    papers = _papers(library, paper_ids)
    produced_by = provenance(answerer.settings, datetime.now(UTC).isoformat(timespec="milliseconds"))
    total = len(papers) * len(battery.items)
    cells: dict[tuple[str, str], Cell] = {}
    for number, paper in enumerate(papers, start=1):
        stored = store.load(battery, paper)
        missing = [item for item in battery.items if item.key not in stored]
        if missing:
            report(
                len(cells) + len(stored),
                total,
                f"Paper {number}/{len(papers)}: {paper.title} ({len(missing)} questions)",
            )
            started = time.perf_counter()
            answers = answerer.ask_many([item.question for item in missing], [paper.id])
            per_cell = (time.perf_counter() - started) / len(missing)
            fresh = [
                Cell(paper, item.key, item.question, a, per_cell, produced_by)
                for item, a in zip(missing, answers, strict=True)
            ]
            store.save(battery, fresh)
            stored.update({c.key: c for c in fresh})
        cells.update({(paper.id, key): c for key, c in stored.items()})
    report(len(cells), total, "Done")
    return with_decisions(Review(battery, papers, cells), store)


def rerun(
    library: Library,
    answerer: BatchAnswerer,
    paper_ids: Sequence[str],
    battery: Battery,
    store: ReviewStore,
    progress: Progress | None = None,
) -> tuple[Review, Rerun | None]:
    """Answer every cell of these papers again; returns the matrix and what changed since the last answers."""
    store.forget(battery, paper_ids)
    review = run(library, answerer, paper_ids, battery, store, progress)
    return review, latest_rerun(store, review)


def bench_review(
    library: Library,
    paper_ids: Sequence[str],
    battery: Battery | None = None,
    make_answerer: Callable[[Library], BatchAnswerer] | None = None,
) -> dict[str, float]:
    """Seconds per cell of a review run (ask_many per paper, cells stored) vs one `ask` call per cell.

    Each side gets a fresh answerer after a shared warm-up, so neither pays the model load and
    neither inherits the other's per-answerer caches.
    """
    if make_answerer is None:
        from papertrail.answering import Answerer

        make_answerer = Answerer
    battery = battery or builtin_battery()
    cells = len(paper_ids) * len(battery.items)
    make_answerer(library).ask(battery.items[0].question, list(paper_ids[:1]))

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        run(library, make_answerer(library), paper_ids, battery, ReviewStore(Path(tmp) / "bench.sqlite"))
    review_seconds = time.perf_counter() - started

    single = make_answerer(library)
    started = time.perf_counter()
    for paper_id in paper_ids:
        for question in battery.questions:
            single.ask(question, [paper_id])
    single_seconds = time.perf_counter() - started

    per_cell = review_seconds / cells
    single_per_cell = single_seconds / cells
    return {
        "cells": cells,
        "review_seconds": round(review_seconds, 3),
        "single_call_seconds": round(single_seconds, 3),
        "seconds_per_cell": round(per_cell, 4),
        "single_call_seconds_per_cell": round(single_per_cell, 4),
        "ratio": round(per_cell / single_per_cell, 3),
    }
