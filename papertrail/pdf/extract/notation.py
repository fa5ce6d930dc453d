"""Notation as printed, decided on text: superscripts and subscripts, reference markers, symbol-font
glyphs, line-end hyphens (a split word joined, a compound kept) and broken URLs.

The lines stage finds which characters are raised or lowered and in which font they are set; the
decisions about what that means live here, so they read (and test) as plain string functions.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papertrail.pdf.extract.lines import Word

# A script is set smaller than its line and off its baseline (shares of the line's main size).
SCRIPT_SHRINK = 0.85
SUPERSCRIPT_RISE = 0.2
SUBSCRIPT_DROP = 0.1

_SUPERSCRIPTS = str.maketrans("0123456789+-−=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPTS = str.maketrans("0123456789+-−=()", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎")
_SUPERSCRIPT_CHARS = frozenset("0123456789+-−=()ni")
_SUBSCRIPT_CHARS = frozenset("0123456789+-−=()")
_ORDINALS = frozenset(("st", "nd", "rd", "th", "er", "re"))  # 21st, 2nd: set raised, read plain
# Markers are numbers, lists and ranges of them, footnote symbols, or letters a,b (affiliations);
# they attach as exponents only to a number (10⁴) or a one- or two-letter symbol (R², km²).
_LETTER_MARKER = re.compile(r"^[a-z](,[a-z])*$")
_NUMBER_BASE = re.compile(r"(^|[×(=~−-])\d{1,3}$")
_LETTER_BASE = re.compile(r"^[^\W\d_]{1,2}$|[)\]]$")


def script_role(size: float, baseline: float, line_size: float, line_baseline: float) -> str:
    """ "sup", "sub" or "" for a span of this size on this baseline (y grows down the page)."""
    if size > SCRIPT_SHRINK * line_size:
        return ""
    rise = line_baseline - baseline
    if rise > SUPERSCRIPT_RISE * line_size:
        return "sup"
    if rise < -SUBSCRIPT_DROP * line_size:
        return "sub"
    return ""


def is_marker(script: str) -> bool:
    """A reference or footnote marker: no letters (a list of single letters aside), no sign."""
    if script[:1] in "-−+":
        return False
    return not any(c.isalpha() for c in script) or bool(_LETTER_MARKER.match(script))


def script_attaches(base: str, script: str, role: str) -> bool:
    """Does a script glued to base belong to it ("10⁻⁴", "R²", "CO₂") or mark it ("ProtT5 ¹⁴")?"""
    if role == "sub" or not is_marker(script):
        return True  # a subscript, a signed exponent, or letters ("5th", "x^T")
    if script.isdigit() and _NUMBER_BASE.search(base):
        return len(script) <= 2  # 10⁴, 2¹²
    return len(script) == 1 and script.isalnum() and bool(_LETTER_BASE.search(base))  # R², Rᵈ, km², (a+b)²


def script_text(script: str, role: str) -> str:
    """A script as printed: Unicode super/subscript characters where they exist (symbols and commas
    stay as they are), else ^ or _ notation."""
    table, chars, sign = (
        (_SUPERSCRIPTS, _SUPERSCRIPT_CHARS, "^") if role == "sup" else (_SUBSCRIPTS, _SUBSCRIPT_CHARS, "_")
    )
    if role == "sup" and script in _ORDINALS:
        return script  # 21st, 2nd
    if all(c in chars or not c.isalnum() for c in script):
        return script.translate(table)
    return sign + (script if len(script) == 1 else f"({script})")


# Adobe Symbol encoding, codes 0x20-0x7E and 0xA0-0xFE (fonts whose text MuPDF could not map come
# out as these codes, plain or in the private-use area at U+F0xx).
_SYMBOL_LOW = " !∀#∃%&∋()∗+,−./0123456789:;<=>?≅ΑΒΧΔΕΦΓΗΙϑΚΛΜΝΟΠΘΡΣΤΥςΩΞΨΖ[∴]⊥_‾αβχδεφγηιϕκλμνοπθρστυϖωξψζ{|}∼"
_SYMBOL_HIGH = "€ϒ′≤⁄∞ƒ♣♦♥♠↔←↑→↓°±″≥×∝∂•÷≠≡≈…│─↵ℵℑℜ℘⊗⊕∅∩∪⊃⊇⊄⊂⊆∈∉∠∇®©™∏√⋅¬∧∨⇔⇐⇑⇒⇓◊〈®©™∑⎛⎜⎝⎡⎢⎣⎧⎨⎩⎪ 〉∫⌠⎮⌡⎞⎟⎠⎤⎥⎦⎫⎬⎭"
# TeX's math symbol (OMS, cmsy) and math italic (OML, cmmi) fonts below 0x20, when no ToUnicode maps them.
_TEX_SYMBOLS_LOW = "−·×∗÷⋄±∓⊕⊖⊗⊘⊙◯∘•≍≡⊆⊇≤≥⪯⪰∼≈⊂⊃≪≫≺≻"
_TEX_ITALIC_LOW = "ΓΔΘΛΞΠΣΥΦΨΩαβγδϵζηθικλμνξπρστυϕχ"


def _symbol_code(code: int) -> str:
    if 0x20 <= code <= 0x7E:
        return _SYMBOL_LOW[code - 0x20]
    if 0xA0 <= code <= 0xFE:
        return _SYMBOL_HIGH[code - 0xA0].strip()
    return ""


@functools.lru_cache(maxsize=512)
def symbol_font_kind(font: str) -> str:
    """ "symbol" (Adobe Symbol encoding), "tex-symbol", "tex-italic" or "" from a font's name."""
    name = font.split("+")[-1].lower()
    if "cmsy" in name or "maths_symbols" in name:
        return "tex-symbol"
    if "cmmi" in name or "maths_italic" in name:
        return "tex-italic"
    if "symbol" in name:
        return "symbol"
    return ""


