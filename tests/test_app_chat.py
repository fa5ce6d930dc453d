"""The Chat page in streamlit's AppTest: answers with their evidence, the unanswerable flag, history, exports."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from PIL import Image

from components.evidence import crop_around
from papertrail.answering import Answerer
from papertrail.answering.decide import shipped_weights
from papertrail.export import escape_markdown
from papertrail.history import ChatHistory
from papertrail.models import Answer, Box, Evidence, Verdict
from tests.conftest import (
    ANSWER_FRAGMENT,
    ANSWERABLE_QUESTION,
    CHAT_PAPER_SECTIONS,
    UNANSWERABLE_QUESTION,
    open_app,
    rendered_text,
)

CHAT_PAGE = "pages/chat.py"


@pytest.fixture
def paper(library, chat_paper_pdf: Path):
    return library.ingest(chat_paper_pdf).paper


def _ask(at, question: str):
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _answer_texts(at) -> list[str]:
    return [m.value for m in at.markdown]


def test_an_empty_library_sends_the_researcher_to_the_library_page(data_dir: Path):
    at = open_app(CHAT_PAGE)
    assert "Your library is empty" in rendered_text(at)
    assert not at.chat_input


def test_answerable_question_gets_an_answer_card_beside_its_highlighted_evidence(paper):
    at = open_app(CHAT_PAGE)
    assert at.multiselect[0].value == [paper.id]  # the only (newest) paper is picked by default

    _ask(at, ANSWERABLE_QUESTION)
    text = rendered_text(at)
    assert ANSWER_FRAGMENT in text
    assert "Answered" in text and "Unanswerable" not in text
    assert any("Confidence" in m.value for m in at.markdown)
    # The evidence column: the cited page rendered as an image, the snippet, and the score chart.
    assert len(at.get("image")) == 1
    assert len(at.get("plotly_chart")) == 1
    assert any(m.value.startswith("**1** · ") and "page 1 · score" in m.value for m in at.markdown)
    assert at.button(key=f"cite-{_turn_ids(at)[0]}-0").proto.type == "primary"


def test_unanswerable_question_is_flagged_unmistakably(paper):
    at = open_app(CHAT_PAGE)
    _ask(at, UNANSWERABLE_QUESTION)
    assert [e.value for e in at.error] == ["**Unanswerable**: the paper does not say"]
    assert at.error[0].icon == ":material/block:"
    assert "Judged unanswerable" in rendered_text(at)


def test_clicking_a_citation_shows_that_passage_and_page(paper):
    at = open_app(CHAT_PAGE)
    _ask(at, ANSWERABLE_QUESTION)
    turn_id = _turn_ids(at)[0]
    at.button(key=f"cite-{turn_id}-1").click().run()
    assert any(m.value.startswith("**2** · ") for m in at.markdown)
    assert at.button(key=f"cite-{turn_id}-1").proto.type == "primary"
    assert at.button(key=f"show-{turn_id}-1").disabled  # the evidence list marks it as shown


def test_history_survives_a_restart_and_is_kept_per_paper_set(paper, library, make_paper_pdf):
    at = open_app(CHAT_PAGE)
    _ask(at, ANSWERABLE_QUESTION)
    _ask(at, UNANSWERABLE_QUESTION)

    st.cache_resource.clear()  # what a restart loses: the shared Library, answerers and rendered pages
    st.cache_data.clear()
    reopened = open_app(CHAT_PAGE)
    text = rendered_text(reopened)
    assert ANSWERABLE_QUESTION.replace("?", "") in text and ANSWER_FRAGMENT in text
    assert "**Unanswerable**: the paper does not say" in text
    assert len(reopened.get("image")) == 1  # re-rendered with its highlights from the stored spans

    other = library.ingest(make_paper_pdf("second.pdf", "Second study on keyword spotting", CHAT_PAPER_SECTIONS[:2]))
    reopened.run()  # the picker now offers the new paper
    reopened.multiselect[0].set_value([paper.id, other.paper.id]).run()
    assert "No questions yet" in rendered_text(reopened)  # a new paper set starts its own chat
    _ask(reopened, ANSWERABLE_QUESTION)
    assert ChatHistory.for_settings(library.settings).last_paper_set() == tuple(sorted([paper.id, other.paper.id]))
    assert len(ChatHistory.for_settings(library.settings).turns([paper.id])) == 2


def test_the_last_used_paper_set_is_the_default(paper, library, make_paper_pdf):
    other = library.ingest(make_paper_pdf("third.pdf", "Third study on keyword spotting", CHAT_PAPER_SECTIONS[:2]))
    ChatHistory.for_settings(library.settings).remember_paper_set([paper.id])
    at = open_app(CHAT_PAGE)
    assert at.multiselect[0].value == [paper.id] != [other.paper.id]


def test_exports_are_offered_for_the_chat(paper):
    at = open_app(CHAT_PAGE)
    _ask(at, ANSWERABLE_QUESTION)
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["Chat as Markdown", "Annotated PDF"]


def test_paper_text_is_never_rendered_as_html(paper, library):
    hostile = '<img src=x onerror="alert(1)"> **bold** :red[alarm] $x^2$ [link](javascript:alert(1))'
    passage = library.passages(paper.id)[0]
    spoofed = Answer(
        question=f"Q {hostile}",
        text=f"A {hostile}",
        verdict=Verdict(True, 0.8, (f"R {hostile}",)),
        evidence=(Evidence(replace(passage, text=hostile, words=()), 0, len(hostile), 0.5),),
        paper_ids=(paper.id,),
    )
    ChatHistory.for_settings(library.settings).add(spoofed, [paper.id])
    at = open_app(CHAT_PAGE)
    assert not [m for m in at.markdown if m.allow_html]
    bodies = _answer_texts(at) + [c.value for c in at.caption]
    assert not [b for b in bodies if hostile in b]
    literal = escape_markdown(hostile)
    # Question, answer, reason, the evidence quote and the passage list all show it escaped.
    assert len([b for b in bodies if literal in b]) >= 5


def test_an_uncertain_answer_has_its_own_card_evidence_first(paper, library):
    # A real engine answer under weights whose uncertain band covers every confidence.
    weights = replace(shipped_weights(), uncertain_below=1.0)
    answer = Answerer(library, weights=weights).ask(ANSWERABLE_QUESTION, [paper.id])
    assert answer.verdict.uncertain and answer.evidence
    ChatHistory.for_settings(library.settings).add(answer, [paper.id])
    at = open_app(CHAT_PAGE)
    warning = at.warning[0]
    assert warning.value.startswith("**Uncertain**: check these passages") and warning.icon == ":material/help:"
    assert "Unanswerable" not in rendered_text(at) and "Answered" not in rendered_text(at)
    assert any(c.value.startswith("Best guess: ") for c in at.caption), [c.value for c in at.caption]
    assert "Uncertain: read these passages" in rendered_text(at)  # the evidence panel says so too
    # evidence first: the citation row comes before the best guess in the card
    captions = [c.value for c in at.caption]
    assert captions.index("Check") < next(i for i, c in enumerate(captions) if c.startswith("Best guess: "))


@pytest.mark.llm  # needs requirements-llm.txt (make test-llm); the client retries the dead server once
def test_an_unreachable_llm_server_falls_back_to_the_quoted_evidence(paper):
    pytest.importorskip("llama_index.llms.openai_like")
    at = open_app(CHAT_PAGE)
    at.session_state["settings_overrides"] = {
        "answerer": "openai",
        "llm_url": "http://127.0.0.1:9/v1",
        "llm_model": "m",
    }
    _ask(at, ANSWERABLE_QUESTION)
    assert ANSWER_FRAGMENT in rendered_text(at)
    assert "could not be reached" in rendered_text(at)


def test_a_misconfigured_llm_backend_is_reported_in_plain_words(paper):
    at = open_app(CHAT_PAGE)
    at.session_state["settings_overrides"] = {"answerer": "openai", "llm_url": ""}
    _ask(at, ANSWERABLE_QUESTION)
    # The engine's quoted answer still stands, and the reason says what to fix.
    assert ANSWER_FRAGMENT in rendered_text(at)
    assert "Set PAPERTRAIL\\_LLM\\_URL" in rendered_text(at)
    assert not at.error


def _turn_ids(at) -> list[int]:
    return sorted({int(b.key.split("-")[1]) for b in at.button if b.key and b.key.startswith("cite-")})


def test_the_page_is_cropped_to_the_cited_lines_column():
    zoom = 2.0
    page = io.BytesIO()
    Image.new("RGB", (int(612 * zoom), int(792 * zoom)), "white").save(page, format="PNG")
    left_column = [Box(1, 50, 100 + 12 * i, 290, 110 + 12 * i) for i in range(40)]
    right_column = [Box(1, 320, 100 + 12 * i, 560, 110 + 12 * i) for i in range(40)]
    cited = [Box(1, 320, 400, 450, 410)]  # half a line in the right column

    cropped = Image.open(io.BytesIO(crop_around(page.getvalue(), cited, left_column + right_column, zoom)))
    assert cropped.width == int((560 + 12) * zoom) - int((320 - 12) * zoom)  # the right column, not the page
    assert cropped.height == int((410 + 110) * zoom) - int((400 - 110) * zoom)
