"""The evidence beside an answer: the cited page with the exact words highlighted, the passages, their scores.

Which citation is shown is session state set by clicking a citation, in the answer card or here.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import streamlit as st
from PIL import Image

from components.charts import evidence_chart
from papertrail.export import escape_markdown, quote_markdown
from papertrail.history import ChatTurn
from papertrail.library import Library
from papertrail.models import Box, Evidence
from papertrail.pdf.render import render_page

_SELECTION = "chat_selection"  # session state: (turn id, evidence index)
_VIEW = "evidence_view"
_VIEW_AROUND, _VIEW_PAGE = "Around the citation", "Whole page"
ZOOM = 2.0  # pixels per PDF point: sharp on high-density screens once scaled into the column
_CONTEXT_PT = 110.0  # page context kept above and below the cited lines
_SIDE_PT = 12.0  # and beside the text column
PANE_HEIGHT = 640  # px: the chat and the evidence scroll side by side below the paper picker


def select_citation(turn_id: int, index: int) -> None:
    st.session_state[_SELECTION] = (turn_id, index)


def selected_citation(turns: Sequence[ChatTurn]) -> tuple[ChatTurn | None, int]:
    """The turn and citation to show; the newest answer's best citation until the user clicks another."""
    if not turns:
        return None, 0
    turn_id, index = st.session_state.get(_SELECTION, (None, 0))
    turn = next((t for t in turns if t.id == turn_id), turns[-1])
    if turn.id != turn_id or not 0 <= index < len(turn.answer.evidence):
        index = 0
    return turn, index


@st.cache_data(max_entries=128, show_spinner=False)
def evidence_png(paper_id: str, page: int, highlights: tuple[Box, ...], around: bool, _library: Library) -> bytes:
    """The page with the cited words highlighted, whole or cropped around them.

    Cached once per (paper, page, highlights, view): paper ids are content hashes, so the key never goes stale.
    """
    png = render_page(_library.pdf_path(paper_id), page, list(highlights), ZOOM)
    if not around or not highlights:
        return png
    lines = [
        line
        for passage in _library.passages(paper_id)
        if page in passage.pages
        for line in passage.boxes_for()
        if line.page == page
    ]
    return crop_around(png, highlights, lines, ZOOM)


def crop_around(png: bytes, boxes: Sequence[Box], page_lines: Sequence[Box], zoom: float) -> bytes:
    """The band of the page around the cited lines, as wide as the text column they sit in.

    `page_lines` are the page's text lines; those beside the citation in its band and overlapping
    it horizontally make up its column, so a two-column paper is cropped to the right column.
    """
    top, bottom = min(b.y0 for b in boxes) - _CONTEXT_PT, max(b.y1 for b in boxes) + _CONTEXT_PT
    left, right = min(b.x0 for b in boxes), max(b.x1 for b in boxes)
    column = [line for line in page_lines if line.y1 > top and line.y0 < bottom and line.x0 < right and line.x1 > left]
    left, right = min([left, *(line.x0 for line in column)]), max([right, *(line.x1 for line in column)])
    image = Image.open(io.BytesIO(png))
    crop = (
        max(0, int((left - _SIDE_PT) * zoom)),
        max(0, int(top * zoom)),
        min(image.width, int((right + _SIDE_PT) * zoom)),
        min(image.height, int(bottom * zoom)),
    )
    out = io.BytesIO()
    image.crop(crop).save(out, format="PNG")
    return out.getvalue()


def _page_view(library: Library, evidence: Evidence, title: str) -> None:
    pdf = library.pdf_path(evidence.paper_id)
    if not pdf.is_file():
        st.info("This paper has been removed from the library, so its page cannot be shown.", icon=":material/info:")
        return
    view = st.segmented_control(
        "View", [_VIEW_AROUND, _VIEW_PAGE], default=_VIEW_AROUND, key=_VIEW, label_visibility="collapsed"
    )
    boxes = tuple(box for box in evidence.boxes if box.page == evidence.page)
    png = evidence_png(evidence.paper_id, evidence.page, boxes, view != _VIEW_PAGE, library)
    st.image(png, width="stretch", alt=f"Page {evidence.page} of {title}, cited words highlighted")


def _passage_list(turn: ChatTurn, selected: int, titles: Mapping[str, str]) -> None:
    several_papers = len({evidence.paper_id for evidence in turn.answer.evidence}) > 1
    for index, evidence in enumerate(turn.answer.evidence):
        with st.container(border=True, key=f"passage-{turn.id}-{index}"):
            head, action = st.columns([4, 1], vertical_alignment="center")
            source = f" · {escape_markdown(titles.get(evidence.paper_id, evidence.paper_id))}" if several_papers else ""
            head.markdown(f"**{index + 1}** · page {evidence.page} · score {evidence.score:.2f}{source}")
            action.button(
                "Shown" if index == selected else "Show",
                key=f"show-{turn.id}-{index}",
                type="primary" if index == selected else "tertiary",
                on_click=select_citation,
                args=(turn.id, index),
                disabled=index == selected,
                help="Show this passage highlighted on its page",
            )
            st.caption(escape_markdown(evidence.text))


def evidence_panel(library: Library, turns: Sequence[ChatTurn], titles: Mapping[str, str]) -> None:
    with st.container(key="evidence-panel"):
        turn, selected = selected_citation(turns)
        if turn is None:
            st.caption("Evidence appears here: the cited page with the exact words highlighted.")
            return
        answer = turn.answer
        st.markdown(f"**Evidence for** “{escape_markdown(answer.question)}”")
        if not answer.evidence:
            st.info("No passage of the paper came close to this question.", icon=":material/search_off:")
            return
        if answer.verdict.uncertain:
            st.caption(":material/help: Uncertain: read these passages; the engine could not decide with confidence.")
        elif not answer.verdict.answerable:
            st.caption(
                ":material/block: Judged unanswerable: these are the closest passages, and they do not answer it."
            )
        evidence = answer.evidence[selected]
        title = titles.get(evidence.paper_id, evidence.paper_id)
        st.markdown(
            f"**{selected + 1}** · {escape_markdown(title)} · page {evidence.page} · score {evidence.score:.2f}\n\n"
            + quote_markdown(evidence.text)
        )
        _page_view(library, evidence, title)
        st.markdown("**All passages**")
        st.plotly_chart(
            evidence_chart(answer, titles, selected),
            key=f"scores-{turn.id}",
            config={"displayModeBar": False},
        )
        _passage_list(turn, selected, titles)
