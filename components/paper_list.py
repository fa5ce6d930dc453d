"""The library's papers, newest first, each with its facts, extraction warnings and a confirmed delete."""

from __future__ import annotations

import streamlit as st

from papertrail.export import escape_markdown, format_timestamp
from papertrail.library import Library
from papertrail.models import Paper

_CONFIRM_DELETE = "confirm_delete_paper"  # session state: id of the paper awaiting confirmation
_FLASH = "library_flash"  # session state: message shown once after a delete
_MAX_WARNINGS_SHOWN = 3
_COLUMNS = [6, 1, 1.1, 2.3, 1.5]


def _ask_to_delete(paper_id: str) -> None:
    st.session_state[_CONFIRM_DELETE] = paper_id


def _cancel_delete() -> None:
    st.session_state.pop(_CONFIRM_DELETE, None)


def _delete(library: Library, paper: Paper) -> None:
    st.session_state.pop(_CONFIRM_DELETE, None)
    removed = library.delete(paper.id)
    st.session_state[_FLASH] = (
        f"Deleted “{paper.title}”." if removed else f"“{paper.title}” was already gone from the library."
    )


def _header() -> None:
    cols = st.columns(_COLUMNS, vertical_alignment="bottom")
    for col, label in zip(cols, ["Title", "Pages", "Passages", "Added"], strict=False):
        col.caption(f"**{label}**")


def _paper_row(library: Library, paper: Paper) -> None:
    with st.container(border=True, key=f"paper-{paper.id}"):
        title, pages, passages, added, action = st.columns(_COLUMNS, vertical_alignment="center")
        title.markdown(f"**{escape_markdown(paper.title)}**")
        byline = " · ".join(escape_markdown(part) for part in (paper.authors, paper.filename) if part)
        title.caption(byline)
        if paper.ocr_mark:
            title.caption(
                f":material/document_scanner: {paper.ocr_mark[:1].upper()}{paper.ocr_mark[1:]}: words may be misread."
            )
        for warning in paper.warnings[:_MAX_WARNINGS_SHOWN]:
            title.caption(f":material/warning: {escape_markdown(warning)}")
        if len(paper.warnings) > _MAX_WARNINGS_SHOWN:
            title.caption(f"… and {len(paper.warnings) - _MAX_WARNINGS_SHOWN} more warnings")
        pages.markdown(str(paper.pages))
        passages.markdown(str(paper.passages))
        added.markdown(format_timestamp(paper.added_at))
        if st.session_state.get(_CONFIRM_DELETE) != paper.id:
            action.button(
                "Delete",
                key=f"delete-{paper.id}",
                icon=":material/delete:",
                on_click=_ask_to_delete,
                args=(paper.id,),
                width="stretch",
            )
            return
        st.warning(
            f"Delete **{escape_markdown(paper.title)}**? Its passages, search index and stored PDF are removed. "
            "Chats about it are kept and come back if you add the same file again.",
            icon=":material/warning:",
        )
        with st.container(horizontal=True):
            st.button(
                "Delete permanently",
                key=f"confirm-delete-{paper.id}",
                type="primary",
                icon=":material/delete_forever:",
                on_click=_delete,
                args=(library, paper),
            )
            st.button("Cancel", key=f"cancel-delete-{paper.id}", on_click=_cancel_delete)


def paper_list(library: Library) -> list[Paper]:
    """Renders the list and returns the papers shown."""
    flash = st.session_state.pop(_FLASH, None)
    if flash:
        st.toast(escape_markdown(flash), icon=":material/delete:")
    papers = sorted(library.papers(), key=lambda p: p.added_at, reverse=True)
    st.subheader(f"Your papers ({len(papers)})")
    if not papers:
        st.info("Your library is empty. Add PDFs above: each is read, split into passages and indexed on this machine.")
        return papers
    _header()
    for paper in papers:
        _paper_row(library, paper)
    return papers
