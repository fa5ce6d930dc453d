"""The paper library: ingest, list and delete, with a SQLite registry beside the vector index.

A paper is either fully indexed or absent. Ingest registers the paper as `pending`, writes its
vectors, then stores its passages and flips it to `ready` in one transaction. A process killed in
between leaves a `pending` row that the next Library to open removes, vectors and all.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sqlite3
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from papertrail import lexical
from papertrail.embedding import MiniLMEmbedding
from papertrail.index import PassageIndex
from papertrail.models import Paper, Passage, PassageKind
from papertrail.pdf.chunk import chunk
from papertrail.pdf.extract import ExtractionError, extract
from papertrail.registry_db import ThreadConnections
from papertrail.settings import Settings, default_settings

# Stages reported to the progress callback, in order; "ocr" only for a PDF with scanned pages.
STAGES = ("extract", "ocr", "embed", "index")
Progress = Callable[[str, float], None]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    id TEXT PRIMARY KEY, sha256 TEXT UNIQUE NOT NULL, title TEXT, authors TEXT, pages INTEGER,
    filename TEXT, added_at TEXT, passages INTEGER DEFAULT 0, warnings TEXT DEFAULT '[]',
    status TEXT NOT NULL, owner TEXT, ocr_pages TEXT DEFAULT '[]', year INTEGER
);
CREATE TABLE IF NOT EXISTS passages (
    paper_id TEXT NOT NULL, ordinal INTEGER NOT NULL, page INTEGER, section TEXT, kind TEXT,
    text TEXT, words TEXT, PRIMARY KEY (paper_id, ordinal)
);
"""


