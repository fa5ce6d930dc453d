"""Taking a chat away: a Markdown transcript with citations, the papers with the cited spans highlighted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import streamlit as st

from components import state
from papertrail.export import annotated_pdf, chat_markdown, escape_markdown, plural, safe_filename
from papertrail.history import ChatTurn
from papertrail.models import Paper


def export_menu(turns: Sequence[ChatTurn], papers: Sequence[Paper]) -> None:
    """Downloads are built only when clicked (callables), so an idle chat costs nothing."""
    library = state.library()
    with st.popover("Export", icon=":material/download:", disabled=not turns):
        st.download_button(
            "Chat as Markdown",
            data=lambda: chat_markdown(turns, papers),
            file_name=f"papertrail-chat-{date.today().isoformat()}.md",
            mime="text/markdown",
            icon=":material/description:",
            on_click="ignore",
            width="stretch",
        )
        for paper in papers:
            st.download_button(
                "Annotated PDF" if len(papers) == 1 else f"Annotated PDF: {escape_markdown(paper.title[:40])}",
                data=lambda paper=paper: annotated_pdf(library.pdf_path(paper.id), turns, paper.id),
                file_name=safe_filename(paper.title, "-annotated.pdf"),
                mime="application/pdf",
                icon=":material/picture_as_pdf:",
                on_click="ignore",
                key=f"annotated-{paper.id}",
                width="stretch",
                help="The paper with every span this chat cites as a highlight annotation.",
            )


def clear_chat_button(turns: Sequence[ChatTurn], paper_ids: Sequence[str]) -> None:
    with st.popover("Clear", icon=":material/delete_sweep:", disabled=not turns):
        st.markdown(f"Remove the {plural(len(turns), 'question')} of this chat? This cannot be undone.")
        if st.button("Clear chat", type="primary", key="clear-chat"):
            state.history().clear(paper_ids)
            st.rerun()
