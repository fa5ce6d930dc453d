"""`make eval`: answer the labelled question set through the `answer` CLI and print score_qa.py's figures.

    python -m papertrail.evaluate --shared ../shared                  # the default answerer
    python -m papertrail.evaluate --shared ../shared --ablate aboutness  # one verdict layer off
    python -m papertrail.evaluate --shared ../shared --ablate all        # every layer off in turn, a table

The library lives in ./eval-out/data (papers are ingested once and reused); answers go to
./eval-out/answers*.jsonl. The scorer is the shared one (../shared/eval/score_qa.py), run unchanged.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from papertrail.answering.verdict import LAYERS

FIGURES = ("correct", "unanswerable_found", "abstain_precision", "answerable_answered", "evidence_page_hit")


def run_answers(shared: Path, questions: Path, out_dir: Path, ablate: tuple[str, ...] = ()) -> Path:
    """Answer every question through `python -m papertrail answer` (in this process); returns the answers file."""
    from papertrail.cli import main as cli_main

    suffix = ("-no-" + "-".join(ablate)) if ablate else ""
    answers = out_dir / f"answers{suffix}.jsonl"
    previous = os.environ.get("PAPERTRAIL_ABLATE")
    os.environ["PAPERTRAIL_ABLATE"] = ",".join(ablate)
    try:
        code = cli_main(
            [
                "--data-dir",
                str(out_dir / "data"),
                "answer",
                "--papers",
                str(shared / "papers"),
                "--questions",
                str(questions),
                "--out",
                str(answers),
            ]
        )
    finally:
        if previous is None:
            os.environ.pop("PAPERTRAIL_ABLATE", None)
        else:
            os.environ["PAPERTRAIL_ABLATE"] = previous
    if code:
        raise SystemExit(f"the answer command failed with exit code {code}")
    return answers


def score(shared: Path, questions: Path, answers: Path, show_wrong: bool = False) -> tuple[str, dict[str, float]]:
    """Run the shared scorer; returns its printed report and the figures it printed."""
    cmd = [sys.executable, str(shared / "eval" / "score_qa.py"), str(questions), str(answers)]
    if show_wrong:
        cmd.append("--show-wrong")
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)  # noqa: S603 - our own scorer
    figures: dict[str, float] = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in FIGURES:
            figures[parts[0]] = float(parts[1])
    return done.stdout, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default="../shared", type=Path, help="the shared folder (papers/, eval/)")
    parser.add_argument("--questions", type=Path, help="a labelled .jsonl (default: SHARED/eval/qa_dev.jsonl)")
    parser.add_argument("--out", default="eval-out", type=Path, help="where the library and answers go")
    parser.add_argument(
        "--ablate",
        default="",
        help=f"verdict layers to switch off, comma-separated ({', '.join(LAYERS)}), or 'all' for one run per layer",
    )
    parser.add_argument("--show-wrong", action="store_true", help="list every question scored wrong")
    args = parser.parse_args(argv)
    questions = args.questions or args.shared / "eval" / "qa_dev.jsonl"
    args.out.mkdir(parents=True, exist_ok=True)

    if args.ablate == "all":
        rows = [("(all layers on)", ())] + [(f"without {layer}", (layer,)) for layer in LAYERS]
        table = []
        for label, off in rows:
            answers = run_answers(args.shared, questions, args.out, off)
            _, figures = score(args.shared, questions, answers)
            table.append((label, figures))
        print(f"{'verdict layers':<24}" + "".join(f"{f:>22}" for f in FIGURES))
        for label, figures in table:
            print(f"{label:<24}" + "".join(f"{figures.get(f, float('nan')):>22.3f}" for f in FIGURES))
        return 0

    off = tuple(x.strip() for x in args.ablate.split(",") if x.strip())
    unknown = set(off) - set(LAYERS)
    if unknown:
        parser.error(f"unknown layer(s) {sorted(unknown)}; choose from {', '.join(LAYERS)} or 'all'")
    answers = run_answers(args.shared, questions, args.out, off)
    report, _ = score(args.shared, questions, answers, args.show_wrong)
    if off:
        print(f"verdict layers switched off: {', '.join(off)}")
    print(report, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
