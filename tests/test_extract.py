"""Extraction on generated PDFs: reading order, clean-up, kinds, word boxes and bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf
import pytest

from papertrail.models import PassageKind
from papertrail.pdf.extract import ExtractedPaper, ExtractionError, extract, reading_text
from tests import pdf_factory as factory


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def paper_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factory.make_two_column_paper(tmp_path_factory.mktemp("pdf") / "two_column.pdf")


@pytest.fixture(scope="module")
def paper(paper_path: Path) -> ExtractedPaper:
    return extract(paper_path, "p1")


@pytest.fixture(scope="module")
def text(paper: ExtractedPaper) -> str:
    return _flat(reading_text(paper))


def _passage_with(paper: ExtractedPaper, phrase: str):
    for passage in paper.passages:
        if phrase in _flat(passage.text):
            return passage
    raise AssertionError(f"no passage contains {phrase!r}")


def test_sentences_crossing_columns_pages_and_figures_stay_whole(text: str) -> None:
    for sentence in (factory.COLUMN_SENTENCE, factory.PAGE_SENTENCE, factory.MID_CAPTION_SENTENCE):
        assert sentence in text


def test_reading_order_follows_columns_then_pages(text: str) -> None:
    landmarks = [
        factory.TITLE,
        factory.ABSTRACT[:40],
        "1 Introduction",
        factory.MID_CAPTION_SENTENCE,
        factory.COLUMN_SENTENCE,
        "2 Methods",
        factory.PAGE_SENTENCE,
        "3 Results",
        factory.RESULTS_SENTENCE,
        "References",
    ]
    positions = [text.index(mark) for mark in landmarks]
    assert positions == sorted(positions)


def test_running_heads_and_page_numbers_are_removed(paper: ExtractedPaper, text: str) -> None:
    assert factory.RUNNING_HEAD not in text
    assert not any(re.fullmatch(r"\s*\d+\s*", p.text) for p in paper.passages)


def test_line_end_hyphenation_is_joined_but_real_hyphens_kept(text: str) -> None:
    assert factory.HYPHENATED_WORD in text
    assert "classi-" not in text and "classi fication" not in text
    assert factory.COMPOUND_WORD in text


def test_caption_and_footnote_come_after_the_paragraph_they_interrupt(paper: ExtractedPaper) -> None:
    kinds = {p.text: p.kind for p in paper.passages}
    assert kinds[factory.CAPTION] == PassageKind.CAPTION
    assert kinds[factory.FOOTNOTE] == PassageKind.FOOTNOTE
    order = [p.text for p in paper.passages]
    body = _passage_with(paper, factory.MID_CAPTION_SENTENCE)
    assert body.kind == PassageKind.BODY
    assert order.index(body.text) < order.index(factory.CAPTION)
    column_paragraph = _passage_with(paper, factory.COLUMN_SENTENCE)
    assert order.index(column_paragraph.text) < order.index(factory.FOOTNOTE)


def test_table_rows_are_kept_as_lines_of_cells_under_their_headers(paper: ExtractedPaper) -> None:
    table = _passage_with(paper, "139281")
    assert table.kind == PassageKind.TABLE
    rows = table.text.split("\n")
    header = factory.TABLE_ROWS[0]
    assert rows[0] == "(Table 1) " + " | ".join(header)
    for cells in factory.TABLE_ROWS[1:]:
        assert " | ".join(cells) in rows
    assert _passage_with(paper, factory.TABLE_CAPTION).kind == PassageKind.CAPTION


def test_title_abstract_sections_and_references(paper: ExtractedPaper) -> None:
    assert paper.title == factory.TITLE
    assert paper.authors == factory.AUTHORS
    assert paper.pages == 2
    assert paper.passages[0].kind == PassageKind.TITLE
    abstract = _passage_with(paper, factory.ABSTRACT[:40])
    assert (abstract.kind, abstract.section) == (PassageKind.ABSTRACT, "Abstract")
    assert _passage_with(paper, factory.HYPHENATED_WORD).section == "2 Methods"
    assert _passage_with(paper, factory.RESULTS_SENTENCE).section == "3 Results"
    references = [p for p in paper.passages if p.kind == PassageKind.REFERENCE]
    assert [_flat(p.text) for p in references] == list(factory.REFERENCES)
    assert [p.ordinal for p in paper.passages] == list(range(len(paper.passages)))
    assert {p.paper_id for p in paper.passages} == {"p1"}


def test_word_spans_index_the_text(paper: ExtractedPaper) -> None:
    for passage in paper.passages:
        assert passage.words, passage.text
        for word in passage.words:
            piece = passage.text[word.start : word.end]
            assert piece and not any(c.isspace() for c in piece)
            assert word.box.x1 > word.box.x0 and word.box.y1 > word.box.y0


def test_boxes_of_a_hyphenated_word_are_where_it_was_drawn(paper: ExtractedPaper, paper_path: Path) -> None:
    passage = _passage_with(paper, factory.HYPHENATED_WORD)
    start = passage.text.index(factory.HYPHENATED_WORD)
    boxes = passage.boxes_for(start, start + len(factory.HYPHENATED_WORD))
    assert len(boxes) == 2  # "classi-" at one line end, "fication" at the next line start
    with pymupdf.open(paper_path) as doc:
        drawn_words = {w[4]: pymupdf.Rect(w[:4]) for w in doc[0].get_text("words")}
    drawn = [drawn_words["classi-"], drawn_words["fication"]]
    for box, rect in zip(boxes, drawn, strict=True):
        assert box.page == 1
        assert pymupdf.Rect(box.x0, box.y0, box.x1, box.y1).intersects(rect)
    assert boxes[1].y0 > boxes[0].y0


def test_boxes_of_a_column_crossing_sentence_span_both_columns(paper: ExtractedPaper) -> None:
    passage = _passage_with(paper, factory.COLUMN_SENTENCE)
    start = _flat(passage.text).index(factory.COLUMN_SENTENCE)
    boxes = passage.boxes_for(start, start + len(factory.COLUMN_SENTENCE))
    middle = factory.A4[0] / 2
    assert boxes[0].x1 < middle < boxes[-1].x0
    assert {b.page for b in boxes} == {1}


def test_bytes_and_path_give_the_same_result(paper: ExtractedPaper, paper_path: Path) -> None:
    from_bytes = extract(paper_path.read_bytes(), "p1")
    assert [p.text for p in from_bytes.passages] == [p.text for p in paper.passages]


def test_progress_is_reported_per_page(paper_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    extract(paper_path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]


def test_one_column_paper_drops_page_x_of_y_footers(tmp_path: Path) -> None:
    paper = extract(factory.make_one_column_paper(tmp_path / "one.pdf"))
    text = _flat(reading_text(paper))
    assert "Page 1 of 3" not in text and factory.RUNNING_HEAD not in text
    headings = [p.text for p in paper.passages if p.kind == PassageKind.HEADING]
    assert headings == list(factory.ONE_COLUMN_HEADINGS)
    assert text.count(factory.FILLER) == 12


def test_invisible_and_duplicated_text_is_dropped(tmp_path: Path) -> None:
    text = reading_text(extract(factory.make_hidden_text_pdf(tmp_path / "hidden.pdf")))
    assert factory.HIDDEN_TEXT not in text
    assert text.count(factory.VISIBLE_TEXT) == 1


def test_broken_font_encoding_is_a_warning(tmp_path: Path) -> None:
    paper = extract(factory.make_gibberish_pdf(tmp_path / "gibberish.pdf"))
    assert len(paper.warnings) == 1
    assert "pages 2-3" in paper.warnings[0]
    assert factory.GOOD_TEXT in _flat(reading_text(paper))


def test_sideways_pages_are_reported(tmp_path: Path) -> None:
    paper = extract(factory.make_sideways_page_pdf(tmp_path / "sideways.pdf"))
    assert paper.warnings == ["Text on page 2 is printed sideways and was not read."]
    assert _flat(reading_text(paper)) == factory.GOOD_TEXT


def test_clean_paper_has_no_warnings(paper: ExtractedPaper) -> None:
    assert paper.warnings == []


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (factory.make_empty_file, "empty"),
        (factory.make_text_file, "not_pdf"),
        (factory.make_png_file, "not_pdf"),
        (factory.make_truncated_pdf, "corrupt"),
        (factory.make_corrupt_pdf, "corrupt"),
        (factory.make_encrypted_pdf, "encrypted"),
        (factory.make_image_only_pdf, "no_text"),
    ],
)
def test_bad_input_fails_with_a_code_and_plain_words(tmp_path: Path, make, code: str) -> None:
    path = make(tmp_path / "input.pdf")
    for source in (path, path.read_bytes()):
        with pytest.raises(ExtractionError) as caught:
            extract(source)
        assert caught.value.code == code
        assert caught.value.message and caught.value.message == str(caught.value)


def test_too_many_pages(paper_path: Path) -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(paper_path, max_pages=1)
    assert caught.value.code == "too_many_pages"
    assert "2 pages" in caught.value.message


def test_a_thousand_pages_in_bounded_memory(tmp_path: Path) -> None:
    import tracemalloc

    path = factory.make_many_pages_pdf(tmp_path / "long.pdf", 1000)
    seen: list[int] = []
    tracemalloc.start()
    paper = extract(path, progress=lambda done, total: seen.append(done))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert paper.pages == 1000 and seen[-1] == 1000
    text = reading_text(paper)
    assert "This is page 1000 of the long document." in text
    assert factory.RUNNING_HEAD not in text
    assert peak < 40 * 2**20  # about 7 MB today: nothing per page is kept but the passages


def test_a_url_broken_at_a_line_end_is_joined_without_a_space(tmp_path: Path) -> None:
    doc = pymupdf.open()
    page = doc.new_page()
    lines = [
        "Our code and trained models are openly available at https://github.com/",
        "example-lab/moth-tracker for anyone who wants to reproduce the results.",
        "The light trap ran every night from June to October in both study years.",
    ]
    for i, line in enumerate(lines):
        page.insert_text((72, 100 + 14 * i), line, fontsize=10, fontname="helv")
    doc.save(tmp_path / "url.pdf")
    flat = _flat(reading_text(extract(tmp_path / "url.pdf")))
    assert "https://github.com/example-lab/moth-tracker for anyone" in flat


def test_numbered_headings_in_small_capitals_start_sections_and_a_formula_does_not(tmp_path: Path) -> None:
    paper = extract(factory.make_small_caps_headings_paper(tmp_path / "ieee.pdf"))
    headings = [p.text for p in paper.passages if p.kind == PassageKind.HEADING]
    assert headings == list(factory.SMALL_CAPS_HEADINGS)
    body = [p for p in paper.passages if p.kind == PassageKind.BODY]
    assert body[-1].section == "III. EVALUATION"
    assert not any("X + Y" in p.section for p in paper.passages)
    assert any("2 * X Y / X + Y" in p.text for p in body)  # the formula stays in the text
