"""Questions and searches across the whole library, on generated PDFs, real Chroma and the real engine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from papertrail.library import Library
from papertrail.library_questions import ask_library, candidate_papers, search_passages
from papertrail.settings import load_settings
from tests.conftest import ANSWERABLE_QUESTION, CHAT_PAPER_SECTIONS, CHAT_PAPER_TITLE, open_app, rendered_text
from tests.test_library import chroma_server  # noqa: F401 - a real Chroma server process, as a fixture

ROOT = Path(__file__).resolve().parent.parent

SPEECH_SECTIONS = [
    ("Abstract", ["We recognise bird songs in forest recordings with a small convolutional network."]),
    (
        "Method",
        [
            "Spectrograms of five-second clips are the input. We trained the network for 30 epochs with"
            " stochastic gradient descent and a batch size of 64 on a single GPU.",
        ],
    ),
    ("Results", ["The network identifies 48 species with 88 % accuracy on held-out recordings."]),
]
BEETLE_SECTIONS = [
    ("Abstract", ["Bark beetle outbreaks kill spruce stands; we map them from aerial photographs."]),
    ("Method", ["Foresters walked transects and marked infested crowns by hand in the summer of 2019."]),
    ("Results", ["Outbreaks spread fastest on south-facing slopes after dry summers."]),
]


@pytest.fixture
def papers_dir(tmp_path, make_paper_pdf) -> Path:
    folder = tmp_path / "papers"
    folder.mkdir()
    for name, title, sections in [
        ("keyword_spotting.pdf", CHAT_PAPER_TITLE, CHAT_PAPER_SECTIONS),
        ("bird_songs.pdf", "Bird songs from forest recordings", SPEECH_SECTIONS),
        ("bark_beetles.pdf", "Mapping bark beetle outbreaks", BEETLE_SECTIONS),
    ]:
        (folder / name).write_bytes(make_paper_pdf(name, title, sections).read_bytes())
    return folder


@pytest.fixture
def filled(library, papers_dir):
    return {path.name: library.ingest(path).paper for path in sorted(papers_dir.glob("*.pdf"))}


def test_candidate_papers_put_the_papers_that_mention_the_question_first(library, filled):
    ranked = candidate_papers(library, ANSWERABLE_QUESTION, 2)
    assert set(ranked) == {filled["keyword_spotting.pdf"].id, filled["bird_songs.pdf"].id}


def test_the_library_answer_ranks_the_papers_that_answer_and_counts_the_rest(library, filled):
    result = ask_library(library, ANSWERABLE_QUESTION, top=3)
    answering = {item.paper.filename: item.answer for item in result.answering}
    assert set(answering) == {"keyword_spotting.pdf", "bird_songs.pdf"}
    assert "50 epochs" in answering["keyword_spotting.pdf"].text
    assert "30 epochs" in answering["bird_songs.pdf"].text
    assert all(a.evidence and a.verdict.answerable for a in answering.values())
    confidences = [item.answer.verdict.confidence for item in result.answering]
    assert confidences == sorted(confidences, reverse=True)
    assert result.not_answering == 1 and result.papers_read == 3


def test_a_question_no_paper_answers_reports_every_paper_as_not_answering(library, filled):
    result = ask_library(library, "What was the annual rainfall at the field site?")
    assert result.answering == () and result.not_answering == 3


def test_search_lists_matching_passages_with_the_words_to_highlight(library, filled):
    hits = search_passages(library, "infested spruce crowns")
    assert hits and {h.paper.filename for h in hits} == {"bark_beetles.pdf"}
    for hit in hits:
        marked = {hit.passage.text[s:e].lower() for s, e in hit.spans}
        assert marked and marked <= {"infested", "spruce", "crowns"}


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PAPERTRAIL_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "papertrail", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )


def test_cli_ingests_a_folder_then_asks_and_searches_the_library(papers_dir, tmp_path):
    data_dir = tmp_path / "cli-data"
    done = _cli(data_dir, "ingest", str(papers_dir))
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("passages") == 3

    done = _cli(data_dir, "ask", "--library", ANSWERABLE_QUESTION, "--top", "3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 3, lines
    assert {line.split("\t")[0] for line in lines[:2]} == {"keyword_spotting.pdf", "bird_songs.pdf"}
    assert all("epochs" in line and "\tp. " in line for line in lines[:2])
    assert lines[2].startswith("1 papers judged not to answer")

    done = _cli(data_dir, "search", "spruce crowns")
    assert done.returncode == 0 and done.stdout.startswith("bark_beetles.pdf\tp. 1\t"), done.stdout
    assert "[spruce]" in done.stdout and "[crowns]" in done.stdout


def test_cli_ask_without_a_pdf_or_library_says_what_to_give(tmp_path):
    done = _cli(tmp_path / "empty", "ask", "How many epochs?")
    assert done.returncode == 2 and "--library" in done.stderr


def test_chat_all_papers_scope_ranks_the_papers_that_answer_with_their_evidence(filled):
    at = open_app("pages/chat.py")
    at.segmented_control(key="chat-scope").set_value("All papers").run()
    at.chat_input[0].set_value(ANSWERABLE_QUESTION).run()
    assert not at.exception, [e.value for e in at.exception]
    text = rendered_text(at)
    assert "**2 papers answer**; 1 paper judged not to answer" in text
    titles = [m.value for m in at.markdown if m.value.startswith(("**1. ", "**2. "))]
    assert len(titles) == 2 and {t.split(" · ")[1] for t in titles} == {"keyword\\_spotting.pdf", "bird\\_songs.pdf"}
    assert "50 epochs" in text and "30 epochs" in text
    # Each answer quotes its evidence and offers its page with the words highlighted.
    assert sum(m.value.startswith("> ") for m in at.markdown) == 2
    assert len(at.expander) == 2 and len(at.get("image")) == 2


def test_chat_search_scope_lists_passages_with_the_words_highlighted(filled):
    at = open_app("pages/chat.py")
    at.segmented_control(key="chat-scope").set_value("Search").run()
    at.text_input(key="library-search").set_value("spruce crowns").run()
    assert not at.exception, [e.value for e in at.exception]
    heads = [m.value for m in at.markdown if "page 1" in m.value]
    assert heads and all("bark\\_beetles.pdf" in h for h in heads)
    assert any(":orange-background[spruce]" in m.value for m in at.markdown)


@pytest.mark.slow
def test_library_questions_and_search_work_against_a_chroma_server(tmp_path, chroma_server, papers_dir, embed_model):  # noqa: F811
    library = Library(load_settings(data_dir=tmp_path / "replica", chroma_url=chroma_server), embed_model=embed_model)
    ids = {path.name: library.ingest(path).paper.id for path in sorted(papers_dir.glob("*.pdf"))}
    assert not (tmp_path / "replica" / "chroma").exists()  # the vectors live on the server
    result = ask_library(library, ANSWERABLE_QUESTION, top=3)
    assert {item.paper.filename for item in result.answering} == {"keyword_spotting.pdf", "bird_songs.pdf"}
    assert library.delete(ids["bark_beetles.pdf"])
    assert search_passages(library, "spruce crowns") == []  # its words left the FTS index with it
    assert ids["bark_beetles.pdf"] not in candidate_papers(library, "spruce crowns bark beetles", 3)
