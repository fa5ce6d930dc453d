"""Text of a scientific PDF in true reading order, as paragraph-level Passages with word boxes.

The stages, top to bottom (geometry from PyMuPDF's word and span lists; the layout is our own):
  source      open the file; bad input becomes an ExtractionError with a plain message
  lines       each page -> PageText: words with boxes grouped in lines
  ocr         pages without a usable text layer (scans) -> the same PageText, read by OCR
  stats       body font, running heads and footers, vocabulary (for line-end hyphens)
  layout      gutters, full-width bands and columns of a page
  paragraphs  rows and paragraphs within a column, each block's kind (tables, sections help)
  stitch      paragraphs continued across columns and pages; sections tracked
  passages    drafts -> Passages with word spans (notation: line-end hyphens), title, authors
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from papertrail.models import Passage
from papertrail.pdf.extract.layout import layout_page
from papertrail.pdf.extract.lines import read_pages
from papertrail.pdf.extract.ocr import read_scanned_pages
from papertrail.pdf.extract.passages import paper_authors, paper_title, renumber, to_passage
from papertrail.pdf.extract.source import ExtractionError, open_pdf
from papertrail.pdf.extract.stats import DocStats, garbled_warning, rotated_warning
from papertrail.pdf.extract.stitch import Stitcher
from papertrail.pdf.extract.table_grid import label_and_join_tables

__all__ = ["ExtractedPaper", "ExtractionError", "extract", "reading_text"]


@dataclass
class ExtractedPaper:
    title: str
    authors: str
    pages: int
    passages: list[Passage]
    warnings: list[str] = field(default_factory=list)
    ocr_pages: list[int] = field(default_factory=list)  # 1-based pages whose text was read by OCR


def extract(
    source: Path | bytes,
    paper_id: str = "",
    *,
    max_pages: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    ocr_progress: Callable[[int, int], None] | None = None,
    ocr_dpi: int = 150,
) -> ExtractedPaper:
    """Read a PDF into paragraph-level passages in reading order (raises ExtractionError).

    Scanned pages are read by OCR after every text layer (slow: ocr_progress hears pages done of
    pages to read).
    """
    doc = open_pdf(source)
    warnings: list[str] = []
    try:
        total = doc.page_count
        if max_pages is not None and total > max_pages:
            raise ExtractionError(
                "too_many_pages",
                f"This PDF has {total} pages; the limit is {max_pages}. Split it or raise the page limit.",
            )
        pages, failed = read_pages(doc, progress)
        ocr_pages = read_scanned_pages(doc, pages, ocr_dpi, ocr_progress)
        metadata = doc.metadata or {}
        if getattr(doc, "is_repaired", False):
            warnings.append("The file was damaged and has been repaired; some text may be missing.")
    finally:
        doc.close()
    if failed == total:
        raise ExtractionError("corrupt", "This PDF is damaged: none of its pages could be read.")
    if failed:
        warnings.append(f"{failed} page(s) could not be read and were skipped.")
    if not any(p.lines for p in pages):
        if any(p.rotated_chars for p in pages):
            raise ExtractionError(
                "no_text", "All text in this PDF is printed sideways; PaperTrail reads upright text only."
            )
        raise ExtractionError(
            "no_text",
            "No text was found in this PDF: it has no text layer, and reading its pages as images (OCR) "
            "found no text either.",
        )
    warnings.extend(garbled_warning(pages))
    warnings.extend(rotated_warning(pages))
    stats = DocStats.measure(pages)
    blocks = [block for page in pages for block in layout_page(page, stats)]
    drafts = label_and_join_tables(Stitcher(stats).run(blocks))
    passages = [to_passage(draft, paper_id, ordinal, stats.vocabulary) for ordinal, draft in enumerate(drafts)]
    passages = [p for p in passages if p.text]
    passages = [renumber(p, i) for i, p in enumerate(passages)]
    title = paper_title(passages, metadata)
    return ExtractedPaper(
        title=title,
        authors=paper_authors(passages, metadata),
        pages=total,
        passages=passages,
        warnings=warnings,
        ocr_pages=ocr_pages,
    )


def reading_text(paper: ExtractedPaper) -> str:
    """Exactly the text chunking consumes: passages in reading order separated by blank lines."""
    return "\n\n".join(p.text for p in paper.passages)
