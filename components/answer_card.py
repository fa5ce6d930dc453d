"""One chat turn: the question, then the answer card with an unmistakable flag when the paper does not say.

An uncertain verdict has its own card: the passages come first ("check these"), the best guess after.
"""

from __future__ import annotations

import textwrap

import streamlit as st

from components.evidence import select_citation
from papertrail.export import escape_markdown
from papertrail.history import ChatTurn
from papertrail.models import Verdict

UNANSWERABLE_ICON = ":material/block:"
UNCERTAIN_ICON = ":material/help:"
USER_AVATAR = ":material/person:"
ASSISTANT_AVATAR = ":material/plagiarism:"


def confidence_badge(verdict: Verdict) -> None:
    """Coloured by level for answers; grey for an unanswerable verdict, whose red flag already says it all."""
    level = verdict.confidence
    color = "green" if level >= 0.7 else "orange" if level >= 0.4 else "red"
    if not verdict.answerable and not verdict.uncertain:
        color = "gray"
    st.badge(
        f"Confidence {level:.0%}",
        icon=":material/speed:",
        color=color,
        help="The fitted, calibrated probability that this verdict and answer are right (0.8: right 8 times in 10).",
    )


def _flag(turn: ChatTurn) -> None:
    if turn.answer.verdict.uncertain:
        guess = "an answer, below" if turn.answer.verdict.answerable else "the paper does not say"
        st.warning(f"**Uncertain**: check these passages (best guess: {guess})", icon=UNCERTAIN_ICON)
    elif turn.answer.verdict.answerable:
        st.badge("Answered", icon=":material/check_circle:", color="green")
    else:
        subject = "the paper does" if len(turn.paper_ids) == 1 else "the papers do"
        st.error(f"**Unanswerable**: {subject} not say", icon=UNANSWERABLE_ICON)


def _citation_buttons(turn: ChatTurn, selected: int | None) -> None:
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        verdict = turn.answer.verdict
        st.caption("Check" if verdict.uncertain else "Citations" if verdict.answerable else "Closest passages")
        for index, evidence in enumerate(turn.answer.evidence):
            st.button(
                f"{index + 1} · p. {evidence.page}",
                key=f"cite-{turn.id}-{index}",
                type="primary" if index == selected else "secondary",
                on_click=select_citation,
                args=(turn.id, index),
                help=escape_markdown(textwrap.shorten(evidence.text, 200, placeholder="…")),
            )


def answer_card(turn: ChatTurn, selected: int | None = None) -> None:
    """`selected` is the citation shown in the evidence panel when this turn is the one shown there."""
    answer = turn.answer
    with st.chat_message("user", avatar=USER_AVATAR):
        st.markdown(escape_markdown(answer.question))
    with st.chat_message("assistant", avatar=ASSISTANT_AVATAR), st.container(key=f"answer-{turn.id}"):
        _flag(turn)
        uncertain = answer.verdict.uncertain
        if uncertain and answer.evidence:  # evidence first: the reviewer reads the passages before the guess
            _citation_buttons(turn, selected)
        if answer.verdict.answerable and not uncertain:
            st.markdown(escape_markdown(answer.text))
        elif answer.text:
            st.caption(("Best guess: " if uncertain else "") + escape_markdown(answer.text))
        with st.container(horizontal=True, gap="small"):
            confidence_badge(answer.verdict)
            st.badge(answer.backend, icon=":material/memory:", color="gray", help="The backend that wrote the answer.")
        if answer.verdict.reasons:
            st.caption("\n".join(f"- {escape_markdown(reason)}" for reason in answer.verdict.reasons))
        if answer.evidence and not uncertain:
            _citation_buttons(turn, selected)
