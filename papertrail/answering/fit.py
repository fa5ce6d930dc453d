"""Refit the decision from the labelled sets, and measure it with each scored paper held out.

    python -m papertrail.answering.fit --shared ../shared            # cross-validated figures, then refit
    python -m papertrail.answering.fit --shared ../shared --no-write # figures only

A candidate of a labelled question (qa_dev, dev2) is positive when it is on a gold page and overlaps
the gold evidence quote (or holds every answer key); every candidate of an unanswerable or near-miss
question is negative. The question-level models learn from candidate probabilities predicted out of
fold. Every figure printed is cross-validated grouped by paper, the answers files scored by the shared
scorer.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from papertrail.answering.decide import (
    QUESTION_SIGNALS,
    WEIGHTS_PATH,
    Logistic,
    Weights,
    best_guess,
    candidate_rows,
    logit,
    newton,
    question_row,
    score_candidates,
    sigmoid,
)
from papertrail.answering.engine import Answerer, Gathered
from papertrail.answering.signals import SIGNALS
from papertrail.answering.text import comparable

# The labelled sets: (name, questions file, papers folder), relative to the shared folder.
SETS = (("qa_dev", "eval/qa_dev.jsonl", "papers"), ("dev2", "eval/dev2/qa_dev2.jsonl", "eval/dev2/papers"))
INNER_FOLDS = 5
L2 = 2.0
# Confidence below which an outcome is shown as "uncertain": the lowest that keeps the decided answers
# right this often out of fold.
DECIDED_ACCURACY = 0.9
UNCERTAIN_CAP = 0.8  # above it nearly every answer would be "uncertain", which tells the reviewer nothing


@dataclass
class Item:
    """One labelled question with its gathered candidates (rows and labels in collection order)."""

    set_name: str
    gold: dict
    g: Gathered
    rows: np.ndarray
    labels: np.ndarray

    @property
    def paper(self) -> str:
        return self.gold["paper"]


# -- labels ---------------------------------------------------------------------------------------


def keys_ok(gold: dict, answer: str) -> bool:
    """The shared scorer's rule: every key in the answer; for yes/no, the key is the first word."""
    keys = gold.get("must_contain") or []
    if gold.get("kind") == "yesno":
        m = re.match(r"\W*([a-z]+)", comparable(answer))
        return bool(keys) and bool(m) and m.group(1) == keys[0]
    return all(comparable(k) in comparable(answer) for k in keys)


def _trigrams(text: str) -> set[tuple[str, ...]]:
    toks = re.findall(r"[a-z0-9]+", comparable(text))
    return {tuple(toks[i : i + 3]) for i in range(max(1, len(toks) - 2))}


def supports(sentence_text: str, pages: Sequence[int], gold: dict) -> bool:
    """Whether a candidate states the gold answer: on a gold page, and quoting the gold evidence."""
    if not gold.get("answerable") or not gold.get("evidence"):
        return False
    if not set(pages) & (set(gold.get("pages") or []) | set(gold.get("also_pages") or [])):
        return False
    a, b = _trigrams(sentence_text), _trigrams(gold["evidence"])
    overlap = len(a & b) / max(1, min(len(a), len(b)))
    keys = [k for k in gold.get("must_contain") or [] if k not in ("yes", "no")]
    return overlap >= 0.5 or (
        bool(keys) and overlap >= 0.2 and all(comparable(k) in comparable(sentence_text) for k in keys)
    )


# -- gathering ------------------------------------------------------------------------------------


def gather(shared: Path, data_dir: Path) -> tuple[list[Item], Answerer]:
    """Ingest the labelled sets' papers and gather every question's candidates (one batch per paper)."""
    from papertrail.ingest import ingest_files
    from papertrail.library import Library
    from papertrail.settings import load_settings

    library = Library(load_settings(data_dir=data_dir))
    answerer = Answerer(library)
    items: list[Item] = []
    for name, questions_file, papers_dir in SETS:
        golds = [json.loads(line) for line in (shared / questions_file).read_text().splitlines() if line.strip()]
        ids = ingest_files(library, [shared / papers_dir / p for p in sorted({g["paper"] for g in golds})])
        for paper in sorted(ids):
            mine = [g for g in golds if g["paper"] == paper]
            for gold, g in zip(mine, answerer.gather([x["question"] for x in mine], [ids[paper]]), strict=True):
                labels = [supports(c.sentence.text, _pages(c), gold) for c in g.pool.candidates]
                items.append(Item(name, gold, g, candidate_rows(g.pool), np.asarray(labels, dtype=float)))
    return items, answerer


def _pages(c) -> list[int]:
    s = c.sentence
    return sorted({b.page for b in s.passage.boxes_for(s.start, s.end)} or {s.passage.page})


# -- fitting --------------------------------------------------------------------------------------


def _folds(items: Sequence[Item], k: int) -> list[list[Item]]:
    """Items grouped by paper into k folds (papers dealt round-robin in a fixed order)."""
    papers = sorted({it.paper for it in items})
    folds: list[list[Item]] = [[] for _ in range(min(k, len(papers)))]
    for i, paper in enumerate(papers):
        folds[i % len(folds)].extend(it for it in items if it.paper == paper)
    return folds


