"""A question battery asked of many papers: the review matrix, its resumable run, exports and timing.

The CLI, the Review page, the tests and the benchmark all go through this module; it imports no
streamlit. A run answers one paper at a time with `Answerer.ask_many` (so retrieval work is shared
across a paper's questions) and persists each paper's cells as soon as they are answered, keyed by
battery fingerprint + paper id + question key, so a run that is killed continues where it stopped.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from papertrail.export import escape_markdown
from papertrail.history import answer_from_dict, answer_to_dict
from papertrail.models import Answer, Paper
from papertrail.settings import Settings

if TYPE_CHECKING:
    from papertrail.library import Library

BUILTIN_DIR = Path(__file__).resolve().parent / "batteries"
DEFAULT_BATTERY = "Deep-learning reproducibility checklist"
NOT_REPORTED = "not reported"
CHECK = "check"  # an uncertain cell: the reviewer should read the evidence
_VALUE_BEFORE_QUOTE = " — “"
MAX_ITEMS = 200
MAX_QUESTION_CHARS = 500
MAX_NAME_CHARS = 80

_KEY = re.compile(r"^[A-Za-z0-9_][\w.-]{0,39}$")
# "key: question" -- the key has no spaces and a space must follow the colon, so "https://..." is no key.
_KEYED_LINE = re.compile(r"^([A-Za-z0-9_][\w.-]{0,39})\s*:\s+(\S.*)$")
_NAME_HEADER = re.compile(r"^#\s*name\s*:\s*(.+)$", re.IGNORECASE)
# Words left out of keys derived from a question ("Which GPU was used?" -> "gpu_used").
_QUESTION_WORDS = "a an and are as at be by did do does for from how in is it of on or the to was were what when where"
_KEY_STOPWORDS = frozenset((_QUESTION_WORDS + " which who why with").split())
_SPREADSHEET_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# -- batteries ---------------------------------------------------------------------------------------


class BatteryError(ValueError):
    """A battery could not be read, resolved or saved; the message says why."""


@dataclass(frozen=True, slots=True)
class BatteryItem:
    key: str  # short column label, e.g. "hardware"
    question: str


@dataclass(frozen=True, slots=True)
class Battery:
    name: str
    items: tuple[BatteryItem, ...]
    builtin: bool = False

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]

    @property
    def questions(self) -> list[str]:
        return [item.question for item in self.items]

    @property
    def fingerprint(self) -> str:
        """Identifies the questions asked: editing any question starts a fresh set of cells."""
        canonical = "\n".join(f"{item.key}\t{item.question}" for item in self.items)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:limit].strip("_")


def _derive_key(question: str, taken: set[str]) -> str:
    """A column label from the question's first content words: "Which GPU was used?" -> "gpu_used"."""
    words = [w for w in re.findall(r"[a-z0-9]+", question.lower()) if w not in _KEY_STOPWORDS]
    base = "_".join(words[:3])[:32] or "q"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def make_battery(name: str, rows: Sequence[tuple[str, str]], builtin: bool = False) -> Battery:
    """Validate (key, question) rows; an empty key is derived from the question."""
    name = " ".join(name.split())
    if not name:
        raise BatteryError("A battery needs a name.")
    if len(name) > MAX_NAME_CHARS:
        raise BatteryError(f"The battery name is longer than {MAX_NAME_CHARS} characters.")
    items: list[BatteryItem] = []
    taken: set[str] = set()
    for number, (raw_key, raw_question) in enumerate(rows, start=1):
        question = " ".join(raw_question.split())
        key = raw_key.strip() or _derive_key(question, taken)
        if not question:
            raise BatteryError(f"Question {number} ({key}) is empty.")
        if len(question) > MAX_QUESTION_CHARS:
            raise BatteryError(f"Question {number} ({key}) is longer than {MAX_QUESTION_CHARS} characters.")
        if not _KEY.match(key):
            raise BatteryError(
                f"Question {number}: the key {key!r} must be up to 40 letters, digits, '_', '-' or '.', without spaces."
            )
        if key in taken:
            raise BatteryError(f"Question {number}: the key {key!r} is used twice.")
        taken.add(key)
        items.append(BatteryItem(key, question))
    if not items:
        raise BatteryError("The battery has no questions.")
    if len(items) > MAX_ITEMS:
        raise BatteryError(f"The battery has {len(items)} questions; the limit is {MAX_ITEMS}.")
    return Battery(name, tuple(items), builtin)


def parse_battery_text(text: str, name: str = "", builtin: bool = False) -> Battery:
    """One question per line, optionally "key: question"; '#' lines are comments, "# name: X" names it."""
    rows: list[tuple[str, str]] = []
    for line in text.splitlines():
        line = line.strip()
        header = _NAME_HEADER.match(line)
        if header and not name:
            name = header.group(1)
        if not line or line.startswith("#"):
            continue
        keyed = _KEYED_LINE.match(line)
        rows.append((keyed.group(1), keyed.group(2)) if keyed else ("", line))
    return make_battery(name, rows, builtin)


