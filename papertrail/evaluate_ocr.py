"""OCR measured against the text layer on the same papers: does a scan of a paper answer what the paper does?

    python -m papertrail.evaluate_ocr --shared ../shared --paper nlp_specter_cohan2020_acl.pdf [--paper ...]

Each chosen paper of ../shared/papers is copied as a scan (every page rendered at --dpi into an
image-only PDF, text layer gone), both versions are ingested into their own libraries and asked
the paper's qa_dev questions with the same shipped weights. Printed: OCR seconds per page, each
version's score (the shared scorer's rules), and of the questions the original gets right, the
share the scan also gets right with a highlight on a line where the gold evidence (or else the
original's cited text) is printed. OCR takes 20-50 s a page here: choose one or two papers.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import time
from pathlib import Path

import pymupdf


def scan_copy(pdf: Path, out: Path, dpi: int, max_pages: int | None = None) -> Path:
    """pdf (its first max_pages) with every page replaced by an image of itself: what a scanner returns.

    An existing copy is kept, so a second run finds its scans already read in its library.
    """
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with pymupdf.open(pdf) as original, pymupdf.open() as scan:
        for page in list(original)[:max_pages]:
            scan.new_page(width=page.rect.width, height=page.rect.height).insert_image(
                page.rect, pixmap=page.get_pixmap(dpi=dpi)
            )
        scan.save(out)
    return out


def _scorer(shared: Path):
    spec = importlib.util.spec_from_file_location("score_qa", shared / "eval" / "score_qa.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ocr_seconds_per_page(scans: list[Path], data_dir: Path) -> float:
    """Ingest the scans, timing the OCR stage; the answer run then reuses this library."""
    from papertrail.library import Library
    from papertrail.settings import load_settings

    library = Library(load_settings(data_dir=data_dir))
    seconds = pages = 0.0
    for scan in scans:
        marks: list[float] = []

        def mark_ocr(stage: str, _fraction: float, marks: list[float] = marks) -> None:
            if stage == "ocr":
                marks.append(time.perf_counter())

        result = library.ingest(scan, progress=mark_ocr)
        paper = result.paper
        if not paper.ocr_pages:
            raise AssertionError(f"{scan.name}: no page was read by OCR")
        if not result.duplicate:  # a scan already in this library was timed by an earlier run
            seconds += marks[-1] - marks[0]
            pages += len(paper.ocr_pages)
        print(f"{scan.name}: {len(paper.ocr_pages)} pages by OCR, {paper.passages} passages", file=sys.stderr)
    return seconds / pages if pages else float("nan")


def _answers(papers: Path, questions: Path, data_dir: Path, out: Path) -> dict[str, dict]:
    from papertrail.cli import main as cli

    cli(
        [
            "answer",
            "--papers",
            str(papers),
            "--questions",
            str(questions),
            "--out",
            str(out),
            "--data-dir",
            str(data_dir),
        ]
    )
    return {a["id"]: a for a in map(json.loads, out.read_text().splitlines())}


def _printed_lines(pdf: Path, gold: dict, original: dict) -> dict[int, list[pymupdf.Rect]]:
    """Where the gold evidence is printed in the original, per page; else where the original's citation is."""
    found: dict[int, list[pymupdf.Rect]] = {}
    with pymupdf.open(pdf) as doc:
        for number in {*gold.get("pages", []), *gold.get("also_pages", [])}:
            hits = doc[number - 1].search_for(gold.get("evidence") or "\0") if 0 < number <= doc.page_count else []
            if hits:
                found[number] = hits
    if not found:
        for citation in original.get("citations", [])[:1]:
            found[citation["page"]] = [pymupdf.Rect(r[1:]) for r in citation["rects"]]
    return found


def _on_the_lines(answer: dict, lines: dict[int, list[pymupdf.Rect]]) -> bool:
    """Whether a cited box of the answer sits on one of the lines (same page, overlapping it)."""
    for citation in answer.get("citations", []):
        for rect in citation["rects"]:
            box = pymupdf.Rect(rect[1:])
            for line in lines.get(int(rect[0]), []):
                if box.intersects(line) and line.y0 < (box.y0 + box.y1) / 2 < line.y1:
                    return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--paper", action="append", required=True, help="a file name in ../shared/papers")
    parser.add_argument("--dpi", type=int, default=150)
    parser.add_argument("--out", type=Path, default=Path("eval-out/ocr"))
    args = parser.parse_args(argv)

    scorer = _scorer(args.shared)
    papers_dir = args.shared / "papers"
    gold = [q for q in scorer.load(str(args.shared / "eval" / "qa_dev.jsonl")) if q["paper"] in args.paper]
    questions = args.out / "questions.jsonl"
    questions.parent.mkdir(parents=True, exist_ok=True)
    questions.write_text("".join(json.dumps(q) + "\n" for q in gold))
    scans = [scan_copy(papers_dir / name, args.out / "scans" / name, args.dpi) for name in args.paper]

    per_page = _ocr_seconds_per_page(scans, args.out / "data-ocr")
    original = _answers(papers_dir, questions, args.out / "data-original", args.out / "answers-original.jsonl")
    scanned = _answers(scans[0].parent, questions, args.out / "data-ocr", args.out / "answers-ocr.jsonl")

    right_before = {True: 0, False: 0}  # by gold answerable
    kept = {True: 0, False: 0}
    for q in gold:
        if not _correct(scorer, q, original.get(q["id"])):
            continue
        right_before[q["answerable"]] += 1
        ok = _correct(scorer, q, scanned.get(q["id"]))
        if ok and q["answerable"]:
            ok = _on_the_lines(scanned[q["id"]], _printed_lines(papers_dir / q["paper"], q, original[q["id"]]))
        kept[q["answerable"]] += ok
        print(f"{q['id']}: {'kept' if ok else 'LOST'}", file=sys.stderr)
    total_kept, total_right = sum(kept.values()), sum(right_before.values())
    print(
        f"ocr_seconds_per_page {per_page:.1f}"
        + (" (every scan was read by an earlier run)" if math.isnan(per_page) else "")
    )
    print(f"original_correct {scorer.score(gold, original)[0]['correct']:.3f}")
    print(f"ocr_correct {scorer.score(gold, scanned)[0]['correct']:.3f}")
    print(
        f"kept {total_kept}/{total_right} = {total_kept / max(total_right, 1):.2f} of what the original answers"
        f" right (answered with highlights on the right lines {kept[True]}/{right_before[True]},"
        f" found not in the paper {kept[False]}/{right_before[False]})"
    )
    return 0


def _correct(scorer, gold: dict, answer: dict | None) -> bool:
    if answer is None:
        return False
    flagged = not answer.get("answerable", True)
    return flagged if not gold["answerable"] else not flagged and scorer.contains_all(gold, answer.get("answer", ""))


if __name__ == "__main__":
    raise SystemExit(main())
