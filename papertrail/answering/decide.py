"""The decision, fitted on labelled data (`python -m papertrail.answering.fit`, shipped in weights.json).

Three logistic models: `candidate` (one candidate's signals -> it states the answer; the best one is
cited), `correct` (question-level signals -> answering with the best candidate is right) and
`answerable` (the same signals -> the paper answers at all). The paper answers when `answerable` is
over one half (the best guess); the confidence is then `correct`, else 1 - `answerable`, Platt-scaled
on out-of-fold outcomes. Below the fitted `uncertain_below` the outcome is "uncertain": the best guess
is kept and shown as "check these passages".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import numpy as np

from papertrail.answering.candidates import Candidate, Pool
from papertrail.answering.question import Question
from papertrail.answering.signals import SIGNALS

WEIGHTS_PATH = Path(__file__).with_name("weights.json")
FORMS = ("yesno", "table", "category", "value", "descriptive")

# Question-level signals, from the candidates as ranked by the candidate model (see question_row).
QUESTION_SIGNALS = (
    *"best_logit second_logit value_best_logit open_best_logit likely_count focus_in_paper".split(),
    *"best_cosine max_cosine max_lexical any_example any_attached best_lexical best_attached".split(),
    *"best_value_attached best_focus best_example best_negation value_unstated".split(),
    *(f"form_{f}" for f in FORMS),
)


@dataclass(frozen=True)
class Logistic:
    """A standardised logistic regression: p = sigmoid(intercept + coef . (x - mean) / scale)."""

    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    def logits(self, rows: np.ndarray) -> np.ndarray:
        return self.intercept + ((rows - self.mean) / self.scale) @ self.coef

    def contributions(self, row: np.ndarray) -> dict[str, float]:
        """Each signal's push on the log-odds, relative to an average candidate."""
        return dict(zip(self.names, ((row - self.mean) / self.scale) * self.coef, strict=True))

    @classmethod
    def fit(cls, names: tuple[str, ...], rows: np.ndarray, labels: np.ndarray, l2: float) -> Logistic:
        """On standardised signals, with an intercept that is not penalised."""
        mean = rows.mean(axis=0)
        scale = rows.std(axis=0)
        scale[scale < 1e-6] = 1.0
        x = np.hstack([np.ones((len(rows), 1)), (rows - mean) / scale])
        penalty = np.full(x.shape[1], l2)
        penalty[0] = 1e-6
        w = newton(x, labels.astype(float), penalty)
        return cls(names, mean, scale, w[1:], float(w[0]))

    def to_json(self) -> dict:
        arrays = {k: [round(float(v), 6) for v in getattr(self, k)] for k in ("mean", "scale", "coef")}
        return {"names": list(self.names), **arrays, "intercept": round(self.intercept, 6)}

    @classmethod
    def from_json(cls, data: dict) -> Logistic:
        arrays = (np.asarray(data[k], dtype=float) for k in ("mean", "scale", "coef"))
        return cls(tuple(data["names"]), *arrays, float(data["intercept"]))


MODELS = ("candidate", "correct", "answerable")


@dataclass(frozen=True)
class Weights:
    candidate: Logistic
    correct: Logistic
    answerable: Logistic
    uncertain_below: float
    about: dict = field(default_factory=dict)  # the data, date and cross-validated figures they came from
    # An LLM's stance (answers / unsupported / declines) -> log-odds added to the decision; fitted on a
    # measured run with a real model (`python -m papertrail.evaluate --llm-url ...`); empty: no effect.
    llm_vote: dict[str, float] = field(default_factory=dict)
    # Platt scaling of the shown confidence, fitted on out-of-fold outcomes: 0.8 means right 8 times in 10.
    calibration: Logistic | None = None

    def to_json(self) -> dict:
        return {
            "about": self.about,
            "uncertain_below": round(self.uncertain_below, 4),
            "llm_vote": {k: round(v, 4) for k, v in self.llm_vote.items()},
            "calibration": self.calibration.to_json() if self.calibration is not None else None,
            **{name: getattr(self, name).to_json() for name in MODELS},
        }

    @classmethod
    def from_json(cls, data: dict) -> Weights:
        fitted_on = (tuple(data["candidate"]["names"]), tuple(data["correct"]["names"]))
        if fitted_on != (tuple(SIGNALS), QUESTION_SIGNALS):
            raise ValueError(
                "weights.json was fitted on other signals; refit with `python -m papertrail.answering.fit`"
            )
        return cls(
            *(Logistic.from_json(data[name]) for name in MODELS),
            float(data["uncertain_below"]),
            data.get("about", {}),
            dict(data.get("llm_vote", {})),
            Logistic.from_json(data["calibration"]) if data.get("calibration") else None,
        )


