"""Test PDFs generated with PyMuPDF: real fonts at real coordinates, no files checked in.

Every factory writes to `path` and returns it (or returns bytes where noted). The constants
below are the exact texts drawn, so tests can assert on them:

make_two_column_paper(path) -> Path, two A4 pages:
  page 1: TITLE (18pt bold, full width), AUTHORS, "Abstract" + ABSTRACT (full width), then two
          columns. Left: "1 Introduction", a paragraph interrupted mid-sentence by a figure box
          and CAPTION (MID_CAPTION_SENTENCE reads on after it), a paragraph whose last sentence
          COLUMN_SENTENCE runs from the foot of the left column to the top of the right one,
          and FOOTNOTE in small print at the foot of the left column. Right: the rest of
          COLUMN_SENTENCE, "2 Methods" with HYPHENATED_WORD broken "classi-"/"fication" and
          COMPOUND_WORD broken "state-of-the-"/"art" at line ends, TABLE_CAPTION and a three-
          column table whose rows read as TABLE_ROWS, and PAGE_SENTENCE starting at the foot.
  page 2: the rest of PAGE_SENTENCE, "3 Results" (with RESULTS_SENTENCE), "References" with
          REFERENCES entries.
  Every page: RUNNING_HEAD at the top and its page number alone at the bottom.
make_one_column_paper(path) -> Path: three pages, one column, running head + "Page N of 3";
  page n has heading ONE_COLUMN_HEADINGS[n-1] and FILLER four times.
make_encrypted_pdf(path) -> Path: needs the user password "secret".
make_image_only_pdf(path) -> Path: one page holding only an image without any text (a photo).
make_scan_source_pdf(path) -> Path: two small one-column pages (SCAN_PAGE_SIZE) to be scanned:
  page 1 SCAN_TITLE, "Methods" and SCAN_SENTENCES; page 2 "Results" and SCAN_RESULTS.
make_scanned_pdf(path, source, pages, dpi) -> Path: source with the given 1-based pages replaced by an
  image of themselves (rendered at dpi), text layer gone; other pages are kept as they are.
make_blank_pages_pdf(path) -> Path: page 1 GOOD_TEXT, page 2 blank, page 3 an image of blank paper.
make_gibberish_pdf(path) -> Path: page 1 readable (GOOD_TEXT), pages 2-3 GIBBERISH_TEXT.
make_hidden_text_pdf(path) -> Path: VISIBLE_TEXT, plus HIDDEN_TEXT in render mode 3 (invisible)
  and VISIBLE_TEXT printed twice on top of itself (a duplicate layer).
make_sideways_page_pdf(path) -> Path: page 1 GOOD_TEXT; page 2 only text rotated by 90 degrees.
make_many_pages_pdf(path, pages) -> Path: page n says f"This is page {n} of the long document."
make_empty_file / make_text_file / make_png_file / make_truncated_pdf / make_corrupt_pdf(path):
  bad input for each error code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pymupdf

A4 = (595.0, 842.0)
MARGIN = 56.0
GUTTER = 24.0
BODY_SIZE = 10.0
LEADING = 13.0
FONT = "helv"
BOLD = "hebo"

RUNNING_HEAD = "Journal of Synthetic Layouts 12 (2024) 101-102"
TITLE = "Reading Order in Two Column Layouts"
AUTHORS = "Ada Lovelace and Charles Babbage"
ABSTRACT = (
    "We describe a small synthetic paper that checks how an extractor reads two columns, running "
    "heads, page numbers, captions, footnotes and tables. Every sentence in it is known in advance, "
    "so a test can tell whether the text comes out whole and in the right order."
)
MID_CAPTION_SENTENCE = (
    "The detector was trained on many thousands of labelled images from six field stations and it "
    "reached a high accuracy on the held out images."
)
CAPTION = "Figure 1: Accuracy of the detector on the validation images."
COLUMN_SENTENCE = (
    "This sentence starts near the bottom of the left column and it finishes at the top of the "
    "right column without any break in between."
)
FOOTNOTE = "1 The code is available from the authors on request."
HYPHENATED_WORD = "classification"
COMPOUND_WORD = "state-of-the-art"
TABLE_CAPTION = "Table 1: Layers of the network."
TABLE_ROWS = (
    ("Layer (type)", "Output Shape", "Param"),
    ("conv_1 (Conv2D)", "(None, 64, 64)", "1792"),
    ("dense_1 (Dense)", "(None, 17)", "139281"),
)
PAGE_SENTENCE = (
    "This sentence begins at the foot of the first page and it carries on at the top of the second "
    "page without any interruption at all."
)
RESULTS_SENTENCE = "The model counted the animals in every image with an error below five percent."
REFERENCES = (
    "Smith, J. and Jones, K. 2019. Counting animals from the air. Journal of Field Methods 4: 1-9.",
    "Brown, L. 2020. Deep learning for ecologists. Ecology Letters 23: 100-110.",
)
GOOD_TEXT = (
    "The survey recorded the number of birds at each site during the spring of the first year, "
    "and the observers repeated the counts in the following autumn."
)
GIBBERISH_TEXT = "Xqzv bkrt pwfz ghjk §¤¦ mnbv cxzl tprk ¬¤§ wqxz vbnm kjhg ¦¤ fdsq zxcv trwq"
VISIBLE_TEXT = "The visible sentence is the only text a reader can see on this page."
HIDDEN_TEXT = "Concealed duplicate words must never reach the index."


@dataclass
class _Column:
    """Writes lines top-down inside one column of a page."""

    page: pymupdf.Page
    x: float
    y: float  # baseline of the next line
    width: float

    def line(self, text: str, font: str = FONT, size: float = BODY_SIZE, indent: float = 0.0) -> pymupdf.Rect:
        self.page.insert_text((self.x + indent, self.y), text, fontname=font, fontsize=size)
        width = pymupdf.get_text_length(text, fontname=font, fontsize=size)
        rect = pymupdf.Rect(self.x + indent, self.y - size, self.x + indent + width, self.y + 0.25 * size)
        self.y += LEADING * size / BODY_SIZE
        return rect

    def paragraph(self, text: str, indent: float = 10.0, size: float = BODY_SIZE) -> None:
        for i, line in enumerate(wrap(text, self.width - indent, size)):
            self.line(line, size=size, indent=indent if i == 0 else 0.0)

    def lines(self, lines: list[str], indent_first: float = 10.0) -> None:
        for i, line in enumerate(lines):
            self.line(line, indent=indent_first if i == 0 else 0.0)

    def skip(self, points: float) -> None:
        self.y += points


def wrap(text: str, width: float, size: float = BODY_SIZE, font: str = FONT) -> list[str]:
    """Greedy line breaking with the real glyph widths of the font."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and pymupdf.get_text_length(trial, fontname=font, fontsize=size) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def _running_head_and_number(page: pymupdf.Page, number: int) -> None:
    page.insert_text((MARGIN, 40), RUNNING_HEAD, fontname=FONT, fontsize=8)
    page.insert_text((A4[0] / 2 - 3, A4[1] - 30), str(number), fontname=FONT, fontsize=9)


