"""Answered cells in SQLite: a run is resumable because each paper's cells are stored as they are answered."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from papertrail.history import answer_from_dict, answer_to_dict
from papertrail.models import Paper
from papertrail.review.battery import Battery
from papertrail.review.matrix import Cell, Decision, Verification
from papertrail.review.metadata import PaperMeta
from papertrail.review.provenance import Provenance, backend_name
from papertrail.settings import Settings

_VERIFICATION_FIELDS = "paper_id, key, reviewer, decision, at, tool_reported, tool_answer, note, answer, page, settles"
_STORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS cells (
    battery TEXT NOT NULL, backend TEXT NOT NULL, paper_id TEXT NOT NULL, key TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, seconds REAL NOT NULL, answered_at TEXT NOT NULL,
    PRIMARY KEY (battery, backend, paper_id, key)
);
-- Every machine answer ever stored, append-only: reruns are compared and audited against it.
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    battery TEXT NOT NULL, backend TEXT NOT NULL, paper_id TEXT NOT NULL, key TEXT NOT NULL,
    question TEXT NOT NULL, answer TEXT NOT NULL, provenance TEXT NOT NULL, answered_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_cell ON answers (battery, backend, paper_id, key);
-- Reviewers' decisions, append-only: the audit log keeps every one, the latest per reviewer counts.
CREATE TABLE IF NOT EXISTS verifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    battery TEXT NOT NULL, backend TEXT NOT NULL, paper_id TEXT NOT NULL, key TEXT NOT NULL,
    reviewer TEXT NOT NULL, decision TEXT NOT NULL, at TEXT NOT NULL,
    tool_reported INTEGER NOT NULL, tool_answer TEXT NOT NULL,
    note TEXT NOT NULL, answer TEXT NOT NULL, page INTEGER, settles INTEGER NOT NULL
);
-- DOI, year and venue per paper: found in the PDF once, or as a reviewer edited them.
CREATE TABLE IF NOT EXISTS paper_meta (
    paper_id TEXT PRIMARY KEY, doi TEXT NOT NULL, year TEXT NOT NULL, venue TEXT NOT NULL,
    edited INTEGER NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS verifications_cell ON verifications (battery, backend, paper_id, key);
"""


