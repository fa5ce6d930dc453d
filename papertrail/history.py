"""Chat history: every answer about every paper set, kept in SQLite under the data dir.

An answer is stored whole as JSON, including each cited passage (its id, text, page and word boxes)
and the cited span, so a chat re-renders with the exact highlights after a restart, even if the
paper is later re-chunked under different settings.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from papertrail.models import Answer, Evidence, Passage, PassageKind, Verdict
from papertrail.settings import Settings

_FORMAT_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT, paper_set TEXT NOT NULL, asked_at TEXT NOT NULL, answer TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_by_set ON turns (paper_set, id);
CREATE TABLE IF NOT EXISTS prefs (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_LAST_PAPER_SET = "last_paper_set"


def paper_set_key(paper_ids: Iterable[str]) -> str:
    """A chat belongs to a set of papers regardless of the order they were picked in."""
    return ",".join(sorted(set(paper_ids)))


@dataclass(frozen=True, slots=True)
class ChatTurn:
    """One question and its answer, as asked about one paper set."""

    id: int
    paper_ids: tuple[str, ...]
    asked_at: str  # ISO 8601, UTC
    answer: Answer


# -- Answer <-> JSON ---------------------------------------------------------------------------


def _passage_to_dict(passage: Passage) -> dict[str, Any]:
    return {
        "id": passage.id,
        "paper_id": passage.paper_id,
        "ordinal": passage.ordinal,
        "text": passage.text,
        "page": passage.page,
        "section": passage.section,
        "kind": str(passage.kind),
        "words": passage.words_json(),
    }


def _passage_from_dict(data: dict[str, Any]) -> Passage:
    return Passage(
        paper_id=data["paper_id"],
        ordinal=int(data["ordinal"]),
        text=data["text"],
        page=int(data["page"]),
        section=data.get("section", ""),
        kind=PassageKind(data.get("kind", PassageKind.BODY)),
        words=Passage.words_from_json(data.get("words", "[]")),
    )


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    return {
        "v": _FORMAT_VERSION,
        "question": answer.question,
        "text": answer.text,
        "verdict": {
            "answerable": answer.verdict.answerable,
            "confidence": answer.verdict.confidence,
            "reasons": list(answer.verdict.reasons),
            "uncertain": answer.verdict.uncertain,
        },
        "evidence": [
            {"passage": _passage_to_dict(ev.passage), "start": ev.start, "end": ev.end, "score": ev.score}
            for ev in answer.evidence
        ],
        "backend": answer.backend,
        "paper_ids": list(answer.paper_ids),
    }


def answer_from_dict(data: dict[str, Any]) -> Answer:
    verdict = data["verdict"]
    return Answer(
        question=data["question"],
        text=data["text"],
        verdict=Verdict(
            bool(verdict["answerable"]),
            float(verdict["confidence"]),
            tuple(verdict.get("reasons", ())),
            bool(verdict.get("uncertain", False)),
        ),
        evidence=tuple(
            Evidence(_passage_from_dict(ev["passage"]), int(ev["start"]), int(ev["end"]), float(ev["score"]))
            for ev in data.get("evidence", ())
        ),
        backend=data.get("backend", "extractive"),
        paper_ids=tuple(data.get("paper_ids", ())),
    )


# -- the store ---------------------------------------------------------------------------------


class ChatHistory:
    """Thread-safe: every call opens its own short connection (Streamlit serves sessions on threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    @classmethod
    def for_settings(cls, settings: Settings) -> ChatHistory:
        return cls(settings.data_dir / "history.sqlite")

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=60)) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.row_factory = sqlite3.Row
            with conn:  # one transaction, committed on success
                yield conn

    def add(self, answer: Answer, paper_ids: Sequence[str]) -> ChatTurn:
        key = paper_set_key(paper_ids)
        asked_at = datetime.now(UTC).isoformat(timespec="seconds")
        with self._db() as db:
            cursor = db.execute(
                "INSERT INTO turns (paper_set, asked_at, answer) VALUES (?, ?, ?)",
                (key, asked_at, json.dumps(answer_to_dict(answer), separators=(",", ":"))),
            )
            turn_id = int(cursor.lastrowid or 0)
        return ChatTurn(turn_id, tuple(key.split(",")), asked_at, answer)

    def turns(self, paper_ids: Sequence[str]) -> list[ChatTurn]:
        """The chat about exactly this paper set, oldest first."""
        key = paper_set_key(paper_ids)
        with self._db() as db:
            rows = db.execute("SELECT * FROM turns WHERE paper_set = ? ORDER BY id", (key,)).fetchall()
        return [
            ChatTurn(r["id"], tuple(key.split(",")), r["asked_at"], answer_from_dict(json.loads(r["answer"])))
            for r in rows
        ]

    def clear(self, paper_ids: Sequence[str]) -> int:
        with self._db() as db:
            return db.execute("DELETE FROM turns WHERE paper_set = ?", (paper_set_key(paper_ids),)).rowcount

    def remember_paper_set(self, paper_ids: Sequence[str]) -> None:
        with self._db() as db:
            db.execute(
                "INSERT INTO prefs (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (_LAST_PAPER_SET, paper_set_key(paper_ids)),
            )

    def last_paper_set(self) -> tuple[str, ...]:
        with self._db() as db:
            row = db.execute("SELECT value FROM prefs WHERE key = ?", (_LAST_PAPER_SET,)).fetchone()
        return tuple(row["value"].split(",")) if row and row["value"] else ()
