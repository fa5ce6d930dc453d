"""Text of a scientific PDF in true reading order, as paragraph-level Passages with word boxes.

How a page is read (geometry from PyMuPDF's word and span lists; the layout order is our own):
  1. Words keep their exact rectangles; invisible or clipped text, rotated margin stamps and
     duplicate overprinted spans are dropped; ligatures and odd spaces are normalised.
  2. Lines repeated in the top/bottom margins across pages (digits normalised) and lone page
     numbers are removed as running heads and footers.
  3. Column gutters are found per page (a vertical strip most text stays out of). Lines that
     cross a gutter are full-width (title, wide figure captions, tables); they cut the page into
     horizontal bands, and each band is read column by column, top to bottom.
  4. Within a column, lines sharing a baseline become rows (table rows stay together) and rows
     are split into paragraphs by gaps, indents, font changes and caption starts.
  5. Across columns and pages a paragraph that does not end a sentence is continued by the next
     body paragraph; captions, tables and footnotes met in between are emitted after it.
"""

from __future__ import annotations

import bisect
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pymupdf

from papertrail.models import Box, Passage, PassageKind, WordSpan
from papertrail.text import clean_char, clean_text, garbled_ratio

# MuPDF drops characters outside the page and those hidden by clipping paths with this flag
# (FZ_STEXT_CLIP shares its bit): that removes the hidden duplicate layers some journals ship.
_TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
_CHAR_FILLED = 16  # FZ_STEXT_FILLED / FZ_STEXT_STROKED in a span's char_flags
_CHAR_STROKED = 32
_FONT_BOLD = 16  # TEXT_FONT_BOLD in span["flags"]

MARGIN_ZONE = 0.12  # share of the page height searched for running heads and footers
GARBLED_THRESHOLD = 0.35
BOLD_SHARE = 0.95  # a line is bold when all of it is (run-in headings are not)


