"""Which papers the chat is about: one or several, defaulting to the set used last (kept across restarts)."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import streamlit as st

from papertrail.history import ChatHistory
from papertrail.models import Paper


def paper_label(paper: Paper) -> str:
    facts = ", ".join(fact for fact in (f"{paper.pages} pp.", paper.ocr_mark) if fact)
    return f"{textwrap.shorten(paper.title, 70, placeholder='…')} ({facts})"


def pick_papers(papers: Sequence[Paper], history: ChatHistory) -> list[str]:
    by_id = {p.id: p for p in papers}
    default = [paper_id for paper_id in history.last_paper_set() if paper_id in by_id]
    if not default and papers:
        default = [max(papers, key=lambda p: p.added_at).id]  # the newest paper is the likeliest subject
    chosen = st.multiselect(
        "Papers",
        options=list(by_id),
        default=default,
        format_func=lambda paper_id: paper_label(by_id[paper_id]),
        placeholder="Choose one or more papers",
        help="Answers draw on every selected paper. Each set of papers has its own chat.",
    )
    if chosen and tuple(sorted(chosen)) != tuple(sorted(history.last_paper_set())):
        history.remember_paper_set(chosen)
    return chosen


def stop_if_library_empty(papers: Sequence[Paper], what_next: str) -> None:
    """Pages that work on papers point an empty library to the Library page and stop there."""
    if papers:
        return
    st.info(f"Your library is empty. Add papers first, then {what_next} here.", icon=":material/info:")
    st.page_link("pages/library.py", label="Go to the library", icon=":material/library_books:")
    st.stop()