def parse_battery_csv(text: str, name: str) -> Battery:
    """Rows of key,question (a header row "key,question" is optional); a one-column row is a question."""
    rows: list[tuple[str, str]] = []
    for number, row in enumerate(csv.reader(io.StringIO(text))):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if number == 0 and [c.lower() for c in cells[:2]] == ["key", "question"]:
            continue
        rows.append(("", cells[0]) if len(cells) == 1 else (cells[0], ",".join(cells[1:])))
    return make_battery(name, rows)


def parse_battery_file(filename: str, data: bytes | str) -> Battery:
    """An uploaded or given file: CSV by extension, plain text otherwise; named after the file if unnamed."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    stem = Path(filename).stem.replace("_", " ").strip()
    if filename.lower().endswith(".csv"):
        return parse_battery_csv(text, stem)
    named = any(_NAME_HEADER.match(line.strip()) for line in text.splitlines())
    return parse_battery_text(text, "" if named else stem)


def battery_to_text(battery: Battery) -> str:
    lines = [f"# name: {battery.name}"] + [f"{item.key}: {item.question}" for item in battery.items]
    return "\n".join(lines) + "\n"


def battery_to_csv(battery: Battery) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["key", "question"])
    writer.writerows([item.key, item.question] for item in battery.items)
    return buffer.getvalue()


def builtin_batteries() -> list[Battery]:
    return [parse_battery_text(p.read_text(), builtin=True) for p in sorted(BUILTIN_DIR.glob("*.txt"))]


def builtin_battery(name: str = DEFAULT_BATTERY) -> Battery:
    return next(b for b in builtin_batteries() if b.name == name)


def user_battery_dir(settings: Settings) -> Path:
    return settings.data_dir / "batteries"


def user_batteries(settings: Settings) -> list[Battery]:
    folder = user_battery_dir(settings)
    return [parse_battery_text(p.read_text()) for p in sorted(folder.glob("*.txt"))] if folder.is_dir() else []


def all_batteries(settings: Settings) -> list[Battery]:
    return builtin_batteries() + user_batteries(settings)


def save_battery(settings: Settings, battery: Battery) -> Path:
    """Store a user battery (same name = same file, replaced atomically); built-in names are reserved."""
    if any(_slug(b.name) == _slug(battery.name) for b in builtin_batteries()):
        raise BatteryError(f"{battery.name!r} is a built-in battery; save your version under another name.")
    folder = user_battery_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{_slug(battery.name) or 'battery'}.txt"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(battery_to_text(battery))
    tmp.replace(path)
    return path


def delete_battery(settings: Settings, name: str) -> bool:
    path = user_battery_dir(settings) / f"{_slug(name)}.txt"
    if not path.is_file():
        return False
    path.unlink()
    return True


def resolve_battery(spec: str, settings: Settings) -> Battery:
    """A battery by name (built-in or saved, case-insensitive, or the built-in file's stem) or a file path."""
    wanted = _slug(spec)
    for battery in all_batteries(settings):
        if _slug(battery.name) == wanted:
            return battery
    for path in BUILTIN_DIR.glob("*.txt"):
        if _slug(path.stem) == wanted:
            return parse_battery_text(path.read_text(), builtin=True)
    path = Path(spec)
    if path.is_file():
        return parse_battery_file(path.name, path.read_bytes())
    names = ", ".join(repr(b.name) for b in all_batteries(settings))
    raise BatteryError(f"No battery or file {spec!r}. Known batteries: {names}.")


# -- cells -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cell:
    """One paper x question of the matrix."""

    paper: Paper
    key: str
    question: str
    answer: Answer
    seconds: float = 0.0  # answering time attributed to this cell

    @property
    def reported(self) -> bool:
        return self.answer.answerable

    @property
    def confidence(self) -> float:
        return self.answer.verdict.confidence

    @property
    def uncertain(self) -> bool:
        return self.answer.verdict.uncertain

    @property
    def pages(self) -> list[int]:
        return sorted({ev.page for ev in self.answer.evidence})

    def short(self, width: int = 70) -> str:
        """What the matrix shows: the extracted value (before the quote that backs it), or "not reported"."""
        if not self.reported:
            return NOT_REPORTED
        # The extractive answerer writes 'value — “quoted sentence” (p. N)'; other answers are shown whole.
        text = " ".join(self.answer.text.split()).split(_VALUE_BEFORE_QUOTE, 1)[0]
        return text if len(text) <= width else text[: width - 1].rstrip() + "…"

    def label(self, width: int = 70) -> str:
        mark = f"{CHECK}: " if self.uncertain else ""
        return f"{mark}{self.short(width)} ({self.confidence:.0%})"


_STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS cells (
    battery TEXT NOT NULL, backend TEXT NOT NULL, paper_id TEXT NOT NULL, key TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, seconds REAL NOT NULL, answered_at TEXT NOT NULL,
    PRIMARY KEY (battery, backend, paper_id, key)
);
"""


def review_db_path(settings: Settings) -> Path:
    return settings.data_dir / "review.sqlite"


class ReviewStore:
    """Answered cells in SQLite, keyed by battery fingerprint + paper id + question key.

    Cells are also kept apart per answering backend, so switching to an LLM (Settings page) never
    shows answers written by another backend as if they were its own.
    """

    def __init__(self, path: Path, backend: str = "extractive") -> None:
        self.path = path
        self.backend = backend
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_STORE_SCHEMA)

    @classmethod
    def for_settings(cls, settings: Settings) -> ReviewStore:
        backend = (
            settings.answerer if settings.answerer == "extractive" else f"{settings.answerer}:{settings.llm_model}"
        )
        return cls(review_db_path(settings), backend)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        # A short-lived connection per use: pages run on several threads, the CLI in another process.
        with closing(sqlite3.connect(self.path, timeout=60)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            with conn:
                yield conn

    def load(self, battery: Battery, paper: Paper) -> dict[str, Cell]:
        """The paper's stored cells for this battery, by question key."""
        with self._db() as db:
            rows = db.execute(
                "SELECT key, question, answer, seconds FROM cells WHERE battery = ? AND backend = ? AND paper_id = ?",
                (battery.fingerprint, self.backend, paper.id),
            ).fetchall()
        wanted = set(battery.keys)
        return {
            key: Cell(paper, key, question, answer_from_dict(json.loads(answer)), seconds)
            for key, question, answer, seconds in rows
            if key in wanted
        }

    def save(self, battery: Battery, cells: Sequence[Cell]) -> None:
        """All of them in one transaction: a paper's cells land together or not at all."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._db() as db:
            db.executemany(
                "INSERT OR REPLACE INTO cells (battery, backend, paper_id, key, question, answer, seconds, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        battery.fingerprint,
                        self.backend,
                        c.paper.id,
                        c.key,
                        c.question,
                        json.dumps(answer_to_dict(c.answer)),
                        c.seconds,
                        now,
                    )
                    for c in cells
                ],
            )

    def forget(self, battery: Battery, paper_ids: Sequence[str]) -> int:
        """Drop stored cells so the next run answers them again (e.g. after the answerer improved)."""
        with self._db() as db:
            return sum(
                db.execute(
                    "DELETE FROM cells WHERE battery = ? AND backend = ? AND paper_id = ?",
                    (battery.fingerprint, self.backend, pid),
                ).rowcount
                for pid in paper_ids
            )


# -- the run -----------------------------------------------------------------------------------------


class BatchAnswerer(Protocol):
    def ask(self, question: str, paper_ids: Sequence[str]) -> Answer: ...

    def ask_many(self, questions: Sequence[str], paper_ids: Sequence[str]) -> list[Answer]: ...


# (cells done, cells in all, what is happening now)
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Review:
    """The matrix: papers (rows) x battery questions (columns); a missing cell was not answered yet."""

    battery: Battery
    papers: tuple[Paper, ...]
    cells: Mapping[tuple[str, str], Cell]  # (paper id, question key) -> cell

    def cell(self, paper_id: str, key: str) -> Cell | None:
        return self.cells.get((paper_id, key))

    @property
    def size(self) -> int:
        return len(self.papers) * len(self.battery.items)

    @property
    def complete(self) -> bool:
        return len(self.cells) == self.size

    def ordered(self) -> list[Cell]:
        """Cells paper by paper, questions in battery order."""
        found = (self.cell(p.id, key) for p in self.papers for key in self.battery.keys)
        return [c for c in found if c is not None]


def _papers(library: Library, paper_ids: Sequence[str]) -> tuple[Paper, ...]:
    papers = []
    for paper_id in dict.fromkeys(paper_ids):  # keep order, drop repeats
        paper = library.paper(paper_id)
        if paper is None:
            raise KeyError(f"No paper with id {paper_id} in the library.")
        papers.append(paper)
    return tuple(papers)


def load_review(library: Library, paper_ids: Sequence[str], battery: Battery, store: ReviewStore) -> Review:
    """What has been answered so far, without answering anything."""
    papers = _papers(library, paper_ids)
    cells = {(p.id, key): c for p in papers for key, c in store.load(battery, p).items()}
    return Review(battery, papers, cells)


def run(
    library: Library,
    answerer: BatchAnswerer,
    paper_ids: Sequence[str],
    battery: Battery,
    store: ReviewStore,
    progress: Progress | None = None,
) -> Review:
    """Answer every missing cell, one `ask_many` pass per paper, saving each paper's cells as it finishes."""
    report = progress or (lambda done, total, message: None)
    papers = _papers(library, paper_ids)
    total = len(papers) * len(battery.items)
    cells: dict[tuple[str, str], Cell] = {}
    for number, paper in enumerate(papers, start=1):
        stored = store.load(battery, paper)
        missing = [item for item in battery.items if item.key not in stored]
        if missing:
            report(
                len(cells) + len(stored),
                total,
                f"Paper {number}/{len(papers)}: {paper.title} ({len(missing)} questions)",
            )
            started = time.perf_counter()
            answers = answerer.ask_many([item.question for item in missing], [paper.id])
            per_cell = (time.perf_counter() - started) / len(missing)
            fresh = [
                Cell(paper, item.key, item.question, a, per_cell) for item, a in zip(missing, answers, strict=True)
            ]
            store.save(battery, fresh)
            stored.update({c.key: c for c in fresh})
        cells.update({(paper.id, key): c for key, c in stored.items()})
    report(len(cells), total, "Done")
    return Review(battery, papers, cells)


# -- summaries ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coverage:
    key: str
    question: str
    reported: int
    answered: int  # cells with a verdict so far (reported or not)

    @property
    def fraction(self) -> float:
        return self.reported / self.answered if self.answered else 0.0


def question_coverage(review: Review) -> list[Coverage]:
    """Per question: in how many papers it is reported."""
    result = []
    for item in review.battery.items:
        found = [c for p in review.papers if (c := review.cell(p.id, item.key)) is not None]
        result.append(Coverage(item.key, item.question, sum(c.reported for c in found), len(found)))
    return result


def paper_gaps(review: Review) -> dict[str, list[str]]:
    """Per paper id: the keys of the questions it does not report."""
    return {
        p.id: [k for k in review.battery.keys if (c := review.cell(p.id, k)) is not None and not c.reported]
        for p in review.papers
    }


# -- exports -----------------------------------------------------------------------------------------

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


def _spreadsheet_safe(value: str) -> str:
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
        writer.writerow({k: _spreadsheet_safe(v) if isinstance(v, str) else v for k, v in row.items()})
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


# -- command line and benchmark ----------------------------------------------------------------------


def run_review_cli(library: Library, papers_dir: Path, battery: str, out: Path) -> int:
    """`python -m papertrail review`: ingest the folder's PDFs, answer the battery, write CSV/JSON/MD."""
    from papertrail.answering import Answerer
    from papertrail.cli import _ingest_all

    try:
        chosen = resolve_battery(battery, library.settings)
    except BatteryError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    pdfs = sorted(p for p in papers_dir.glob("*") if p.suffix.lower() == ".pdf")
    if not pdfs:
        print(f"error: no PDF files in {papers_dir}", file=sys.stderr)
        return 2
    ids = _ingest_all(library, pdfs)
    if not ids:
        return 1

    def progress(done: int, total: int, message: str) -> None:
        print(f"[{done}/{total} cells] {message}", file=sys.stderr)

    store = ReviewStore.for_settings(library.settings)
    review = run(library, Answerer(library), list(ids.values()), chosen, store, progress)
    for path in write_exports(review, out):
        print(f"wrote {path}", file=sys.stderr)
    return 0 if len(ids) == len(pdfs) else 1


def bench_review(
    library: Library,
    paper_ids: Sequence[str],
    battery: Battery | None = None,
    make_answerer: Callable[[Library], BatchAnswerer] | None = None,
) -> dict[str, float]:
    """Seconds per cell of a review run (ask_many per paper, cells stored) vs one `ask` call per cell.

    Each side gets a fresh answerer after a shared warm-up, so neither pays the model load and
    neither inherits the other's per-answerer caches.
    """
    if make_answerer is None:
        from papertrail.answering import Answerer

        make_answerer = Answerer
    battery = battery or builtin_battery()
    cells = len(paper_ids) * len(battery.items)
    make_answerer(library).ask(battery.items[0].question, list(paper_ids[:1]))

    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        run(library, make_answerer(library), paper_ids, battery, ReviewStore(Path(tmp) / "bench.sqlite"))
    review_seconds = time.perf_counter() - started

    single = make_answerer(library)
    started = time.perf_counter()
    for paper_id in paper_ids:
        for question in battery.questions:
            single.ask(question, [paper_id])
    single_seconds = time.perf_counter() - started

    per_cell = review_seconds / cells
    single_per_cell = single_seconds / cells
    return {
        "cells": cells,
        "review_seconds": round(review_seconds, 3),
        "single_call_seconds": round(single_seconds, 3),
        "seconds_per_cell": round(per_cell, 4),
        "single_call_seconds_per_cell": round(single_per_cell, 4),
        "ratio": round(per_cell / single_per_cell, 3),
    }
