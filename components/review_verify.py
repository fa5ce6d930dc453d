"""Checking cells: the reviewer's name, accept / edit / reject with a note, and the "to check" queue.

Decisions are recorded in button callbacks (before the page is drawn again), so the matrix and the
queue drawn after a click already show the new state.
"""

from __future__ import annotations

import streamlit as st

from components.review_evidence import cell_evidence
from papertrail.export import escape_markdown
from papertrail.library import Library
from papertrail.review.matrix import Cell, CellState, Decision, Review
from papertrail.review.store import ReviewStore
from papertrail.review.verify import MAX_NOTE_CHARS, MAX_REVIEWER_CHARS, VerificationError, decide, to_check

REVIEWER = "review_reviewer"
_MESSAGE = "review_verify_message"
_SKIPPED = "review_queue_skipped"  # cells passed over with "Next", shown again after the others
STATE_MARKS = {
    CellState.ACCEPTED: "✓",
    CellState.EDITED: "✎",
    CellState.REJECTED: "✗",
    CellState.DISPUTED: "⚠",
}


def reviewer_name() -> str:
    return st.text_input(
        "Reviewer",
        key=REVIEWER,
        max_chars=MAX_REVIEWER_CHARS,
        placeholder="Your name, recorded with each decision",
        help="Each reviewer checks the cells independently: you see your own decisions, not another reviewer's.",
    ).strip()


def _field(prefix: str, name: str, cell: Cell) -> str:
    return f"{prefix}_{name}_{cell.paper.id}_{cell.key}"


def _record(store: ReviewStore, review: Review, cell: Cell, decision: Decision, prefix: str) -> None:
    state = st.session_state
    page = state.get(_field(prefix, "page", cell))
    try:
        verification = decide(
            cell,
            state.get(REVIEWER, ""),
            decision,
            note=state.get(_field(prefix, "note", cell), ""),
            answer=state.get(_field(prefix, "answer", cell), ""),
            page=int(page) if page else None,
        )
    except VerificationError as err:
        state[_MESSAGE] = ("error", str(err))
        return
    store.add_verification(review.battery, verification)
    state[_MESSAGE] = ("success", f"{decision.value.capitalize()}: {cell.key} of “{cell.paper.title}”.")


def _skip(cell: Cell) -> None:
    cell_key = (cell.paper.id, cell.key)
    st.session_state[_SKIPPED] = [k for k in st.session_state.get(_SKIPPED, []) if k != cell_key] + [cell_key]


def _message() -> None:
    kind, text = st.session_state.pop(_MESSAGE, (None, ""))
    if kind == "error":
        st.error(escape_markdown(text), icon=":material/error:")
    elif kind:
        st.success(escape_markdown(text), icon=":material/check_circle:")


def decision_bar(store: ReviewStore, review: Review, cell: Cell, prefix: str, in_queue: bool = False) -> None:
    """The cell's state, a note, and accept / reject / edit (plus Next in the queue, all with shortcuts there)."""
    _message()
    state = review.state(cell)
    decision = review.decision(cell.paper.id, cell.key)
    if decision is not None:
        who = "settled by" if decision.settles else "by"
        st.caption(
            f"{STATE_MARKS.get(state, '')} **{state.value.capitalize()}** {who} {escape_markdown(decision.reviewer)}"
            f" at {decision.at}"
            + (f" · your answer: {escape_markdown(decision.answer)} (p. {decision.page})" if decision.answer else "")
            + (f" · note: {escape_markdown(decision.note)}" if decision.note else "")
        )
    else:
        st.caption(f"State: **{state.value}**")
    st.text_input("Note (optional)", key=_field(prefix, "note", cell), max_chars=MAX_NOTE_CHARS)
    with st.container(horizontal=True, vertical_alignment="bottom"):
        st.button(
            "Accept",
            key=_field(prefix, "accept", cell),
            icon=":material/check:",
            type="primary",
            on_click=_record,
            args=(store, review, cell, Decision.ACCEPTED, prefix),
            shortcut="A" if in_queue else None,
            help="The tool's answer (or its “not reported”) is right.",
        )
        st.button(
            "Reject",
            key=_field(prefix, "reject", cell),
            icon=":material/close:",
            on_click=_record,
            args=(store, review, cell, Decision.REJECTED, prefix),
            shortcut="X" if in_queue else None,
            help="The tool got reporting the wrong way round. A reported but wrong value is an edit.",
        )
        if in_queue:
            st.button(
                "Next",
                key=_field(prefix, "next", cell),
                icon=":material/skip_next:",
                on_click=_skip,
                args=(cell,),
                shortcut="N",
                help="Leave this cell for later.",
            )
    with st.expander("Edit: give your own answer", icon=":material/edit:"):
        st.text_input("Your answer", key=_field(prefix, "answer", cell), max_chars=500)
        st.number_input(
            "Page",
            min_value=1,
            max_value=max(cell.paper.pages, 1),
            value=cell.pages[0] if cell.pages else 1,
            key=_field(prefix, "page", cell),
        )
        st.button(
            "Save edit",
            key=_field(prefix, "edit", cell),
            icon=":material/save:",
            on_click=_record,
            args=(store, review, cell, Decision.EDITED, prefix),
        )


def check_queue(library: Library, review: Review, store: ReviewStore) -> None:
    """The cells most in need of a check first, each beside its highlighted evidence."""
    queue = to_check(review, review.decisions, st.session_state.get(_SKIPPED, []))
    if not queue:
        _message()
        st.success("Every answered cell is checked.", icon=":material/task_alt:")
        return
    cell = queue[0]
    uncertain = sum(c.uncertain for c in queue)
    st.caption(
        f"{len(queue)} cells to check ({uncertain} uncertain): uncertain first, then the least confident."
        " Keys: A accept, X reject, N next."
    )
    with st.container(border=True, key="review-queue-cell"):
        decision_bar(store, review, cell, "queue", in_queue=True)
        cell_evidence(library, cell)
