"""Scanned pages read with OCR: generated pages rendered to images, then extracted, ingested and asked about.

Each OCR test reads one or two small pages (a few seconds each on two cores).
"""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from papertrail.answering import Answerer
from papertrail.library import Library
from papertrail.models import PassageKind
from papertrail.pdf.extract import extract, reading_text
from papertrail.pdf.extract.ocr import needs_ocr
from papertrail.settings import load_settings
from tests import pdf_factory as factory


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factory.make_scan_source_pdf(tmp_path_factory.mktemp("scan") / "source.pdf")


def _marks(box: pymupdf.Rect, line: pymupdf.Rect) -> bool:
    """Whether a highlight box marks a printed line: centred on it and covering nearly all its width."""
    covered = min(box.x1, line.x1) - max(box.x0, line.x0)
    return line.y0 < (box.y0 + box.y1) / 2 < line.y1 and covered > 0.9 * line.width


def test_only_pages_without_a_usable_text_layer_need_ocr(source: Path, tmp_path: Path) -> None:
    scanned = factory.make_scanned_pdf(tmp_path / "mixed.pdf", source, {1})
    blank = factory.make_blank_pages_pdf(tmp_path / "blank.pdf")
    with pymupdf.open(scanned) as doc:
        assert needs_ocr(doc[0], text_chars=0)
        assert not needs_ocr(doc[1], text_chars=len(doc[1].get_text()))
    with pymupdf.open(blank) as doc:
        assert not needs_ocr(doc[1], text_chars=0)  # nothing on the page at all
        assert needs_ocr(doc[2], text_chars=0)  # an image, even if it turns out to be white paper


@pytest.mark.ocr
def test_image_only_pdf_is_ingested_and_answered_with_highlights_on_the_right_line(
    source: Path, tmp_path: Path, embed_model
) -> None:
    scan = factory.make_scanned_pdf(tmp_path / "scan.pdf", source, {1, 2})
    library = Library(load_settings(data_dir=tmp_path / "data"), embed_model=embed_model)
    reports: list[tuple[str, float]] = []
    paper = library.ingest(scan, progress=lambda stage, fraction: reports.append((stage, fraction))).paper

    assert paper.ocr_pages == (1, 2) and paper.ocr_mark == "text from OCR"
    assert library.paper(paper.id).ocr_pages == (1, 2)  # stored with the paper
    assert [f for stage, f in reports if stage == "ocr"] == [0.0, 0.5, 1.0]  # one report per page read
    assert paper.title == factory.SCAN_TITLE
    text = " ".join(p.text for p in library.passages(paper.id))
    assert all(sentence in text for sentence in factory.SCAN_SENTENCES + factory.SCAN_RESULTS)

    answer = Answerer(library).ask("How many heron nests did the survey count?", [paper.id])
    assert answer.verdict.answerable or answer.verdict.uncertain, answer.verdict.reasons
    best = answer.evidence[0]
    sentence = factory.SCAN_SENTENCES[1]
    assert "42 heron nests" in best.text and best.page == 1
    # The highlight covers the lines where the sentence is printed, and no other line.
    with pymupdf.open(source) as doc:
        printed = doc[0].search_for(sentence)
    boxes = [pymupdf.Rect(b.x0, b.y0, b.x1, b.y1) for b in best.boxes]
    assert printed and all(any(_marks(box, line) for box in boxes) for line in printed)
    assert all(any(_marks(box, line) for line in printed) for box in boxes)


@pytest.mark.ocr
def test_mixed_pdf_reads_its_scanned_page_by_ocr_and_the_other_from_its_text_layer(
    source: Path, tmp_path: Path
) -> None:
    original = extract(source)
    mixed = extract(factory.make_scanned_pdf(tmp_path / "mixed.pdf", source, {1}))
    assert mixed.ocr_pages == [1] and original.ocr_pages == []
    assert [(p.page, p.kind, p.text) for p in mixed.passages] == [(p.page, p.kind, p.text) for p in original.passages]
    # Word boxes from OCR sit where the text layer puts the same words (within a couple of points).
    for scanned, born_digital in zip(mixed.passages, original.passages, strict=True):
        if scanned.page != 1:
            assert scanned.words == born_digital.words  # the born-digital page is untouched
            continue
        for a, b in zip(scanned.words, born_digital.words, strict=True):
            assert (a.start, a.end) == (b.start, b.end)
            assert abs(a.box.x0 - b.box.x0) < 4 and abs(a.box.x1 - b.box.x1) < 4
            assert a.box.y0 <= (b.box.y0 + b.box.y1) / 2 <= a.box.y1


@pytest.mark.ocr
def test_blank_pages_are_not_errors(tmp_path: Path) -> None:
    paper = extract(factory.make_blank_pages_pdf(tmp_path / "blank.pdf"))
    assert paper.ocr_pages == [3] and paper.warnings == []
    assert reading_text(paper) == factory.GOOD_TEXT
    assert [p.kind for p in paper.passages] == [PassageKind.BODY]