class ExtractionError(Exception):
    """A per-file failure the user can act on; code is stable, message is plain words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ExtractedPaper:
    title: str
    authors: str
    pages: int
    passages: list[Passage]
    warnings: list[str] = field(default_factory=list)


def extract(
    source: Path | bytes,
    paper_id: str = "",
    *,
    max_pages: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExtractedPaper:
    """Read a PDF into paragraph-level passages in reading order (raises ExtractionError)."""
    doc = _open(source)
    warnings: list[str] = []
    try:
        total = doc.page_count
        if max_pages is not None and total > max_pages:
            raise ExtractionError(
                "too_many_pages",
                f"This PDF has {total} pages; the limit is {max_pages}. Split it or raise the page limit.",
            )
        pages, failed = _read_pages(doc, progress)
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
            "This PDF has no text layer (it looks like a scan). PaperTrail does not run OCR; "
            "run OCR first (for example with ocrmypdf) and upload it again.",
        )
    warnings.extend(_garbled_warning(pages))
    warnings.extend(_rotated_warning(pages))
    stats = _DocStats.measure(pages)
    blocks = [block for page in pages for block in _layout_page(page, stats)]
    drafts = _Stitcher(stats).run(blocks)
    passages = [_to_passage(draft, paper_id, ordinal, stats.vocabulary) for ordinal, draft in enumerate(drafts)]
    passages = [p for p in passages if p.text]
    passages = [_renumber(p, i) for i, p in enumerate(passages)]
    title = _title(passages, metadata)
    return ExtractedPaper(
        title=title,
        authors=_authors(passages, metadata),
        pages=total,
        passages=passages,
        warnings=warnings,
    )


def reading_text(paper: ExtractedPaper) -> str:
    """Exactly the text chunking consumes: passages in reading order separated by blank lines."""
    return "\n\n".join(p.text for p in paper.passages)


# ==============================================================================================
# Opening and bad input


def _open(source: Path | bytes) -> pymupdf.Document:
    data = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else None
    if data is None:
        path = Path(source)
        with path.open("rb") as fh:
            head = fh.read(1024)
    else:
        head = data[:1024]
    if not head:
        raise ExtractionError("empty", "The file is empty (0 bytes).")
    if b"%PDF" not in head:
        raise ExtractionError("not_pdf", "This file is not a PDF (it lacks the PDF header); upload the paper's PDF.")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf") if data is not None else pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # pymupdf raises several types for unreadable files
        raise ExtractionError(
            "corrupt", "This PDF is damaged and cannot be opened; export or download it again."
        ) from exc
    if doc.needs_pass and not doc.authenticate(""):
        doc.close()
        raise ExtractionError("encrypted", "This PDF is password-protected; remove the password and upload it again.")
    if doc.page_count == 0:
        doc.close()
        raise ExtractionError("corrupt", "This PDF is damaged: it has no readable pages.")
    return doc


# ==============================================================================================
# Characters -> words -> lines


@dataclass(slots=True)
class _Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    hard_hyphen: bool = False  # a trailing hyphen the PDF marks as a real one ("-" + soft hyphen)


@dataclass(slots=True)
class _Line:
    words: list[_Word]
    x0: float
    y0: float
    x1: float
    y1: float
    size: float  # dominant font size
    bold_chars: int
    chars: int

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def bold(self) -> bool:
        return self.bold_chars >= BOLD_SHARE * self.chars

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class _PageText:
    number: int  # 1-based
    width: float
    height: float
    lines: list[_Line]
    rotated_chars: int = 0  # text running up or down the page (margin stamps, landscape tables)


def _read_pages(doc: pymupdf.Document, progress: Callable[[int, int], None] | None) -> tuple[list[_PageText], int]:
    pages: list[_PageText] = []
    failed = 0
    total = doc.page_count
    for index in range(total):
        try:
            page = doc.load_page(index)
            rect = page.rect
            lines, rotated = _page_lines(page)
            pages.append(_PageText(index + 1, rect.width, rect.height, lines, rotated))
        except Exception:  # one unreadable page must not sink the paper
            failed += 1
            pages.append(_PageText(index + 1, 612.0, 792.0, []))
        if progress is not None:
            progress(index + 1, total)
    return pages, failed


def _page_lines(page: pymupdf.Page) -> tuple[list[_Line], int]:
    """Lines of visible horizontal text with word boxes, and the count of rotated characters.

    The fast path takes word boxes from MuPDF's word list; pages with invisible or overprinted
    spans take the per-character path, which can drop exactly those spans.
    """
    textpage = page.get_textpage(flags=_TEXT_FLAGS)
    info = textpage.extractDICT()
    rotated = sum(
        len(span["text"])
        for block in info.get("blocks", ())
        for line in block.get("lines", ())
        if not _is_horizontal(line["dir"])
        for span in line["spans"]
    )
    if _has_hidden_or_duplicate_spans(info):
        return _lines_from_rawdict(textpage.extractRAWDICT()), rotated
    return _lines_from_words(info, textpage.extractWORDS()), rotated


def _has_hidden_or_duplicate_spans(info: dict) -> bool:
    spans = [
        s
        for block in info.get("blocks", ())
        if block.get("type") == 0
        for line in block["lines"]
        for s in line["spans"]
        if s["text"].strip()
    ]
    if any(not _span_visible(s) for s in spans):
        return True
    seen: dict[str, list[tuple[float, float, float, float]]] = {}
    return any(_is_duplicate_box(s["text"].strip(), s["bbox"], seen) for s in spans)


def _lines_from_words(info: dict, words: list[tuple]) -> list[_Line]:
    by_line: dict[tuple[int, int], list[tuple]] = {}
    for word in words:
        by_line.setdefault((word[5], word[6]), []).append(word)
    blocks = info.get("blocks", ())
    lines: list[_Line] = []
    for (block_no, line_no), line_words in by_line.items():
        raw_line = blocks[block_no]["lines"][line_no]
        if not _is_horizontal(raw_line["dir"]):
            continue
        built = _words_from_tuples(line_words)
        if built:
            bbox = (
                min(w.x0 for w in built),
                min(w.y0 for w in built),
                max(w.x1 for w in built),
                max(w.y1 for w in built),
            )
            lines.append(_make_line(built, raw_line["spans"], bbox))
    return lines


def _words_from_tuples(line_words: list[tuple]) -> list[_Word]:
    out: list[_Word] = []
    last = len(line_words) - 1
    for i, (x0, y0, x1, y1, text, *_rest) in enumerate(line_words):
        hard = False
        if not text.isascii():
            hard = text.endswith("-\u00ad")
            if text.endswith("\u00ad") and not hard and i == last:
                text = text[:-1] + "-"  # the printed hyphenation mark
            text = clean_text(text.replace("\u00ad", ""))
            if not text or " " in text:
                out.extend(_split_word_box(text, text.split(), x0, y0, x1, y1))
                continue
        out.append(_Word(text, x0, y0, x1, y1, hard and text.endswith("-")))
    return out


def _split_word_box(text: str, pieces: list[str], x0: float, y0: float, x1: float, y1: float) -> list[_Word]:
    """A "word" holding odd spaces (em spaces) becomes several; boxes shared by character count."""
    per_char = (x1 - x0) / max(len(text), 1)
    out = []
    pos = 0
    for piece in pieces:
        start = text.index(piece, pos)
        pos = start + len(piece)
        out.append(_Word(piece, x0 + start * per_char, y0, x0 + pos * per_char, y1))
    return out


def _make_line(words: list[_Word], spans: list[dict], bbox: tuple[float, ...] | None = None) -> _Line:
    size_chars: dict[float, int] = {}
    bold_chars = 0
    chars = 0
    for span in spans:
        text = span["text"] if "text" in span else "".join(ch["c"] for ch in span["chars"])
        n = len(text) - text.count(" ")
        if not n:
            continue
        chars += n
        size = round(span["size"], 1)
        size_chars[size] = size_chars.get(size, 0) + n
        if span["flags"] & _FONT_BOLD or "bold" in span["font"].lower():
            bold_chars += n
    if bbox is None:
        bbox = (min(w.x0 for w in words), min(w.y0 for w in words), max(w.x1 for w in words), max(w.y1 for w in words))
    return _Line(
        words=words,
        x0=bbox[0],
        y0=bbox[1],
        x1=bbox[2],
        y1=bbox[3],
        size=max(size_chars, key=size_chars.__getitem__) if size_chars else spans[0]["size"],
        bold_chars=bold_chars,
        chars=max(chars, 1),
    )


def _span_visible(span: dict) -> bool:
    if span.get("alpha", 255) == 0:
        return False
    flags = span.get("char_flags")
    return flags is None or bool(flags & (_CHAR_FILLED | _CHAR_STROKED))


def _lines_from_rawdict(raw: dict) -> list[_Line]:
    raw_lines = [
        line
        for block in raw.get("blocks", ())
        if block.get("type") == 0
        for line in block["lines"]
        if _is_horizontal(line["dir"])
    ]
    spans = [s for line in raw_lines for s in line["spans"]]
    # Invisible text is dropped only when visible text exists: a scan's OCR layer is all invisible.
    keep_invisible = not any(_span_visible(s) for s in spans if s["chars"])
    seen: dict[str, list[tuple[float, float, float, float]]] = {}
    lines: list[_Line] = []
    for raw_line in raw_lines:
        kept = [
            s
            for s in raw_line["spans"]
            if s["chars"] and (keep_invisible or _span_visible(s)) and not _is_duplicate(s, seen)
        ]
        line = _build_line(kept)
        if line is not None:
            lines.append(line)
    return lines


def _is_horizontal(direction: tuple[float, float]) -> bool:
    dx, dy = direction
    return dx > 0.99 and abs(dy) < 0.05


def _is_duplicate(span: dict, seen: dict[str, list[tuple[float, float, float, float]]]) -> bool:
    """Overprinted copies of a span (fake bold, duplicated layers) are read once."""
    return _is_duplicate_box("".join(ch["c"] for ch in span["chars"]).strip(), span["bbox"], seen)


def _is_duplicate_box(
    text: str, box: tuple[float, ...], seen: dict[str, list[tuple[float, float, float, float]]]
) -> bool:
    if not text:
        return False
    for other in seen.get(text, ()):
        if _overlap_ratio(box, other) > 0.6:
            return True
    seen.setdefault(text, []).append(box)
    return False


def _overlap_ratio(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = min(a[2], b[2]) - max(a[0], b[0])
    iy = min(a[3], b[3]) - max(a[1], b[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    area = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return ix * iy / area if area > 0 else 0.0


class _WordBuilder:
    """Accumulates characters into words, splitting on spaces and on missing-space gaps."""

    def __init__(self) -> None:
        self.words: list[_Word] = []
        self.text: list[str] = []
        self.box: list[float] = []
        self.last_x1 = -1e9
        self.pending_soft_hyphen = False

    def add(self, text: str, bbox: tuple[float, float, float, float], size: float) -> None:
        if text.isspace():
            self.flush()
            return
        if self.text and bbox[0] - self.last_x1 > 0.3 * size:  # a gap wider than a space
            self.flush()
        if not self.text:
            self.box = list(bbox)
        else:
            self.box[0] = min(self.box[0], bbox[0])
            self.box[1] = min(self.box[1], bbox[1])
            self.box[2] = max(self.box[2], bbox[2])
            self.box[3] = max(self.box[3], bbox[3])
        self.text.append(text)
        self.last_x1 = bbox[2]

    def soft_hyphen(self, bbox: tuple[float, float, float, float], size: float) -> None:
        """U+00AD: after "-" it marks a real hyphen; at a line end it is the hyphenation mark."""
        if self.text and self.text[-1].endswith("-"):
            self.pending_soft_hyphen = True
        else:
            self.add("\u00ad", bbox, size)

    def flush(self) -> None:
        if self.text:
            text = "".join(self.text)
            hard = self.pending_soft_hyphen and text.endswith("-")
            text = text.replace("\u00ad", "")
            if text:
                self.words.append(_Word(text, *self.box, hard_hyphen=hard))
        self.text = []
        self.pending_soft_hyphen = False

    def finish(self) -> list[_Word]:
        # A soft hyphen left at the very end of a line is the printed hyphenation mark.
        if self.text and self.text[-1] == "\u00ad":
            self.text[-1] = "-"
        self.flush()
        return self.words


def _build_line(spans: list[dict]) -> _Line | None:
    builder = _WordBuilder()
    for span in spans:
        size = span["size"]
        for ch in span["chars"]:
            if ch["c"] == "\u00ad":
                builder.soft_hyphen(ch["bbox"], size)
                continue
            text = clean_char(ch["c"])
            if text:
                builder.add(text, ch["bbox"], size)
    words = builder.finish()
    return _make_line(words, spans) if words else None


# ==============================================================================================
# Document statistics: body font, running heads, vocabulary


_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(page\s*)?[-–—(\[]?\s*(\d{1,4}|[ivxlc]{1,6})\s*[-–—)\]]?(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE
)
_PUNCT_EDGES = "\"'“”‘’()[]{}.,;:!?*†‡§¶"


def _margin_keys(line: _Line) -> tuple[str, str]:
    """Running heads repeat with the same words (page numbers aside) at the same height."""
    text = _DIGITS.sub("#", " ".join(line.text.lower().split()))
    # Two overlapping 6pt bins so that a head drifting by a point still matches.
    return f"{text}@{int(line.y0 // 6)}", f"{text}@{int((line.y0 + 3) // 6)}~"


def _in_margin(line: _Line, page: _PageText) -> bool:
    return line.y1 <= page.height * MARGIN_ZONE + 8 or line.y0 >= page.height * (1 - MARGIN_ZONE) - 8


@dataclass
class _DocStats:
    body_size: float
    margin_repeats: set[str]
    vocabulary: set[str]
    pages: int

    @classmethod
    def measure(cls, pages: list[_PageText]) -> _DocStats:
        sizes: Counter[float] = Counter()
        keys_per_page: Counter[str] = Counter()
        vocabulary: set[str] = set()
        for page in pages:
            keys: set[str] = set()
            for line in page.lines:
                sizes[round(line.size * 2) / 2] += line.chars
                if _in_margin(line, page):
                    keys.update(_margin_keys(line))
                for word in line.words:
                    vocabulary.add(word.text.strip(_PUNCT_EDGES).lower())
            keys_per_page.update(keys)
        needed = max(2, int(0.25 * len(pages)))
        repeats = {key for key, count in keys_per_page.items() if count >= needed and len(pages) > 1}
        body = sizes.most_common(1)[0][0] if sizes else 10.0
        return cls(body_size=body, margin_repeats=repeats, vocabulary=vocabulary, pages=len(pages))

    def is_running_text(self, line: _Line, page: _PageText) -> bool:
        if not _in_margin(line, page):
            return False
        if any(key in self.margin_repeats for key in _margin_keys(line)):
            return True
        return bool(_PAGE_NUMBER.match(line.text.strip()))


def _garbled_warning(pages: list[_PageText]) -> list[str]:
    bad = []
    for page in pages:
        text = " ".join(line.text for line in page.lines)
        if len(text) >= 80 and garbled_ratio(text) > GARBLED_THRESHOLD:
            bad.append(page.number)
    if not bad:
        return []
    return [
        f"Text on {_page_ranges(bad)} looks garbled (broken font encoding); "
        "search and answers may miss what those pages say."
    ]


def _rotated_warning(pages: list[_PageText]) -> list[str]:
    """Pages whose text mostly runs sideways (landscape tables) are not read; say so."""
    sideways = [p.number for p in pages if p.rotated_chars > 200 and p.rotated_chars > sum(ln.chars for ln in p.lines)]
    if not sideways:
        return []
    return [f"Text on {_page_ranges(sideways)} is printed sideways and was not read."]


def _page_ranges(numbers: list[int]) -> str:
    ranges: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        ranges.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    label = "page" if len(numbers) == 1 else "pages"
    return f"{label} {', '.join(ranges)}"


# ==============================================================================================
# Page layout: gutters, bands, columns, rows, paragraphs


@dataclass
class _Row:
    words: list[_Word]
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    bold: bool
    cells: int  # runs of words separated by wide gaps (table cells)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass
class _Block:
    """A paragraph-like group of rows inside one column (or one full-width band)."""

    page: int
    rows: list[_Row]
    left: float  # column bounds, for indent and short-line tests
    right: float
    kind: PassageKind = PassageKind.BODY
    starts_column: bool = False
    indented: bool = False

    @cached_property
    def text(self) -> str:
        return " ".join(r.text for r in self.rows)

    @cached_property
    def size(self) -> float:
        return _dominant(((r.size, len(r.text)) for r in self.rows), self.rows[0].size)

    @property
    def bold(self) -> bool:
        return all(r.bold for r in self.rows)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _dominant(pairs: Iterable[tuple[float, int]], default: float) -> float:
    counts: Counter[float] = Counter()
    for value, weight in pairs:
        counts[value] += weight
    return counts.most_common(1)[0][0] if counts else default


def _layout_page(page: _PageText, stats: _DocStats) -> list[_Block]:
    lines = [line for line in page.lines if not stats.is_running_text(line, page)]
    lines = _drop_margin_line_numbers(lines)
    if not lines:
        return []
    gutters = _find_gutters(lines, stats.body_size)
    if gutters:
        lines = _split_across_gutters(lines, gutters)
    # Full-width small print at the page foot (conference footers, licences) sits under the
    # page's body text rather than under text of its own band.
    body_bottoms = sorted(ln.y1 for ln in lines if ln.size >= 0.9 * stats.body_size)
    blocks: list[_Block] = []
    for band_lines, spanning in _bands(lines, gutters):
        if spanning or not gutters:
            columns = [band_lines]
        else:
            columns = _columns(band_lines, gutters)
            if _is_table_band(columns):
                blocks.extend(_as_table(_column_blocks(band_lines, page, stats)))
                continue
        for column in columns:
            if column:
                blocks.extend(_column_blocks(column, page, stats, body_bottoms if spanning else None))
    return blocks


def _as_table(blocks: list[_Block]) -> list[_Block]:
    """Everything in a band made of table cells is the table (its caption aside)."""
    for block in blocks:
        if block.kind != PassageKind.CAPTION:
            block.kind = PassageKind.TABLE
    return _merge_tables(blocks)


def _drop_margin_line_numbers(lines: list[_Line]) -> list[_Line]:
    """Line numbers printed down a margin (review copies) sit outside all other text."""
    numeric = [ln for ln in lines if ln.text.isdigit() and len(ln.text) <= 4]
    if len(numeric) < 8:
        return lines
    others = [ln for ln in lines if not (ln.text.isdigit() and len(ln.text) <= 4)]
    if not others:
        return lines
    text_left = min(ln.x0 for ln in others)
    text_right = max(ln.x1 for ln in others)
    margin = {id(ln) for ln in numeric if ln.x1 < text_left - 2 or ln.x0 > text_right + 2}
    return [ln for ln in lines if id(ln) not in margin] if len(margin) >= 8 else lines


def _find_gutters(lines: list[_Line], body_size: float) -> list[tuple[float, float]]:
    """Vertical strips (x0, x1) that separate columns; empty for a single-column page.

    A gutter must have real text on both sides, and the text crossing it (titles, wide
    captions and tables) must be less than the text beside it. Text counts by its characters,
    small print less (labels inside figures and screenshots may run across the gutter).
    """
    if len(lines) < 8:
        return []
    left = _quantile([ln.x0 for ln in lines], 0.02)
    right = _quantile([ln.x1 for ln in lines], 0.98)
    x0 = np.array([ln.x0 for ln in lines])
    x1 = np.array([ln.x1 for ln in lines])
    chars = np.array([ln.chars * _print_weight(ln.size, body_size) for ln in lines], dtype=float)
    return _gutters_between(x0, x1, chars, left, right, depth=0)


def _print_weight(size: float, body_size: float) -> float:
    """Tiny print (inside figures) weighs little; footnote-sized text counts fully."""
    ratio = size / body_size
    return 1.0 if ratio >= 0.65 else ratio * ratio


def _gutters_between(
    x0: np.ndarray, x1: np.ndarray, chars: np.ndarray, left: float, right: float, depth: int
) -> list[tuple[float, float]]:
    width = right - left
    if width < 100 or len(x0) < 8 or depth > 2:
        return []
    half = 3.0  # a gutter is at least 6pt wide
    xs = np.arange(left + 0.15 * width, right - 0.15 * width, 2.0)
    if xs.size == 0:
        return []
    crossing = (x0[None, :] < xs[:, None] - half) & (x1[None, :] > xs[:, None] + half)
    left_of = ~crossing & (x1[None, :] <= xs[:, None] + half)
    right_of = ~crossing & (x0[None, :] >= xs[:, None] - half)
    # The best gutter leaves much text on both sides and little crossing it.
    score = np.minimum(left_of @ chars, right_of @ chars) - 0.5 * (crossing @ chars)
    best = int(np.argmax(score))
    ties = np.flatnonzero(score == score[best])
    run = _run_containing(ties, best)
    x = float(xs[run[len(run) // 2]])
    crosses = crossing[run[len(run) // 2]]
    on_left = ~crosses & (x1 <= x + half)
    on_right = ~crosses & (x0 >= x - half)
    total = chars.sum()
    left_chars, right_chars, cross_chars = chars[on_left].sum(), chars[on_right].sum(), chars[crosses].sum()
    columns = (
        on_left.sum() >= 4
        and on_right.sum() >= 4
        and min(left_chars, right_chars) >= 0.12 * total
        and min(left_chars, right_chars) >= 0.35 * cross_chars
    )
    # A margin column (dates, notes beside the text) is thin, but nothing at all crosses it.
    clean = cross_chars <= 0.02 * total
    margin_column = on_left.sum() >= 2 and on_right.sum() >= 2 and clean
    # Inside a column only a clean split counts (a third column); the gaps between the cells
    # of a table are crossed by the running text around the table.
    ok = (columns or margin_column) and (depth == 0 or clean)
    if not ok:
        return []
    g0 = float(x1[on_left].max()) if on_left.any() else x - half
    g1 = float(x0[on_right].min()) if on_right.any() else x + half
    if g1 - g0 < 4:  # lines on either side that almost touch are not separate columns
        g0, g1 = x - half, x + half
    gutter = (min(g0, x - half), max(g1, x + half))
    lefts = _gutters_between(x0[on_left], x1[on_left], chars[on_left], left, gutter[0], depth + 1)
    rights = _gutters_between(x0[on_right], x1[on_right], chars[on_right], gutter[1], right, depth + 1)
    return [*lefts, gutter, *rights]


def _run_containing(indices: np.ndarray, target: int) -> list[int]:
    """The consecutive run of indices (step 1) that contains target."""
    pos = int(np.searchsorted(indices, target))
    lo = hi = pos
    while lo > 0 and indices[lo - 1] == indices[lo] - 1:
        lo -= 1
    while hi + 1 < len(indices) and indices[hi + 1] == indices[hi] + 1:
        hi += 1
    return [int(i) for i in indices[lo : hi + 1]]


def _crosses(line: _Line, gutter: tuple[float, float]) -> bool:
    mid = (gutter[0] + gutter[1]) / 2
    return line.x0 < mid - 3 and line.x1 > mid + 3


def _split_across_gutters(lines: list[_Line], gutters: list[tuple[float, float]]) -> list[_Line]:
    """A line that crosses a gutter only through a word gap is really two lines (PyMuPDF merge)."""
    out: list[_Line] = []
    for line in lines:
        pieces = [line]
        for gutter in gutters:
            mid = (gutter[0] + gutter[1]) / 2
            nxt: list[_Line] = []
            for piece in pieces:
                cut = _gap_at(piece, mid)
                nxt.extend(_split_line(piece, cut) if cut is not None else [piece])
            pieces = nxt
        out.extend(pieces)
    return out


def _gap_at(line: _Line, x: float) -> int | None:
    if not (line.x0 < x < line.x1):
        return None
    for i in range(1, len(line.words)):
        if line.words[i - 1].x1 <= x <= line.words[i].x0 and line.words[i].x0 - line.words[i - 1].x1 >= 4:
            return i
    return None


def _split_line(line: _Line, cut: int) -> list[_Line]:
    parts = []
    for words in (line.words[:cut], line.words[cut:]):
        parts.append(
            _Line(
                words=words,
                x0=min(w.x0 for w in words),
                y0=min(w.y0 for w in words),
                x1=max(w.x1 for w in words),
                y1=max(w.y1 for w in words),
                size=line.size,
                bold_chars=line.bold_chars if line.bold else 0,
                chars=sum(len(w.text) for w in words),
            )
        )
    return parts


def _bands(lines: list[_Line], gutters: list[tuple[float, float]]) -> list[tuple[list[_Line], bool]]:
    """Horizontal bands in top-to-bottom order: (lines, is_full_width)."""
    if not gutters:
        return [(lines, False)]
    spanning = [any(_crosses(ln, g) for g in gutters) for ln in lines]
    _extend_spanning(lines, spanning)
    order = sorted(range(len(lines)), key=lambda i: (lines[i].y0 + lines[i].y1) / 2)
    bands: list[tuple[list[_Line], bool]] = []
    for i in order:
        if bands and bands[-1][1] == spanning[i]:
            bands[-1][0].append(lines[i])
        else:
            bands.append(([lines[i]], spanning[i]))
    return bands


def _extend_spanning(lines: list[_Line], spanning: list[bool]) -> None:
    """Lines on a full-width line's baseline, and the short last line of a full-width
    paragraph (left-aligned right under it, same font), are full-width too."""
    wide = [ln for ln, s in zip(lines, spanning, strict=True) if s]
    if not wide:
        return
    for i, ln in enumerate(lines):
        if spanning[i]:
            continue
        if any(_v_overlap(ln, w) > 0.5 * min(ln.height, w.height) for w in wide):
            spanning[i] = True
            continue
        above = [
            w
            for w in wide
            if -2 <= ln.y0 - w.y1 <= 0.8 * ln.size and abs(w.size - ln.size) < 0.5 and abs(w.x0 - ln.x0) < 2 * ln.size
        ]
        if above and not any(j != i and not spanning[j] and _v_overlap(ln, other) > 0 for j, other in enumerate(lines)):
            spanning[i] = True


def _v_overlap(a: _Line | _Row, b: _Line | _Row) -> float:
    return min(a.y1, b.y1) - max(a.y0, b.y0)


def _columns(lines: list[_Line], gutters: list[tuple[float, float]]) -> list[list[_Line]]:
    edges = [(g[0] + g[1]) / 2 for g in gutters]
    columns: list[list[_Line]] = [[] for _ in range(len(edges) + 1)]
    for line in lines:
        centre = (line.x0 + line.x1) / 2
        columns[sum(centre > e for e in edges)].append(line)
    return columns


def _is_table_band(columns: list[list[_Line]]) -> bool:
    """Cells of one table on both sides of a gutter: every column holds short lines on shared baselines."""
    filled = [c for c in columns if c]
    if len(filled) < 2:
        return False
    for column in filled:
        width = max(ln.x1 for ln in column) - min(ln.x0 for ln in column)
        if sum(1 for ln in column if ln.width < 0.5 * width) < 0.7 * len(column):
            return False
    first, rest = filled[0], [ln for c in filled[1:] for ln in c]
    shared = sum(1 for a in first if any(_v_overlap(a, b) > 0.6 * min(a.height, b.height) for b in rest))
    return shared >= 0.5 * len(first)


# ---- rows and paragraphs inside a column


def _merge_rows(lines: list[_Line]) -> list[_Row]:
    lines = sorted(lines, key=lambda ln: (ln.y0, ln.x0))
    groups: list[list[_Line]] = []
    spans: list[list[float]] = []  # [top, bottom] of each group
    for line in lines:
        for index in range(len(groups) - 1, max(-1, len(groups) - 4), -1):
            group, (top, bottom) = groups[index], spans[index]
            overlap = min(bottom, line.y1) - max(top, line.y0)
            if overlap <= 0.5 * min(line.height, bottom - top):
                continue
            # Lines of one row sit side by side; a tall line (inline maths) may reach into the
            # next row, but the next row's line lies under it, not beside it.
            if all(min(g.x1, line.x1) - max(g.x0, line.x0) <= 2 for g in group):
                group.append(line)
                spans[index] = [min(top, line.y0), max(bottom, line.y1)]
                break
        else:
            groups.append([line])
            spans.append([line.y0, line.y1])
    return [_row_from(group) for group in groups]


def _row_from(group: list[_Line]) -> _Row:
    if len(group) == 1:
        line = group[0]
        return _Row(
            words=line.words,
            x0=line.x0,
            y0=line.y0,
            x1=line.x1,
            y1=line.y1,
            size=line.size,
            bold=line.bold,
            cells=_count_cells(line.words, line.size),
        )
    group.sort(key=lambda ln: ln.x0)
    words = [w for ln in group for w in ln.words]
    size = _dominant(((ln.size, ln.chars) for ln in group), group[0].size)
    chars = sum(ln.chars for ln in group)
    return _Row(
        words=words,
        x0=min(ln.x0 for ln in group),
        y0=min(ln.y0 for ln in group),
        x1=max(ln.x1 for ln in group),
        y1=max(ln.y1 for ln in group),
        size=size,
        bold=sum(ln.bold_chars for ln in group) >= BOLD_SHARE * chars,
        cells=_count_cells(words, size),
    )


def _count_cells(words: list[_Word], size: float) -> int:
    """Table cells in a row: runs of words split by gaps much wider than the row's word spacing.

    Justified text can stretch every gap of a line to an em, evenly; a table row mixes narrow
    gaps inside cells with wide ones between them (or is all numbers, each its own cell).
    """
    gaps = sorted(b.x0 - a.x1 for a, b in zip(words, words[1:], strict=False))
    if not gaps:
        return 1
    if gaps[0] > 0.5 * size and not _mostly_numbers(" ".join(w.text for w in words)):
        return 1  # every gap stretched: running text set justified
    spacing = min(gaps[len(gaps) // 4], 0.6 * size) if len(gaps) >= 3 else 0.35 * size
    return 1 + sum(1 for g in gaps if g > 0.9 * size and g > 1.8 * spacing)


_BULLET = re.compile(r"^[•▪◦‣∙●■□◆▶➢✓–—]\s|^\(?[0-9ivx]{1,3}\)\s")
_CAPTION = re.compile(
    r"^(?i:f\s?i\s?g\s?(?:u\s?r\s?e)?s?\.?|t\s?a\s?b\s?l\s?e|tab\.|scheme|algorithm|listing|chart|plate|box|"
    r"(?:supplementary|extended data)\s+(?:fig(?:ure)?|table)\.?)"
    r"\s*(?:[Ss]?\d+|[IVXLC]+\b|[ivxlc]+\b|[A-Z]\d+)[a-z]?(\s*[.:|—–-]|\s+[A-Z(])"
)
_BARE_LABEL = re.compile(r"^(?i:fig(?:ure)?\.?|table|tab\.)\s*[A-Z]?\d+[a-z]?[.:]?$")
_SENTENCE_END = re.compile(r"[.!?]['\"”’)\]]*(\d{1,3}(,\d{1,3})*)?$")
_TERMINAL = re.compile(r"[.!?:]['\"”’)\]]*(\d{1,3}(,\d{1,3})*)?$")


def _column_blocks(
    lines: list[_Line], page: _PageText, stats: _DocStats, page_body_bottoms: list[float] | None = None
) -> list[_Block]:
    rows = _merge_rows(lines)
    left = _quantile([r.x0 for r in rows], 0.1) if len(rows) > 3 else min(r.x0 for r in rows)
    right = _quantile([r.x1 for r in rows], 0.9) if len(rows) > 3 else max(r.x1 for r in rows)
    typical_gap = _typical_gap(rows)
    hanging = _hanging_segments(rows, left)
    blocks: list[_Block] = []
    current: list[_Row] = []
    for i, row in enumerate(rows):
        if current and _starts_paragraph(current[-1], row, left, right, typical_gap, hanging[i]):
            blocks.append(_Block(page.number, current, left, right))
            current = []
        current.append(row)
    if current:
        blocks.append(_Block(page.number, current, left, right))
    for block in blocks:
        first = block.rows[0]
        block.indented = 0.5 * first.size < first.x0 - left < 4.5 * first.size
        block.kind = _classify(block, stats)
    _demote_lonely_headings(blocks, stats)
    _mark_figure_labels(blocks)
    blocks = _merge_tables(blocks)
    if blocks:
        blocks[0].starts_column = True
    _mark_footnotes(blocks, page, stats, page_body_bottoms)
    return blocks


def _demote_lonely_headings(blocks: list[_Block], stats: _DocStats) -> None:
    """A heading introduces running text; short labels followed by more labels are figure text."""
    for i, block in enumerate(blocks):
        if block.kind != PassageKind.HEADING:
            continue
        if _SECTION_NAMES.match(_heading_text(block.text.strip())):
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        runs_on = following is not None and following.text[:1].islower()  # a bold sentence, not a title
        if not runs_on and (following is None or following.kind == PassageKind.HEADING or _prose_like(following)):
            continue
        block.kind = _classify_text(block, stats)


def _is_real_heading(block: _Block) -> bool:
    text = block.text.strip()
    return bool(_SECTION_NAMES.match(_heading_text(text)) or _NUMBERED_HEADING.match(text))


def _mark_figure_labels(blocks: list[_Block]) -> None:
    """Three or more tiny blocks in a row are the text of a figure (axis labels, legends)."""
    tiny = [
        b.kind != PassageKind.CAPTION
        and len(b.text.split()) <= 4
        and len(b.rows) <= 3
        and not (b.kind == PassageKind.HEADING and _is_real_heading(b))
        for b in blocks
    ]
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and tiny[j]:
            j += 1
        if j - i >= 3:
            for block in blocks[i:j]:
                block.kind = PassageKind.TABLE
        i = max(j, i + 1)


def _merge_tables(blocks: list[_Block]) -> list[_Block]:
    """One table, one block: header rows and row groups split by spacing are put back together."""
    for i, block in enumerate(blocks):
        neighbours = blocks[max(0, i - 1) : i] + blocks[i + 1 : i + 2]
        header = (
            i + 1 < len(blocks)
            and blocks[i + 1].kind == PassageKind.TABLE
            and len(block.rows) == 1
            and len(block.text.split()) <= 12
            and not _TERMINAL.search(block.text)
        )
        if block.kind == PassageKind.BODY and (
            header
            or (
                len(block.rows) <= 2
                and any(r.cells >= 3 for r in block.rows)
                and any(n.kind == PassageKind.TABLE for n in neighbours)
            )
        ):
            block.kind = PassageKind.TABLE
    merged: list[_Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if prev is not None and prev.kind == block.kind == PassageKind.TABLE:
            merged[-1] = _Block(prev.page, prev.rows + block.rows, prev.left, prev.right, PassageKind.TABLE)
        else:
            merged.append(block)
    return merged


def _typical_gap(rows: list[_Row]) -> float:
    gaps = [b.y0 - a.y1 for a, b in zip(rows, rows[1:], strict=False) if abs(a.size - b.size) < 0.6]
    gaps = [g for g in gaps if g > -5]
    return statistics.median(gaps) if len(gaps) >= 3 else 1.0


def _hanging_segments(rows: list[_Row], left: float) -> list[bool]:
    """Per row: is it in a run set with hanging indents (a reference list)? Runs are cut at bold rows."""
    flags = [False] * len(rows)
    start = 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or (rows[end].bold and not rows[end - 1].bold):
            if _hanging_indent(rows[start:end], left):
                flags[start:end] = [True] * (end - start)
            start = end
    return flags


def _hanging_indent(rows: list[_Row], left: float) -> bool:
    """Reference lists: each entry's first line at the margin, its continuation lines indented."""
    if len(rows) < 4:
        return False
    indented = [0.5 * r.size < r.x0 - left < 4.5 * r.size for r in rows]
    starts = [i for i in range(len(rows) - 1) if not indented[i] and not rows[i].bold]
    entries = sum(1 for i in starts if indented[i + 1])
    return sum(indented) >= 0.3 * len(rows) and entries >= 2 and entries >= 0.6 * len(starts)


