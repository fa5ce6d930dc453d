"""`python -m papertrail ...`: the command-line contract used by evaluation (see README)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from papertrail.ingest import ingest_files, ingest_paths
from papertrail.settings import Settings, load_settings


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {"data_dir": Path(args.data_dir)} if getattr(args, "data_dir", None) else {}
    return load_settings(**overrides)


def _library(args: argparse.Namespace):
    from papertrail.library import Library

    return Library(_settings(args))


def cmd_extract(args: argparse.Namespace) -> int:
    from papertrail.pdf.extract import ExtractionError, extract, reading_text

    try:
        paper = extract(Path(args.pdf), ocr_dpi=_settings(args).ocr_dpi)
    except ExtractionError as err:
        print(f"error: {err.message}", file=sys.stderr)
        return 2
    for warning in paper.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if paper.ocr_pages:
        print(f"note: text of {len(paper.ocr_pages)} of {paper.pages} pages read by OCR", file=sys.stderr)
    sys.stdout.write(reading_text(paper) + "\n")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """PDFs, folders (every PDF and zip under them) and zips; exit 1 if any file failed or none was found."""
    ids, failed = ingest_paths(_library(args), [Path(p) for p in args.pdfs])
    if not ids and not failed:
        print("no PDF found", file=sys.stderr)
    return 0 if ids and not failed else 1


def cmd_papers(args: argparse.Namespace) -> int:
    for paper in _library(args).papers():
        mark = f"  ({paper.ocr_mark})" if paper.ocr_mark else ""
        print(
            f"{paper.id}  {paper.pages:>4} pages  {paper.passages:>5} passages  {paper.filename}  {paper.title}{mark}"
        )
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    if _library(args).delete(args.paper_id):
        print(f"deleted {args.paper_id}")
        return 0
    print(f"no paper {args.paper_id}", file=sys.stderr)
    return 1


def answer_record(qid: str, answer) -> dict:
    """The answers-file line that ../shared/eval/score_qa.py reads."""
    return {
        "id": qid,
        "answerable": answer.verdict.answerable,
        "answer": answer.text,
        "confidence": round(answer.verdict.confidence, 4),
        "uncertain": answer.verdict.uncertain,
        "reasons": list(answer.verdict.reasons),
        "citations": [
            {"page": ev.page, "text": ev.text, "rects": [b.to_list() for b in ev.boxes], "score": round(ev.score, 4)}
            for ev in answer.evidence
        ],
    }


def cmd_answer(args: argparse.Namespace) -> int:
    from papertrail.answering import Answerer

    library = _library(args)
    papers_dir = Path(args.papers)
    questions = [json.loads(line) for line in Path(args.questions).read_text().splitlines() if line.strip()]
    wanted = sorted({q["paper"] for q in questions})
    ids = ingest_files(library, [papers_dir / name for name in wanted])
    answerer = Answerer(library)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w") as fh:
        for q in questions:
            if q["paper"] not in ids:
                record = {"id": q["id"], "answerable": False, "answer": "", "confidence": 0.0, "citations": []}
            else:
                record = answer_record(q["id"], answerer.ask(q["question"], [ids[q["paper"]]]))
            fh.write(json.dumps(record) + "\n")
    print(f"wrote {len(questions)} answers to {out}", file=sys.stderr)
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    if args.library:
        return _ask_library(args)
    if not args.pdf:
        print("error: give a PDF to ask about, or --library to ask the whole library", file=sys.stderr)
        return 2
    from papertrail.answering import Answerer

    library = _library(args)
    ids = ingest_files(library, [Path(args.pdf)])
    if not ids:
        return 1
    answer = Answerer(library).ask(args.question, list(ids.values()))
    verdict = answer.verdict
    outcome = "ANSWER" if verdict.answerable else "UNANSWERABLE"
    if verdict.uncertain:
        outcome = f"UNCERTAIN, best guess {outcome.lower()}: check these passages"
    print(outcome, f"(confidence {verdict.confidence:.2f})")
    print(answer.text)
    for reason in verdict.reasons:
        print(f"  - {reason}")
    for ev in answer.evidence:
        print(f"[p.{ev.page}, score {ev.score:.2f}] {ev.text}")
    return 0


def _print_rerun(changed) -> None:
    """Which cells the rerun changed and how, and what differed in engine, extraction, backend or settings."""
    if changed is None:
        print("No earlier answers to compare with.")
        return
    print(f"Rerun: {len(changed.changes)} of {changed.cells} cells changed")
    if changed.setup:
        print("  setup: " + "; ".join(changed.setup))
    for change in changed.changes:
        print(f"  {change.after.paper.filename} / {change.after.key}: " + "; ".join(change.differences))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _ask_library(args: argparse.Namespace) -> int:
    """One line per paper that answers, best first: file, page, confidence, answer; then the count that do not."""
    from papertrail.library_questions import ask_library

    result = ask_library(_library(args), args.question, args.top)
    for item in result.answering:
        verdict = item.answer.verdict
        page = f"p. {item.answer.evidence[0].page}" if item.answer.evidence else "p. ?"
        flag = " UNCERTAIN" if verdict.uncertain else ""
        print(f"{item.paper.filename}\t{page}\t{verdict.confidence:.2f}{flag}\t{_one_line(item.answer.text)}")
    print(
        f"{result.not_answering} papers judged not to answer"
        f" ({result.papers_read} closest papers read, {len(result.answering)} answer)"
    )
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    """Matching passages across the library: file, page, then the passage with matched words in [brackets]."""
    from papertrail.library_questions import search_passages

    hits = search_passages(_library(args), args.query, args.top)
    for hit in hits:
        text, marked, cut = hit.passage.text, [], 0
        for start, end in hit.spans:
            marked += [text[cut:start], "[", text[start:end], "]"]
            cut = end
        marked.append(text[cut:])
        print(f"{hit.paper.filename}\tp. {hit.passage.page}\t{hit.score:.2f}\t{_one_line(''.join(marked))}")
    if not hits:
        print("no passage matches", file=sys.stderr)
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Ingest the folder's PDFs, answer the battery, write CSV/JSON/MD beside --out."""
    from papertrail.answering import Answerer
    from papertrail.review import BatteryError, ReviewStore, rerun, resolve_battery, run, write_exports
    from papertrail.review.agreement import LabelError, agreement, format_agreement, label_pairs, read_labels

    library = _library(args)
    try:
        battery = resolve_battery(args.battery, library.settings)
        labels = read_labels(Path(args.labels).read_bytes()) if args.labels else None
    except (BatteryError, LabelError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    papers_dir = Path(args.papers)
    pdfs = sorted(p for p in papers_dir.glob("*") if p.suffix.lower() == ".pdf")
    if not pdfs:
        print(f"error: no PDF files in {papers_dir}", file=sys.stderr)
        return 2
    ids = ingest_files(library, pdfs)
    if not ids:
        return 1

    def progress(done: int, total: int, message: str) -> None:
        print(f"[{done}/{total} cells] {message}", file=sys.stderr)

    store = ReviewStore.for_settings(library.settings)
    if args.again:
        review, changed = rerun(library, Answerer(library), list(ids.values()), battery, store, progress)
        _print_rerun(changed)
    else:
        review = run(library, Answerer(library), list(ids.values()), battery, store, progress)
    for path in write_exports(review, Path(args.out)):
        print(f"wrote {path}", file=sys.stderr)
    if labels is not None:
        matched = label_pairs(review, labels)
        print(f"Agreement with {args.labels} on reported / not reported: {len(matched.pairs)} labelled cells", end="")
        print(f" ({len(matched.unmatched)} labels match no cell of the matrix)" if matched.unmatched else "")
        print(format_agreement(agreement(matched.pairs, battery.keys)))
    return 0 if len(ids) == len(pdfs) else 1


def build_parser() -> argparse.ArgumentParser:
    # --data-dir is accepted before or after the sub-command.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir", default=argparse.SUPPRESS, help="where the library lives (PAPERTRAIL_DATA_DIR, default ./data)"
    )
    parser = argparse.ArgumentParser(
        prog="papertrail", description="Review scientific papers offline.", parents=[common]
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", parents=[common], help="print a PDF's text in reading order (what chunking consumes)")
    p.add_argument("pdf")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("ingest", parents=[common], help="add PDFs, folders of PDFs or zips to the library")
    p.add_argument("pdfs", nargs="+")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("papers", parents=[common], help="list the library")
    p.set_defaults(func=cmd_papers)

    p = sub.add_parser("delete", parents=[common], help="remove a paper and its vectors")
    p.add_argument("paper_id")
    p.set_defaults(func=cmd_delete)

    p = sub.add_parser("answer", parents=[common], help="answer a questions file (jsonl) about papers in a folder")
    p.add_argument("--papers", required=True)
    p.add_argument("--questions", required=True)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_answer)

    p = sub.add_parser("ask", parents=[common], help="ask one question about one PDF, or the whole library")
    p.add_argument("pdf", nargs="?", help="the PDF (added to the library first); omit with --library")
    p.add_argument("question")
    p.add_argument("--library", action="store_true", help="ask every paper in the library; prints those that answer")
    p.add_argument("--top", type=int, default=None, help="with --library: how many closest papers to read (default 4)")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("search", parents=[common], help="list passages matching words, across the library")
    p.add_argument("query")
    p.add_argument("--top", type=int, default=20, help="how many passages (default 20)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("review", parents=[common], help="run a question battery across the papers in a folder")
    p.add_argument("--papers", required=True)
    p.add_argument("--battery", required=True, help="a built-in battery name or a .txt/.csv file")
    p.add_argument("--out", required=True, help="matrix.csv (JSON and Markdown are written beside it)")
    p.add_argument(
        "--again", action="store_true", help="answer every cell anew and print the cells that changed and how"
    )
    p.add_argument(
        "--labels", help="a CSV of paper, key or question, reported (y/n): prints the tool's agreement with it"
    )
    p.set_defaults(func=cmd_review)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
