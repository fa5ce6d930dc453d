"""The review matrix: papers x questions, each cell the short answer or "not reported" with its confidence;
an uncertain cell is marked "check" and shaded amber; a checked cell carries its state's mark
(✓ accepted, ✎ edited with the reviewer's answer, ✗ rejected, ⚠ reviewers disagree).

Clicking a cell selects it (st.dataframe single-cell selection); the page shows that cell's evidence.
Paper text reaches the grid as plain cell values, which the grid draws as text, never as HTML.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from components.paper_picker import paper_label
from components.review_verify import STATE_MARKS
from papertrail.review.matrix import Cell, CellState, Review

PENDING = "…"  # a cell the run has not answered yet
_REPORTED_CSS = "background-color: #e8f3ea"
_NOT_REPORTED_CSS = "background-color: #fbeaea; color: #8a2b2b"
_CHECK_CSS = "background-color: #fff4d6; color: #7a5200"
_STATE_CSS = {
    CellState.ACCEPTED: "background-color: #cfe8d5; font-weight: 600",
    CellState.EDITED: "background-color: #d7e3f7; font-weight: 600",
    CellState.REJECTED: "background-color: #eeeeee; color: #555555; text-decoration: line-through",
    CellState.DISPUTED: "background-color: #f6d6f0; color: #6b1d5c",
}
_ROW_PX, _MAX_HEIGHT_PX = 35, 640


def _row_labels(review: Review) -> list[str]:
    """Paper labels, made unique so two papers with one title stay two rows."""
    labels: list[str] = []
    for paper in review.papers:
        label = paper_label(paper)
        labels.append(label if label not in labels else f"{label} · {paper.filename}")
    return labels


def cell_text(review: Review, cell: Cell | None) -> str:
    """The cell's label, led by its state's mark once checked; an edited cell shows the reviewer's answer."""
    if cell is None:
        return PENDING
    state = review.state(cell)
    decision = review.decision(cell.paper.id, cell.key)
    if decision is not None and state is CellState.EDITED:
        return f"{STATE_MARKS[state]} {decision.answer[:40]}"
    mark = STATE_MARKS.get(state)
    return f"{mark} {cell.short(40)} ({cell.confidence:.0%})" if mark else cell.label(40)


def matrix_frame(review: Review) -> pd.DataFrame:
    rows = [[cell_text(review, review.cell(p.id, key)) for key in review.battery.keys] for p in review.papers]
    return pd.DataFrame(rows, index=pd.Index(_row_labels(review), name="Paper"), columns=review.battery.keys)


def _shading(review: Review) -> pd.DataFrame:
    def css(cell: Cell | None) -> str:
        if cell is None:
            return ""
        state = review.state(cell)
        if state in _STATE_CSS:
            return _STATE_CSS[state]
        if cell.uncertain:
            return _CHECK_CSS
        return _REPORTED_CSS if cell.reported else _NOT_REPORTED_CSS

    rows = [[css(review.cell(p.id, key)) for key in review.battery.keys] for p in review.papers]
    return pd.DataFrame(rows, index=_row_labels(review), columns=review.battery.keys)


def matrix_key(review: Review) -> str:
    # A new key per battery and paper set, so a selection never points into a different matrix.
    ids = hashlib.sha256(",".join(p.id for p in review.papers).encode()).hexdigest()[:12]
    return f"review_matrix_{review.battery.fingerprint}_{ids}"


def review_matrix(review: Review) -> Cell | None:
    """Draw the matrix; returns the selected cell, if any."""
    frame = matrix_frame(review)
    styled = frame.style.apply(lambda _: _shading(review).set_axis(frame.index), axis=None)
    column_config = {
        "_index": st.column_config.TextColumn("Paper", width="medium", pinned=True),
        **{
            item.key: st.column_config.TextColumn(item.key, help=item.question, width="medium")
            for item in review.battery.items
        },
    }
    event = st.dataframe(
        styled,
        key=matrix_key(review),
        on_select="rerun",
        selection_mode="single-cell",
        column_config=column_config,
        height=min(_MAX_HEIGHT_PX, _ROW_PX * (len(review.papers) + 1) + 3),
    )
    for row, key in event.selection.cells:
        if key in review.battery.keys and 0 <= row < len(review.papers):
            return review.cell(review.papers[row].id, key)
    return None