@lru_cache(maxsize=1)
def shipped_weights() -> Weights:
    return Weights.from_json(json.loads(WEIGHTS_PATH.read_text()))


class Outcome(StrEnum):
    ANSWERED = "answered"
    NOT_IN_PAPER = "not in the paper"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    answerable: bool  # the best guess, also when uncertain
    confidence: float  # calibrated probability that the outcome shown is right
    best: Candidate | None


def candidate_rows(pool: Pool) -> np.ndarray:
    return np.asarray([[c.signals[n] for n in SIGNALS] for c in pool.candidates], dtype=float).reshape(-1, len(SIGNALS))


def question_row(q: Question, pool: Pool) -> np.ndarray:
    """The question-level signals, from the candidates as score_candidates() ranked them."""
    ranked = pool.candidates
    probs = [c.probability for c in ranked]
    sig = ranked[0].signals if ranked else {}
    best_logit = float(logit(probs[0])) if probs else -9.2
    values = {
        "best_logit": best_logit,
        "second_logit": float(logit(probs[1])) if len(probs) > 1 else -9.2,
        # the best candidate's log-odds apart for value and open questions: near misses are common in the former
        "value_best_logit": best_logit * (q.form in ("value", "table")),
        "open_best_logit": best_logit * (q.form in ("category", "descriptive")),
        "likely_count": math.log1p(sum(p > 0.5 for p in probs)),  # candidates more likely than not
        "focus_in_paper": float(pool.focus_in_paper),
        "best_cosine": sig.get("cosine", 0.0),
        "max_cosine": max((c.cosine for c in ranked), default=0.0),
        "max_lexical": max((c.lexical for c in ranked), default=0.0),
        "any_example": max((c.signals.get("example_named", 0.0) for c in ranked), default=0.0),
        "any_attached": max((c.signals.get("attached_value", 0.0) for c in ranked), default=0.0),
        "best_lexical": sig.get("lexical", 0.0),
        "best_attached": sig.get("attached_value", 0.0),
        "best_value_attached": sig.get("value_q_attached", 0.0),
        "best_focus": sig.get("focus_cov", 0.0),
        "best_example": sig.get("example_named", 0.0),
        "best_negation": sig.get("negation", 0.0),
        # a value question whose best sentence holds no value of the asked kind: its answer cannot say it
        "value_unstated": float(q.form == "value" and not sig.get("typed_value", 0.0)),
        **{f"form_{f}": float(q.form == f) for f in FORMS},
    }
    return np.asarray([values[n] for n in QUESTION_SIGNALS], dtype=float)


def score_candidates(pool: Pool, weights: Weights) -> None:
    if pool.candidates:
        logits = weights.candidate.logits(candidate_rows(pool))
        for c, z in zip(pool.candidates, logits, strict=True):
            c.probability = float(sigmoid(z))
        pool.candidates.sort(key=lambda c: -c.probability)


def decide(q: Question, pool: Pool, weights: Weights, judgement: float = 0.0) -> Decision:
    """The outcome for one question; `judgement` is an LLM's vote in log-odds (0 without one)."""
    score_candidates(pool, weights)
    row = question_row(q, pool)[None, :]
    p_correct = float(sigmoid(weights.correct.logits(row)[0] + judgement))
    p_answerable = float(sigmoid(weights.answerable.logits(row)[0] + judgement))
    best = pool.candidates[0] if pool.candidates else None
    answer, confidence = best_guess(p_correct, p_answerable)
    answer, confidence = bool(answer) and best is not None, float(confidence)
    if weights.calibration is not None:
        confidence = float(sigmoid(weights.calibration.logits(np.asarray([[logit(confidence)]]))[0]))
    outcome = Outcome.ANSWERED if answer else Outcome.NOT_IN_PAPER
    if confidence < weights.uncertain_below:
        outcome = Outcome.UNCERTAIN
    return Decision(outcome, answer, round(confidence, 4), best)


def best_guess(p_correct, p_answerable) -> tuple[np.ndarray, np.ndarray]:
    """(answer?, confidence) per question, as arrays (the rule of the module docstring)."""
    answer = np.asarray(p_answerable) >= 0.5
    return answer, np.where(answer, p_correct, 1 - np.asarray(p_answerable))


def newton(x: np.ndarray, y: np.ndarray, penalty: np.ndarray, offset: float | np.ndarray = 0.0) -> np.ndarray:
    """Weights of an L2-penalised logistic regression (per-column penalty) by Newton's method; `offset`
    is added to every row's log-odds (a model the weights correct)."""
    w = np.zeros(x.shape[1])
    for _ in range(50):
        p = sigmoid(offset + x @ w)
        grad = x.T @ (p - y) + penalty * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return w


def sigmoid(z):
    return 1 / (1 + np.exp(-np.clip(z, -30, 30)))


def logit(p):
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))
