"""Generated tables as papers print them: ruled, unruled with a spanning header, and one that runs
onto the next page (its header repeated there). One column of 10pt body text, tables in 9pt.

make_tables_pdf(path) -> Path, two A4 pages:
  page 1: INTRO, then RULED_CAPTION above a table drawn with rules (RULED_HEADER, RULED_ROWS),
          SPANNING_CAPTION above an unruled table whose upper header EXPERIMENTS spans two columns
          each over SPANNING_HEADER, rows SPANNING_ROWS; then LONG_CAPTION and the first
          LONG_ROWS_PAGE1 rows of a table (LONG_HEADER) that reaches the foot of the page.
  page 2: LONG_HEADER again and the remaining LONG_ROWS, then OUTRO four times.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

A4 = (595.0, 842.0)
LEFT = 72.0
BODY = 10.0
SMALL = 9.0
FONT = "helv"
COLUMNS = (72.0, 230.0, 320.0, 410.0, 490.0)

INTRO = (
    "We compared several models on two field experiments and report their scores in the tables below, "
    "together with the sites where the recordings were made."
)
RULED_CAPTION = "Table 1: Accuracy and loss of each model."
RULED_HEADER = ("Model", "Accuracy", "Loss")
RULED_ROWS = (("CNN", "0.91", "0.25"), ("SVM", "0.84", "0.40"), ("Random forest", "0.80", "0.45"))
SPANNING_CAPTION = "Table 2: Precision and F1 in two experiments."
EXPERIMENTS = ("Experiment 1", "Experiment 2")
SPANNING_HEADER = ("Model", "P", "F1", "P", "F1")
SPANNING_ROWS = (("DNN", "0.88", "0.91", "0.79", "0.83"), ("LSTM", "0.85", "0.87", "0.75", "0.80"))
LONG_CAPTION = "Table 3: Sites surveyed in the second experiment."
LONG_HEADER = ("Site", "Area (ha)", "Species")
LONG_ROWS = tuple((f"Site {n}", f"{10 + 3 * n}.5", f"{20 + n}") for n in range(1, 25))
LONG_ROWS_PAGE1 = 18
OUTRO = (
    "All sites were visited twice in the breeding season and the recordings were checked by two "
    "observers before the analysis started."
)


def _text(page: pymupdf.Page, x: float, y: float, text: str, size: float = SMALL) -> None:
    page.insert_text((x, y), text, fontname=FONT, fontsize=size)


def _paragraph(page: pymupdf.Page, y: float, text: str) -> float:
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if pymupdf.get_text_length(trial, fontname=FONT, fontsize=BODY) > A4[0] - 2 * LEFT:
            _text(page, LEFT, y, line, BODY)
            y += 1.3 * BODY
            line = word
        else:
            line = trial
    _text(page, LEFT, y, line, BODY)
    return y + 2.5 * BODY


def _row(page: pymupdf.Page, y: float, cells: tuple[str, ...]) -> float:
    for x, cell in zip(COLUMNS, cells, strict=False):
        _text(page, x, y, cell)
    return y + 1.4 * SMALL


def make_tables_pdf(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    y = _paragraph(page, 80, INTRO)

    _text(page, LEFT, y, RULED_CAPTION, BODY)
    y += 1.2 * BODY
    top = y
    page.draw_line((LEFT - 4, top), (COLUMNS[3] - 20, top))
    y += 1.2 * SMALL
    y = _row(page, y, RULED_HEADER)
    page.draw_line((LEFT - 4, y - SMALL), (COLUMNS[3] - 20, y - SMALL))
    for cells in RULED_ROWS:
        y = _row(page, y, cells)
    bottom = y - SMALL
    page.draw_line((LEFT - 4, bottom), (COLUMNS[3] - 20, bottom))
    for x in (LEFT - 4, COLUMNS[1] - 6, COLUMNS[2] - 6, COLUMNS[3] - 20):
        page.draw_line((x, top), (x, bottom))
    y += 2 * BODY

    _text(page, LEFT, y, SPANNING_CAPTION, BODY)
    y += 2 * BODY
    for x, label in zip((COLUMNS[1] + 10, COLUMNS[3] + 10), EXPERIMENTS, strict=True):
        _text(page, x, y, label)
    y += 1.4 * SMALL
    y = _row(page, y, SPANNING_HEADER)
    for cells in SPANNING_ROWS:
        y = _row(page, y, cells)
    y += 2 * BODY

    _text(page, LEFT, y, LONG_CAPTION, BODY)
    y += 2 * BODY
    y = _row(page, y, LONG_HEADER)
    for cells in LONG_ROWS[:LONG_ROWS_PAGE1]:
        y = _row(page, y, cells)

    page = doc.new_page(width=A4[0], height=A4[1])
    y = _row(page, 80, LONG_HEADER)
    for cells in LONG_ROWS[LONG_ROWS_PAGE1:]:
        y = _row(page, y, cells)
    y += 2 * BODY
    for _ in range(4):
        y = _paragraph(page, y, OUTRO)
    doc.save(path)
    return path


# A narrow table set in the body font inside the left of two columns, its row names wrapping onto a
# second line (one cut at a hyphen), its caption below: layout reads each row as a paragraph.
WRAPPED_CAPTION = "Table 4. Mean absolute error of the methods on the test crowds."
WRAPPED_HEADER = ("Method", "MAE")
WRAPPED_ROWS = (
    (("Ours (without perspective infor-", "mation)"), "16.6"),
    (("Ours (with perspective informa-", "tion)"), "14.9"),
    (("LBP+RR [28] (with perspective", "information)"), "31.0"),
    (("MCNN [28] (with perspec-", "tive information)"), "11.6"),
    (("[27] (with perspective information)",), "12.9"),
)
WRAPPED_NAMES = (
    "Ours (without perspective information)",
    "Ours (with perspective information)",
    "LBP+RR [28] (with perspective information)",
    "MCNN [28] (with perspective information)",
    "[27] (with perspective information)",
)
TWO_COLUMNS = ((50.0, 286.0), (309.0, 545.0))


def _column_paragraph(page: pymupdf.Page, x: tuple[float, float], y: float, text: str) -> float:
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if pymupdf.get_text_length(trial, fontname=FONT, fontsize=BODY) > x[1] - x[0]:
            _text(page, x[0], y, line, BODY)
            y += 1.2 * BODY
            line = word
        else:
            line = trial
    _text(page, x[0], y, line, BODY)
    return y + 2.0 * BODY


def make_wrapped_names_pdf(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    left, right = TWO_COLUMNS
    y = _column_paragraph(page, left, 80, INTRO + " " + INTRO)
    y += BODY
    _text(page, left[0] + 24, y, WRAPPED_HEADER[0], BODY)
    _text(page, 236, y, WRAPPED_HEADER[1], BODY)
    for lines, value in WRAPPED_ROWS:
        y += 1.2 * BODY
        _text(page, 236, y, value, BODY)
        for k, text in enumerate(lines):
            _text(page, left[0] + 24, y, text, BODY)
            if k < len(lines) - 1:
                y += 1.2 * BODY
    y += 2.2 * BODY
    y = _column_paragraph(page, left, y, WRAPPED_CAPTION)
    y = _column_paragraph(page, left, y, OUTRO + " " + OUTRO)
    y = 80.0
    for _ in range(5):
        y = _column_paragraph(page, right, y, OUTRO)
    doc.save(path)
    return path


# A table across both columns of a two-column page, each cell printed on its own: the first group's
# name over the column headers, the second's between the rows ("Site B to Site A"), running text in
# both columns under the table.
CROSS_CAPTION = "Table 5: Cross-site evaluation of the models trained on one site and tested on the other."
CROSS_HEADER = ("Model", "Precision", "Recall", "F1", "Accuracy", "Loss")
CROSS_GROUPS = (
    (
        "Site A to Site B",
        (("DNN", "0.71", "0.65", "0.68", "0.80", "0.41"), ("LSTM", "0.69", "0.70", "0.69", "0.78", "0.44")),
    ),
    (
        "Site B to Site A",
        (("DNN", "0.52", "0.49", "0.50", "0.66", "0.62"), ("LSTM", "0.61", "0.58", "0.59", "0.70", "0.55")),
    ),
)
CROSS_X = (80.0, 200.0, 260.0, 330.0, 400.0, 470.0)


def make_cross_column_table_pdf(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    left, right = TWO_COLUMNS
    y = _column_paragraph(page, left, 80, INTRO)
    _column_paragraph(page, right, 80, INTRO)
    y = _paragraph(page, y + BODY, CROSS_CAPTION) - BODY
    for i, (label, rows) in enumerate(CROSS_GROUPS):
        _text(page, 270, y, label)
        if i == 0:
            y += 1.4 * SMALL
            for x, text in zip(CROSS_X, CROSS_HEADER, strict=True):
                _text(page, x, y, text)
        for cells in rows:
            y += 1.4 * SMALL
            for x, text in zip(CROSS_X, cells, strict=True):
                _text(page, x, y, text)
        y += 1.4 * SMALL
    y += 3 * BODY
    for _ in range(3):
        _column_paragraph(page, left, y, OUTRO)
        y = _column_paragraph(page, right, y, OUTRO)
    doc.save(path)
    return path
