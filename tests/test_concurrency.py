"""The app shares one Library across sessions (threads): answering while another session ingests must just work."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from papertrail.answering import Answerer
from papertrail.history import ChatHistory
from tests.conftest import ANSWER_FRAGMENT, ANSWERABLE_QUESTION, CHAT_PAPER_SECTIONS, UNANSWERABLE_QUESTION

ASKERS = 8
ROUNDS = 3
NEW_PAPERS = 3


@pytest.mark.slow
def test_eight_sessions_answer_while_a_ninth_ingests(library, chat_paper_pdf, make_paper_pdf):
    first = library.ingest(chat_paper_pdf).paper
    new_pdfs = [
        make_paper_pdf(
            f"concurrent_{n}.pdf",
            f"Concurrent study number {n} of keyword spotting",
            [
                (heading, [f"In study {n}, " + text for text in paragraphs])
                for heading, paragraphs in CHAT_PAPER_SECTIONS
            ],
        )
        for n in range(NEW_PAPERS)
    ]
    history = ChatHistory.for_settings(library.settings)
    shared = Answerer(library)  # the app shares one answerer between sessions with the same settings
    start = threading.Barrier(ASKERS + 1)  # everyone starts together, so the work really overlaps

    def ingest_all() -> list[str]:
        start.wait()
        return [library.ingest(pdf).paper.id for pdf in new_pdfs]

    def ask_repeatedly(session: int) -> list[tuple[str, bool, str]]:
        # Half the sessions share an answerer (as the app's cache does), half have their own; all one Library.
        answerer = shared if session % 2 else Answerer(library)
        start.wait()
        results = []
        for _ in range(ROUNDS):
            for question in (ANSWERABLE_QUESTION, UNANSWERABLE_QUESTION):
                answer = answerer.ask(question, [first.id])
                history.add(answer, [first.id])
                results.append((question, answer.verdict.answerable, answer.text))
        return results

    with ThreadPoolExecutor(max_workers=ASKERS + 1) as pool:
        ingesting = pool.submit(ingest_all)
        asking = [pool.submit(ask_repeatedly, session) for session in range(ASKERS)]
        new_ids = ingesting.result(timeout=600)
        answers = [result for future in asking for result in future.result(timeout=600)]

    assert len(answers) == ASKERS * ROUNDS * 2
    for question, answerable, text in answers:
        if question == ANSWERABLE_QUESTION:
            assert answerable and ANSWER_FRAGMENT in text
        else:
            assert not answerable
    assert {p.id for p in library.papers()} == {first.id, *new_ids}
    for paper_id in new_ids:
        paper = library.paper(paper_id)
        assert paper is not None and library.index.count(paper_id) == paper.passages > 0
    assert len(history.turns([first.id])) == ASKERS * ROUNDS * 2
    # The papers ingested meanwhile answer too.
    assert ANSWER_FRAGMENT in Answerer(library).ask(ANSWERABLE_QUESTION, [new_ids[-1]]).text
