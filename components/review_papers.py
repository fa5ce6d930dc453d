"""The reviewed papers' DOI, year and venue: found in each PDF, shown in an editable table, saved on request."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import streamlit as st

from papertrail.export import escape_markdown
from papertrail.models import Paper
from papertrail.review.metadata import MetadataError, PaperMeta, edited_metadata
from papertrail.review.store import ReviewStore

_EDITOR = "review_papers_editor"
_MESSAGE = "review_papers_message"
_COLUMNS = ("doi", "year", "venue")


def _save(store: ReviewStore, papers: Sequence[Paper], meta: Mapping[str, PaperMeta]) -> None:
    """Validate every edited row first, so a bad value saves nothing."""
    edits = st.session_state.get(_EDITOR, {}).get("edited_rows", {})
    try:
        changed = {
            papers[int(row)].id: edited_metadata(
                *(str(values.get(c, getattr(meta[papers[int(row)].id], c)) or "") for c in _COLUMNS)
            )
            for row, values in edits.items()
        }
    except MetadataError as err:
        st.session_state[_MESSAGE] = ("error", str(err))
        return
    for paper_id, value in changed.items():
        store.save_paper_meta(paper_id, value)
    st.session_state[_MESSAGE] = ("success", f"Saved the metadata of {len(changed)} papers.")
    st.session_state.pop(_EDITOR, None)


def papers_metadata_editor(store: ReviewStore, papers: Sequence[Paper], meta: Mapping[str, PaperMeta]) -> None:
    kind, message = st.session_state.pop(_MESSAGE, (None, ""))
    if kind == "error":
        st.error(escape_markdown(message), icon=":material/error:")
    elif kind:
        st.success(escape_markdown(message), icon=":material/check_circle:")
    st.caption(
        "Found in each PDF's first pages and its metadata; correct them here. They go into the Excel, BibTeX and RIS exports."
    )
    frame = pd.DataFrame(
        [
            {"paper": p.title, **{c: getattr(meta[p.id], c) for c in _COLUMNS}, "edited": meta[p.id].edited}
            for p in papers
        ]
    )
    st.data_editor(frame, key=_EDITOR, hide_index=True, disabled=["paper", "edited"], num_rows="fixed")
    st.button("Save metadata", icon=":material/save:", on_click=_save, args=(store, papers, meta))
