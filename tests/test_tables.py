"""Tables on generated pages: ruled, unruled with a spanning header, and one crossing a page. A table
passage reads one row per line with its cells in column order under a line of column headers,
carries its table number, and every word keeps the box it is printed in, so a cell and its headers
can be highlighted."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertrail.models import Passage, PassageKind
from papertrail.pdf.extract import ExtractedPaper, extract
from papertrail.pdf.extract.table_grid import is_cell_row, table_cells
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


def _grid(paper: ExtractedPaper, label: str) -> tuple[Passage, list[str], list[list[str]], list]:
    """The table's passage, its column headers, each row's cell texts, and its cells with their offsets."""
    table = _table(paper, label)
    headers, rows = table_cells(table.text)
    return table, headers, [[cell for cell, _, _ in row] for row in rows], rows


def test_ruled_table_rows_read_as_cells_under_their_headers(paper: ExtractedPaper) -> None:
    table = _table(paper, "Table 1")
    lines = table.text.split("\n")
    assert lines[0] == "(Table 1) " + " | ".join(factory.RULED_HEADER)
    assert lines[1:] == [" | ".join(row) for row in factory.RULED_ROWS]
    headers, rows = table_cells(table.text)
    assert headers == list(factory.RULED_HEADER)
    assert [[text for text, _, _ in row] for row in rows] == [list(row) for row in factory.RULED_ROWS]


def test_spanning_header_names_every_column_under_it(paper: ExtractedPaper) -> None:
    headers, rows = table_cells(_table(paper, "Table 2").text)
    one, two = factory.EXPERIMENTS
    assert headers == ["Model", f"{one} P", f"{one} F1", f"{two} P", f"{two} F1"]
    assert [[text for text, _, _ in row] for row in rows] == [list(row) for row in factory.SPANNING_ROWS]


def test_table_crossing_a_page_is_one_table_without_its_repeated_header(paper: ExtractedPaper) -> None:
    table = _table(paper, "Table 3")
    assert table.pages == [1, 2]
    headers, rows = table_cells(table.text)
    assert headers == list(factory.LONG_HEADER)
    assert [[text for text, _, _ in row] for row in rows] == [list(row) for row in factory.LONG_ROWS]
    assert sum(1 for p in paper.passages if p.kind == PassageKind.TABLE) == 3


def test_captions_stay_passages_of_their_own(paper: ExtractedPaper) -> None:
    captions = [p.text for p in paper.passages if p.kind == PassageKind.CAPTION]
    assert captions == [factory.RULED_CAPTION, factory.SPANNING_CAPTION, factory.LONG_CAPTION]


def test_a_cell_highlights_with_its_row_and_column_headers(paper: ExtractedPaper) -> None:
    table = _table(paper, "Table 2")
    headers, rows = table_cells(table.text)
    column = headers.index(f"{factory.EXPERIMENTS[0]} F1")
    _, value_start, value_end = rows[0][column]
    _, name_start, name_end = rows[0][0]
    header_start = table.text.index(headers[column])
    value = table.boxes_for(value_start, value_end)[0]
    name = table.boxes_for(name_start, name_end)[0]
    header_boxes = table.boxes_for(header_start, header_start + len(headers[column]))
    assert table.text[value_start:value_end] == factory.SPANNING_ROWS[0][2]
    assert abs(value.y0 - name.y0) < 1 and name.x1 < value.x0  # the value sits on its name's row
    assert len({round(b.y0) for b in header_boxes}) == 2  # "Experiment 1" above "F1"
    for header in header_boxes:  # and both stand over the value's column
        assert header.y1 <= value.y0 + 1
        assert header.x0 - 60 < value.x0 < header.x1 + 60


def test_is_cell_row() -> None:
    assert is_cell_row("DNN | 0.88 | 0.91")
    assert is_cell_row("Random forest | 0.80 | 0.45 ± 0.01")
    assert not is_cell_row("Model | Accuracy | Loss")
    assert not is_cell_row("CNN 0.91 0.25")


def test_a_table_whose_rows_read_as_paragraphs_and_whose_names_wrap_is_one_grid(tmp_path: Path) -> None:
    paper = extract(factory.make_wrapped_names_pdf(tmp_path / "wrapped.pdf"), "w")
    table, headers, texts, rows = _grid(paper, "Table 4")
    assert headers == list(factory.WRAPPED_HEADER)
    assert texts == [
        [name, value] for name, (_, value) in zip(factory.WRAPPED_NAMES, factory.WRAPPED_ROWS, strict=True)
    ]
    # a wrapped name highlights both of its printed lines
    name, start, end = rows[0][0]
    assert len({round(b.y0) for b in table.boxes_for(start, end)}) == 2
    assert not any("perspective" in p.text for p in paper.passages if p is not table and p.kind != PassageKind.CAPTION)


def test_a_table_across_both_columns_cut_at_the_gutter_is_one_grid_with_its_row_groups(tmp_path: Path) -> None:
    paper = extract(factory.make_cross_column_table_pdf(tmp_path / "cross.pdf"), "c")
    table, headers, texts, _ = _grid(paper, "Table 5")
    assert headers == list(factory.CROSS_HEADER)
    assert texts == [list(r) for _, group in factory.CROSS_GROUPS for r in group]
    second_group = factory.CROSS_GROUPS[1][0]
    assert second_group in table.text.split("\n")  # a line of its own naming the rows under it
    # the running text under the table stays running text
    assert sum(factory.OUTRO in p.text for p in paper.passages if p.kind == PassageKind.BODY) == 6
