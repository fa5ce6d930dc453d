"""Choosing the papers, running the battery with progress, and the downloads of the result.

A requested run is remembered in session state until it completes: if the user interacts while it
runs, Streamlit stops the script, and the next run of the page picks the work up again. Nothing is
lost either way, because every paper's cells are stored as soon as they are answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd
import streamlit as st

from components import state
from components.paper_picker import paper_label
from papertrail.export import safe_filename
from papertrail.models import Paper
from papertrail.review import Battery, Review, ReviewStore, load_review, run, to_csv, to_json, to_markdown, to_xlsx
from papertrail.review.audit import audit_csv, audit_events, audit_json, latest_rerun
from papertrail.review.bibliography import to_bibtex, to_ris
from papertrail.review.metadata import PaperMeta

PAPERS = "review_papers"
_PENDING = "review_pending_run"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def pick_papers(papers: Sequence[Paper]) -> list[str]:
    by_id = {p.id: p for p in papers}
    if PAPERS not in st.session_state:
        st.session_state[PAPERS] = list(by_id)  # a review usually spans the whole library
    st.session_state[PAPERS] = [pid for pid in st.session_state[PAPERS] if pid in by_id]
    return st.multiselect(
        "Papers",
        options=list(by_id),
        key=PAPERS,
        format_func=lambda paper_id: paper_label(by_id[paper_id]),
        placeholder="Choose the papers to review",
    )


def _run_id(battery: Battery, paper_ids: Sequence[str]) -> tuple[str, tuple[str, ...]]:
    return battery.fingerprint, tuple(paper_ids)


def _request(battery: Battery, paper_ids: Sequence[str], store: ReviewStore, forget: bool) -> None:
    if forget:
        store.forget(battery, paper_ids)
    st.session_state[_PENDING] = _run_id(battery, paper_ids)


def run_section(battery: Battery, paper_ids: Sequence[str], store: ReviewStore, reviewer: str) -> Review:
    """The run buttons and progress; returns the matrix as far as it is answered, with this reviewer's decisions."""
    library = state.library()
    review = load_review(library, paper_ids, battery, store, reviewer)
    open_cells = review.size - len(review.cells)
    with st.container(horizontal=True, vertical_alignment="center"):
        st.button(
            f"Answer {open_cells} open cells" if open_cells else "All cells answered",
            icon=":material/play_arrow:",
            type="primary",
            disabled=not open_cells,
            on_click=_request,
            args=(battery, paper_ids, store, False),
        )
        st.button(
            "Answer again",
            icon=":material/refresh:",
            disabled=not review.cells,
            on_click=_request,
            args=(battery, paper_ids, store, True),
            help="Answer every cell of these papers anew (e.g. after changing settings); the cells that change are listed.",
        )
        st.caption(f"{len(review.cells)} of {review.size} cells answered; stored answers are reused.")
    if st.session_state.get(_PENDING) != _run_id(battery, paper_ids) or review.complete:
        return review
    bar = st.progress(len(review.cells) / review.size, text="Starting…")
    run(
        library,
        state.answerer(),
        paper_ids,
        battery,
        store,
        lambda done, total, message: bar.progress(done / total, text=f"{done}/{total} cells · {message}"),
    )
    st.session_state.pop(_PENDING, None)
    st.rerun()  # redraw the buttons and counts above with the finished matrix


def rerun_changes(store: ReviewStore, review: Review) -> None:
    """After "Answer again": which cells changed and how, and what differed in the setup."""
    rerun = latest_rerun(store, review)
    if rerun is None:
        return
    titles = {p.id: paper_label(p) for p in review.papers}
    label = f"Latest rerun: {len(rerun.changes)} of {rerun.cells} cells changed"
    with st.expander(label, icon=":material/difference:", expanded=False):
        st.caption(
            "What differed from the answers before: "
            + ("; ".join(rerun.setup) or "nothing in engine, extraction, backend or settings")
        )
        if rerun.changes:
            rows = [
                {
                    "paper": titles.get(c.after.paper.id, c.after.paper.id),
                    "question": c.after.key,
                    "what changed": "; ".join(c.differences),
                }
                for c in rerun.changes
            ]
            st.dataframe(pd.DataFrame(rows), hide_index=True, key="review_rerun_changes")


def export_menu(review: Review, store: ReviewStore, meta: Mapping[str, PaperMeta]) -> None:
    """Downloads are built only when clicked (callables)."""
    stem = f"review-{safe_filename(review.battery.name, '')}-{date.today().isoformat()}"
    with st.popover("Export", icon=":material/download:", disabled=not review.cells):
        for label, build, suffix, mime, icon in (
            ("Matrix as CSV", to_csv, ".csv", "text/csv", ":material/table:"),
            ("Matrix as JSON", to_json, ".json", "application/json", ":material/data_object:"),
            ("Matrix as Excel", lambda r: to_xlsx(r, meta), ".xlsx", _XLSX, ":material/grid_on:"),
            ("Summary as Markdown", to_markdown, ".md", "text/markdown", ":material/description:"),
            (
                "Papers as BibTeX",
                lambda r: to_bibtex(r.papers, meta),
                ".bib",
                "application/x-bibtex",
                ":material/menu_book:",
            ),
            (
                "Papers as RIS",
                lambda r: to_ris(r.papers, meta),
                ".ris",
                "application/x-research-info-systems",
                ":material/menu_book:",
            ),
            (
                "Audit log as CSV",
                lambda r: audit_csv(audit_events(store, r)),
                "-audit.csv",
                "text/csv",
                ":material/history:",
            ),
            (
                "Audit log as JSON",
                lambda r: audit_json(audit_events(store, r)),
                "-audit.json",
                "application/json",
                ":material/history:",
            ),
        ):
            st.download_button(
                label,
                data=lambda build=build: build(review),
                file_name=stem + suffix,
                mime=mime,
                icon=icon,
                on_click="ignore",
                width="stretch",
                key=f"review_export{suffix}",
            )
