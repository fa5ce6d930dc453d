"""The background ingest queue: dropped files wait in the registry (SQLite) and a staging folder, so a
page reload or an app restart loses nothing; one worker thread per process adds them one at a time.

A job is queued -> running -> added | duplicate | failed | cancelled. Cancelling a running job stops
its ingest at the next progress report, and the library's own atomicity removes what it had written.
A job left running by a process that died is queued again when the next queue opens.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from papertrail.export import plural
from papertrail.library import STAGES, IngestError, Library, _owner_alive, _owner_tag, pdf_sources
from papertrail.registry_db import ThreadConnections

QUEUED, RUNNING, CANCELLING = "queued", "running", "cancelling"
ADDED, DUPLICATE, FAILED, CANCELLED = "added", "duplicate", "failed", "cancelled"
ACTIVE = (QUEUED, RUNNING, CANCELLING)
# Share of one file's time each stage takes: embedding is by far the slowest step on a CPU, unless pages
# need OCR (a paper without scanned pages skips that share).
STAGE_WEIGHTS = {"extract": 0.1, "ocr": 0.4, "embed": 0.4, "index": 0.1}
_CANCEL_CHECK_S = 0.5  # how often a running ingest looks for a cancel

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ingest_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, filename TEXT NOT NULL, staged TEXT NOT NULL, status TEXT NOT NULL,
    stage TEXT DEFAULT '', fraction REAL DEFAULT 0, message TEXT DEFAULT '', paper_id TEXT DEFAULT '',
    queued_at REAL, started_at REAL, finished_at REAL, owner TEXT
);
CREATE INDEX IF NOT EXISTS ingest_jobs_status ON ingest_jobs (status);
"""


class IngestCancelled(Exception):
    """Raised inside a running ingest when its job was cancelled."""


def overall_fraction(stage: str, fraction: float) -> float:
    """0..1 through one file from the library's (stage, fraction of that stage) report."""
    if stage not in STAGES:
        return 0.0
    before = sum(STAGE_WEIGHTS[s] for s in STAGES[: STAGES.index(stage)])
    return min(1.0, before + STAGE_WEIGHTS[stage] * min(max(fraction, 0.0), 1.0))


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    filename: str
    status: str
    stage: str
    fraction: float  # through this file, 0..1
    message: str
    paper_id: str
    queued_at: float
    started_at: float | None
    finished_at: float | None


@dataclass(frozen=True, slots=True)
class QueueStatus:
    queued: int
    running: Job | None
    finished: int  # since the queue was last empty: added, duplicate, failed or cancelled
    eta_s: float | None  # None until one file has been timed

    @property
    def active(self) -> bool:
        return bool(self.queued or self.running)

    @property
    def progress(self) -> float:
        """0..1 through the current batch of files."""
        total = self.finished + self.queued + (1 if self.running else 0)
        done = self.finished + (self.running.fraction if self.running else 0.0)
        return done / total if total else 1.0


def _job(row: sqlite3.Row) -> Job:
    return Job(
        row["id"],
        row["filename"],
        row["status"],
        row["stage"],
        row["fraction"],
        row["message"],
        row["paper_id"],
        row["queued_at"],
        row["started_at"],
        row["finished_at"],
    )


