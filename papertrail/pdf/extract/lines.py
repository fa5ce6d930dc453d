"""Page text -> words -> lines: the geometry every later stage consumes (stage 1).

Words keep their exact rectangles; invisible or clipped text, rotated margin stamps and duplicate
overprinted spans are dropped; ligatures and odd spaces are normalised. `text_layer_page` turns one
PDF page into a PageText; an OCR reader returns the same PageText for a page without a text layer,
so columns, reading order and highlights work the same on both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pymupdf

from papertrail.pdf.extract.notation import (
    map_glyph,
    needs_glyph_map,
    script_attaches,
    script_role,
    script_text,
    symbol_font_kind,
    unmapped_as_replacement,
)
from papertrail.text import clean_char, clean_text

# MuPDF drops characters outside the page and those hidden by clipping paths with this flag
# (FZ_STEXT_CLIP shares its bit): that removes the hidden duplicate layers some journals ship.
_TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP | pymupdf.TEXT_CID_FOR_UNKNOWN_UNICODE
_CHAR_FILLED = 16  # FZ_STEXT_FILLED / FZ_STEXT_STROKED in a span's char_flags
_CHAR_STROKED = 32
_FONT_BOLD = 16  # TEXT_FONT_BOLD in span["flags"]
_CONTROL_CODE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
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
    if _has_hidden_or_duplicate_spans(info) or _has_control_codes(info):
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


def _has_control_codes(info: dict) -> bool:
    """Glyphs without Unicode (TeX math fonts) come as control codes, which MuPDF's word list drops."""
    return any(
        _CONTROL_CODE.search(s["text"])
        for block in info.get("blocks", ())
        if block.get("type") == 0
        for line in block["lines"]
        for s in line["spans"]
    )


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
        roles = _span_roles(raw_line["spans"])
        built = _notation_words(line_words, raw_line["spans"], roles) if roles else _words_from_tuples(line_words)
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
        out.extend(_clean_word(text, (x0, y0, x1, y1), i == last))
    return out


def _clean_word(text: str, box: tuple[float, float, float, float], line_end: bool) -> list[Word]:
    """One word of MuPDF's word list as printed: soft hyphens resolved, odd characters made plain."""
    if text.isascii():
        return [Word(text, *box)] if text else []
    hard = text.endswith("-\u00ad")
    if text.endswith("\u00ad") and not hard and line_end:
        text = text[:-1] + "-"  # the printed hyphenation mark
    text = unmapped_as_replacement(clean_text(text.replace("\u00ad", "")))
    if not text or " " in text:
        return _split_word_box(text, text.split(), *box)
    return [Word(text, *box, hard_hyphen=hard and text.endswith("-"))]


def _span_roles(spans: list[dict]) -> list[tuple[str, str]] | None:
    """Per span (script role, symbol-font kind); None when the line is plain text in plain fonts."""
    if not spans:
        return None
    texts = [s["text"] if "text" in s else "".join(ch["c"] for ch in s["chars"]) for s in spans]
    kinds = [symbol_font_kind(s["font"]) for s in spans]
    glyphs = any(needs_glyph_map(text, kind) for text, kind in zip(texts, kinds, strict=True))
    if not glyphs and all(abs(s["size"] - spans[0]["size"]) < 0.05 for s in spans):
        return None  # the common line: one size, plain fonts
    sizes: dict[float, int] = {}
    for span, text in zip(spans, texts, strict=True):
        size = round(span["size"], 1)
        sizes[size] = sizes.get(size, 0) + len(text)
    main_size = max(sizes, key=sizes.__getitem__)
    main = next(s for s in spans if round(s["size"], 1) == main_size)
    roles = [
        (script_role(s["size"], s["origin"][1], main["size"], main["origin"][1]), kind)
        for s, kind in zip(spans, kinds, strict=True)
    ]
    return roles if glyphs or any(role for role, _ in roles) else None


