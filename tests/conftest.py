"""Shared fixtures: an isolated data dir per test, the (slow to load) embedding model once per run, generated PDFs.

Keep fixtures here general; a test module's own fixture of the same name takes precedence over these.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from papertrail.settings import Settings, default_settings, load_settings
from tests import pdf_factory
from tests.answering_pdfs import write_pdf

ROOT = Path(__file__).resolve().parent.parent
APP_TIMEOUT_S = 180  # the first run of an app test loads the embedding model and opens the index

Section = tuple[str, list[str]]

# A paper whose answer to ANSWERABLE_QUESTION is one plain sentence, and which never touches
# UNANSWERABLE_QUESTION's subject.
CHAT_PAPER_TITLE = "Compact transformers for keyword spotting"
CHAT_PAPER_SECTIONS: list[Section] = [
    (
        "Abstract",
        [
            "Keyword spotting lets small devices react to spoken commands. We distil a transformer into a"
            " compact student network that recognises twelve keywords on a microcontroller with 256 KB of"
            " memory, and we measure its accuracy and latency against convolutional baselines.",
        ],
    ),
    (
        "Method",
        [
            "Audio clips of one second are converted into 40 log-mel filterbank features every 10 ms. The"
            " teacher is a six-layer transformer; the student has two layers and four attention heads and is"
            " trained to match the teacher's output distribution.",
            "We trained the model for 50 epochs on an NVIDIA Tesla K80 GPU. The Adam optimiser was used with a"
            " batch size of 128, and the student was quantised to 8-bit integers after training.",
        ],
    ),
    (
        "Results",
        [
            "On the Google Speech Commands test set the student reaches 95.1 % accuracy, 1.2 points below the"
            " teacher, while running in 18 ms per inference on an ARM Cortex-M7 board.",
        ],
    ),
    (
        "Conclusion",
        [
            "Distillation makes transformer keyword spotting practical on microcontrollers. Future work will"
            " study streaming inference and more languages.",
        ],
    ),
]
ANSWERABLE_QUESTION = "How many epochs was the model trained for?"
ANSWER_FRAGMENT = "50 epochs"
UNANSWERABLE_QUESTION = "What was the annual rainfall at the field site?"


def write_paper_pdf(path: Path, title: str, authors: str, sections: list[Section]) -> Path:
    """A single-column paper with a title, an author line and sectioned paragraphs, laid out on A4."""
    body = f"<h1>{html.escape(title)}</h1><p>{html.escape(authors)}</p>"
    for heading, paragraphs in sections:
        body += f"<h2>{html.escape(heading)}</h2>" + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return write_pdf(path, body)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data dir that the engine and the app (PAPERTRAIL_DATA_DIR) both use."""
    path = tmp_path / "data"
    monkeypatch.setenv("PAPERTRAIL_DATA_DIR", str(path))
    default_settings.cache_clear()
    yield path
    default_settings.cache_clear()


@pytest.fixture
def settings(data_dir: Path) -> Settings:
    return load_settings(data_dir=data_dir)


@pytest.fixture(scope="session")
def embed_model():
    """Loading the embedding model takes seconds; share one per test run."""
    from papertrail.embedding import MiniLMEmbedding

    return MiniLMEmbedding()


@pytest.fixture
def library(settings: Settings, embed_model):
    from papertrail.library import Library

    return Library(settings, embed_model=embed_model)


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated-pdfs")


@pytest.fixture(scope="session")
def make_paper_pdf(pdf_dir: Path) -> Callable[[str, str, list[Section]], Path]:
    """make_paper_pdf(file_name, title, sections) -> path of a generated PDF."""

    def make(file_name: str, title: str, sections: list[Section], authors: str = "A. Author, B. Author") -> Path:
        return write_paper_pdf(pdf_dir / file_name, title, authors, sections)

    return make


@pytest.fixture(scope="session")
def chat_paper_pdf(make_paper_pdf) -> Path:
    """The paper the app tests ask about (see ANSWERABLE_QUESTION and UNANSWERABLE_QUESTION)."""
    return make_paper_pdf("keyword_spotting.pdf", CHAT_PAPER_TITLE, CHAT_PAPER_SECTIONS, "Ada Lovelace, Alan Turing")


@pytest.fixture(scope="session")
def encrypted_pdf(pdf_dir: Path) -> Path:
    """A password-protected PDF: ingest must refuse it with a plain reason."""
    return pdf_factory.make_encrypted_pdf(pdf_dir / "locked.pdf")


@pytest.fixture(scope="session")
def image_only_pdf(pdf_dir: Path) -> Path:
    """A scan without a text layer."""
    return pdf_factory.make_image_only_pdf(pdf_dir / "scan.pdf")


@pytest.fixture(scope="session")
def text_file_named_pdf(pdf_dir: Path) -> Path:
    """Plain text under a .pdf name."""
    return pdf_factory.make_text_file(pdf_dir / "notes.pdf")


def open_app(page: str | None = None):
    """An AppTest of app.py (run once), switched to `page` ("pages/chat.py") if given."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT_S)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def rendered_text(at) -> str:
    """Everything an AppTest page shows as text: Markdown, captions, alerts, toasts and button labels."""
    parts = [
        el.value
        for kind in ("title", "subheader", "markdown", "caption", "success", "info", "warning", "error", "toast")
        for el in getattr(at, kind)
    ]
    parts += [button.label for button in at.button]
    return "\n".join(str(part) for part in parts)