def _centred(row: _Row, left: float, right: float) -> bool:
    """Centred in the column: both margins wide and about equal."""
    before, after = row.x0 - left, right - row.x1
    wide = before > 2 * row.size and after > 2 * row.size
    return wide and abs(before - after) < max(2 * row.size, 0.3 * (before + after))


def _starts_paragraph(prev: _Row, row: _Row, left: float, right: float, typical_gap: float, hanging: bool) -> bool:
    size = max(prev.size, row.size)
    gap = row.y0 - prev.y1
    if gap > typical_gap + max(2.0, 0.45 * size):
        return True
    if _BARE_LABEL.match(prev.text):  # "Figure 1." on a line of its own heads its caption
        return False
    if abs(prev.size - row.size) > 0.9:
        return True
    if prev.bold != row.bold and not row.text[:1].islower():  # a bold lead-in sentence runs on
        return True
    if _CAPTION.match(row.text) or _BULLET.match(row.text):
        return True
    indent = row.x0 - left
    prev_indent = prev.x0 - left
    if hanging:
        return indent < 0.5 * row.size and prev_indent >= -0.5 * row.size
    prev_short = prev.x1 < right - 1.5 * prev.size
    prev_centred = _centred(prev, left, right)
    row_centred = _centred(row, left, right)
    if prev_centred != row_centred:
        return True
    is_indent = 0.5 * row.size < indent < 4.5 * row.size and prev_indent < 0.5 * row.size
    if is_indent and (_TERMINAL.search(prev.text) or (prev_short and not prev.bold)):
        return True
    # Block paragraphs (no indent, no spacing): a clearly short line that ends a sentence.
    clearly_short = prev.x1 < right - max(4 * prev.size, 0.12 * (right - left))
    return clearly_short and bool(_SENTENCE_END.search(prev.text)) and not row_centred and prev.cells == 1


