"""The chat's library-wide scopes: one question to every paper (ranked papers that answer, a count of
those that do not), and a search listing matching passages with their words highlighted.

Results live in this session only; paper text is always escaped, highlights are Streamlit's own markup
around words that hold only letters, digits, dots and hyphens.
"""

from __future__ import annotations

import logging

import streamlit as st

from components import state
from components.answer_card import confidence_badge
from components.evidence import evidence_png
from papertrail.export import escape_markdown, plural, quote_markdown
from papertrail.library import Library
from papertrail.library_questions import ask_library, search_passages
from papertrail.models import LibraryAnswer, PaperAnswer, PassageHit

log = logging.getLogger(__name__)

_RESULTS = "library_answers"  # session state: LibraryAnswer list, oldest first
SEARCH_RESULTS = 20


def highlighted_markdown(text: str, spans: tuple[tuple[int, int], ...]) -> str:
    """The passage as literal Markdown with the matched words on a highlight background."""
    parts, cut = [], 0
    for start, end in spans:
        parts += [escape_markdown(text[cut:start]), f":orange-background[{escape_markdown(text[start:end])}]"]
        cut = end
    parts.append(escape_markdown(text[cut:]))
    return "".join(parts)


def _paper_result(library: Library, rank: int, item: PaperAnswer, key: str) -> None:
    answer, paper = item.answer, item.paper
    with st.container(border=True, key=f"library-answer-{key}-{rank}"):
        st.markdown(f"**{rank}. {escape_markdown(paper.title)}** · {escape_markdown(paper.filename)}")
        with st.container(horizontal=True, gap="small"):
            if answer.verdict.uncertain:
                st.badge("Uncertain: check the passage", icon=":material/help:", color="orange")
            else:
                st.badge("Answered", icon=":material/check_circle:", color="green")
            confidence_badge(answer.verdict)
        st.markdown(escape_markdown(answer.text))
        if not answer.evidence:
            return
        evidence = answer.evidence[0]
        st.caption(f"Page {evidence.page}")
        st.markdown(quote_markdown(evidence.text))
        with st.expander(f"Page {evidence.page}, highlighted"):
            boxes = tuple(box for box in evidence.boxes if box.page == evidence.page)
            png = evidence_png(evidence.paper_id, evidence.page, boxes, True, library)
            st.image(png, width="stretch", alt=f"Page {evidence.page} of {paper.title}, cited words highlighted")


def _library_answer(library: Library, result: LibraryAnswer, key: str) -> None:
    with st.chat_message("user", avatar=":material/person:"):
        st.markdown(escape_markdown(result.question))
    with st.chat_message("assistant", avatar=":material/plagiarism:"):
        answering = len(result.answering)
        st.markdown(
            f"**{plural(answering, 'paper')} answer{'s' if answering == 1 else ''}**; "
            f"{plural(result.not_answering, 'paper')} judged not to answer "
            f"(the {result.papers_read} closest papers were read)."
        )
        for rank, item in enumerate(result.answering, start=1):
            _paper_result(library, rank, item, key)


def library_question_pane(library: Library) -> None:
    """Every paper at once: the papers that answer, best first, each with its answer and evidence."""
    results: list[LibraryAnswer] = st.session_state.setdefault(_RESULTS, [])
    question = st.chat_input("Ask every paper, e.g. “Which papers report a random seed?”")
    if not results and not question:
        st.caption("Ask once, and see which papers answer, best first, with their evidence.")
    for index, result in enumerate(results):
        _library_answer(library, result, str(index))
    if not question:
        return
    with st.spinner("Finding the papers closest to the question and reading them…"):
        try:
            result = ask_library(library, question, settings=state.effective_settings())
        except Exception as err:  # one failed question must not break the page
            log.exception("library question failed")
            st.error(f"Answering failed ({type(err).__name__}).", icon=":material/error:")
            return
    results.append(result)
    _library_answer(library, result, str(len(results) - 1))


def _search_hit(index: int, hit: PassageHit) -> None:
    with st.container(border=True, key=f"search-hit-{index}"):
        st.markdown(
            f"**{escape_markdown(hit.paper.title)}** · {escape_markdown(hit.paper.filename)} · page {hit.passage.page}"
        )
        st.markdown(highlighted_markdown(hit.passage.text, hit.spans))


def search_pane(library: Library) -> None:
    """Passages across the library that hold the words searched for, best first."""
    query = st.text_input("Search the library", placeholder="Words to find, e.g. random seed", key="library-search")
    if not query.strip():
        st.caption("Finds passages holding the words, in every paper; the words are highlighted.")
        return
    hits = search_passages(library, query, SEARCH_RESULTS)
    if not hits:
        st.info("No passage holds these words.", icon=":material/search_off:")
        return
    st.caption(f"{plural(len(hits), 'passage')}, best match first")
    for index, hit in enumerate(hits):
        _search_hit(index, hit)
