"""Scanned and image-only pages read offline with RapidOCR (PP-OCRv4 ONNX models in its wheel) (stage 1b).

Only pages without a usable text layer are read this way: (almost) no text of their own, but images
or drawings covering part of the page. They are read after every text layer, each rendered with
PyMuPDF; RapidOCR finds the text lines and the box of every character, and each page comes back as
the PageText a text layer gives, words with boxes in PDF points. So OCR text goes through the same
column and reading-order code, and highlights land on the right words. RapidOCR's own line order
is not reading order; layout decides that.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pymupdf

from papertrail.pdf.extract.lines import Line, PageText, Word
from papertrail.text import clean_text

# A page with fewer visible characters than this has no usable text layer (a scanner's stamp or a
# download notice on a scanned page is not the page's text).
MIN_TEXT_CHARS = 80
# ...and it is worth reading only when images or drawings cover at least this share of it
# (a blank page, or one with a lone rule, is left alone).
MIN_VISUAL_SHARE = 0.05
# RapidOCR often reads a word space as none; an ink-free gap in the line image at least this share
# of the line box's height wide is a space all the same (gaps between letters are far narrower).
SPACE_SHARE = 0.18
MIN_CONTRAST = 60  # grey levels between ink and paper below which a line image is not split
# Font size from the x-height of a line's letters (0.45-0.53 of the size in common text faces), so
# that scanned pages and text-layer pages of one PDF measure type sizes alike.
X_HEIGHT_SHARE = 0.52
SIZE_PER_LINE_HEIGHT = 0.9  # font size per OCR box height, for a line whose letters cannot be seen
# The x-height is measured in whole pixels; lines within this share of the page's usual size are
# given that size, as one font on a text layer has one size.
SAME_SIZE_SHARE = 0.1


def read_scanned_pages(
    doc: pymupdf.Document, pages: list[PageText], dpi: int, progress: Callable[[int, int], None] | None
) -> list[int]:
    """Replace the pages that need OCR with what OCR reads on them; returns their 1-based numbers.

    progress hears (pages read, pages to read) before the first page and after each one.
    """
    scanned = [page.number for page in pages if _needs_ocr_at(doc, page)]
    for done, number in enumerate(scanned):
        if progress is not None:
            progress(done, len(scanned))
        pages[number - 1] = ocr_page(doc.load_page(number - 1), dpi)
    if progress is not None and scanned:
        progress(len(scanned), len(scanned))
    return scanned


def _needs_ocr_at(doc: pymupdf.Document, page: PageText) -> bool:
    if page.rotated_chars:
        return False  # sideways text is a text layer all the same
    try:
        return needs_ocr(doc.load_page(page.number - 1), sum(line.chars for line in page.lines))
    except Exception:  # a page that cannot be loaded was already counted as unreadable
        return False


def needs_ocr(page: pymupdf.Page, text_chars: int) -> bool:
    """Whether a page has no usable text layer yet shows something that may be text."""
    if text_chars >= MIN_TEXT_CHARS:
        return False
    return _visual_share(page) >= MIN_VISUAL_SHARE


def _visual_share(page: pymupdf.Page) -> float:
    """Share of the page covered by images and drawings (on a coarse grid, so overlaps count once)."""
    area = page.rect
    boxes = [pymupdf.Rect(info["bbox"]) & area for info in page.get_image_info()]
    boxes += [pymupdf.Rect(d["rect"]) & area for d in page.get_drawings()]
    boxes = [b for b in boxes if not b.is_empty]
    if not boxes or area.is_empty:
        return 0.0
    # Coverage on a coarse grid: cheap, and exact enough to tell a scan from a page with a rule.
    grid = np.zeros((64, 64), dtype=bool)
    sx, sy = 64 / area.width, 64 / area.height
    for b in boxes:
        x0, x1 = int((b.x0 - area.x0) * sx), int(np.ceil((b.x1 - area.x0) * sx))
        y0, y1 = int((b.y0 - area.y0) * sy), int(np.ceil((b.y1 - area.y0) * sy))
        grid[y0 : max(y1, y0 + 1), x0 : max(x1, x0 + 1)] = True
    return float(grid.mean())


_ENGINE_LOCK = threading.Lock()  # one page at a time: the model already uses every core


@cache
def _engine():  # noqa: ANN202 - RapidOCR is untyped
    from rapidocr_onnxruntime import RapidOCR  # imported on first use: loading takes a moment

    return RapidOCR()


def ocr_page(page: pymupdf.Page, dpi: int) -> PageText:
    """OCR one page rendered at `dpi`: its lines with word boxes in the page's coordinates."""
    pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csRGB, alpha=False)
    image = np.frombuffer(pixmap.samples, dtype=np.uint8).reshape(pixmap.height, pixmap.width, 3)
    gray = image.min(axis=2)
    if int(gray.max()) - int(gray.min()) < MIN_CONTRAST:
        return PageText(page.number + 1, page.rect.width, page.rect.height, [])  # a blank sheet: nothing to read
    with _ENGINE_LOCK:
        found, _timings = _engine()(image, return_word_box=True)
    to_points = _Scale(72.0 / dpi, page.rect.x0, page.rect.y0)
    lines = [line for line in (_line(item, gray, to_points) for item in found or ()) if line is not None]
    _even_sizes(lines)
    return PageText(page.number + 1, page.rect.width, page.rect.height, lines)


