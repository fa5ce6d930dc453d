"""A question read against a table: the column it asks about, the rows it names, the row with the
column's extreme. A lookup answers with one cell; "which X reached the highest Y" with the row holding
the extreme; "A or B", "A compared with B" with both rows' cells, the larger first when asked which is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from papertrail.answering.candidates import Sentence
from papertrail.answering.question import Question
from papertrail.answering.text import STOPWORDS, stems_in, stems_of_word, words
from papertrail.models import Passage, PassageKind
from papertrail.pdf.extract.table_grid import header_cells, table_cells

Cell = tuple[str, int, int]  # text, start, end in the passage text
_CELL_NUMBER = re.compile(r"[-+−]?\d+(?:\.\d+)?")
# "Which is larger, A or B?": a comparative picks the larger (or smaller) of the rows named.
_MORE = re.compile(r"\b(?:higher|larger|greater|more|bigger|longer)\b", re.I)
_LESS = re.compile(r"\b(?:lower|smaller|less|fewer|shorter)\b", re.I)
# Rows are compared only when the question compares ("A or B", "than B", "compared with B").
_COMPARE = re.compile(r"\b(?:or|than|versus|vs|compared?|comparison)\b", re.I)


@dataclass(frozen=True)
class TableReading:
    """The rows that answer a question (first the one it asks for) and the asked column's header."""

    rows: tuple[tuple[Cell, ...], ...]
    header: Cell
    column: int
    chosen: bool  # the rows were picked by the question (an extreme, named rows), not by the decision


def asked_column(q: Question, headers: list[str]) -> int | None:
    """The table column the question asks about: the one whose header shares the most of its words,
    when no other shares as many (column 0 names the rows)."""
    asked = {x for t in q.terms for x in stems_of_word(t)}
    overlap = sorted(((len(stems_in(h) & asked), j) for j, h in enumerate(headers) if j > 0), reverse=True)
    if not overlap or overlap[0][0] == 0 or (len(overlap) > 1 and overlap[1][0] == overlap[0][0]):
        return None
    return overlap[0][1]


def _number(row: tuple[Cell, ...] | list[Cell], column: int) -> float | None:
    match = _CELL_NUMBER.search(row[column][0].replace(",", "")) if len(row) > column else None
    return float(match.group().replace("−", "-")) if match else None


def _extreme(rows: list[list[Cell]], column: int, direction: str) -> list[list[Cell]]:
    """The rows holding the highest ("max") or lowest ("min") number of the column."""
    numbered = [(n, row) for row in rows if (n := _number(row, column)) is not None]
    if len(numbered) < 2:
        return []
    target = (max if direction == "max" else min)(n for n, _ in numbered)
    return [row for n, row in numbered if n == target]


def extreme_rows(q: Question, passage: Passage) -> frozenset[int]:
    """For a question asking the highest / lowest value of a table: the offsets of the rows that hold
    it in the asked column."""
    headers, rows = table_cells(passage.text)
    column = asked_column(q, headers) if q.extreme else None
    return frozenset(row[0][1] for row in _extreme(rows, column, q.extreme)) if column is not None else frozenset()


def _full_names(text: str, rows: list[list[Cell]]) -> list[str]:
    """Each row's name after the line naming its group ("IUC-NN best model" over "possibly threatened")."""
    groups, group, offset = {}, "", 0
    for number, line in enumerate(text.split("\n")):
        group = line if number and " | " not in line else group
        groups[offset] = group
        offset += len(line) + 1
    return [f"{groups.get(row[0][1], '')} {row[0][0]}" for row in rows]


def named_rows(q: Question, names: list[str]) -> list[tuple[int, int]]:
    """The rows the question names, as (row, words named) in the order the question names them: a
    row's name shares content words with the question that not every row's name has, and no other
    row's name shares more of them ("IUC-NN best model possibly threatened", not "possibly threatened")."""
    asked = {w.lower(): i for w, i, _ in reversed(words(q.text)) if w.lower() not in STOPWORDS}
    for w, _, _ in words(q.table_ref):
        asked.pop(w.lower(), None)
    tokens = [{w.lower() for w, _, _ in words(name)} for name in names]
    common = set.intersection(*tokens) if len(tokens) > 1 else set()
    covered = [frozenset((name - common) & asked.keys()) for name in tokens]
    named = [(min(asked[t] for t in c), i) for i, c in enumerate(covered) if c and not any(c < o for o in covered)]
    return [(i, len(covered[i])) for _, i in sorted(named)]


def row_span(text: str, row: tuple[Cell, ...]) -> tuple[int, int]:
    """A row's line in the passage text."""
    end = text.find("\n", row[0][1])
    return row[0][1], len(text) if end < 0 else end


def read_table(q: Question, s: Sentence) -> TableReading | None:
    """The question read against the table of the row s: the rows that answer and the asked column.

    None for a sentence of the text, or a table question no column of which fits."""
    if s.passage.kind != PassageKind.TABLE or not (q.form == "table" or q.extreme):
        return None
    headers, rows = table_cells(s.passage.text)
    row = next((r for r in rows if s.start <= r[0][1] < s.end), None)
    column = asked_column(q, headers)
    if row is None or column is None:
        return None
    names = _full_names(s.passage.text, rows)
    named = named_rows(q, names)
    compared = [rows[i] for i, _ in named] if _COMPARE.search(q.text) and len({names[i] for i, _ in named}) > 1 else []
    picked: list[list[Cell]] = []
    if q.extreme:  # the row holding the extreme, of the rows compared or of the whole table
        picked = _extreme(compared or rows, column, q.extreme)
    elif compared:  # the rows compared, the larger (smaller) first when asked which is
        direction = "max" if _MORE.search(q.text) else "min" if _LESS.search(q.text) else ""
        best = _extreme(compared, column, direction) if direction else []
        picked = best + [r for r in compared if r not in best]
    elif named and row not in [rows[i] for i, _ in named]:  # a lookup of the row the question names best
        row = rows[max(named, key=lambda n: n[1])[0]]
    filled = tuple(tuple(r) for r in picked or [row] if len(r) > column and r[column][0])
    if not filled:
        return None
    return TableReading(filled, header_cells(s.passage.text)[column], column, chosen=bool(picked))