def _provenance(raw: str) -> Provenance | None:
    return Provenance.from_json(raw) if raw else None


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
            columns = {row[1] for row in db.execute("PRAGMA table_info(cells)")}
            if "provenance" not in columns:  # a store written before cells recorded what produced them
                db.execute("ALTER TABLE cells ADD COLUMN provenance TEXT NOT NULL DEFAULT ''")

    @classmethod
    def for_settings(cls, settings: Settings) -> ReviewStore:
        return cls(review_db_path(settings), backend_name(settings))

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
                "SELECT key, question, answer, seconds, provenance FROM cells"
                " WHERE battery = ? AND backend = ? AND paper_id = ?",
                (battery.fingerprint, self.backend, paper.id),
            ).fetchall()
        wanted = set(battery.keys)
        return {
            key: Cell(paper, key, question, answer_from_dict(json.loads(answer)), seconds, _provenance(provenance))
            for key, question, answer, seconds, provenance in rows
            if key in wanted
        }

    def save(self, battery: Battery, cells: Sequence[Cell]) -> None:
        """All of them in one transaction (a paper's cells land together or not at all), and into the log."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        rows = [
            (
                battery.fingerprint,
                self.backend,
                c.paper.id,
                c.key,
                c.question,
                json.dumps(answer_to_dict(c.answer)),
                c.provenance.to_json() if c.provenance else "",
            )
            for c in cells
        ]
        with self._db() as db:
            db.executemany(
                "INSERT OR REPLACE INTO cells"
                " (battery, backend, paper_id, key, question, answer, provenance, seconds, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(*row, c.seconds, now) for row, c in zip(rows, cells, strict=True)],
            )
            db.executemany(
                "INSERT INTO answers (battery, backend, paper_id, key, question, answer, provenance, answered_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(*row, now) for row in rows],
            )

    def answer_log(self, battery: Battery, papers: Sequence[Paper], last_two: bool = False) -> list[tuple[str, Cell]]:
        """Every answer stored for these papers' cells, oldest first, with when it was stored; with
        `last_two`, only the two newest of cells answered more than once (what a rerun compares)."""
        by_id, keys = {p.id: p for p in papers}, set(battery.keys)
        # Numbered newest first per cell, and counted, so a rerun's comparison parses no older answers.
        with self._db() as db:
            rows = db.execute(
                "SELECT paper_id, key, question, answer, provenance, answered_at FROM ("
                " SELECT *, ROW_NUMBER() OVER (PARTITION BY paper_id, key ORDER BY id DESC) AS newest,"
                " COUNT(*) OVER (PARTITION BY paper_id, key) AS answered"
                " FROM answers WHERE battery = ? AND backend = ?)"
                " WHERE ? = 0 OR (newest <= 2 AND answered > 1) ORDER BY id",
                (battery.fingerprint, self.backend, int(last_two)),
            ).fetchall()
        return [
            (at, Cell(by_id[pid], key, question, answer_from_dict(json.loads(answer)), 0.0, _provenance(provenance)))
            for pid, key, question, answer, provenance, at in rows
            if pid in by_id and key in keys
        ]

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

    def add_verification(self, battery: Battery, verification: Verification) -> None:
        v = verification
        with self._db() as db:
            db.execute(
                f"INSERT INTO verifications (battery, backend, {_VERIFICATION_FIELDS})"  # noqa: S608 - our own field list
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    battery.fingerprint,
                    self.backend,
                    v.paper_id,
                    v.key,
                    v.reviewer,
                    v.decision.value,
                    v.at,
                    int(v.tool_reported),
                    v.tool_answer,
                    v.note,
                    v.answer,
                    v.page,
                    int(v.settles),
                ),
            )

    def verifications(self, battery: Battery, paper_ids: Sequence[str]) -> list[Verification]:
        """Every decision on these papers' cells of this battery, oldest first."""
        wanted, keys = set(paper_ids), set(battery.keys)
        with self._db() as db:
            rows = db.execute(
                f"SELECT {_VERIFICATION_FIELDS} FROM verifications"  # noqa: S608 - our own field list
                " WHERE battery = ? AND backend = ? ORDER BY id",
                (battery.fingerprint, self.backend),
            ).fetchall()
        return [
            Verification(
                paper_id=paper_id,
                key=key,
                reviewer=reviewer,
                decision=Decision(decision),
                at=at,
                tool_reported=bool(tool_reported),
                tool_answer=tool_answer,
                note=note,
                answer=answer,
                page=page,
                settles=bool(settles),
            )
            for paper_id, key, reviewer, decision, at, tool_reported, tool_answer, note, answer, page, settles in rows
            if paper_id in wanted and key in keys
        ]

    def paper_meta(self, paper_ids: Sequence[str]) -> dict[str, PaperMeta]:
        """Stored metadata of these papers (those found or edited before)."""
        wanted = set(paper_ids)
        with self._db() as db:
            rows = db.execute("SELECT paper_id, doi, year, venue, edited FROM paper_meta").fetchall()
        return {
            pid: PaperMeta(doi, year, venue, bool(edited)) for pid, doi, year, venue, edited in rows if pid in wanted
        }

    def save_paper_meta(self, paper_id: str, meta: PaperMeta) -> None:
        with self._db() as db:
            db.execute(
                "INSERT OR REPLACE INTO paper_meta (paper_id, doi, year, venue, edited, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    paper_id,
                    meta.doi,
                    meta.year,
                    meta.venue,
                    int(meta.edited),
                    datetime.now(UTC).isoformat(timespec="seconds"),
                ),
            )