def _notation_words(line_words: list[tuple], spans: list[dict], roles: list[tuple[str, str]]) -> list[Word]:
    """Words of a line holding scripts or symbol-font glyphs: each word cut where a script starts
    or ends (boxes from the spans' edges), glyphs mapped, scripts attached or set apart."""
    line_text = "".join(s["text"] for s in spans)
    owner = [i for i, s in enumerate(spans) for _ in s["text"]]
    parts: list[tuple[Word, str, bool]] = []
    pos = 0
    last = len(line_words) - 1
    for index, (x0, y0, x1, y1, text, *_rest) in enumerate(line_words):
        start = line_text.find(text, pos)
        if start < 0:  # MuPDF's words and spans disagree: keep its words as they are
            return _words_from_tuples(line_words)
        pos = start + len(text)
        runs: list[list] = []  # [role, characters, first span, last span]
        for k in range(start, pos):
            span_index = owner[k]
            role, kind = roles[span_index]
            if runs and runs[-1][0] == role:
                runs[-1][1].append(map_glyph(line_text[k], kind))
                runs[-1][3] = span_index
            else:
                runs.append([role, [map_glyph(line_text[k], kind)], span_index, span_index])
        for r, (role, chars, first, final) in enumerate(runs):
            rx0 = x0 if r == 0 else max(x0, spans[first]["bbox"][0])
            rx1 = x1 if r == len(runs) - 1 else min(x1, spans[final]["bbox"][2])
            if len(runs) == 1:
                ry0, ry1 = y0, y1
            else:  # each part as high as its own spans (a raised marker does not lift its word)
                ry0 = min(spans[k]["bbox"][1] for k in range(first, final + 1))
                ry1 = max(spans[k]["bbox"][3] for k in range(first, final + 1))
            end_of_line = index == last and r == len(runs) - 1
            for n, word in enumerate(_clean_word("".join(chars), (rx0, ry0, rx1, ry1), end_of_line)):
                parts.append((word, role, r > 0 and n == 0))
    return _attach_scripts(parts)


def _attach_scripts(parts: list[tuple[Word, str, bool]]) -> list[Word]:
    """(word, script role, glued to the previous word) -> words as printed: "10⁻⁴", "CO₂", "ProtT5 ¹⁴"."""
    out: list[Word] = []
    after_marker = False
    for word, role, glued in parts:
        text = script_text(word.text, role) if role else word.text
        if role:
            attach = glued and bool(out) and script_attaches(out[-1].text, word.text, role)
        else:  # text glued after a marker is a new word ("¹https://..."), unless it is punctuation
            attach = glued and bool(out) and (not after_marker or not any(c.isalnum() for c in text))
        after_marker = bool(role) and not attach
        if attach:
            prev = out[-1]
            out[-1] = Word(
                prev.text + text,
                min(prev.x0, word.x0),
                min(prev.y0, word.y0),
                max(prev.x1, word.x1),
                max(prev.y1, word.y1),
                word.hard_hyphen,
            )
        else:
            out.append(Word(text, word.x0, word.y0, word.x1, word.y1, word.hard_hyphen))
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
        self.text: list[str] = []
        self.box: list[float] = []
        self.last_x1 = -1e9
        self.pending_soft_hyphen = False
        self.parts: list[tuple[Word, str, bool]] = []  # with each word: its script role, glued to the last
        self.role = ""
        self.glued = False

    def add(self, text: str, bbox: tuple[float, float, float, float], size: float, role: str = "") -> None:
        if text.isspace():
            self.flush()
            return
        if self.text and bbox[0] - self.last_x1 > 0.3 * size:  # a gap wider than a space
            self.flush()
        if self.text and role != self.role:  # a script starts or ends inside a word
            self.flush()
            self.glued = True
        self.role = role
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
            self.add("\u00ad", bbox, size, self.role)

    def flush(self) -> None:
        if self.text:
            text = "".join(self.text)
            hard = self.pending_soft_hyphen and text.endswith("-")
            text = text.replace("\u00ad", "")
            if text:
                self.parts.append((Word(text, *self.box, hard_hyphen=hard), self.role, self.glued))
        self.text = []
        self.pending_soft_hyphen = False
        self.glued = False

    def finish(self) -> list[Word]:
        # A soft hyphen left at the very end of a line is the printed hyphenation mark.
        if self.text and self.text[-1] == "\u00ad":
            self.text[-1] = "-"
        self.flush()
        return _attach_scripts(self.parts)


def _build_line(spans: list[dict]) -> Line | None:
    builder = _WordBuilder()
    roles = _span_roles(spans) or [("", "")] * len(spans)
    for span, (role, kind) in zip(spans, roles, strict=True):
        size = span["size"]
        for ch in span["chars"]:
            if ch["c"] == "\u00ad":
                builder.soft_hyphen(ch["bbox"], size)
                continue
            text = clean_char(map_glyph(ch["c"], kind))
            if text:
                builder.add(text, ch["bbox"], size, role)
    words = builder.finish()
    return _make_line(words, spans) if words else None
