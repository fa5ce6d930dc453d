"""The library as one table: searchable, sortable and paged, so 1,000 papers render as fast as 10;
rows selected in it are deleted together after a confirmation."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from papertrail.export import escape_markdown, format_timestamp, plural
from papertrail.library import Library
from papertrail.models import Paper

PAGE_SIZE = 50
TABLE_KEY = "paper-table"
_CONFIRM = "confirm_bulk_delete"  # session state: ids awaiting confirmation
_FLASH = "library_flash"  # session state: message shown once after a delete
SORTS = {
    "Newest first": (lambda p: p.added_at, True),
    "Title": (lambda p: p.title.lower(), False),
    "Year (newest)": (lambda p: p.year or 0, True),
    "Pages": (lambda p: p.pages, True),
}


def matches(paper: Paper, query: str) -> bool:
    """Every word of the query in the title, authors, file name or year."""
    haystack = f"{paper.title} {paper.authors} {paper.filename} {paper.year or ''}".lower()
    return all(word in haystack for word in query.lower().split())


def _frame(papers: Sequence[Paper]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Title": [p.title for p in papers],
            "Authors": [p.authors for p in papers],
            "Year": [p.year for p in papers],
            "Pages": [p.pages for p in papers],
            "Added": [format_timestamp(p.added_at) for p in papers],
            "OCR": [p.ocr_mark for p in papers],
            "File": [p.filename for p in papers],
        }
    )


def _ask_to_delete(ids: list[str]) -> None:
    st.session_state[_CONFIRM] = ids


def _cancel_delete() -> None:
    st.session_state.pop(_CONFIRM, None)


def _delete(library: Library, ids: list[str]) -> None:
    st.session_state.pop(_CONFIRM, None)
    st.session_state.pop(TABLE_KEY, None)  # the selected rows are gone
    removed = sum(library.delete(paper_id) for paper_id in ids)
    st.session_state[_FLASH] = f"Deleted {plural(removed, 'paper')}."


def _confirm(library: Library, ids: list[str], titles: dict[str, str]) -> None:
    shown = ", ".join(f"“{escape_markdown(titles.get(i, i))}”" for i in ids[:5])
    more = f" and {len(ids) - 5} more" if len(ids) > 5 else ""
    st.warning(
        f"Delete {plural(len(ids), 'paper')} ({shown}{more})? Their passages, search index and stored PDFs are "
        "removed. Chats about them are kept and come back if you add the same files again.",
        icon=":material/warning:",
    )
    with st.container(horizontal=True):
        st.button(
            "Delete permanently",
            key="confirm-bulk-delete",
            type="primary",
            icon=":material/delete_forever:",
            on_click=_delete,
            args=(library, ids),
        )
        st.button("Cancel", key="cancel-bulk-delete", on_click=_cancel_delete)


def paper_table(library: Library) -> list[Paper]:
    """Renders the table; returns the papers on the page shown."""
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.toast(escape_markdown(flash), icon=":material/delete:")
    papers = library.papers()
    st.subheader(f"Your papers ({len(papers)})")
    if not papers:
        st.info("Your library is empty. Add PDFs above: each is read, split into passages and indexed on this machine.")
        return []
    with st.container(horizontal=True, vertical_alignment="bottom"):
        query = st.text_input("Search", key="paper-search", placeholder="Title, author, file or year")
        sort = st.selectbox("Sort by", list(SORTS), key="paper-sort")
    shown = [p for p in papers if matches(p, query)] if query.strip() else list(papers)
    key, reverse = SORTS[sort]
    shown.sort(key=key, reverse=reverse)
    pages = max(1, math.ceil(len(shown) / PAGE_SIZE))
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages})", 1, pages, 1, key="paper-page"))
    rows = shown[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    st.caption(
        f"{plural(len(shown), 'paper')}"
        + (f" match “{escape_markdown(query)}”" if query.strip() else "")
        + (f"; {(page - 1) * PAGE_SIZE + 1}–{(page - 1) * PAGE_SIZE + len(rows)} shown" if pages > 1 else "")
        + ". Select rows to delete them."
    )
    event = st.dataframe(
        _frame(rows),
        key=TABLE_KEY,
        on_select="rerun",
        selection_mode="multi-row",
        hide_index=True,
        width="stretch",
        column_config={
            "Year": st.column_config.NumberColumn(format="%d"),
            "Title": st.column_config.TextColumn(width="large"),
        },
    )
    selected = [rows[i].id for i in event.selection.rows if i < len(rows)]
    pending = st.session_state.get(_CONFIRM)
    if pending:
        _confirm(library, pending, {p.id: p.title for p in papers})
    elif selected:
        st.button(
            f"Delete {plural(len(selected), 'selected paper')}",
            key="bulk-delete",
            icon=":material/delete:",
            on_click=_ask_to_delete,
            args=(selected,),
        )
    return rows
