"""`make eval`: the answering engine on the labelled sets, every figure with the scored paper held out.

    python -m papertrail.evaluate --shared ../shared

Each paper's questions are answered with weights fitted on the other papers only (grouped
cross-validation, papertrail/answering/fit.py), written as answers files in the `answer` command's
format, and scored by the shared scorer (../shared/eval/score_qa.py --by-kind --selective) unchanged.
The review battery's items (ids "-cqNN") are also scored on their own: correct, and the agreement of
reported / not reported with the labels. The library lives in ./eval-out/data and is reused.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path


def score(shared: Path, questions: Path, answers: Path, extra: tuple[str, ...] = ()) -> tuple[str, dict[str, float]]:
    """Run the shared scorer (with extra flags); returns its printed report and the figures it printed."""
    cmd = [sys.executable, str(shared / "eval" / "score_qa.py"), str(questions), str(answers), *extra]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)  # noqa: S603 - our own scorer
    figures: dict[str, float] = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and not parts[0].startswith("by_"):
            try:
                figures[parts[0]] = float(parts[1])
            except ValueError:
                continue
    return done.stdout, figures


def battery_figures(questions: Path, answers: Path) -> dict[str, float]:
    """Correct rate and reported/not-reported agreement on the review battery's items."""
    from papertrail.answering.fit import keys_ok

    golds = {g["id"]: g for g in map(json.loads, questions.read_text().splitlines()) if "-cq" in g["id"]}
    if not golds:
        return {}
    got = {a["id"]: a for a in map(json.loads, answers.read_text().splitlines())}
    agree = correct = 0
    for qid, gold in golds.items():
        a = got.get(qid, {})
        said = bool(a.get("answerable"))
        agree += said == gold["answerable"]
        correct += (said and gold["answerable"] and keys_ok(gold, a.get("answer", ""))) or (
            not said and not gold["answerable"]
        )
    return {
        "battery_items": len(golds),
        "battery_correct": correct / len(golds),
        "battery_agreement": agree / len(golds),
    }


def report(shared: Path, out: Path, show_wrong: bool = False):
    """Gather, cross-validate and score every labelled set; returns (items, answerer, figures)."""
    from papertrail.answering import fit

    items, answerer = fit.gather(shared, out / "data")
    answerable = [it for it in items if it.gold["answerable"]]
    found = sum(bool(it.labels.sum()) for it in answerable)
    print(f"{len(items)} questions; a candidate stating the answer was gathered for {found} of {len(answerable)}")
    paths = fit.cross_validate(answerer, items, out)
    figures = {}
    flags = ("--by-kind", "--selective", *(("--show-wrong",) if show_wrong else ()))
    for name, questions_file, _ in fit.SETS:
        text, got = score(shared, shared / questions_file, paths[name], flags)
        got.update(battery_figures(shared / questions_file, paths[name]))
        print(f"== {name}: each paper answered by weights fitted without it ==\n{text}", end="")
        for key in ("battery_items", "battery_correct", "battery_agreement"):
            if key in got:
                print(f"{key:22s} {got[key]:.3f}" if isinstance(got[key], float) else f"{key:22s} {got[key]}")
        figures[name] = got
    return items, answerer, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default="../shared", type=Path, help="the shared folder (papers/, eval/)")
    parser.add_argument("--out", default="eval-out", type=Path, help="where the library and answers go")
    parser.add_argument("--show-wrong", action="store_true", help="list every question scored wrong")
    args = parser.parse_args(argv)
    report(args.shared, args.out, args.show_wrong)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
