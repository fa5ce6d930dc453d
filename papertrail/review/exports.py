"""The matrix as CSV, JSON and a Markdown summary; CSV and JSON read back into the records they came from."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from papertrail.export import escape_markdown
from papertrail.review.matrix import CHECK, NOT_REPORTED, Cell, Review, paper_gaps, question_coverage

_SPREADSHEET_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

EXPORT_FIELDS = (
    "paper_id",
    "paper",
    "file",
    "key",
    "question",
    "answer",
    "answerable",
    "uncertain",
    "confidence",
    "pages",
    "evidence",
)


def _flat(text: str) -> str:
    return " ".join(text.split())


def cell_record(cell: Cell) -> dict[str, Any]:
    """One export row. Whitespace is collapsed so evidence snippets can be joined by newlines in CSV."""
    return {
        "paper_id": cell.paper.id,
        "paper": cell.paper.title,
        "file": cell.paper.filename,
        "key": cell.key,
        "question": cell.question,
        "answer": _flat(cell.answer.text) if cell.reported else NOT_REPORTED,
        "answerable": cell.reported,
        "uncertain": cell.uncertain,
        "confidence": round(cell.confidence, 4),
        "pages": cell.pages,
        "evidence": [_flat(ev.text) for ev in cell.answer.evidence],
    }


def records(review: Review) -> list[dict[str, Any]]:
    return [cell_record(c) for c in review.ordered()]


def spreadsheet_safe(value: str) -> str:
    # Paper text must not run as a formula when the CSV is opened in a spreadsheet.
    return "'" + value if value.startswith(_SPREADSHEET_FORMULA_START) else value


def _spreadsheet_unsafe(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_SPREADSHEET_FORMULA_START) else value


def to_csv(review: Review) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in records(review):
        row = record | {
            "answerable": "yes" if record["answerable"] else "no",
            "uncertain": "yes" if record["uncertain"] else "no",
            "pages": ";".join(map(str, record["pages"])),
            "evidence": "\n".join(record["evidence"]),
        }
        writer.writerow({k: spreadsheet_safe(v) if isinstance(v, str) else v for k, v in row.items()})
    return buffer.getvalue()


def to_json(review: Review) -> str:
    return json.dumps(records(review), indent=1, ensure_ascii=False) + "\n"


def read_records(path: Path) -> list[dict[str, Any]]:
    """Read a CSV or JSON export back into the records it was written from."""
    if path.suffix.lower() == ".json":
        return json.loads(path.read_text())
    rows = []
    with path.open(newline="") as fh:
        for raw in csv.DictReader(fh):
            row = {k: _spreadsheet_unsafe(v) for k, v in raw.items()}
            row["answerable"] = row["answerable"] == "yes"
            row["uncertain"] = row.get("uncertain") == "yes"
            row["confidence"] = float(row["confidence"])
            row["pages"] = [int(p) for p in row["pages"].split(";") if p]
            row["evidence"] = row["evidence"].split("\n") if row["evidence"] else []
            rows.append(row)
    return rows


def _md(text: str) -> str:
    """Paper text on one line, as literal Markdown (no table, link, emphasis or HTML smuggled in)."""
    return escape_markdown(_flat(text))


def _pages(pages: Sequence[int]) -> str:
    if not pages:
        return ""
    return ("p. " if len(pages) == 1 else "pp. ") + ", ".join(map(str, pages))


def to_markdown(review: Review) -> str:
    """A summary to paste into a review report: coverage per question, gaps per paper, cited answers."""
    done = review.ordered()
    reported = sum(c.reported for c in done)
    lines = [
        f"# {_md(review.battery.name)}: {len(review.papers)} papers",
        "",
        f"{reported} of {len(done)} answered cells are reported in the papers"
        + (f" ({reported / len(done):.0%})." if done else ".")
        + ("" if review.complete else f" {review.size - len(done)} cells are not answered yet."),
        "Answers were extracted automatically; check each against the cited pages.",
        "",
        "## Coverage per question",
        "",
        "| Question | Reported | Coverage |",
        "| --- | ---: | ---: |",
    ]
    lines += [
        f"| {c.key}: {_md(c.question)} | {c.reported}/{c.answered} | {c.fraction:.0%} |"
        for c in question_coverage(review)
    ]
    lines += ["", "## Gaps per paper", ""]
    gaps = paper_gaps(review)
    for paper in review.papers:
        missing = gaps[paper.id]
        lines.append(f"- **{_md(paper.title)}** ({_md(paper.filename)}): " + (", ".join(missing) or "none"))
    lines += ["", "## Answers", ""]
    for paper in review.papers:
        lines += [f"### {_md(paper.title)}", ""]
        for key in review.battery.keys:
            cell = review.cell(paper.id, key)
            if cell is None:
                lines.append(f"- **{key}**: not answered yet")
            elif not cell.reported:
                mark = f" ({CHECK} the closest passages: {_pages(cell.pages)})" if cell.uncertain else ""
                lines.append(f"- **{key}**: {NOT_REPORTED}{mark}")
            else:
                where = "; ".join(filter(None, [_pages(cell.pages), f"confidence {cell.confidence:.0%}"]))
                mark = f"{CHECK}: " if cell.uncertain else ""
                lines.append(f"- **{key}**: {mark}{_md(cell.answer.text)} ({where})")
        lines.append("")
    return "\n".join(lines)


def write_exports(review: Review, csv_path: Path) -> list[Path]:
    """The CSV at csv_path, with the JSON and Markdown beside it (same stem)."""
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    outputs = {
        csv_path: to_csv(review),
        csv_path.with_suffix(".json"): to_json(review),
        csv_path.with_suffix(".md"): to_markdown(review),
    }
    for path, text in outputs.items():
        path.write_text(text, encoding="utf-8")
    return list(outputs)
