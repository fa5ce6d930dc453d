"""Agreement views: the tool against checked cells or a label file, and two reviewers against each other,
with the disagreements to settle. The figures come from papertrail.review.agreement; this only draws them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from components.review_charts import agreement_bars, confusion_bars
from components.review_verify import REVIEWER
from papertrail.export import escape_markdown
from papertrail.review.agreement import (
    OVERALL,
    Agreement,
    LabelError,
    accepted_share,
    agreement,
    decision_pairs,
    label_pairs,
    read_labels,
    reviewer_pairs,
)
from papertrail.review.matrix import Review, Verification
from papertrail.review.store import ReviewStore
from papertrail.review.verify import VerificationError, disputes, final_decisions, reviewers, settle, settlements

_SOURCE = "review_agreement_source"
_CHECKED, _LABELS = "Checked cells", "A label file"
_SETTLE_MESSAGE = "review_settle_message"


def _kappa(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.2f}"


def agreement_view(rows: Sequence[Agreement], first: str, second: str, key: str) -> None:
    overall = next(r for r in rows if r.key == OVERALL)
    with st.container(horizontal=True):
        st.metric("Cells compared", overall.cells)
        st.metric("Agreement (reported / not)", f"{overall.fraction:.0%}")
        st.metric("Cohen's kappa", _kappa(overall.kappa))
    st.plotly_chart(agreement_bars(rows, second), key=f"{key}_agreement", config={"displayModeBar": False})
    st.plotly_chart(confusion_bars(rows, first, second), key=f"{key}_confusion", config={"displayModeBar": False})
    table = pd.DataFrame(
        [
            {
                "question": r.key,
                "cells": r.cells,
                "agreement": round(r.fraction, 3),
                "kappa": None if math.isnan(r.kappa) else round(r.kappa, 3),
                f"{first} reported": r.both + r.tool_only,
                f"{second} reported": r.both + r.reference_only,
            }
            for r in rows
        ]
    )
    st.dataframe(table, hide_index=True, key=f"{key}_table")


def tool_agreement(review: Review, store: ReviewStore) -> None:
    """The tool against the decisions that stand, or against an imported label file."""
    source = st.segmented_control("Compare the tool with", [_CHECKED, _LABELS], default=_CHECKED, key=_SOURCE)
    if source == _LABELS:
        upload = st.file_uploader(
            "Label file (CSV)",
            type=["csv"],
            key="review_labels_file",
            help="Columns: paper (file name, id or title), key or question, reported (y/n), optional answer.",
        )
        if upload is None:
            return
        try:
            matched = label_pairs(review, read_labels(upload.getvalue()))
        except LabelError as err:
            st.error(escape_markdown(str(err)), icon=":material/error:")
            return
        if matched.unmatched:
            st.caption(f"{len(matched.unmatched)} labels match no answered cell of this matrix and are left out.")
        if not matched.pairs:
            st.info("No label matches an answered cell of this matrix.", icon=":material/info:")
            return
        agreement_view(agreement(matched.pairs, review.battery.keys), "tool", "labels", "review_labels")
        return
    final = final_decisions(store.verifications(review.battery, [p.id for p in review.papers]))
    accepted, decided = accepted_share(review, final)
    if not decided:
        st.info(
            "No cell is checked yet: accept, edit or reject cells in the matrix or the queue.", icon=":material/info:"
        )
        return
    st.markdown(
        f"The tool agreed with the reviewers on **{accepted / decided:.0%}** of {decided} checked cells"
        " (accepted as they are). Reported / not reported:"
    )
    agreement_view(agreement(decision_pairs(review, final), review.battery.keys), "tool", "reviewers", "review_checked")


def _describe(v: Verification) -> str:
    answer = f": {escape_markdown(v.answer)} (p. {v.page})" if v.answer else ""
    note = f" — “{escape_markdown(v.note)}”" if v.note else ""
    return f"**{escape_markdown(v.reviewer)}** {v.decision.value}{answer}{note} · {v.at}"


def _settle(store: ReviewStore, review: Review, adopted: Verification) -> None:
    cell = review.cell(adopted.paper_id, adopted.key)
    if cell is None:
        return
    try:
        verification = settle(cell, st.session_state.get(REVIEWER, ""), adopted)
    except VerificationError as err:
        st.session_state[_SETTLE_MESSAGE] = ("error", str(err))
        return
    store.add_verification(review.battery, verification)
    st.session_state[_SETTLE_MESSAGE] = ("success", f"Settled {cell.key}: {adopted.reviewer}'s decision stands.")


def reviewer_agreement(review: Review, store: ReviewStore) -> None:
    """Kappa between two reviewers, and every cell they disagree on with both decisions, to settle."""
    log = store.verifications(review.battery, [p.id for p in review.papers])
    names = reviewers(log)
    if len(names) < 2:
        st.info(
            "When two reviewers have checked cells (each under their own name), their agreement and"
            " their disagreements to settle appear here.",
            icon=":material/group:",
        )
        return
    first_column, second_column = st.columns(2)
    first = first_column.selectbox("First reviewer", names, index=0, key="review_first_reviewer")
    second = second_column.selectbox("Second reviewer", names, index=1, key="review_second_reviewer")
    pairs = reviewer_pairs(review, log, first, second)
    if first == second or not pairs:
        st.info("Choose two reviewers who both checked some of these cells.", icon=":material/info:")
    else:
        agreement_view(agreement(pairs, review.battery.keys), first, second, "review_reviewers")

    st.markdown("**Disagreements**")
    kind, message = st.session_state.pop(_SETTLE_MESSAGE, (None, ""))
    if kind == "error":
        st.error(escape_markdown(message), icon=":material/error:")
    elif kind:
        st.success(escape_markdown(message), icon=":material/check_circle:")
    settled = settlements(log)
    titles = {p.id: p.title for p in review.papers}
    found = disputes(log)
    if not found:
        st.caption("The reviewers agree on every cell they both checked.")
    for (paper_id, key), decisions in found.items():
        with st.container(border=True, key=f"dispute-{paper_id}-{key}"):
            st.markdown(f"{escape_markdown(titles.get(paper_id, paper_id))} · `{key}`")
            for v in decisions:
                st.markdown("- " + _describe(v))
            if (paper_id, key) in settled:
                st.caption(":material/gavel: Settled: " + _describe(settled[(paper_id, key)]))
            with st.container(horizontal=True):
                for v in decisions:
                    st.button(
                        f"Keep {v.reviewer}'s",
                        key=f"settle-{paper_id}-{key}-{v.reviewer}",
                        icon=":material/gavel:",
                        on_click=_settle,
                        args=(store, review, v),
                    )
