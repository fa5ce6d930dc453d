"""`make eval`: the answering engine on the labelled sets, every figure with the scored paper held out.

    python -m papertrail.evaluate --shared ../shared

Each paper's questions are answered with weights fitted on the other papers only (grouped
cross-validation, papertrail/answering/fit.py), written as answers files in the `answer` command's
format, and scored by the shared scorer (../shared/eval/score_qa.py --by-kind --selective) unchanged.
The review battery's items (ids "-cqNN") are also scored on their own: correct, and the agreement of
reported / not reported with the labels. The library lives in ./eval-out/data and is reused.

    python -m papertrail.evaluate --llm-url http://127.0.0.1:8091/v1 --llm-model qwen2.5-coder-1.5b-instruct

also answers dev2's battery items and 50 other dev2 questions with the LLM's stance as one more signal
of the decision (its log-odds fitted on the other papers) and prints both figures side by side.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np


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


# -- cross-validation grouped by paper ------------------------------------------------------------


def cross_validate(answerer, items, out_dir: Path) -> dict[str, Path]:
    """Leave one paper out: answer each paper's questions with weights fitted on the other papers."""
    from papertrail.answering.fit import fit_weights
    from papertrail.cli import answer_record

    records: dict[str, list[dict]] = {}
    for paper in sorted({it.paper for it in items}):
        weights = fit_weights(answerer, [it for it in items if it.paper != paper])
        for it in items:
            if it.paper == paper:
                records.setdefault(it.set_name, []).append(
                    answer_record(it.gold["id"], answerer.conclude(it.g, weights))
                )
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, recs in records.items():
        path = out_dir / f"answers-cv-{name}.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in recs))
        paths[name] = path
    return paths


def llm_cross_validate(llm_answerer, everything, items) -> tuple[list[dict], dict[str, float]]:
    """Answer items with an LLM backend: the extractive weights fitted on every labelled question about
    other papers, the LLM's vote on the other papers' items; returns records and the vote fitted on all
    items. The model is asked once per question (its replies are memoised)."""
    from dataclasses import replace

    import numpy as np

    from papertrail.answering.decide import question_row, score_candidates
    from papertrail.answering.fit import fit_votes, fit_weights
    from papertrail.cli import answer_record

    fold_weights = {
        p: fit_weights(llm_answerer, [it for it in everything if it.paper != p])
        for p in sorted({it.paper for it in items})
    }
    stances, base, truth, paper_of = [], [], [], []
    for it in items:
        weights = fold_weights[it.paper]
        reply, _ = llm_answerer.consult_llm(it.g, weights)
        score_candidates(it.g.pool, weights)  # ranked also when the model could not be asked
        stances.append(reply.stance if reply is not None else "unavailable")
        base.append(float(weights.answerable.logits(question_row(it.g.q, it.g.pool)[None, :])[0]))
        truth.append(float(it.gold["answerable"]))
        paper_of.append(it.paper)
    base_a, truth_a = np.asarray(base), np.asarray(truth)
    records = []
    for paper in sorted({it.paper for it in items}):
        mask = np.asarray([p != paper for p in paper_of])
        votes = fit_votes(base_a[mask], [s for s, m in zip(stances, mask, strict=True) if m], truth_a[mask])
        weights = replace(fold_weights[paper], llm_vote=votes)
        records += [
            answer_record(it.gold["id"], llm_answerer.conclude(it.g, weights)) for it in items if it.paper == paper
        ]
    print(f"LLM stances: {dict(Counter(map(str, stances)))}")
    return records, fit_votes(base_a, stances, truth_a)


@dataclass(frozen=True)
class Scored:
    """One labelled question's answer, scored by the shared scorer's rule."""

    id: str
    paper: str
    right: bool
    said_answerable: bool
    answerable: bool


def scored_questions(questions: Path, answers: Path) -> list[Scored]:
    from papertrail.answering.fit import keys_ok

    got = {a["id"]: a for a in map(json.loads, answers.read_text().splitlines())}
    out = []
    for gold in map(json.loads, questions.read_text().splitlines()):
        a = got.get(gold["id"], {})
        said = bool(a.get("answerable"))
        right = said and keys_ok(gold, a.get("answer", "")) if gold["answerable"] else not said and bool(a)
        out.append(Scored(gold["id"], gold["paper"], right, said, gold["answerable"]))
    return out


def battery_figures(scored: list[Scored]) -> dict[str, float]:
    """Correct rate and reported/not-reported agreement on the review battery's items."""
    items = [o for o in scored if "-cq" in o.id]
    if not items:
        return {}
    return {
        "battery_items": len(items),
        "battery_correct": sum(o.right for o in items) / len(items),
        "battery_agreement": sum(o.said_answerable == o.answerable for o in items) / len(items),
    }


BOOTSTRAP_ROUNDS = 2000


def paper_interval(scored: list[Scored], baseline: list[Scored] | None = None) -> tuple[float, float]:
    """The 90 % interval of the correct rate (or of its difference from a baseline run on the same
    questions) when the papers are drawn again with replacement: a change smaller than this interval
    may only be which papers happen to be labelled."""
    papers = sorted({o.paper for o in scored})
    before = {o.id: o.right for o in baseline or []}
    gains = {p: [o.right - before.get(o.id, 0) for o in scored if o.paper == p] for p in papers}
    rng = np.random.default_rng(0)
    rates = []
    for _ in range(BOOTSTRAP_ROUNDS):
        drawn = [x for p in rng.choice(papers, len(papers)) for x in gains[p]]
        rates.append(sum(drawn) / len(drawn))
    low, high = np.percentile(rates, [5, 95])
    return float(low), float(high)