# ---- block kinds


_NUMBERED_HEADING = re.compile(r"^((\d{1,2}(\.\d{1,2}){0,3}\.?)|([IVX]{1,5}\.)|([A-Z]\.))\s+\S")
_SECTION_NAMES = re.compile(
    r"^(abstract|summary|introduction|background|related work|previous work|methods?|methodology|"
    r"materials and methods|material and methods|data|datasets?|experiments?|experimental setup|results?|"
    r"results and discussion|discussion|conclusions?|conclusions and future work|future work|limitations|"
    r"acknowledge?ments?|references|bibliography|literature cited|works cited|references and notes|"
    r"appendix(\s+[a-z0-9]{1,3})?|appendices|supplementary (materials?|information|data)|supporting information|"
    r"keywords|key words|data availability( statement)?|data accessibility|author'?s? contributions|funding|"
    r"conflicts? of interest|ethics statement|"
    r"declarations?|competing interests?|abbreviations)$",
    re.IGNORECASE,
)
_REFERENCES = re.compile(
    r"^(\d+\.?\s+)?(references?|bibliography|literature cited|works cited|references and notes|cited literature)$",
    re.IGNORECASE,
)


_HEADING_NUMBER = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-Z]\.)?\s*\|?\s*")


def _heading_text(text: str) -> str:
    """A heading without its number: "2.1 | Methods" -> "Methods"."""
    return _HEADING_NUMBER.sub("", text, count=1).strip(" :.")


