"""Tables on generated pages: ruled, unruled with a spanning header, and one crossing a page. A table
passage reads one row per line as "row | column: value", carries its table number, and every word
(repeated headers included) keeps the box it is printed in."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertrail.models import Passage, PassageKind
from papertrail.pdf.extract import ExtractedPaper, extract
from papertrail.pdf.extract.table_grid import is_cell_row
from tests import table_pdfs as factory


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factory.make_tables_pdf(tmp_path_factory.mktemp("tables") / "tables.pdf")


@pytest.fixture(scope="module")
def paper(pdf_path: Path) -> ExtractedPaper:
    return extract(pdf_path, "t")


def _table(paper: ExtractedPaper, label: str) -> Passage:
    tables = [p for p in paper.passages if p.kind == PassageKind.TABLE and p.text.startswith(f"({label})")]
    assert len(tables) == 1, [p.text[:60] for p in paper.passages if p.kind == PassageKind.TABLE]
    return tables[0]


def test_ruled_table_rows_read_as_cells_under_their_headers(paper: ExtractedPaper) -> None:
    lines = _table(paper, "Table 1").text.split("\n")
    assert lines[0] == "(Table 1) " + " | ".join(factory.RULED_HEADER)
    model, accuracy, loss = factory.RULED_HEADER
    for name, acc, los in factory.RULED_ROWS:
        assert f"{name} | {accuracy}: {acc} | {loss}: {los}" in lines
    assert len(lines) == 1 + len(factory.RULED_ROWS)


def test_spanning_header_prefixes_every_column_under_it(paper: ExtractedPaper) -> None:
    lines = _table(paper, "Table 2").text.split("\n")
    one, two = factory.EXPERIMENTS
    name, p1, f1, p2, f2 = factory.SPANNING_ROWS[0]
    assert f"{name} | {one} P: {p1} | {one} F1: {f1} | {two} P: {p2} | {two} F1: {f2}" in lines


def test_table_crossing_a_page_is_one_table_without_its_repeated_header(paper: ExtractedPaper) -> None:
    table = _table(paper, "Table 3")
    assert table.pages == [1, 2]
    site, area, species = factory.LONG_HEADER
    rows = [line for line in table.text.split("\n") if is_cell_row(line)]
    assert len(rows) == len(factory.LONG_ROWS)
    assert rows[0] == f"Site 1 | {area}: 13.5 | {species}: 21"
    assert rows[-1] == f"Site 24 | {area}: 82.5 | {species}: 44"
    assert sum(1 for p in paper.passages if p.kind == PassageKind.TABLE) == 3


def test_captions_stay_passages_of_their_own(paper: ExtractedPaper) -> None:
    captions = [p.text for p in paper.passages if p.kind == PassageKind.CAPTION]
    assert captions == [factory.RULED_CAPTION, factory.SPANNING_CAPTION, factory.LONG_CAPTION]


def test_a_cell_highlights_with_its_row_and_column_headers(paper: ExtractedPaper) -> None:
    table = _table(paper, "Table 2")
    line_start = table.text.index("DNN |")
    cell = f"{factory.EXPERIMENTS[0]} F1: {factory.SPANNING_ROWS[0][2]}"
    start = table.text.index(cell, line_start)
    name_boxes = table.boxes_for(line_start, line_start + 3)
    cell_boxes = table.boxes_for(start, start + len(cell))
    rows_hit = sorted({round(b.y0) for b in cell_boxes})
    assert len(rows_hit) == 3  # the upper header, the column header and the value's row
    value = cell_boxes[-1]
    assert abs(value.y0 - name_boxes[0].y0) < 1  # the value sits on the row of its name
    for header in cell_boxes[:-1]:  # the headers stand over the value's column
        assert header.y1 <= value.y0 + 1
        assert header.x0 - 60 < value.x0 < header.x1 + 60
    assert all(b.page == 1 for b in cell_boxes)


def test_is_cell_row() -> None:
    assert is_cell_row("DNN | Experiment 1 F1: 0.91")
    assert is_cell_row("Random forest | Accuracy: 0.80 | Loss: 0.45")
    assert not is_cell_row("Model | Accuracy | Loss")
    assert not is_cell_row("CNN 0.91 0.25")