def report(shared: Path, out: Path, show_wrong: bool = False, baseline: Path | None = None):
    """Gather, cross-validate and score every labelled set; returns (items, answerer, figures). With a
    baseline (another run's --out folder) also the difference in correct rate, paired by question."""
    from papertrail.answering import fit

    items, answerer = fit.gather(shared, out / "data")
    answerable = [it for it in items if it.gold["answerable"]]
    found = sum(bool(it.labels.sum()) for it in answerable)
    print(f"{len(items)} questions; a candidate stating the answer was gathered for {found} of {len(answerable)}")
    paths = cross_validate(answerer, items, out)
    figures = {}
    flags = ("--by-kind", "--selective", *(("--show-wrong",) if show_wrong else ()))
    for name, questions_file, _ in fit.SETS:
        text, got = score(shared, shared / questions_file, paths[name], flags)
        scored = scored_questions(shared / questions_file, paths[name])
        got.update(battery_figures(scored))
        print(f"== {name}: each paper answered by weights fitted without it ==\n{text}", end="")
        for key in ("battery_items", "battery_correct", "battery_agreement"):
            if key in got:
                print(f"{key:22s} {got[key]:.3f}" if isinstance(got[key], float) else f"{key:22s} {got[key]}")
        low, high = paper_interval(scored)
        print(f"correct, 90 % interval over papers drawn again: {low:.3f} to {high:.3f}")
        before = baseline / paths[name].name if baseline is not None else None
        if before is not None and before.exists():
            base = scored_questions(shared / questions_file, before)
            change = (sum(o.right for o in scored) - sum(o.right for o in base)) / len(scored)
            low, high = paper_interval(scored, base)
            print(f"correct minus {before}: {change:+.3f} (90 % interval over papers {low:+.3f} to {high:+.3f})")
        figures[name] = got
    return items, answerer, figures


LLM_OTHER_QUESTIONS = 50


def llm_report(shared: Path, out: Path, items, answerer, url: str, model: str) -> tuple[dict, dict[str, float]]:
    """dev2's battery items and 50 other dev2 questions, answered with a real LLM's vote in the decision
    (fitted on the other papers), scored beside the extractive answers to the same questions."""
    import hashlib
    import time

    from papertrail.answering.engine import Answerer
    from papertrail.answering.llm import make_backend

    dev2 = [it for it in items if it.set_name == "dev2"]
    others = sorted(
        (it for it in dev2 if "-cq" not in it.gold["id"]),
        key=lambda it: hashlib.sha1(it.gold["id"].encode()).hexdigest(),
    )
    subset = [it for it in dev2 if "-cq" in it.gold["id"]] + others[:LLM_OTHER_QUESTIONS]
    settings = answerer.settings.model_copy(
        update={"answerer": "openai", "llm_url": url, "llm_model": model, "llm_timeout_s": 900.0}
    )
    llm_answerer = Answerer(answerer.library, settings, backend=make_backend(settings, out / "llm-replies.jsonl"))
    started = time.perf_counter()
    records, votes = llm_cross_validate(llm_answerer, items, subset)
    seconds = (time.perf_counter() - started) / max(1, len(subset))
    wanted = {it.gold["id"] for it in subset}
    gold_path, llm_path, plain_path = (
        out / "llm-subset-gold.jsonl",
        out / "answers-llm.jsonl",
        out / "answers-llm-extractive.jsonl",
    )
    gold_path.write_text("".join(json.dumps(it.gold) + "\n" for it in subset))
    llm_path.write_text("".join(json.dumps(r) + "\n" for r in records))
    plain = [
        line for line in (out / "answers-cv-dev2.jsonl").read_text().splitlines() if json.loads(line)["id"] in wanted
    ]
    plain_path.write_text("\n".join(plain) + "\n")
    figures = {}
    for label, path in (("extractive", plain_path), (f"LLM vote ({model})", llm_path)):
        text, got = score(shared, gold_path, path, ("--by-kind", "--selective"))
        got.update(battery_figures(scored_questions(gold_path, path)))
        print(f"== {len(subset)} dev2 questions ({len(subset) - LLM_OTHER_QUESTIONS} battery items), {label} ==")
        print("\n".join(line for line in text.splitlines() if not line.startswith("by_paper")))
        for key in ("battery_correct", "battery_agreement"):
            print(f"{key:22s} {got[key]:.3f}")
        figures[label] = got
    print(
        f"LLM vote (log-odds by stance, fitted on all {len(subset)}): {json.dumps({k: round(v, 3) for k, v in votes.items()})}"
    )
    print(f"seconds per question with the LLM: {seconds:.1f}")
    return figures, votes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default="../shared", type=Path, help="the shared folder (papers/, eval/)")
    parser.add_argument("--out", default="eval-out", type=Path, help="where the library and answers go")
    parser.add_argument("--show-wrong", action="store_true", help="list every question scored wrong")
    parser.add_argument("--baseline", type=Path, help="another run's --out folder: print the change in correct")
    parser.add_argument("--llm-url", default="", help="also measure an OpenAI-compatible LLM's vote (e.g. llama.cpp)")
    parser.add_argument("--llm-model", default="local-model", help="the model name to send to --llm-url")
    args = parser.parse_args(argv)
    items, answerer, _ = report(args.shared, args.out, args.show_wrong, args.baseline)
    if args.llm_url:
        llm_report(args.shared, args.out, items, answerer, args.llm_url, args.llm_model)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