def _classify(block: _Block, stats: _DocStats) -> PassageKind:
    text = block.text
    if _CAPTION.match(text):
        return PassageKind.CAPTION
    if block.size < 0.65 * stats.body_size:
        return PassageKind.TABLE  # print this small is the inside of a figure (or a screenshot)
    if _is_table(block):
        return PassageKind.TABLE
    if _is_heading(block, stats):
        return PassageKind.HEADING
    return _classify_text(block, stats)


def _classify_text(block: _Block, stats: _DocStats) -> PassageKind:
    """Running text, or the fragments of a figure or small table."""
    small = block.size < 0.85 * stats.body_size
    if _fragmentary(block) and (small or (len(block.rows) >= 2 and block.size <= stats.body_size + 0.5)):
        return PassageKind.TABLE  # labels inside figures, small tables without wide gaps
    return PassageKind.BODY


def _is_table(block: _Block) -> bool:
    rows = block.rows
    multi = sum(1 for r in rows if r.cells >= 2)
    if len(rows) >= 2 and multi >= 0.5 * len(rows) and multi >= 2:
        return True
    return len(rows) == 1 and rows[0].cells >= 3 and _mostly_numbers(rows[0].text)


def _mostly_numbers(text: str) -> bool:
    tokens = text.split()
    numeric = sum(1 for t in tokens if any(c.isdigit() for c in t))
    return bool(tokens) and numeric >= 0.5 * len(tokens)


