"""The Library page in streamlit's AppTest: uploads through the background queue with per-file outcomes,
duplicates, zips, and the searchable, sortable, paged table with a confirmed bulk delete."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from components.paper_table import PAGE_SIZE, TABLE_KEY
from papertrail.export import escape_markdown
from papertrail.ingest_queue import IngestQueue, overall_fraction
from papertrail.library import IngestError
from tests import pdf_factory
from tests.conftest import CHAT_PAPER_TITLE, open_app, rendered_text

LIBRARY_PAGE = "pages/library.py"


def _settle(at, library, timeout_s: float = 600):
    """Wait for the app's background worker to empty the queue, then show the page again."""
    queue = IngestQueue(library)  # the same registry: the queue is shared through it
    deadline = time.monotonic() + timeout_s
    while queue.status().active:
        assert time.monotonic() < deadline, "the ingest queue did not finish"
        time.sleep(0.2)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_upload_adds_good_files_and_explains_each_failure(
    library, chat_paper_pdf: Path, encrypted_pdf: Path, image_only_pdf: Path, text_file_named_pdf: Path
):
    bad_files = [encrypted_pdf, image_only_pdf, text_file_named_pdf]
    # Each failure must be shown in the engine's own plain words (IngestError.message).
    expected_errors = [f"**{pdf.name}**: {escape_markdown(_ingest_error(library, pdf))}" for pdf in bad_files]
    at = open_app()  # the library is the default page
    uploader = at.file_uploader[0]
    assert uploader.accept_multiple_files and uploader.allowed_type == [".pdf", ".zip"]
    assert "200 MB" in uploader.help

    for pdf in [encrypted_pdf, chat_paper_pdf, image_only_pdf, text_file_named_pdf]:
        uploader.upload(pdf.name, pdf.read_bytes(), "application/pdf")
    at.run()
    _settle(at, library)

    [added] = [s.value for s in at.success]
    assert added.startswith(f"**keyword\\_spotting.pdf**: Added “{CHAT_PAPER_TITLE}”\\: 1 page, ")
    assert [e.value for e in at.error] == expected_errors  # the good file in between went on regardless
    assert "password" in expected_errors[0].lower()
    assert "Your papers (1)" in rendered_text(at)
    assert at.dataframe[0].value["Title"].tolist() == [CHAT_PAPER_TITLE]
    assert [p.title for p in library.papers()] == [CHAT_PAPER_TITLE]


def test_the_same_paper_again_is_recognised_as_already_in_the_library(library, chat_paper_pdf: Path):
    library.ingest(chat_paper_pdf)
    at = open_app()
    at.file_uploader[0].upload("renamed copy.pdf", chat_paper_pdf.read_bytes(), "application/pdf")
    at.run()
    _settle(at, library)
    assert [i.value for i in at.info] == [f"**renamed copy.pdf**: Already in your library as “{CHAT_PAPER_TITLE}”."]
    assert len(library.papers()) == 1


def test_a_zip_of_papers_is_unpacked_into_the_queue(library, chat_paper_pdf: Path, text_file_named_pdf: Path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(chat_paper_pdf, "batch/keyword_spotting.pdf")
        archive.write(text_file_named_pdf, "batch/notes.pdf")
        archive.writestr("batch/readme.txt", "not a paper")
    at = open_app()
    at.file_uploader[0].upload("batch.zip", buffer.getvalue(), "application/zip")
    at.run()
    _settle(at, library)
    assert len(at.success) == 1 and at.success[0].value.startswith("**keyword\\_spotting.pdf**: Added")
    assert len(at.error) == 1 and at.error[0].value.startswith("**notes.pdf**: ")
    assert [p.filename for p in library.papers()] == ["keyword_spotting.pdf"]


@pytest.fixture
def many_papers(library, make_paper_pdf):
    """PAGE_SIZE + 5 small papers, so the table has two pages."""
    papers = []
    for i in range(PAGE_SIZE + 5):
        sections = [("Abstract", [f"Study number {i} counts {i * 3} beetles on plot {i} in {1990 + i % 30}."])]
        title = f"Beetle survey {i:03d}" if i % 10 else f"Orchid survey {i:03d}"
        papers.append(library.ingest(make_paper_pdf(f"survey_{i:03d}.pdf", title, sections)).paper)
    return papers


def test_the_table_is_searchable_sortable_paged_and_deletes_the_selected_rows(library, many_papers):
    at = open_app()
    assert f"Your papers ({len(many_papers)})" in rendered_text(at)
    table = at.dataframe(key=TABLE_KEY)
    assert len(table.value) == PAGE_SIZE  # one page, never every paper at once
    assert list(table.value.columns) == ["Title", "Authors", "Year", "Pages", "Added", "OCR", "File"]
    at.number_input(key="paper-page").set_value(2).run()
    assert len(at.dataframe(key=TABLE_KEY).value) == 5

    at.text_input(key="paper-search").set_value("orchid").run()
    orchids = [f"Orchid survey {i:03d}" for i in range(0, PAGE_SIZE + 5, 10)]
    assert sorted(at.dataframe(key=TABLE_KEY).value["Title"]) == orchids
    at.selectbox(key="paper-sort").set_value("Title").run()
    assert at.dataframe(key=TABLE_KEY).value["Title"].tolist() == orchids

    # Select the first two rows, delete, confirm: exactly those papers go.
    at.session_state[TABLE_KEY] = {"selection": {"rows": [0, 1], "columns": [], "cells": []}}
    at.run()
    at.button(key="bulk-delete").click().run()
    assert any("Delete 2 papers" in w.value for w in at.warning)
    assert len(library.papers()) == len(many_papers)  # nothing removed before the confirmation
    at.button(key="confirm-bulk-delete").click().run()
    assert not at.exception, [e.value for e in at.exception]
    remaining = {p.title for p in library.papers()}
    assert "Orchid survey 000" not in remaining and "Orchid survey 010" not in remaining
    assert len(remaining) == len(many_papers) - 2
    assert [t.value for t in at.toast] == ["Deleted 2 papers."]


def _ingest_error(library, pdf: Path) -> str:
    with pytest.raises(IngestError) as failure:
        library.ingest(pdf)
    return failure.value.message


@pytest.mark.ocr
def test_a_scanned_paper_goes_through_the_queue_and_carries_the_ocr_mark(library, tmp_path: Path):
    # OCR is its own share of the bar, between reading the text layer and embedding
    assert overall_fraction("extract", 1.0) < overall_fraction("ocr", 0.5) < overall_fraction("embed", 0.0)
    source = pdf_factory.make_scan_source_pdf(tmp_path / "source.pdf")
    scan = pdf_factory.make_scanned_pdf(tmp_path / "scan.pdf", source, {1})
    at = open_app()
    at.file_uploader[0].upload("scan.pdf", scan.read_bytes(), "application/pdf")
    at.run()
    _settle(at, library)
    assert [p.ocr_pages for p in library.papers()] == [(1,)]
    assert at.dataframe[0].value["OCR"].tolist() == ["text from OCR on 1 of 2 pages"]
    chat = open_app("pages/chat.py")
    assert any("text from OCR on 1 of 2 pages" in option for option in chat.multiselect[0].options)