class IngestError(Exception):
    """One file could not be added; `message` says why in words the user can act on."""

    def __init__(self, code: str, message: str, filename: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.filename = filename


@dataclass(frozen=True)
class IngestResult:
    paper: Paper
    duplicate: bool  # the same file (by content) was already in the library


def pdf_sources(path: Path, max_file_mb: int) -> Iterator[tuple[str, Path | bytes | IngestError]]:
    """The PDFs a path stands for, as (file name, path or bytes): a PDF, every PDF and zip under a
    folder, or every PDF inside a zip (read one member at a time). A file that cannot be read comes
    as an IngestError in place of its content, so it fails alone and the others still go in."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in (".pdf", ".zip"):
                yield from pdf_sources(child, max_file_mb)
        return
    if path.suffix.lower() != ".zip":
        yield path.name, path
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        yield path.name, IngestError("bad_zip", f"{path.name} is not a readable zip file.", path.name)
        return
    with archive:
        for member in archive.infolist():
            name = Path(member.filename).name
            if member.is_dir() or not name.lower().endswith(".pdf") or name.startswith("."):
                continue
            if member.file_size > max_file_mb * 1024 * 1024:  # never inflated
                message = f"{name} in {path.name} is over the {max_file_mb} MB limit (PAPERTRAIL_MAX_FILE_MB)."
                yield name, IngestError("too_large", message, name)
                continue
            yield name, archive.read(member)


_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


def first_page_year(passages: Sequence[Passage]) -> int:
    """The year most often named on the first page (dates, the citation line, the copyright); 0 if none."""
    now = datetime.now(UTC).year
    years = Counter(int(y) for p in passages if p.page == 1 for y in _YEAR.findall(p.text) if int(y) <= now)
    return years.most_common(1)[0][0] if years else 0


def _owner_tag() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _owner_alive(owner: str | None) -> bool:
    """Whether the process that registered a pending paper may still be writing it."""
    host, _, pid = (owner or "").partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _paper_from_row(row: sqlite3.Row) -> Paper:
    return Paper(
        id=row["id"],
        title=row["title"] or row["filename"],
        authors=row["authors"] or "",
        pages=row["pages"],
        sha256=row["sha256"],
        filename=row["filename"],
        added_at=row["added_at"],
        passages=row["passages"],
        warnings=tuple(json.loads(row["warnings"] or "[]")),
        ocr_pages=tuple(json.loads(row["ocr_pages"] or "[]")),
        year=row["year"] or None,
    )


def _passage_from_row(r: sqlite3.Row) -> Passage:
    return Passage(
        paper_id=r["paper_id"],
        ordinal=r["ordinal"],
        text=r["text"],
        page=r["page"],
        section=r["section"],
        kind=PassageKind(r["kind"]),
        words=Passage.words_from_json(r["words"]),
    )


class Library:
    def __init__(self, settings: Settings | None = None, embed_model: MiniLMEmbedding | None = None) -> None:
        self.settings = settings or default_settings()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.settings.pdf_dir.mkdir(parents=True, exist_ok=True)
        self.index = PassageIndex(self.settings, embed_model or MiniLMEmbedding())
        self._connections = ThreadConnections(self.settings.registry_path)
        with closing(sqlite3.connect(self.settings.registry_path, timeout=60)) as conn:
            conn.executescript(_SCHEMA)  # executescript manages its own transaction
        self._migrate()
        self.recover()

    # -- storage -------------------------------------------------------------------------------

    def _db(self):
        return self._connections.transaction()

    def _migrate(self) -> None:
        """Bring a registry from an earlier version up to date, atomically: the FTS5 table (its passages
        indexed), the pages read by OCR and the papers' year."""
        with self._db() as db:
            db.create_function("lexical_terms", 1, lambda text: " ".join(lexical.tokenize(text or "")))
            if not db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (lexical.TABLE,)).fetchone():
                db.execute(lexical.SCHEMA)
                db.execute(
                    f"INSERT INTO {lexical.TABLE} (terms, paper_id, ordinal)"  # noqa: S608
                    " SELECT lexical_terms(text), paper_id, ordinal FROM passages"
                )
            columns = {r["name"] for r in db.execute("PRAGMA table_info(papers)")}
            if "ocr_pages" not in columns:
                db.execute("ALTER TABLE papers ADD COLUMN ocr_pages TEXT DEFAULT '[]'")
            if "year" not in columns:
                db.execute("ALTER TABLE papers ADD COLUMN year INTEGER")
                for (paper_id,) in db.execute("SELECT id FROM papers").fetchall():
                    rows = db.execute("SELECT * FROM passages WHERE paper_id = ? AND page = 1", (paper_id,))
                    year = first_page_year([_passage_from_row(r) for r in rows])
                    db.execute("UPDATE papers SET year = ? WHERE id = ?", (year, paper_id))

    def recover(self) -> list[str]:
        """Remove papers left half-written by a killed ingest or delete; returns their ids."""
        with self._db() as db:
            rows = db.execute("SELECT id, owner FROM papers WHERE status != 'ready'").fetchall()
        stale = [r["id"] for r in rows if not _owner_alive(r["owner"])]
        for paper_id in stale:
            self._purge(paper_id)
        return stale

    def _purge(self, paper_id: str) -> None:
        self.index.delete_paper(paper_id)
        self._pdf_file(paper_id).unlink(missing_ok=True)
        with self._db() as db:
            db.execute("DELETE FROM passages WHERE paper_id = ?", (paper_id,))
            lexical.delete_paper(db, paper_id)
            db.execute("DELETE FROM papers WHERE id = ?", (paper_id,))

    def _pdf_file(self, paper_id: str) -> Path:
        return self.settings.pdf_dir / f"{paper_id}.pdf"

    # -- public API ----------------------------------------------------------------------------

    def ingest(self, source: Path | bytes, filename: str = "", progress: Progress | None = None) -> IngestResult:
        """Add one PDF. Raises IngestError with a plain reason; never leaves a partial paper behind."""
        data, filename = self._read_source(source, filename)
        sha = hashlib.sha256(data).hexdigest()
        paper_id = sha[:16]
        existing = self.paper(paper_id)
        if existing is not None:
            return IngestResult(existing, duplicate=True)

        report = progress or (lambda stage, fraction: None)
        try:
            extracted = extract(
                data,
                paper_id,
                max_pages=self.settings.max_pages,
                progress=lambda done, total: report("extract", done / max(1, total)),
                ocr_progress=lambda done, total: report("ocr", done / max(1, total)),
                ocr_dpi=self.settings.ocr_dpi,
            )
        except ExtractionError as err:
            raise IngestError(err.code, err.message, filename) from err
        passages = chunk(extracted.passages, self.settings.chunk_words)
        if not passages:
            raise IngestError("no_text", "No readable text was found in this PDF.", filename)

        meta = (extracted.title, extracted.authors, extracted.pages, extracted.warnings, extracted.ocr_pages)
        return self._store(data, filename, meta, passages, None, report)

    def ingest_passages(
        self,
        data: bytes,
        filename: str,
        meta: tuple[str, str, int, Sequence[str], Sequence[int]],
        passages: Sequence[Passage],
        vectors: Sequence[list[float]],
    ) -> IngestResult:
        """Add a paper extracted and embedded elsewhere (an import; the scale benchmark): the same registry,
        indexes and atomicity as ingest, without reading or embedding again. meta: title, authors, pages,
        warnings, pages read by OCR; the passages are re-stamped with the id of `data`."""
        paper_id = hashlib.sha256(data).hexdigest()[:16]
        existing = self.paper(paper_id)
        if existing is not None:
            return IngestResult(existing, duplicate=True)
        passages = [replace(p, paper_id=paper_id) for p in passages]
        return self._store(data, filename, meta, passages, vectors, lambda stage, fraction: None)

    def _store(
        self,
        data: bytes,
        filename: str,
        meta: tuple[str, str, int, Sequence[str], Sequence[int]],
        passages: Sequence[Passage],
        vectors: Sequence[list[float]] | None,
        report: Progress,
    ) -> IngestResult:
        """Register the paper as pending, embed (unless given vectors), index, then flip it to ready."""
        sha = hashlib.sha256(data).hexdigest()
        paper_id = sha[:16]
        title, authors, pages, warnings, ocr_pages = meta
        with self._db() as db:
            if db.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone():
                # Another session finished the same file while we extracted it.
                return IngestResult(self._require(paper_id), duplicate=True)
            db.execute(
                "INSERT INTO papers (id, sha256, title, authors, pages, filename, added_at, passages, warnings,"
                " ocr_pages, status, owner, year) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                (
                    paper_id,
                    sha,
                    title,
                    authors,
                    pages,
                    filename,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    len(passages),
                    json.dumps(list(warnings)),
                    json.dumps(list(ocr_pages)),
                    _owner_tag(),
                    first_page_year(passages),
                ),
            )
        try:
            if vectors is None:
                vectors = self.index.embed_passages(passages, lambda f: report("embed", f))
            report("index", 0.0)
            tmp = self._pdf_file(paper_id).with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(self._pdf_file(paper_id))
            self.index.add(passages, vectors)
            with self._db() as db:
                db.executemany(
                    "INSERT INTO passages (paper_id, ordinal, page, section, kind, text, words)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [(p.paper_id, p.ordinal, p.page, p.section, str(p.kind), p.text, p.words_json()) for p in passages],
                )
                lexical.add_passages(db, passages)
                db.execute("UPDATE papers SET status = 'ready', owner = NULL WHERE id = ?", (paper_id,))
        except BaseException:
            self._purge(paper_id)
            raise
        report("index", 1.0)
        return IngestResult(self._require(paper_id), duplicate=False)

    def _read_source(self, source: Path | bytes, filename: str) -> tuple[bytes, str]:
        limit = self.settings.max_file_mb * 1024 * 1024
        if isinstance(source, bytes | bytearray):
            data = bytes(source)
        else:
            path = Path(source)
            filename = filename or path.name
            if not path.is_file():
                raise IngestError("missing", f"No such file: {path}", filename)
            if path.stat().st_size > limit:
                raise IngestError("too_large", self._too_large(path.stat().st_size), filename)
            data = path.read_bytes()
        if len(data) > limit:
            raise IngestError("too_large", self._too_large(len(data)), filename)
        # Only the base name is kept: upload names never become paths.
        return data, Path(filename.replace("\\", "/")).name or "upload.pdf"

    def _too_large(self, size: int) -> str:
        return (
            f"The file is {size / 2**20:.0f} MB; the limit is {self.settings.max_file_mb} MB "
            "(PAPERTRAIL_MAX_FILE_MB). Split the PDF or raise the limit."
        )

    def papers(self) -> list[Paper]:
        with self._db() as db:
            rows = db.execute("SELECT * FROM papers WHERE status = 'ready' ORDER BY added_at, title").fetchall()
        return [_paper_from_row(r) for r in rows]

    def paper_count(self) -> int:
        with self._db() as db:
            return db.execute("SELECT COUNT(*) FROM papers WHERE status = 'ready'").fetchone()[0]

    def paper(self, paper_id: str) -> Paper | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM papers WHERE id = ? AND status = 'ready'", (paper_id,)).fetchone()
        return _paper_from_row(row) if row else None

    def _require(self, paper_id: str) -> Paper:
        paper = self.paper(paper_id)
        if paper is None:
            raise KeyError(f"No paper with id {paper_id}")
        return paper

    def passages(self, paper_ids: str | Sequence[str]) -> list[Passage]:
        ids = [paper_ids] if isinstance(paper_ids, str) else list(paper_ids)
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._db() as db:
            rows = db.execute(
                f"SELECT * FROM passages WHERE paper_id IN ({marks}) ORDER BY paper_id, ordinal",  # noqa: S608
                ids,
            ).fetchall()
        return [_passage_from_row(r) for r in rows]

    def passages_by_id(self, passage_ids: Sequence[str]) -> list[Passage]:
        """The passages with these ids ("paper:ordinal"), in the order given; unknown ids are skipped."""
        keys = [(pid.rpartition(":")[0], int(pid.rpartition(":")[2])) for pid in passage_ids]
        if not keys:
            return []
        values = ",".join("(?, ?)" for _ in keys)
        with self._db() as db:
            rows = db.execute(
                f"SELECT * FROM passages WHERE (paper_id, ordinal) IN (VALUES {values})",  # noqa: S608
                [x for key in keys for x in key],
            ).fetchall()
        found = {(r["paper_id"], r["ordinal"]): _passage_from_row(r) for r in rows}
        return [found[key] for key in keys if key in found]

    def pdf_path(self, paper_id: str) -> Path:
        return self._pdf_file(paper_id)

    def delete(self, paper_id: str) -> bool:
        """Remove a paper, its passages, its vectors and its stored PDF. False if it was not there."""
        with self._db() as db:
            updated = db.execute(
                "UPDATE papers SET status = 'deleting', owner = ? WHERE id = ? AND status = 'ready'",
                (_owner_tag(), paper_id),
            ).rowcount
        if not updated:
            return False
        self._purge(paper_id)
        return True