def _fragmentary(block: _Block) -> bool:
    words = len(block.text.split())
    return words / len(block.rows) < 5 and not _TERMINAL.search(block.text)


def _is_heading(block: _Block, stats: _DocStats) -> bool:
    text = block.text.strip()
    words = text.split()
    if not words or len(block.rows) > 3 or len(words) > 20 or len(text) < 2:
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    if _SECTION_NAMES.match(_heading_text(text)) and len(block.rows) == 1:
        return True  # even in small capitals ("REFERENCES" in IEEE style)
    if any(r.cells >= 3 for r in block.rows) or block.size < 0.85 * stats.body_size:
        return False  # a table header row, or small print
    if text.endswith("-") or (text.endswith((".", ",", ";")) and not _NUMBERED_HEADING.match(text)):
        return False
    if re.search(r"[a-z]{2}[.:] [A-Z]", text):  # a run-in heading followed by its paragraph
        return False
    if sum(c.isalpha() for c in text) < 0.5 * len(text.replace(" ", "")):
        return False
    larger = block.size >= stats.body_size + 0.9
    numbered = bool(_NUMBERED_HEADING.match(text)) and len(words) <= 12 and not text.endswith(".")
    caps = text.upper() == text and sum(c.isalpha() for c in text) >= 4 and len(words) <= 8
    # A numbered line in the body font counts too (italic subsections): it must still be
    # followed by running text (see _demote_lonely_headings).
    return larger or (block.bold and len(words) <= 15) or (numbered and len(block.rows) == 1) or caps