@dataclass(frozen=True, slots=True)
class _Scale:
    """Pixels of the rendered page -> PDF points."""

    factor: float
    x0: float
    y0: float

    def x(self, px: float) -> float:
        return self.x0 + px * self.factor

    def y(self, px: float) -> float:
        return self.y0 + px * self.factor


def _even_sizes(lines: list[Line]) -> None:
    """Lines close to the page's usual height share its size; clearly larger or smaller print keeps its own."""
    if not lines:
        return
    usual = float(np.median([line.size for line in lines for _ in line.words]))
    for line in lines:
        if abs(line.size - usual) <= SAME_SIZE_SHARE * usual:
            line.size = usual


def _line(item: list, gray: np.ndarray, to_points: _Scale) -> Line | None:
    """One RapidOCR result [quad, text, score, char boxes, chars, ...] as a Line."""
    quad, char_boxes, chars = item[0], item[3], item[4]
    top, bottom = int(min(p[1] for p in quad)), int(np.ceil(max(p[1] for p in quad)))
    left, right = int(min(p[0] for p in quad)), int(np.ceil(max(p[0] for p in quad)))
    ink = _ink(gray[top:bottom, left:right])
    spaces = [(left + a, left + b) for a, b in _blank_runs(ink)]
    # A line's box height varies with its letters and the detector; its x-height does not.
    size_px = _x_height(ink) / X_HEIGHT_SHARE if ink.any() else SIZE_PER_LINE_HEIGHT * (bottom - top)
    # The recogniser is trained on Chinese too and may print full-width punctuation ("，", "（").
    extents = [
        (unicodedata.normalize("NFKC", c), min(p[0] for p in box), max(p[0] for p in box))
        for c, box in zip(chars, char_boxes, strict=False)
    ]
    words = [
        Word(clean_text(text), to_points.x(x0), to_points.y(top), to_points.x(x1), to_points.y(bottom))
        for text, x0, x1 in _words(extents, spaces)
    ]
    if not words:
        return None
    return Line(
        words=words,
        x0=words[0].x0,
        y0=words[0].y0,
        x1=max(w.x1 for w in words),
        y1=words[0].y1,
        size=size_px * to_points.factor,
        bold_chars=0,  # a scan gives no font weight
        chars=sum(len(w.text) for w in words),
    )


def _ink(crop: np.ndarray) -> np.ndarray:
    """Which pixels of a line image are ink (darker than halfway from paper to the darkest ink)."""
    if crop.size == 0:
        return np.zeros((0, 0), dtype=bool)
    dark, light = np.percentile(crop, 5), np.percentile(crop, 95)
    if light - dark < MIN_CONTRAST:
        return np.zeros(crop.shape, dtype=bool)
    return crop < (dark + light) / 2


def _x_height(ink: np.ndarray) -> int:
    """Height in pixels of the band the lower-case letters fill: from the row where ink rises most
    (the x-line) to the row where it falls most (the baseline). Ascenders, descenders, capitals and
    parentheses reach beyond it in a few columns only, and neighbouring lines' strokes in fewer."""
    per_row = np.concatenate([[0], ink.sum(axis=1), [0]]).astype(float)
    change = np.diff(per_row)
    top = int(np.argmax(change))
    return int(np.argmin(change[top + 1 :])) + 1


def _blank_runs(ink: np.ndarray) -> list[tuple[int, int]]:
    """Ink-free column runs inside a line image at least a word space wide, as [start, end) pixels.

    Only the middle of the line's height is looked at, so the neighbouring lines' ascenders and
    descenders, which its box may overlap, do not fill its spaces.
    """
    height = ink.shape[0]
    inked = ink[int(0.15 * height) : max(int(0.85 * height), int(0.15 * height) + 1)].any(axis=0)
    min_width = SPACE_SHARE * height
    runs: list[tuple[int, int]] = []
    start = None
    for x, has_ink in enumerate(inked):
        if not has_ink and start is None:
            start = x
        elif has_ink and start is not None:
            if start > 0 and x - start >= min_width:  # a run touching the box's edge is margin, not a space
                runs.append((start, x))
            start = None
    return runs


def _words(chars: list[tuple[str, float, float]], spaces: list[tuple[int, int]]) -> list[tuple[str, float, float]]:
    """Characters with their x-extent -> words, split at the recognised spaces and at blank runs
    between two characters (the recogniser often drops the space between words set close)."""
    words: list[tuple[str, float, float]] = []
    text, start, end, centre = "", 0.0, 0.0, 0.0
    for char, x0, x1 in chars:
        if char.isspace():
            if text:
                words.append((text, start, end))
            text = ""
            continue
        here = (x0 + x1) / 2
        if text and _may_part(text[-1], char) and any(centre < (a + b) / 2 < here for a, b in spaces):
            words.append((text, start, end))
            text = ""
        if not text:
            start, end = x0, x1
        text += char
        end, centre = max(end, x1), here
    if text:
        words.append((text, start, end))
    return words


def _may_part(before: str, after: str) -> bool:
    """Whether a blank gap between two characters can be a word space the recogniser missed.

    Not between digits (a "1" stands in a wide blank cell: "101"), nor before closing punctuation
    or around a hyphen, where a gap is the glyph's own side bearing.
    """
    if before.isdigit() and after.isdigit():
        return False
    return after not in _NO_SPACE_BEFORE and before not in "-‐–([{"


_NO_SPACE_BEFORE = frozenset(",.;:!?%)]}'’”-‐–")
