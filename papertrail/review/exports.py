"""The matrix as CSV, JSON, Excel and a Markdown summary, each with the reviewers' decisions; CSV and JSON
read back into the records they came from."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from papertrail.export import escape_markdown
from papertrail.review.matrix import CHECK, NOT_REPORTED, Cell, Review, paper_gaps, question_coverage
from papertrail.review.metadata import PaperMeta

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
    # The decision shown with the cell (a reviewer's own, or the one that stands): empty while unchecked.
    "state",
    "reviewer",
    "checked_at",
    "check_note",
    "checked_answer",
    "checked_page",
    "reported_after_check",
)


def _flat(text: str) -> str:
    return " ".join(text.split())


def cell_record(review: Review, cell: Cell) -> dict[str, Any]:
    """One export row. Whitespace is collapsed so evidence snippets can be joined by newlines in CSV."""
    decision = review.decision(cell.paper.id, cell.key)
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
        "state": review.state(cell).value,
        "reviewer": decision.reviewer if decision else "",
        "checked_at": decision.at if decision else "",
        "check_note": _flat(decision.note) if decision else "",
        "checked_answer": decision.answer if decision else "",
        "checked_page": decision.page if decision else None,
        "reported_after_check": decision.reported if decision else None,
    }


def records(review: Review) -> list[dict[str, Any]]:
    return [cell_record(review, c) for c in review.ordered()]


def spreadsheet_safe(value: str) -> str:
    # Paper text must not run as a formula when the CSV is opened in a spreadsheet.
    return "'" + value if value.startswith(_SPREADSHEET_FORMULA_START) else value


def _spreadsheet_unsafe(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(_SPREADSHEET_FORMULA_START) else value


def _yes_no(value: bool | None) -> str:
    return "" if value is None else "yes" if value else "no"


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
            "checked_page": record["checked_page"] or "",
            "reported_after_check": _yes_no(record["reported_after_check"]),
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
            row["checked_page"] = int(row["checked_page"]) if row.get("checked_page") else None
            answer = row.get("reported_after_check", "")
            row["reported_after_check"] = None if not answer else answer == "yes"
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
            decision = review.decision(paper.id, key) if cell is not None else None
            if decision is not None:
                own = (
                    f": {_md(decision.answer)} ({_pages([decision.page] if decision.page else [])})"
                    if decision.answer
                    else ""
                )
                note = f" — {_md(decision.note)}" if decision.note else ""
                lines.append(f"  - {decision.decision.value} by {_md(decision.reviewer)}{own}{note}")
        lines.append("")
    return "\n".join(lines)


def _excel_value(field: str, value: Any) -> Any:
    if field == "pages":
        return "; ".join(map(str, value))
    if field == "evidence":
        return "\n".join(value)
    if isinstance(value, bool) or field == "reported_after_check":
        return _yes_no(value)
    return value


def to_xlsx(review: Review, meta: Mapping[str, PaperMeta] | None = None) -> bytes:
    """An Excel workbook: the matrix's records (with the decisions) and the papers with their metadata.

    Every text cell is stored as text, so paper text never runs as a formula.
    """
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    def sheet_rows(sheet, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([None] * len(header))
            for column, value in enumerate(row, start=1):
                target = sheet.cell(row=sheet.max_row, column=column)
                # Control characters from a PDF are not allowed in the file format.
                target.value = ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value
                if isinstance(value, str):
                    target.data_type = "s"
        sheet.freeze_panes = "A2"

    book = Workbook()
    matrix = book.active
    matrix.title = "Matrix"
    flat = [[_excel_value(field, value) for field, value in record.items()] for record in records(review)]
    sheet_rows(matrix, EXPORT_FIELDS, flat)
    meta = meta or {}
    found = {p.id: meta.get(p.id, PaperMeta()) for p in review.papers}
    papers = book.create_sheet("Papers")
    sheet_rows(
        papers,
        ("paper_id", "title", "authors", "file", "pages", "doi", "year", "venue"),
        [
            [
                p.id,
                p.title,
                p.authors,
                p.filename,
                p.pages,
                found[p.id].doi,
                found[p.id].year,
                found[p.id].venue,
            ]
            for p in review.papers
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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