def _mark_footnotes(
    blocks: list[_Block], page: _PageText, stats: _DocStats, page_body_bottoms: list[float] | None
) -> None:
    """Small print at the foot of a column, under text in the body font, is footnotes.

    A column set entirely in small print (a reference list, a sidebar) has no footnotes.
    """
    foot: list[_Block] = []
    for block in reversed(blocks):
        small = block.size < 0.9 * stats.body_size
        low = block.rows[0].y0 > 0.55 * page.height
        if block.kind not in (PassageKind.BODY, PassageKind.TABLE) or not (small and low):
            break
        foot.append(block)
    if not foot:
        return
    above = blocks[: len(blocks) - len(foot)]
    body_above = sum(len(b.rows) for b in above if b.size >= 0.9 * stats.body_size and b.kind == PassageKind.BODY)
    if page_body_bottoms is not None:
        body_above += bisect.bisect_right(page_body_bottoms, foot[-1].rows[0].y0)
    if body_above < sum(len(b.rows) for b in foot):
        return
    for block in foot:
        block.kind = PassageKind.FOOTNOTE


# ==============================================================================================
# Stitching blocks across columns and pages into passages


@dataclass
class _Draft:
    kind: PassageKind
    section: str
    page: int
    rows: list[_Row]
    row_pages: list[int]
    joins: list[int] = field(default_factory=list)  # row indexes where another block was appended

    def add(self, block: _Block) -> None:
        self.joins.append(len(self.rows))
        self.rows.extend(block.rows)
        self.row_pages.extend([block.page] * len(block.rows))

    @property
    def text(self) -> str:
        return " ".join(r.text for r in self.rows)


def _draft(block: _Block, kind: PassageKind, section: str) -> _Draft:
    return _Draft(kind, section, block.page, list(block.rows), [block.page] * len(block.rows))


class _Stitcher:
    def __init__(self, stats: _DocStats) -> None:
        self.stats = stats
        self.out: list[_Draft] = []
        self.open: _Draft | None = None
        self.deferred: list[_Draft] = []
        self.section = ""
        self.in_references = False
        self.in_abstract = False
        self.title_size = 0.0
        self.seen_title = False
        self.front_matter = True  # page 1 above the first recognisable section

    def run(self, blocks: list[_Block]) -> list[_Draft]:
        self.title_size = _title_size(blocks)
        for block in blocks:
            self._take(block)
        self._close()
        return self.out

    def _take(self, block: _Block) -> None:
        if not self.seen_title and block.page == 1 and self.title_size and abs(block.size - self.title_size) < 0.3:
            self._close()
            self._emit_or_extend_title(block)
            return
        if block.kind == PassageKind.HEADING and self._accept_heading(block):
            self._close()
            self.front_matter = False
            self._start_section(block)
            self.out.append(_draft(block, PassageKind.HEADING, self.section))
            return
        if block.kind in (PassageKind.HEADING, PassageKind.BODY) or (
            self.in_references and block.kind == PassageKind.FOOTNOTE
        ):
            self._take_body(block)
            return
        draft = _draft(block, block.kind, self.section)
        if self.open is not None:
            self.deferred.append(draft)
        else:
            self.out.append(draft)

    def _emit_or_extend_title(self, block: _Block) -> None:
        last = self.out[-1] if self.out else None
        if last is not None and last.kind == PassageKind.TITLE:
            last.add(block)
        else:
            self.out.append(_draft(block, PassageKind.TITLE, ""))

    def _accept_heading(self, block: _Block) -> bool:
        name = _heading_text(block.text)
        if self.front_matter and block.page == 1:
            # Affiliations and author lines are set large too; a section starts the paper proper.
            return bool(_SECTION_NAMES.match(name) or _NUMBERED_HEADING.match(block.text))
        if not self.in_references:
            return True
        # Inside a reference list only a clearly new part (appendix, supplement) ends it.
        return bool(re.match(r"^(appendi|supplement|supporting|[A-Z]\s)", name)) or (
            block.size >= self.stats.body_size + 0.9 and not re.search(r"\b(19|20)\d\d\b", block.text)
        )

    def _start_section(self, block: _Block) -> None:
        self.seen_title = True
        name = " ".join(block.text.split())
        self.section = name
        bare = _heading_text(name)
        self.in_references = bool(_REFERENCES.match(bare))
        self.in_abstract = bare.lower() in ("abstract", "summary")

    def _take_body(self, block: _Block) -> None:
        text = block.text
        run_in = re.match(r"^(abstract|summary)\b\s*[:.—–-]?", text, re.IGNORECASE)
        if run_in and self.front_matter and not self.in_abstract:
            self._close()
            self.section = "Abstract"
            self.in_abstract = True
            self.seen_title = True
        kind = PassageKind.BODY
        if self.in_references:
            kind = PassageKind.REFERENCE
        elif self.in_abstract:
            kind = PassageKind.ABSTRACT
        if self.open is not None and self.open.kind == kind and _continues(self.open, block):
            self.open.add(block)
            return
        if self.open is not None and not self.in_references and _is_open_ended(self.open):
            # Between the halves of a broken sentence: figure labels, table cells, side notes.
            if not _prose_like(block):
                self.deferred.append(_draft(block, PassageKind.TABLE, self.section))
                return
            if not _same_font(self.open.rows[-1], block):
                self.deferred.append(_draft(block, kind, self.section))
                return
        self._close()
        self.open = _draft(block, kind, self.section)

    def _close(self) -> None:
        if self.open is not None:
            self.out.append(self.open)
            self.open = None
        self.out.extend(self.deferred)
        self.deferred = []


def _title_size(blocks: list[_Block]) -> float:
    """Font size of the title: the largest text of two or more words on page 1."""
    candidates = [b for b in blocks if b.page == 1 and len(b.rows) <= 4 and len(b.text.split()) <= 40]
    sizes = [b.size for b in candidates if len(b.text.split()) >= 3] or [
        b.size for b in candidates if len(b.text.split()) >= 2 and len(b.text) >= 10
    ]
    if not sizes:
        return 0.0
    top = max(sizes)
    body = statistics.median(sizes)
    return top if top >= body + 1.5 else 0.0


