"""Lexical search: an SQLite FTS5 table in the registry, updated per paper, ranked by FTS5's bm25().

Passages are indexed as our own tokens (lower-case words; numbers such as 3.5 or 1e-4 and hyphenated
terms kept whole; stopwords dropped), so a question matches the same words it did with an in-memory
BM25. FTS5 stores, restricts to the papers asked about and ranks; nothing is rebuilt per question.
The table lives in the registry database so a paper's terms are written and removed in the same
transaction as its passages.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Sequence

from papertrail.models import Passage

_TOKEN = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
_TOKEN_ANY_CASE = re.compile(_TOKEN.pattern, re.IGNORECASE)  # offsets into the original text
_STOPWORDS = frozenset(
    "a an and are as at be by did do does for from has have how in is it its of on or that the this to was were"
    " what when where which who why with".split()
)

TABLE = "passage_terms"
# '.' and '-' are token characters so FTS5 keeps our tokens whole; the paper id is indexed (not ranked)
# so a search restricted to a few papers reads only their postings.
SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5(
    terms, paper_id, ordinal UNINDEXED, tokenize = "unicode61 tokenchars '.-'"
);
"""
# bm25() column weights: the terms rank, the paper id only filters.
_RANK = f"bm25({TABLE}, 1.0, 0.0, 0.0)"


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens; stopwords dropped so question phrasing does not dominate. NFKC folds the
    super- and subscripts extraction keeps ("F₁", "10⁻⁴") into the digits a question types."""
    folded = unicodedata.normalize("NFKC", text).replace("\u2212", "-").lower()
    return [t for t in _TOKEN.findall(folded) if t not in _STOPWORDS]


def _match_expression(terms: Sequence[str], paper_ids: Sequence[str] | None) -> str:
    # Tokens hold only [a-z0-9.-], so quoting each one as a phrase is safe.
    words = " OR ".join(f'"{t}"' for t in terms)
    if paper_ids is None:
        return f"terms : ({words})"
    papers = " OR ".join(f'"{pid}"' for pid in paper_ids)
    return f"terms : ({words}) AND paper_id : ({papers})"


def add_passages(db: sqlite3.Connection, passages: Sequence[Passage]) -> None:
    """Index passages (call inside the transaction that stores them)."""
    db.executemany(
        f"INSERT INTO {TABLE} (terms, paper_id, ordinal) VALUES (?, ?, ?)",  # noqa: S608
        [(" ".join(tokenize(p.text)), p.paper_id, p.ordinal) for p in passages],
    )


def delete_paper(db: sqlite3.Connection, paper_id: str) -> None:
    db.execute(f"DELETE FROM {TABLE} WHERE paper_id MATCH ?", (f'"{paper_id}"',))  # noqa: S608


def search(db: sqlite3.Connection, query: str, paper_ids: Sequence[str] | None, k: int) -> list[tuple[str, float]]:
    """(passage id, BM25 score) best first; over the given papers, or the whole library when None."""
    terms = tokenize(query)  # repeats kept: a repeated word weighs more, as in BM25 over tokens
    if not terms or k <= 0 or (paper_ids is not None and not paper_ids):
        return []
    rows = db.execute(
        f"SELECT paper_id, ordinal, {_RANK} AS score FROM {TABLE} WHERE {TABLE} MATCH ?"  # noqa: S608
        " ORDER BY score, paper_id, ordinal LIMIT ?",  # ties in a fixed order: the same answer every run
        (_match_expression(terms, paper_ids), k),
    ).fetchall()
    # FTS5's bm25() is negative, lower is better; callers read higher as better.
    return [(f"{paper_id}:{ordinal}", -float(score)) for paper_id, ordinal, score in rows]


def search_within(db: sqlite3.Connection, query: str, paper_ids: Sequence[str], k: int) -> list[tuple[str, float]]:
    """search() over a few papers with their own term statistics: a paper's answers do not change when
    other papers join or leave the library. Their rows are copied into an in-memory FTS5 table."""
    if not paper_ids or not tokenize(query):
        return []
    rows = db.execute(
        f"SELECT terms, paper_id, ordinal FROM {TABLE} WHERE paper_id MATCH ?",  # noqa: S608
        (" OR ".join(f'"{pid}"' for pid in paper_ids),),
    ).fetchall()
    own = sqlite3.connect(":memory:")
    try:
        own.executescript(SCHEMA)
        own.executemany(f"INSERT INTO {TABLE} (terms, paper_id, ordinal) VALUES (?, ?, ?)", rows)  # noqa: S608
        return search(own, query, None, k)
    finally:
        own.close()


def term_spans(text: str, query: str) -> tuple[tuple[int, int], ...]:
    """Where the query's (non-stopword) tokens occur in text, as (start, end): what a search highlights."""
    terms = set(tokenize(query))
    return tuple((m.start(), m.end()) for m in _TOKEN_ANY_CASE.finditer(text) if m.group().lower() in terms)
