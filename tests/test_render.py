"""Page rendering with highlights, and PDF export with highlight annotations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pymupdf
import pytest

from papertrail.models import Box
from papertrail.pdf.extract import extract
from papertrail.pdf.render import annotate_pdf, render_page
from tests import pdf_factory as factory

ZOOM = 1.5


@pytest.fixture(scope="module")
def paper_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factory.make_two_column_paper(tmp_path_factory.mktemp("render") / "paper.pdf")


@pytest.fixture(scope="module")
def word_boxes(paper_path: Path) -> list[Box]:
    """Boxes of HYPHENATED_WORD (two pieces on two lines) as extraction reports them."""
    paper = extract(paper_path)
    passage = next(p for p in paper.passages if factory.HYPHENATED_WORD in p.text)
    start = passage.text.index(factory.HYPHENATED_WORD)
    return passage.boxes_for(start, start + len(factory.HYPHENATED_WORD))


def _pixels(png: bytes) -> np.ndarray:
    pix = pymupdf.Pixmap(png)
    return np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3].astype(int)


def _region(pixels: np.ndarray, box: Box, zoom: float = ZOOM) -> np.ndarray:
    return pixels[int(box.y0 * zoom) + 1 : int(box.y1 * zoom) - 1, int(box.x0 * zoom) + 1 : int(box.x1 * zoom) - 1]


def test_render_page_returns_a_png_of_the_zoomed_page(paper_path: Path) -> None:
    png = render_page(paper_path, 1)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = _pixels(png)
    height, width = pixels.shape[:2]
    assert abs(height - factory.A4[1] * ZOOM) <= 1 and abs(width - factory.A4[0] * ZOOM) <= 1


def test_highlighted_words_turn_yellow_and_nothing_else_changes(paper_path: Path, word_boxes: list[Box]) -> None:
    plain = _pixels(render_page(paper_path, 1))
    marked = _pixels(render_page(paper_path, 1, word_boxes))
    for box in word_boxes:
        region = _region(marked, box)
        paper_white = _region(plain, box).min(axis=2) > 200  # background between the glyphs
        red, green, blue = (region[paper_white][:, i].mean() for i in range(3))
        assert red > 200 and green > 170 and blue < 170, (red, green, blue)
    untouched = np.ones(plain.shape[:2], dtype=bool)
    for box in word_boxes:
        untouched[int(box.y0 * ZOOM) - 2 : int(box.y1 * ZOOM) + 3, int(box.x0 * ZOOM) - 2 : int(box.x1 * ZOOM) + 3] = (
            False
        )
    assert np.array_equal(plain[untouched], marked[untouched])


def test_boxes_of_other_pages_are_ignored(paper_path: Path, word_boxes: list[Box]) -> None:
    other_page = [Box(2, b.x0, b.y0, b.x1, b.y1) for b in word_boxes]
    assert render_page(paper_path, 1, other_page) == render_page(paper_path, 1)


def test_renders_from_a_file_are_cached(paper_path: Path, word_boxes: list[Box]) -> None:
    assert render_page(paper_path, 1, word_boxes) is render_page(paper_path, 1, list(word_boxes))


def test_bytes_input_renders_the_same(paper_path: Path, word_boxes: list[Box]) -> None:
    assert render_page(paper_path.read_bytes(), 1, word_boxes, zoom=1.0) == render_page(
        paper_path, 1, word_boxes, zoom=1.0
    )


def test_page_out_of_range(paper_path: Path) -> None:
    with pytest.raises(ValueError, match="out of range"):
        render_page(paper_path, 3)


def test_highlight_lands_on_the_text_of_a_rotated_page(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=400, height=300)
    page.insert_text((50, 100), "Rotated page words", fontname="helv", fontsize=20)
    page.set_rotation(90)
    path = tmp_path / "rotated.pdf"
    doc.save(path)
    passage = extract(path).passages[0]
    boxes = passage.boxes_for(0, len(passage.text))
    plain = _pixels(render_page(path, 1, zoom=1.0))
    marked = _pixels(render_page(path, 1, boxes, zoom=1.0))
    ink = plain.min(axis=2) < 100
    changed = np.any(plain != marked, axis=2)
    assert ink.sum() > 0 and (changed & ink).sum() > 0.8 * ink.sum()


def test_annotate_pdf_adds_highlight_annotations_with_notes(paper_path: Path, word_boxes: list[Box]) -> None:
    page2_box = Box(2, 60, 80, 200, 95)
    exported = annotate_pdf(paper_path, [(b, "Answer: classification") for b in word_boxes] + [(page2_box, "Second")])
    with pymupdf.open(stream=exported, filetype="pdf") as doc:
        page1, page2 = doc[0], doc[1]  # annotations need their page alive
        first = list(page1.annots())
        second = list(page2.annots())
        assert [a.type[1] for a in first] == ["Highlight"]
        assert first[0].info["content"] == "Answer: classification"
        assert len(first[0].vertices) == 4 * len(word_boxes)  # one quad per word box
        annot_rect = first[0].rect
        for box in word_boxes:
            assert annot_rect.intersects(pymupdf.Rect(box.x0, box.y0, box.x1, box.y1))
        assert [a.info["content"] for a in second] == ["Second"]
    assert annotate_pdf(paper_path.read_bytes(), []).startswith(b"%PDF")
