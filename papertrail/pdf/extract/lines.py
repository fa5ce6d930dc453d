"""Page text -> words -> lines: the geometry every later stage consumes (stage 1).

Words keep their exact rectangles; invisible or clipped text, rotated margin stamps and duplicate
overprinted spans are dropped; ligatures and odd spaces are normalised. `text_layer_page` turns one
PDF page into a PageText; an OCR reader returns the same PageText for a page without a text layer,
so columns, reading order and highlights work the same on both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pymupdf

from papertrail.text import clean_char, clean_text

# MuPDF drops characters outside the page and those hidden by clipping paths with this flag
# (FZ_STEXT_CLIP shares its bit): that removes the hidden duplicate layers some journals ship.
_TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP
_CHAR_FILLED = 16  # FZ_STEXT_FILLED / FZ_STEXT_STROKED in a span's char_flags
_CHAR_STROKED = 32
_FONT_BOLD = 16  # TEXT_FONT_BOLD in span["flags"]
BOLD_SHARE = 0.95  # a line is bold when all of it is (run-in headings are not)


@dataclass(slots=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    hard_hyphen: bool = False  # a trailing hyphen the PDF marks as a real one ("-" + soft hyphen)


@dataclass(slots=True)
class Line:
    words: list[Word]
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
class PageText:
    number: int  # 1-based
    width: float
    height: float
    lines: list[Line]
    rotated_chars: int = 0  # text running up or down the page (margin stamps, landscape tables)


def read_pages(doc: pymupdf.Document, progress: Callable[[int, int], None] | None) -> tuple[list[PageText], int]:
    """Every page as PageText from its text layer, and how many pages failed.

    Pages without a usable text layer are then read by ocr.read_scanned_pages (into the same PageText).
    """
    pages: list[PageText] = []
    failed = 0
    total = doc.page_count
    for index in range(total):
        try:
            pages.append(text_layer_page(doc.load_page(index)))
        except Exception:  # one unreadable page must not sink the paper
            failed += 1
            pages.append(PageText(index + 1, 612.0, 792.0, []))
        if progress is not None:
            progress(index + 1, total)
    return pages, failed


def text_layer_page(page: pymupdf.Page) -> PageText:
    """One page's words and lines from its text layer: what layout consumes."""
    lines, rotated = _page_lines(page)
    return PageText(page.number + 1, page.rect.width, page.rect.height, lines, rotated)


def _page_lines(page: pymupdf.Page) -> tuple[list[Line], int]:
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


def _lines_from_words(info: dict, words: list[tuple]) -> list[Line]:
    by_line: dict[tuple[int, int], list[tuple]] = {}
    for word in words:
        by_line.setdefault((word[5], word[6]), []).append(word)
    blocks = info.get("blocks", ())
    lines: list[Line] = []
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


def _words_from_tuples(line_words: list[tuple]) -> list[Word]:
    out: list[Word] = []
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
        out.append(Word(text, x0, y0, x1, y1, hard and text.endswith("-")))
    return out


def _split_word_box(text: str, pieces: list[str], x0: float, y0: float, x1: float, y1: float) -> list[Word]:
    """A "word" holding odd spaces (em spaces) becomes several; boxes shared by character count."""
    per_char = (x1 - x0) / max(len(text), 1)
    out = []
    pos = 0
    for piece in pieces:
        start = text.index(piece, pos)
        pos = start + len(piece)
        out.append(Word(piece, x0 + start * per_char, y0, x0 + pos * per_char, y1))
    return out


def _make_line(words: list[Word], spans: list[dict], bbox: tuple[float, ...] | None = None) -> Line:
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
    return Line(
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


def _lines_from_rawdict(raw: dict) -> list[Line]:
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
    lines: list[Line] = []
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
        self.words: list[Word] = []
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
                self.words.append(Word(text, *self.box, hard_hyphen=hard))
        self.text = []
        self.pending_soft_hyphen = False

    def finish(self) -> list[Word]:
        # A soft hyphen left at the very end of a line is the printed hyphenation mark.
        if self.text and self.text[-1] == "\u00ad":
            self.text[-1] = "-"
        self.flush()
        return self.words


def _build_line(spans: list[dict]) -> Line | None:
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
