"""The evidence behind one matrix cell: the answer or "not reported", the passages, the highlighted page."""

from __future__ import annotations

import streamlit as st

from components.answer_card import UNANSWERABLE_ICON, confidence_badge
from components.charts import evidence_chart
from components.evidence import _page_view
from papertrail.export import escape_markdown, quote_markdown
from papertrail.library import Library
from papertrail.review import Cell


def _citation_choice(cell: Cell) -> int:
    labels = [f"{n} · p. {ev.page}" for n, ev in enumerate(cell.answer.evidence, start=1)]
    picked = st.segmented_control(
        "Passage",
        range(len(labels)),
        default=0,
        format_func=lambda index: labels[index],
        key=f"review_passage_{cell.paper.id}_{cell.key}",
    )
    return picked if picked is not None else 0


def cell_evidence(library: Library, cell: Cell) -> None:
    answer = cell.answer
    st.markdown(f"**{escape_markdown(cell.paper.title)}** · `{cell.key}`")
    st.caption(escape_markdown(cell.question))
    if cell.reported:
        st.markdown(escape_markdown(answer.text))
        confidence_badge(answer.verdict)
    else:
        st.error(
            f"**Not reported**: the paper does not say (confidence {cell.confidence:.0%}).", icon=UNANSWERABLE_ICON
        )
    if answer.verdict.reasons:
        st.caption("\n".join(f"- {escape_markdown(reason)}" for reason in answer.verdict.reasons))
    if not answer.evidence:
        st.info("No passage of the paper came close to this question.", icon=":material/search_off:")
        return
    text_column, page_column = st.columns([2, 3], gap="large")
    with text_column:
        if not cell.reported:
            st.caption("The closest passages; they do not answer the question.")
        index = _citation_choice(cell)
        evidence = answer.evidence[index]
        st.markdown(f"Page {evidence.page} · score {evidence.score:.2f}\n\n" + quote_markdown(evidence.text))
        st.plotly_chart(
            evidence_chart(answer, {cell.paper.id: cell.paper.title}, index),
            key=f"review_scores_{cell.paper.id}_{cell.key}",
            config={"displayModeBar": False},
        )
    with page_column:
        _page_view(library, evidence, cell.paper.title)