class IngestQueue:
    def __init__(self, library: Library) -> None:
        self.library = library
        self.staging = library.settings.data_dir / "inbox"
        self.staging.mkdir(parents=True, exist_ok=True)
        self._path = library.settings.registry_path
        self._connections = ThreadConnections(self._path)
        self._worker: threading.Thread | None = None
        self._worker_lock = threading.Lock()
        with closing(sqlite3.connect(self._path, timeout=60)) as conn:
            conn.executescript(_SCHEMA)
        self._recover()

    def _db(self):
        return self._connections.transaction()

    def _recover(self) -> None:
        """Jobs whose process died mid-ingest go back to the queue (or end, if they were being cancelled)."""
        with self._db() as db:
            rows = db.execute("SELECT id, status, owner FROM ingest_jobs WHERE status IN (?, ?)", (RUNNING, CANCELLING))
            for row in rows.fetchall():
                if _owner_alive(row["owner"]):
                    continue
                if row["status"] == RUNNING:
                    db.execute(
                        "UPDATE ingest_jobs SET status = ?, stage = '', fraction = 0, owner = NULL WHERE id = ?",
                        (QUEUED, row["id"]),
                    )
                else:
                    self._end(db, row["id"], CANCELLED, "Cancelled.")

    # -- adding files ----------------------------------------------------------------------------

    def enqueue(self, filename: str, data: bytes) -> list[int]:
        """Queue one uploaded file; a zip queues every PDF inside it. Returns the new job ids."""
        staged = self.staging / f"{uuid.uuid4().hex}{Path(filename).suffix.lower() or '.pdf'}"
        staged.write_bytes(data)
        if staged.suffix != ".zip":
            return [self._add(filename, staged)]
        ids = []
        for name, source in pdf_sources(staged, self.library.settings.max_file_mb):
            if isinstance(source, IngestError):
                ids.append(self._add(name, None, source.message))
                continue
            member = self.staging / f"{uuid.uuid4().hex}.pdf"
            member.write_bytes(source)
            ids.append(self._add(name, member))
        staged.unlink(missing_ok=True)
        if not ids:
            ids.append(self._add(filename, None, "This zip file holds no PDF."))
        return ids

    def _add(self, filename: str, staged: Path | None, failure: str = "") -> int:
        name = Path(filename.replace("\\", "/")).name or "upload.pdf"  # a name, never a path
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO ingest_jobs (filename, staged, status, message, queued_at, finished_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    name,
                    str(staged or ""),
                    FAILED if failure else QUEUED,
                    failure,
                    time.time(),
                    time.time() if failure else None,
                ),
            )
            return int(cursor.lastrowid)

    # -- the worker ------------------------------------------------------------------------------

    def start(self) -> None:
        """Start this process's worker unless it is already running; it stops when the queue is empty."""
        with self._worker_lock:
            if self._worker is not None and self._worker.is_alive():
                return
            self._worker = threading.Thread(target=self._drain, name="papertrail-ingest", daemon=True)
            self._worker.start()

    def _drain(self) -> None:
        while self.run_next() is not None:
            pass

    def wait(self, timeout_s: float = 600) -> None:
        """Block until this process's worker has emptied the queue (tests; the app polls status())."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout_s)

    def run_next(self) -> Job | None:
        """Claim the oldest queued job and ingest it; None when nothing is queued."""
        with self._db() as db:
            row = db.execute("SELECT * FROM ingest_jobs WHERE status = ? ORDER BY id LIMIT 1", (QUEUED,)).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE ingest_jobs SET status = ?, started_at = ?, owner = ? WHERE id = ?",
                (RUNNING, time.time(), _owner_tag(), row["id"]),
            )
        job_id, staged = row["id"], Path(row["staged"])
        last_check = [0.0]

        def report(stage: str, fraction: float) -> None:
            now = time.monotonic()
            if now - last_check[0] < _CANCEL_CHECK_S and fraction < 1.0:
                return
            last_check[0] = now
            with self._db() as db:
                db.execute(
                    "UPDATE ingest_jobs SET stage = ?, fraction = ? WHERE id = ?",
                    (stage, overall_fraction(stage, fraction), job_id),
                )
                status = db.execute("SELECT status FROM ingest_jobs WHERE id = ?", (job_id,)).fetchone()[0]
            if status == CANCELLING and stage != "index":  # once indexing, the paper is as good as added
                raise IngestCancelled

        try:
            result = self.library.ingest(staged, filename=row["filename"], progress=report)
        except IngestCancelled:
            outcome = (CANCELLED, "Cancelled.", "")
        except IngestError as err:
            outcome = (FAILED, err.message, "")
        except Exception:  # a parser bug on one odd PDF must not stop the queue
            outcome = (FAILED, "An unexpected error occurred while reading this file.", "")
        else:
            paper = result.paper
            if result.duplicate:
                outcome = (DUPLICATE, f"Already in your library as “{paper.title}”.", paper.id)
            else:
                pages = f"{plural(paper.pages, 'page')}, {plural(paper.passages, 'passage')}"
                outcome = (ADDED, f"Added “{paper.title}”: {pages}.", paper.id)
        with self._db() as db:
            self._end(db, job_id, *outcome)
        return self.job(job_id)

    def _end(self, db: sqlite3.Connection, job_id: int, status: str, message: str, paper_id: str = "") -> None:
        row = db.execute("SELECT staged FROM ingest_jobs WHERE id = ?", (job_id,)).fetchone()
        if row and row["staged"]:
            Path(row["staged"]).unlink(missing_ok=True)
        db.execute(
            "UPDATE ingest_jobs SET status = ?, message = ?, paper_id = ?, fraction = ?, finished_at = ?, owner = NULL"
            " WHERE id = ?",
            (status, message, paper_id, 1.0 if status in (ADDED, DUPLICATE) else 0.0, time.time(), job_id),
        )

    # -- reading and cancelling ------------------------------------------------------------------

    def job(self, job_id: int) -> Job | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM ingest_jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def jobs(self, ids: list[int] | None = None, limit: int = 200) -> list[Job]:
        """The given jobs, or the newest `limit` jobs, oldest first."""
        with self._db() as db:
            if ids is not None:
                marks = ",".join("?" * len(ids))
                rows = db.execute(f"SELECT * FROM ingest_jobs WHERE id IN ({marks}) ORDER BY id", ids)  # noqa: S608
            else:
                rows = db.execute(
                    "SELECT * FROM (SELECT * FROM ingest_jobs ORDER BY id DESC LIMIT ?) ORDER BY id", (limit,)
                )
            return [_job(r) for r in rows.fetchall()]

    def status(self) -> QueueStatus:
        with self._db() as db:
            queued = db.execute("SELECT COUNT(*) FROM ingest_jobs WHERE status = ?", (QUEUED,)).fetchone()[0]
            row = db.execute(
                "SELECT * FROM ingest_jobs WHERE status IN (?, ?) LIMIT 1", (RUNNING, CANCELLING)
            ).fetchone()
            # The batch: jobs finished since the last moment nothing was queued (the oldest active job's queue time).
            since = db.execute("SELECT MIN(queued_at) FROM ingest_jobs WHERE status IN (?, ?, ?)", ACTIVE).fetchone()[0]
            finished = 0
            if since is not None:
                finished = db.execute(
                    "SELECT COUNT(*) FROM ingest_jobs WHERE status NOT IN (?, ?, ?) AND finished_at >= ?",
                    (*ACTIVE, since),
                ).fetchone()[0]
            timed = [
                r[0]
                for r in db.execute(
                    "SELECT finished_at - started_at FROM ingest_jobs WHERE status = ? ORDER BY id DESC LIMIT 20",
                    (ADDED,),
                )
            ]
        running = _job(row) if row else None
        eta = None
        if timed and (queued or running):
            per_file = sum(timed) / len(timed)
            eta = per_file * (queued + (1 - running.fraction if running else 0))
        return QueueStatus(queued, running, finished, eta)

    def cancel(self, job_ids: list[int] | None = None) -> int:
        """Cancel queued or running jobs (all when None); returns how many were cancelled."""
        with self._db() as db:
            clause, params = (
                ("", ()) if job_ids is None else (f" AND id IN ({','.join('?' * len(job_ids))})", tuple(job_ids))
            )
            rows = db.execute(
                f"SELECT id, status FROM ingest_jobs WHERE status IN (?, ?){clause}",  # noqa: S608
                (QUEUED, RUNNING, *params),
            ).fetchall()
            for row in rows:
                if row["status"] == QUEUED:
                    self._end(db, row["id"], CANCELLED, "Cancelled.")
                else:
                    db.execute("UPDATE ingest_jobs SET status = ? WHERE id = ?", (CANCELLING, row["id"]))
        return len(rows)

    def clear_finished(self) -> None:
        with self._db() as db:
            db.execute("DELETE FROM ingest_jobs WHERE status NOT IN (?, ?, ?)", ACTIVE)