def _fit_candidates(items: Sequence[Item]) -> Logistic:
    rows = np.vstack([it.rows for it in items])
    labels = np.concatenate([it.labels for it in items])
    return Logistic.fit(tuple(SIGNALS), rows, labels, L2)


def _question_targets(answerer: Answerer, item: Item, candidate: Logistic) -> tuple[np.ndarray, bool, bool]:
    """The question row under a candidate model, and whether answering would be right / is possible."""
    score_candidates(item.g.pool, Weights(candidate, candidate, candidate, 0.0))  # reads the candidate model only
    row = question_row(item.g.q, item.g.pool)
    right = bool(item.g.pool.candidates) and keys_ok(item.gold, answerer.compose(item.g, item.g.pool.candidates[0]))
    return row, item.gold["answerable"] and right, bool(item.gold["answerable"])


def fit_weights(answerer: Answerer, items: Sequence[Item], about: dict | None = None) -> Weights:
    """Candidate model on all items; question models on candidate probabilities predicted out of fold."""
    targets, fold_of = [], []
    for k, fold in enumerate(_folds(items, INNER_FOLDS)):
        inside = {id(it) for it in fold}
        candidate = _fit_candidates([it for it in items if id(it) not in inside])
        targets += [_question_targets(answerer, it, candidate) for it in fold]
        fold_of += [k] * len(fold)
    rows, correct, answerable = zip(*targets, strict=True)
    x, folds = np.vstack(rows), np.asarray(fold_of)
    y_c, y_a = np.asarray(correct, dtype=float), np.asarray(answerable, dtype=float)
    names = QUESTION_SIGNALS
    # Calibration and the uncertain band come from question models predicting folds they did not see.
    p_c, p_a = np.zeros(len(x)), np.zeros(len(x))
    for k in set(fold_of):
        out = folds != k
        p_c[~out] = sigmoid(Logistic.fit(names, x[out], y_c[out], L2).logits(x[~out]))
        p_a[~out] = sigmoid(Logistic.fit(names, x[out], y_a[out], L2).logits(x[~out]))
    answer, confidence = best_guess(p_c, p_a)
    right = np.where(answer, y_c > 0, y_a == 0).astype(float)
    calibration = Logistic.fit(("confidence_logit",), logit(confidence)[:, None], right, 1e-3)
    calibrated = sigmoid(calibration.logits(logit(confidence)[:, None]))
    threshold = next(
        (
            t
            for t in np.arange(0.5, UNCERTAIN_CAP, 0.01)
            if (calibrated >= t).any() and right[calibrated >= t].mean() >= DECIDED_ACCURACY
        ),
        UNCERTAIN_CAP,
    )
    return Weights(
        _fit_candidates(items),
        Logistic.fit(names, x, y_c, L2),
        Logistic.fit(names, x, y_a, L2),
        float(threshold),
        about or {},
        calibration=calibration,
    )


# -- the LLM's vote ---------------------------------------------------------------------------------


def fit_votes(base_logits: np.ndarray, stances: Sequence[str], answerable: np.ndarray) -> dict[str, float]:
    """Log-odds per stance added to the answerable model's own: logistic regression with an offset."""
    names = sorted(set(stances))
    x = np.asarray([[s == n for n in names] for s in stances], dtype=float)
    w = newton(x, answerable, np.full(len(names), L2), offset=base_logits)
    return dict(zip(names, map(float, w), strict=True))


def main(argv: list[str] | None = None) -> int:
    from papertrail.evaluate import llm_report, report

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default="../shared", type=Path)
    parser.add_argument("--out", default="eval-out", type=Path, help="library and answers files go here")
    parser.add_argument("--no-write", action="store_true", help="print the figures without refitting weights.json")
    parser.add_argument("--llm-url", default="", help="also fit the vote of this OpenAI-compatible LLM (evaluate)")
    parser.add_argument("--llm-model", default="local-model")
    args = parser.parse_args(argv)
    items, answerer, figures = report(args.shared, args.out)
    votes: dict[str, float] = {}
    if args.llm_url:
        figures["llm"], votes = llm_report(args.shared, args.out, items, answerer, args.llm_url, args.llm_model)
    if not args.no_write:
        about = {
            "fitted_on": [f"{name}: {questions_file}" for name, questions_file, _ in SETS],
            "questions": len(items),
            "date": dt.date.today().isoformat(),
            "cross_validated": figures,
            "llm_vote_model": args.llm_model if votes else None,
            "command": "python -m papertrail.answering.fit --shared ../shared"
            + (f" --llm-url URL --llm-model {args.llm_model}" if votes else ""),
        }
        weights = replace(fit_weights(answerer, items, about), llm_vote=votes)
        WEIGHTS_PATH.write_text(json.dumps(weights.to_json(), indent=1) + "\n")
        print(f"wrote {WEIGHTS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