def _same_font(row: _Row, block: _Block) -> bool:
    return abs(block.size - row.size) <= max(0.6, 0.07 * row.size)


def _is_open_ended(draft: _Draft) -> bool:
    return not _TERMINAL.search(draft.rows[-1].text.rstrip())


_WORDLIKE = re.compile(r"^[(\[\"'“‘]*[^\W\d_]+([-'’.][^\W\d_]+)*[.,;:!?)\]\"'”’]*$")


def _wordy_row(row: _Row) -> bool:
    """A row of running text: one cell, six or more tokens, most of them words (not numbers)."""
    if row.cells != 1 or len(row.words) < 6:
        return False
    return sum(1 for w in row.words if _WORDLIKE.match(w.text)) >= 0.6 * len(row.words)


def _prose_like(block: _Block) -> bool:
    """Running text rather than labels: a long single-cell row, a sentence, or a lower-case continuation."""
    text = block.text
    if any(_wordy_row(r) for r in block.rows):
        return True
    ends_sentence = bool(_TERMINAL.search(text))
    if text[:1].islower() and (len(text.split()) >= 3 or ends_sentence):
        return True
    return len(text) >= 40 and ends_sentence


def _continues(prev: _Draft, block: _Block) -> bool:
    """Does block carry on the paragraph prev (broken by a column, page, figure or footnote)?"""
    first = block.rows[0].text
    if not first or _BULLET.match(first) or _CAPTION.match(first):
        return False
    prev_text = prev.rows[-1].text.rstrip()
    if block.kind == PassageKind.HEADING:
        return False
    last = prev.rows[-1]
    starts_lower = first[0].islower() or (first[0] in ",;)" and not block.indented)
    if not _same_font(last, block):
        return False  # a paragraph keeps its font
    if last.bold != block.rows[0].bold and not starts_lower:
        return False
    open_end = not _TERMINAL.search(prev_text)
    if open_end:
        return (not block.indented or starts_lower) and _prose_like(block)
    return starts_lower and not block.indented and block.starts_column


# ==============================================================================================
# Drafts -> Passages (text, word spans, de-hyphenation)


_COMPOUND_PREFIXES = frozenset(
    "self non well cross two three four five one half high low long short large small multi co pre post "
    "anti semi sub inter intra over under top bottom end real state data deep".split()
)


# A URL whose last character cannot end it ("https://github.com/" then "user/repo" on the next line).
_OPEN_URL = re.compile(r"^(?:https?://|www\.)\S*[/._\-=?&#~]$", re.IGNORECASE)


def _join_hyphenated(prefix: _Word, following: _Word, vocabulary: set[str]) -> bool | None:
    """None: not a line-end hyphen. True: drop the hyphen and join. False: keep "a-b"."""
    text = prefix.text
    if len(text) < 3 or not text.endswith("-"):
        return None
    if prefix.hard_hyphen:
        return False
    stem = text[:-1]
    head = following.text
    if not stem[-1].isalpha() or not head or not head[0].isalpha():
        return False if stem[-1].isalnum() and head[:1].isalnum() else None
    if not head[0].islower():
        return False
    tail = re.match(r"[^\W\d_]+", head)
    tail_word = tail.group(0) if tail else head
    bare_stem = stem.strip(_PUNCT_EDGES)
    joined = (bare_stem + tail_word).lower()
    hyphened = f"{bare_stem}-{tail_word}".lower()
    if joined in vocabulary:
        return True
    if hyphened in vocabulary or "-" in bare_stem:
        return False
    return bare_stem.lower() not in _COMPOUND_PREFIXES


def _to_passage(draft: _Draft, paper_id: str, ordinal: int, vocabulary: set[str]) -> Passage:
    table = draft.kind == PassageKind.TABLE
    parts: list[str] = []
    spans: list[WordSpan] = []
    length = 0
    glue_next = False
    rows = draft.rows
    for row_index, (row, page) in enumerate(zip(rows, draft.row_pages, strict=True)):
        words = row.words
        last = len(words) - 1
        has_next_row = row_index + 1 < len(rows)
        for word_index, word in enumerate(words):
            if parts and not glue_next:
                sep = "\n" if table and word_index == 0 else " "
                parts.append(sep)
                length += 1
            glue_next = False
            text = word.text
            if word_index == last and has_next_row and not table and _OPEN_URL.match(text):
                glue_next = True  # a URL broken at the line end continues on the next line, no space
            elif word_index == last and has_next_row and not table and text.endswith("-"):
                decision = _join_hyphenated(word, rows[row_index + 1].words[0], vocabulary)
                if decision is not None:
                    glue_next = True
                    if decision:
                        text = text[:-1]
            end = length + len(text)
            spans.append(WordSpan(length, end, Box(page, word.x0, word.y0, word.x1, word.y1)))
            parts.append(text)
            length = end
    return Passage(
        paper_id=paper_id,
        ordinal=ordinal,
        text="".join(parts),
        page=draft.page,
        section=draft.section,
        kind=draft.kind,
        words=tuple(spans),
    )


def _renumber(passage: Passage, ordinal: int) -> Passage:
    if passage.ordinal == ordinal:
        return passage
    return Passage(passage.paper_id, ordinal, passage.text, passage.page, passage.section, passage.kind, passage.words)


# ==============================================================================================
# Title and authors


def _title(passages: list[Passage], metadata: dict) -> str:
    for p in passages:
        if p.kind == PassageKind.TITLE:
            return " ".join(p.text.split())
    return (metadata.get("title") or "").strip()


_AFFILIATION = re.compile(
    r"\b(university|institute|department|school|laborator|college|cent(er|re)|faculty|academy)|@", re.IGNORECASE
)


def _authors(passages: list[Passage], metadata: dict) -> str:
    meta = (metadata.get("author") or "").strip()
    if meta:
        return ", ".join(part.strip() for part in re.split(r"\s*;\s*", meta) if part.strip())
    for i, p in enumerate(passages):
        if p.kind == PassageKind.TITLE and i + 1 < len(passages):
            nxt = passages[i + 1]
            if nxt.kind in (PassageKind.BODY, PassageKind.TABLE) and len(nxt.text.split()) <= 60:
                return _clean_author_line(nxt.text)
    return ""


def _clean_author_line(text: str) -> str:
    """Names without affiliation markers (1,2 * † ‡ α) or the affiliations that follow them."""
    cut = _AFFILIATION.search(text)
    if cut:
        text = text[: cut.start()]
        text = text[: text.rfind(" ")] if " " in text else text  # drop the word the affiliation began with
    text = re.sub(r"[*∗†‡§¶♠♢♡♣♦♥|]", " ", text)
    text = re.sub(r"(?<=[^\W\d_])[α-ω]+(,[α-ω]+)*", "", text)
    text = re.sub(r"\s*,?\s*\d+(,\d+)*,?", ", ", text)  # numbered affiliation markers separate names
    text = re.sub(r",\s*(and|&)\s", " and ", text)
    text = re.sub(r"\s+,", ",", text)
    text = re.sub(r"(,\s*){2,}", ", ", text)
    return " ".join(text.split()).strip(" ,&")
