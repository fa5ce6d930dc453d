"""make eval's own figures: the shared scorer's rule per question, the battery's figures, and how far
a correct rate moves when the labelled papers are drawn again."""

from __future__ import annotations

import json
from pathlib import Path

from papertrail.evaluate import battery_figures, paper_interval, scored_questions


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _gold(qid: str, paper: str, answerable: bool, keys=()) -> dict:
    return {"id": qid, "paper": paper, "answerable": answerable, "must_contain": list(keys), "kind": "fact"}


def test_each_question_is_scored_by_the_scorers_rule_and_the_battery_counts_its_items(tmp_path):
    golds = [
        _gold("a-01", "a.pdf", True, ["Adam"]),
        _gold("a-cq01", "a.pdf", True, ["ISPRS"]),
        _gold("a-cq02", "a.pdf", False),
        _gold("b-01", "b.pdf", False),  # no answer at all: wrong
    ]
    answers = [
        {"id": "a-01", "answerable": True, "answer": "Trained with adam."},
        {"id": "a-cq01", "answerable": True, "answer": "Vaihingen tiles."},
        {"id": "a-cq02", "answerable": False, "answer": "Not reported."},
    ]
    scored = scored_questions(_write(tmp_path / "q.jsonl", golds), _write(tmp_path / "a.jsonl", answers))
    assert [o.right for o in scored] == [True, False, True, False]
    figures = battery_figures(scored)
    assert figures == {"battery_items": 2, "battery_correct": 0.5, "battery_agreement": 1.0}


def test_the_interval_over_papers_holds_the_rate_and_a_run_against_itself_differs_by_nothing(tmp_path):
    golds = [_gold(f"{p}-{i}", f"{p}.pdf", True, ["x"]) for p in "abcdef" for i in range(4)]
    answers = [{"id": g["id"], "answerable": True, "answer": "x" if g["paper"] < "d" else "y"} for g in golds]
    scored = scored_questions(_write(tmp_path / "q.jsonl", golds), _write(tmp_path / "a.jsonl", answers))
    low, high = paper_interval(scored)
    assert 0.0 <= low < 0.5 < high <= 1.0  # half the papers right: the rate swings
    assert paper_interval(scored, scored) == (0.0, 0.0)