_UNMAPPED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ue000-\uf8ff]")
_LATIN_LETTER = re.compile("[A-Za-z]")


def needs_glyph_map(text: str, kind: str) -> bool:
    """Text that MuPDF could not map: private-use or control characters, or Latin letters in Symbol."""
    if _UNMAPPED.search(text):
        return True
    return kind == "symbol" and bool(_LATIN_LETTER.search(text))


def map_glyph(ch: str, kind: str) -> str:
    """One character of a symbol font as the glyph it prints ("c" in Symbol is χ); "" drops it.

    Codes no table explains stay visible as U+FFFD (control codes) or as they are (private use).
    """
    code = ord(ch)
    if kind == "symbol":
        if 0xF020 <= code <= 0xF0FF:
            return _symbol_code(code - 0xF000)
        if "\ue000" <= ch <= "\uf8ff":
            return ""  # bracket and brace pieces carry no text
        if ch.isascii() and ch.isalpha():
            return _symbol_code(code)
    if code < 0x20 and ch not in "\t\n\r":
        table = _TEX_ITALIC_LOW if kind == "tex-italic" else _TEX_SYMBOLS_LOW if kind == "tex-symbol" else ""
        return table[code] if code < len(table) else "\ufffd"
    return unmapped_as_replacement(ch) if 0x7F <= code <= 0x9F else ch


_C1_CONTROL = re.compile("[\x7f-\x9f]")


def _windows_char(match: re.Match[str]) -> str:
    try:
        return bytes([ord(match.group())]).decode("cp1252")
    except UnicodeDecodeError:
        return "\ufffd"


def unmapped_as_replacement(text: str) -> str:
    """C1 control codes are raw codes of a font without Unicode: read as Windows-1252 (its quotes and
    dashes), else shown as U+FFFD."""
    return _C1_CONTROL.sub(_windows_char, text)


PUNCT_EDGES = "\"'“”‘’()[]{}.,;:!?*†‡§¶"
_COMPOUND_PREFIXES = frozenset(
    "self non well cross two three four five one half high low long short large small multi co pre post "
    "anti semi sub inter intra over under top bottom end real state data deep".split()
)


# A URL whose last character cannot end it ("https://github.com/" then "user/repo" on the next line).
OPEN_URL = re.compile(r"^(?:https?://|www\.)\S*[/._\-=?&#~]$", re.IGNORECASE)


def join_hyphenated(prefix: Word, following: Word, vocabulary: set[str]) -> bool | None:
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
    bare_stem = stem.strip(PUNCT_EDGES)
    joined = (bare_stem + tail_word).lower()
    hyphened = f"{bare_stem}-{tail_word}".lower()
    if joined in vocabulary:
        return True
    if hyphened in vocabulary or "-" in bare_stem:
        return False
    return bare_stem.lower() not in _COMPOUND_PREFIXES
