"""The Library page in streamlit's AppTest: upload with per-file outcomes, duplicates, the list, confirmed delete."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from components.upload import STAGE_LABELS, ingest_upload
from papertrail.export import escape_markdown
from papertrail.library import STAGES, IngestError
from tests import pdf_factory
from tests.conftest import CHAT_PAPER_TITLE, open_app, rendered_text

LIBRARY_PAGE = "pages/library.py"


def test_upload_adds_good_files_and_explains_each_failure(
    library, chat_paper_pdf: Path, encrypted_pdf: Path, image_only_pdf: Path, text_file_named_pdf: Path
):
    bad_files = [encrypted_pdf, image_only_pdf, text_file_named_pdf]
    # Each failure must be shown in the engine's own plain words (IngestError.message).
    expected_errors = [f"**{pdf.name}**: {escape_markdown(_ingest_error(library, pdf))}" for pdf in bad_files]
    at = open_app()  # the library is the default page
    uploader = at.file_uploader[0]
    assert uploader.accept_multiple_files and uploader.allowed_type == [".pdf"]
    assert "200 MB" in uploader.help

    for pdf in [encrypted_pdf, chat_paper_pdf, image_only_pdf, text_file_named_pdf]:
        uploader.upload(pdf.name, pdf.read_bytes(), "application/pdf")
    at.run()

    assert not at.exception
    assert [s.value for s in at.success] == ["**keyword\\_spotting.pdf**: Added\\: 1 page, " + _passages(at) + "."]
    assert [e.value for e in at.error] == expected_errors  # the good file in between went on regardless
    assert "password" in expected_errors[0].lower()
    assert CHAT_PAPER_TITLE in rendered_text(at) and "Your papers (1)" in rendered_text(at)
    assert [p.title for p in library.papers()] == [CHAT_PAPER_TITLE]


def test_the_same_paper_again_is_recognised_as_already_in_the_library(library, chat_paper_pdf: Path):
    library.ingest(chat_paper_pdf)
    at = open_app()
    at.file_uploader[0].upload("renamed copy.pdf", chat_paper_pdf.read_bytes(), "application/pdf")
    at.run()
    assert [i.value for i in at.info] == [f"**renamed copy.pdf**: Already in your library as “{CHAT_PAPER_TITLE}”."]
    assert len(library.papers()) == 1


def test_delete_asks_for_confirmation_first(library, chat_paper_pdf: Path):
    paper = library.ingest(chat_paper_pdf).paper
    at = open_app()
    assert "Your papers (1)" in rendered_text(at)

    at.button(key=f"delete-{paper.id}").click().run()
    assert "cannot be undone" not in rendered_text(at)  # nothing removed yet, only the question asked
    assert any("Its passages, search index and stored PDF are removed" in w.value for w in at.warning)
    at.button(key=f"cancel-delete-{paper.id}").click().run()
    assert not at.warning and library.paper(paper.id) is not None

    at.button(key=f"delete-{paper.id}").click().run()
    at.button(key=f"confirm-delete-{paper.id}").click().run()
    assert library.paper(paper.id) is None and not library.pdf_path(paper.id).exists()
    assert "Your papers (0)" in rendered_text(at)
    assert [t.value for t in at.toast] == [f"Deleted “{CHAT_PAPER_TITLE}”."]


def _passages(at) -> str:
    count = int(at.success[0].value.split("page, ")[1].split(" passage")[0])
    return f"{count} passage" + ("" if count == 1 else "s")


def _ingest_error(library, pdf: Path) -> str:
    with pytest.raises(IngestError) as failure:
        library.ingest(pdf)
    return failure.value.message


def test_progress_runs_through_extract_embed_index_to_the_end(library, chat_paper_pdf: Path):
    reports: list[tuple[float, str]] = []
    outcome = ingest_upload(
        library, "paper.pdf", chat_paper_pdf.read_bytes(), lambda f, label: reports.append((f, label))
    )
    assert outcome.status == "added" and outcome.paper_id
    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    labels = [label for _, label in reports]
    assert [label for i, label in enumerate(labels) if i == 0 or labels[i - 1] != label] == [
        STAGE_LABELS[stage]
        for stage in STAGES
        if stage != "ocr"  # a born-digital paper needs no OCR
    ]


@pytest.mark.ocr
def test_a_scanned_paper_shows_ocr_progress_and_carries_the_ocr_mark(library, tmp_path: Path):
    source = pdf_factory.make_scan_source_pdf(tmp_path / "source.pdf")
    scan = pdf_factory.make_scanned_pdf(tmp_path / "scan.pdf", source, {1})
    reports: list[tuple[float, str]] = []
    outcome = ingest_upload(library, "scan.pdf", scan.read_bytes(), lambda f, label: reports.append((f, label)))
    assert outcome.status == "added"
    ocr_steps = [f for f, label in reports if label == STAGE_LABELS["ocr"]]
    assert len(ocr_steps) == 2 and ocr_steps == sorted(ocr_steps)  # before and after its one scanned page
    assert [f for f, _ in reports] == sorted(f for f, _ in reports)

    at = open_app()
    assert "Text from OCR on 1 of 2 pages" in rendered_text(at)
    chat = open_app("pages/chat.py")
    assert any("text from OCR on 1 of 2 pages" in option for option in chat.multiselect[0].options)


@pytest.mark.ocr
def test_an_ingest_outlives_the_page_run_that_started_it(library, tmp_path: Path):
    source = pdf_factory.make_scan_source_pdf(tmp_path / "source.pdf")
    scan = pdf_factory.make_scanned_pdf(tmp_path / "scan.pdf", source, {1})
    at = open_app()
    at.file_uploader[0].upload("scan.pdf", scan.read_bytes(), "application/pdf")
    with pytest.raises(RuntimeError, match="timed out"):
        at.run(timeout=1)  # the page run ends long before OCR does
    deadline = time.monotonic() + 120
    while not library.papers() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert [p.ocr_pages for p in library.papers()] == [(1,)]  # the ingest went on without it
    at.run()
    assert [s.value for s in at.success] == ["**scan.pdf**: Added\\: 2 pages, 5 passages."]
