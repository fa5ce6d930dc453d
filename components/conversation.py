"""Asking: the question goes to this session's answerer, and the answer into the chat's history."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import streamlit as st

from components import state
from components.answer_card import ASSISTANT_AVATAR, USER_AVATAR, answer_card
from components.evidence import select_citation, selected_citation
from papertrail.answering.llm import LLMUnavailable
from papertrail.export import escape_markdown
from papertrail.history import ChatTurn

log = logging.getLogger(__name__)


def ask(question: str, paper_ids: Sequence[str]) -> ChatTurn | None:
    """Shows the question at once and a spinner while the papers are searched; None if the backend failed."""
    with st.chat_message("user", avatar=USER_AVATAR):
        st.markdown(escape_markdown(question))
    with st.chat_message("assistant", avatar=ASSISTANT_AVATAR), st.spinner("Searching the papers…"):
        try:
            answer = state.answerer().ask(question, list(paper_ids))
        except LLMUnavailable as err:  # e.g. no server URL set: the engine says what to do
            st.error(f"The answering backend is not available: {escape_markdown(str(err))}", icon=":material/error:")
            return None
        except Exception as err:  # a bug or an odd server reply must not break the page
            log.exception("answering failed")
            st.error(
                f"Answering failed ({type(err).__name__}). Check the Settings page, "
                "or switch back to the offline extractive answerer.",
                icon=":material/error:",
            )
            return None
    turn = state.history().add(answer, paper_ids)
    select_citation(turn.id, 0)
    return turn


def chat_pane(turns: Sequence[ChatTurn], question: str | None, paper_ids: Sequence[str]) -> None:
    """The chat so far, then the question just asked; reruns once it is answered so its evidence is shown."""
    shown_turn, shown_index = selected_citation(turns)
    if not turns and not question:
        st.caption("No questions yet. Answers quote the papers; when a paper does not say, you are told so.")
    for turn in turns:
        answer_card(turn, shown_index if shown_turn is not None and turn.id == shown_turn.id else None)
    if question and ask(question, paper_ids):
        st.rerun()
