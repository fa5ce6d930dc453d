"""A generated page of notation as journals print it: raised and lowered small print, reference
markers glued to words, symbol fonts whose glyphs lack Unicode, and hyphens at line ends.

make_notation_pdf(path) -> Path, two A4 pages, 10pt Helvetica, one column. Each constant below is the
text a reader sees, and what extraction must print:
  EXPONENT_SENTENCE  "10" then "-4" raised in 7pt; "ProtT5" then the reference "14" raised
  SQUARED_SENTENCE   "R" then "2" raised
  SUBSCRIPT_SENTENCE "CO" then "2" lowered
  SYMBOL_SENTENCE    chi from a Symbol font that the PDF encodes as WinAnsi "c" (then "2" raised),
                     mu as U+F06D (Symbol's private-use code)
  HYPHEN_PARAGRAPH   lines ending "binary cross-" / "entropy ..." and "segmen-" / "tation ..."
Page 2 holds TEX_SENTENCE: plus-minus and less-or-equal as the raw codes 0x06 and 0x14 of TeX's
CMSY10 without a ToUnicode map.
"""

from __future__ import annotations

from pathlib import Path

import pymupdf

SIZE = 10.0
SCRIPT = 7.0
LEFT = 72.0
FONT = "helv"

EXPONENT_SENTENCE = "The optimiser used a learning rate of 10⁻⁴ with the ProtT5 ¹⁴ encoder."
SQUARED_SENTENCE = "The regression reached R² = 0.91 on the held out plots."
SUBSCRIPT_SENTENCE = "Emissions of CO₂ were measured every day."
SYMBOL_SENTENCE = "The statistic χ² was 3.2 and the mean μ was 5."
TEX_SENTENCE = "The effect was 5 ± 1 with p ≤ 0.05."
HYPHEN_PARAGRAPH = (
    "The classifier was trained with binary cross-entropy and a segmentation head that labels every pixel of the image."
)
HIDDEN_TEXT = "An invisible line that no reader sees."
HYPHEN_LINES = (
    "The classifier was trained with binary cross-",
    "entropy and a segmen-",
    "tation head that labels every pixel of the image.",
)

# Fonts written as raw PDF objects, all text in one content stream in reading order (as a typesetter
# writes it): what MuPDF cannot map comes out as these codes.
_RAW_FONTS = {
    "FHelv": "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    "FSymWin": "<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+SymbolMT /Encoding /WinAnsiEncoding >>",
    "FSymPua": (
        "<< /Type /Font /Subtype /Type1 /BaseFont /ABCDEF+SymbolMT "
        "/Encoding << /Type /Encoding /Differences [109 /uniF06D] >> >>"
    ),
    "FCmsy": "<< /Type /Font /Subtype /Type1 /BaseFont /CMSY10 >>",
}


class _Writer:
    """Writes runs of text left to right on a baseline into one content stream."""

    def __init__(self, doc: pymupdf.Document, page: pymupdf.Page) -> None:
        self.doc = doc
        self.page = page
        self.stream: list[str] = []
        self.x = LEFT

    def text(self, text: str, y: float, size: float = SIZE, rise: float = 0.0) -> None:
        self.raw("FHelv", text, y - rise, pymupdf.get_text_length(text, fontname=FONT, fontsize=size), size)

    def raw(self, font: str, code: str, y: float, advance: float, size: float = SIZE) -> None:
        self.stream.append(f"BT /{font} {size} Tf {self.x:.2f} {self.page.rect.height - y:.2f} Td ({code}) Tj ET")
        self.x += advance

    def newline(self) -> None:
        self.x = LEFT

    def finish(self) -> None:
        fonts = " ".join(f"/{name} {self._object(source)} 0 R" for name, source in _RAW_FONTS.items())
        self.doc.xref_set_key(self.page.xref, "Resources", f"<< /Font << {fonts} >> >>")
        contents = self._object("<<>>")
        self.doc.update_stream(contents, "\n".join(self.stream).encode())
        self.doc.xref_set_key(self.page.xref, "Contents", f"{contents} 0 R")

    def _object(self, source: str) -> int:
        xref = self.doc.get_new_xref()
        self.doc.update_object(xref, source)
        return xref


def make_notation_pdf(path: Path | str, *, hidden_line: bool = False) -> Path:
    """hidden_line adds an invisible line of text (which sends extraction down its per-character path)."""
    path = Path(path)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    w = _Writer(doc, page)
    y = 100.0
    w.text("The optimiser used a learning rate of 10", y)
    w.text("-4", y, SCRIPT, rise=4)
    w.text(" with the ProtT5", y)
    w.text("14", y, SCRIPT, rise=4)
    w.text(" encoder.", y)
    y += 2 * SIZE
    w.newline()
    w.text("The regression reached R", y)
    w.text("2", y, SCRIPT, rise=4)
    w.text(" = 0.91 on the held out plots.", y)
    y += 2 * SIZE
    w.newline()
    w.text("Emissions of CO", y)
    w.text("2", y, SCRIPT, rise=-2.5)
    w.text(" were measured every day.", y)
    y += 2 * SIZE
    w.newline()
    w.text("The statistic ", y)
    w.raw("FSymWin", "c", y, advance=5.5)
    w.text("2", y, SCRIPT, rise=4)
    w.text(" was 3.2 and the mean ", y)
    w.raw("FSymPua", "m", y, advance=6)
    w.text(" was 5.", y)
    y += 3 * SIZE
    for line in HYPHEN_LINES:
        w.newline()
        w.text(line, y)
        y += 1.3 * SIZE
    if hidden_line:
        w.newline()
        w.stream.append(f"BT 3 Tr /FHelv {SIZE} Tf {LEFT} 100 Td ({HIDDEN_TEXT}) Tj ET")
    w.finish()
    # TeX's codes come on a page of their own: they send that page down the per-character path.
    w = _Writer(doc, doc.new_page(width=595, height=842))
    w.text("The effect was 5 ", 100)
    w.raw("FCmsy", "\\006", 100, advance=8)
    w.text(" 1 with p ", 100)
    w.raw("FCmsy", "\\024", 100, advance=8)
    w.text(" 0.05.", 100)
    w.finish()
    doc.save(path)
    return path
