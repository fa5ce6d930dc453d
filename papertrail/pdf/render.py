"""Page images with highlighted evidence, and PDFs with real highlight annotations."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
import pymupdf

from papertrail.models import Box

HIGHLIGHT_RGB = np.array([255, 221, 0], dtype=np.float32)  # a warm yellow
HIGHLIGHT_ALPHA = 0.4
ANNOTATION_AUTHOR = "PaperTrail"


def render_page(pdf: Path | bytes, page: int, highlights: Iterable[Box] = (), zoom: float = 1.5) -> bytes:
    """PNG of 1-based page `page`, with translucent yellow rectangles over the highlights on it.

    Boxes are in PDF points on the unrotated page (as extraction reports them); boxes of other
    pages are ignored. Renders from a file are cached by path, size and modification time.
    """
    boxes = tuple(sorted({b for b in highlights if b.page == page}, key=lambda b: (b.y0, b.x0)))
    if isinstance(pdf, (bytes, bytearray, memoryview)):
        data = bytes(pdf)
        return _render_bytes(_Pdf(hashlib.sha1(data).hexdigest(), data), page, boxes, zoom)
    path = Path(pdf)
    stat = path.stat()
    return _render_file(str(path.resolve()), stat.st_mtime_ns, stat.st_size, page, boxes, zoom)


@lru_cache(maxsize=128)
def _render_file(path: str, mtime_ns: int, size: int, page: int, boxes: tuple[Box, ...], zoom: float) -> bytes:
    del mtime_ns, size  # part of the cache key only: a replaced file renders afresh
    with pymupdf.open(path) as doc:
        return _render(doc, page, boxes, zoom)


class _Pdf:
    """PDF bytes that hash and compare by digest, so renders of uploads can be cached too."""

    __slots__ = ("digest", "data")

    def __init__(self, digest: str, data: bytes) -> None:
        self.digest = digest
        self.data = data

    def __hash__(self) -> int:
        return hash(self.digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Pdf) and other.digest == self.digest


@lru_cache(maxsize=16)  # small: each entry keeps its PDF's bytes alive
def _render_bytes(pdf: _Pdf, page: int, boxes: tuple[Box, ...], zoom: float) -> bytes:
    with pymupdf.open(stream=pdf.data, filetype="pdf") as doc:
        return _render(doc, page, boxes, zoom)


def _render(doc: pymupdf.Document, page_number: int, boxes: Sequence[Box], zoom: float) -> bytes:
    if not 1 <= page_number <= doc.page_count:
        raise ValueError(f"page {page_number} is out of range (the PDF has {doc.page_count} pages)")
    page = doc[page_number - 1]
    matrix = pymupdf.Matrix(zoom, zoom)
    pix = page.get_pixmap(matrix=matrix, alpha=False, colorspace=pymupdf.csRGB)
    if not boxes:
        return pix.tobytes("png")
    pixels = np.frombuffer(pix.samples, dtype=np.uint8).reshape(pix.height, pix.stride)[:, : pix.width * pix.n]
    pixels = pixels.reshape(pix.height, pix.width, pix.n).copy()
    to_pixels = page.rotation_matrix * matrix  # text boxes are unrotated; the image is not
    for box in boxes:
        _blend(pixels, pymupdf.Rect(box.x0, box.y0, box.x1, box.y1) * to_pixels)
    out = pymupdf.Pixmap(pymupdf.csRGB, pix.width, pix.height, pixels.tobytes(), False)
    return out.tobytes("png")


def _blend(pixels: np.ndarray, rect: pymupdf.Rect) -> None:
    height, width = pixels.shape[:2]
    x0, x1 = max(0, int(rect.x0)), min(width, int(np.ceil(rect.x1)))
    y0, y1 = max(0, int(rect.y0)), min(height, int(np.ceil(rect.y1)))
    if x0 >= x1 or y0 >= y1:
        return
    region = pixels[y0:y1, x0:x1, :3].astype(np.float32)
    pixels[y0:y1, x0:x1, :3] = (region * (1 - HIGHLIGHT_ALPHA) + HIGHLIGHT_RGB * HIGHLIGHT_ALPHA).astype(np.uint8)


def annotate_pdf(pdf: Path | bytes, highlights: Iterable[tuple[Box, str]]) -> bytes:
    """The PDF with a highlight annotation per note (all its boxes on a page as one annotation,
    the note as the annotation's text), as bytes ready to download."""
    if isinstance(pdf, (bytes, bytearray, memoryview)):
        doc = pymupdf.open(stream=bytes(pdf), filetype="pdf")
    else:
        doc = pymupdf.open(Path(pdf))
    with doc:
        for (page_number, note), rects in _group_by_page_and_note(highlights).items():
            if not 1 <= page_number <= doc.page_count:
                continue
            page = doc[page_number - 1]  # keep the page alive while its annotation is edited
            annot = page.add_highlight_annot(quads=[r.quad for r in rects])
            if annot is None:
                continue
            annot.set_info(content=note, title=ANNOTATION_AUTHOR)
            annot.update()
        return doc.tobytes(garbage=1, deflate=True)


def _group_by_page_and_note(highlights: Iterable[tuple[Box, str]]) -> dict[tuple[int, str], list[pymupdf.Rect]]:
    groups: dict[tuple[int, str], list[pymupdf.Rect]] = {}
    for box, note in highlights:
        rect = pymupdf.Rect(box.x0, box.y0, box.x1, box.y1)
        if not rect.is_empty:
            groups.setdefault((box.page, note), []).append(rect)
    return groups