def _split_across(text: str, first_width: float, lines_first: int) -> tuple[list[str], list[str]]:
    """Wrap text and split it after lines_first lines (to break a sentence across columns)."""
    wrapped = wrap(text, first_width)
    return wrapped[:lines_first], wrapped[lines_first:]


FILLER = (
    "Field surveys of wildlife are slow and costly, so automated methods that read camera images "
    "and sound recordings have become popular in recent years. These methods need careful "
    "evaluation before they can replace trained observers in long term monitoring programmes."
)
METHODS_TEXT = (
    "We trained a convolutional network on labelled camera images and compared it with a simpler "
    "baseline that used colour histograms. Both models were tuned on a separate validation set "
    "before any test image was seen."
)


def make_two_column_paper(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    col_width = (A4[0] - 2 * MARGIN - GUTTER) / 2
    left_x, right_x = MARGIN, MARGIN + col_width + GUTTER

    # ---- page 1
    page = doc.new_page(width=A4[0], height=A4[1])
    _running_head_and_number(page, 1)
    full = _Column(page, MARGIN, 90, A4[0] - 2 * MARGIN)
    full.line(TITLE, font=BOLD, size=18)
    full.skip(4)
    full.line(AUTHORS, size=11)
    full.skip(8)
    full.line("Abstract", font=BOLD, size=11)
    full.paragraph(ABSTRACT, indent=0)
    top = full.y + 16

    left = _Column(page, left_x, top, col_width)
    left.line("1 Introduction", font=BOLD, size=11)
    left.paragraph(FILLER)
    before, after = _split_across(MID_CAPTION_SENTENCE, col_width - 10, 1)
    left.lines(before)
    left.skip(6)  # the figure: a grey box, then its caption, inside the column
    page.draw_rect(pymupdf.Rect(left_x + 20, left.y - 6, left_x + col_width - 20, left.y + 60), color=(0.5, 0.5, 0.5))
    left.skip(74)
    left.line(CAPTION, size=9)
    left.skip(10)
    left.lines(after, indent_first=0)
    left.paragraph(FILLER)
    first_half, second_half = _split_across(COLUMN_SENTENCE, col_width - 10, 2)
    left.lines(first_half)
    footnote_y = A4[1] - 90
    page.draw_line((left_x, footnote_y - 12), (left_x + 80, footnote_y - 12), width=0.5)
    page.insert_text((left_x, footnote_y), FOOTNOTE, fontname=FONT, fontsize=7.5)

    right = _Column(page, right_x, top, col_width)
    right.lines(second_half, indent_first=0)
    right.skip(8)
    right.line("2 Methods", font=BOLD, size=11)
    right.lines(
        [
            "We describe the image classi-",
            "fication pipeline and compare it with",
            "two state-of-the-",
            "art detectors that were published last",
            "year by other groups of researchers.",
        ]
    )
    right.paragraph(METHODS_TEXT)
    right.skip(10)
    right.line(TABLE_CAPTION, size=9)
    right.skip(2)
    for row in TABLE_ROWS:
        for x_offset, cell in zip((0, 90, 180), row, strict=True):
            page.insert_text((right_x + x_offset, right.y), cell, fontname=FONT, fontsize=8)
        right.skip(11)
    right.skip(10)
    right.paragraph(METHODS_TEXT)
    page_first, page_rest = _split_across(PAGE_SENTENCE, col_width - 10, 2)
    right.y = max(right.y, A4[1] - 140)
    right.lines(page_first)

    # ---- page 2
    page = doc.new_page(width=A4[0], height=A4[1])
    _running_head_and_number(page, 2)
    left = _Column(page, left_x, 80, col_width)
    left.lines(page_rest, indent_first=0)
    left.skip(8)
    left.line("3 Results", font=BOLD, size=11)
    left.paragraph(RESULTS_SENTENCE + " " + FILLER)
    right = _Column(page, right_x, 80, col_width)
    right.paragraph(METHODS_TEXT)
    right.skip(8)
    right.line("References", font=BOLD, size=11)
    for reference in REFERENCES:
        lines = wrap(reference, col_width - 10)
        right.line(lines[0])
        for line in lines[1:]:
            right.line(line, indent=10)
    doc.set_metadata({"title": TITLE, "author": AUTHORS})
    doc.save(path)
    return path


ONE_COLUMN_HEADINGS = ("1 Background", "2 Field methods", "3 Findings")


def make_one_column_paper(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    for number in range(1, 4):
        page = doc.new_page(width=A4[0], height=A4[1])
        page.insert_text((MARGIN, 40), RUNNING_HEAD, fontname=FONT, fontsize=8)
        page.insert_text((A4[0] - 120, A4[1] - 30), f"Page {number} of 3", fontname=FONT, fontsize=9)
        column = _Column(page, MARGIN, 130, A4[0] - 2 * MARGIN)
        if number == 1:
            column.line(TITLE, font=BOLD, size=18)
            column.skip(10)
        column.line(ONE_COLUMN_HEADINGS[number - 1], font=BOLD, size=11)
        for _ in range(4):
            column.paragraph(FILLER)
            column.skip(4)
    doc.save(path)
    return path


SMALL_CAPS_HEADINGS = ("I. INTRODUCTION", "II. DATA AND RECORDINGS", "III. EVALUATION")


def make_small_caps_headings_paper(path: Path | str) -> Path:
    """IEEE style: numbered section headings in capitals set smaller than the body (small caps), and
    a formula of capital letters on a line of its own that is no heading."""
    path = Path(path)
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    column = _Column(page, MARGIN, 80, A4[0] - 2 * MARGIN)
    column.line(TITLE, font=BOLD, size=18)
    column.skip(10)
    for number, heading in enumerate(SMALL_CAPS_HEADINGS):
        column.line(heading, size=0.8 * BODY_SIZE)
        column.skip(4)
        column.paragraph(FILLER)
        if number == 2:
            column.skip(4)
            column.line("2 * X Y / X + Y", indent=120)
            column.skip(4)
            column.paragraph(FILLER)
        column.skip(8)
    doc.save(path)
    return path


def make_encrypted_pdf(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), GOOD_TEXT[:60], fontname=FONT, fontsize=11)
    doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner-secret")
    return path


def make_image_only_pdf(path: Path | str) -> Path:
    """A page that shows a picture without any text: neither a text layer nor OCR finds text."""
    path = Path(path)
    source = pymupdf.open()
    drawing = source.new_page(width=300, height=120)
    drawing.draw_circle((80, 60), 40, color=(0, 0, 0), fill=(0.3, 0.5, 0.3))
    drawing.draw_rect(pymupdf.Rect(160, 30, 260, 90), color=(0, 0, 0), fill=(0.6, 0.4, 0.2))
    pixmap = drawing.get_pixmap()
    doc = pymupdf.open()
    doc.new_page(width=300, height=120).insert_image(pymupdf.Rect(0, 0, 300, 120), pixmap=pixmap)
    doc.save(path)
    return path


SCAN_PAGE_SIZE = (420.0, 300.0)  # small pages keep OCR to a few seconds
SCAN_TITLE = "Herons along the Lune"
SCAN_SENTENCES = (
    "We walked the river banks twice a week from March to June.",
    "The survey counted 42 heron nests in nine colonies along the river.",
    "Each nest was checked with binoculars from the opposite bank.",
)
SCAN_RESULTS = (
    "Most colonies stood in tall alder trees close to shallow water.",
    "Two colonies were abandoned after a spring flood in April.",
)


def make_scan_source_pdf(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    for heading, sentences in (("Methods", SCAN_SENTENCES), ("Results", SCAN_RESULTS)):
        page = doc.new_page(width=SCAN_PAGE_SIZE[0], height=SCAN_PAGE_SIZE[1])
        column = _Column(page, 40, 50, SCAN_PAGE_SIZE[0] - 80)
        if heading == "Methods":
            column.line(SCAN_TITLE, font=BOLD, size=16)
            column.skip(8)
        column.line(heading, font=BOLD, size=12)
        column.paragraph(" ".join(sentences))
    doc.save(path)
    return path


def make_scanned_pdf(path: Path | str, source: Path, pages: set[int], dpi: int = 150) -> Path:
    """A copy of source whose given pages are images of themselves (a scan without a text layer)."""
    path = Path(path)
    with pymupdf.open(source) as original:
        doc = pymupdf.open()
        for page in original:
            if page.number + 1 in pages:
                doc.new_page(width=page.rect.width, height=page.rect.height).insert_image(
                    page.rect, pixmap=page.get_pixmap(dpi=dpi)
                )
            else:
                doc.insert_pdf(original, from_page=page.number, to_page=page.number)
        doc.save(path)
    return path


def make_blank_pages_pdf(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    _Column(doc.new_page(width=A4[0], height=A4[1]), MARGIN, 100, A4[0] - 2 * MARGIN).paragraph(GOOD_TEXT)
    doc.new_page(width=A4[0], height=A4[1])
    white = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 210, 297), False)
    white.set_rect(white.irect, (255, 255, 255))
    doc.new_page(width=A4[0], height=A4[1]).insert_image(pymupdf.Rect(0, 0, *A4), pixmap=white)
    doc.save(path)
    return path


def make_gibberish_pdf(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    for number in range(1, 4):
        page = doc.new_page(width=A4[0], height=A4[1])
        column = _Column(page, MARGIN, 90, A4[0] - 2 * MARGIN)
        text = GOOD_TEXT if number == 1 else GIBBERISH_TEXT
        for _ in range(6):
            column.paragraph(text)
    doc.save(path)
    return path


def make_sideways_page_pdf(path: Path | str) -> Path:
    """Page 1 upright (GOOD_TEXT); page 2 holds a landscape table printed sideways."""
    path = Path(path)
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    _Column(page, MARGIN, 90, A4[0] - 2 * MARGIN).paragraph(GOOD_TEXT)
    page = doc.new_page(width=A4[0], height=A4[1])
    for i in range(12):
        page.insert_text((100 + 14 * i, 760), f"Row {i} of the sideways table: 0.{i}1 0.{i}2 0.{i}3", rotate=90)
    doc.save(path)
    return path


def make_hidden_text_pdf(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    page = doc.new_page(width=A4[0], height=A4[1])
    page.insert_text((72, 100), VISIBLE_TEXT, fontname=FONT, fontsize=11)
    page.insert_text((72, 100), VISIBLE_TEXT, fontname=FONT, fontsize=11)  # overprinted copy
    page.insert_text((72, 140), HIDDEN_TEXT, fontname=FONT, fontsize=11, render_mode=3)
    doc.save(path)
    return path


def make_many_pages_pdf(path: Path | str, pages: int) -> Path:
    """Written as raw PDF syntax (one shared font), so even 1,000 pages take milliseconds."""
    path = Path(path)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for number in range(1, pages + 1):
        content = (
            f"BT /F1 8 Tf {MARGIN} {A4[1] - 40} Td ({RUNNING_HEAD}) Tj ET\n"
            f"BT /F1 11 Tf {MARGIN} {A4[1] - 300} Td (This is page {number} of the long document.) Tj ET\n"
            f"BT /F1 9 Tf {A4[0] / 2} 30 Td ({number}) Tj ET\n"
        ).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (A4[0], A4[1], content_id)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), pages)
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def two_column_paper_bytes() -> bytes:
    """make_two_column_paper, in memory."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return make_two_column_paper(Path(tmp) / "paper.pdf").read_bytes()


# ---- bad input


def make_empty_file(path: Path | str) -> Path:
    path = Path(path)
    path.write_bytes(b"")
    return path


def make_text_file(path: Path | str) -> Path:
    """A text file renamed to .pdf."""
    path = Path(path)
    path.write_text("This is a plain text file, not a PDF.\n" * 20)
    return path


def make_png_file(path: Path | str) -> Path:
    """A PNG image renamed to .pdf."""
    path = Path(path)
    path.write_bytes(pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 8, 8), False).tobytes("png"))
    return path


def make_truncated_pdf(path: Path | str) -> Path:
    """The first 300 bytes of a real PDF: the header survives, the page tree does not."""
    path = Path(path)
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), GOOD_TEXT, fontname=FONT, fontsize=11)
    path.write_bytes(doc.tobytes()[:300])
    return path


def make_corrupt_pdf(path: Path | str) -> Path:
    """A PDF header followed by noise."""
    path = Path(path)
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    return path
