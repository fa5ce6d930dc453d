"""Small text utilities shared by extraction, chunking and answering: character cleanup,
sentence boundaries and a cheap "is this real words?" test for broken font encodings."""

from __future__ import annotations

import re

# Ligatures and odd spaces that PDF fonts emit; everything else is left as printed
# (full NFKC would also turn "10⁴" into "104", which changes meaning).
_CHAR_MAP: dict[str, str] = {
    "\ufb00": "ff",
    "\ufb01": "fi",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ufb04": "ffl",
    "\ufb05": "st",
    "\ufb06": "st",
    "\u00a0": " ",
    "\u2000": " ",
    "\u2001": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\u2004": " ",
    "\u2005": " ",
    "\u2006": " ",
    "\u2007": " ",
    "\u2008": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u202f": " ",
    "\u205f": " ",
    "\u3000": " ",
    "\t": " ",
    "\u200b": "",  # zero-width space
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufeff": "",
    "\u2010": "-",  # typographic hyphen: treat like the ASCII one
    "\u2011": "-",
}


_TABLE = str.maketrans(_CHAR_MAP)


def clean_text(text: str) -> str:
    """Extracted text as it should read: ligatures split, odd spaces made plain."""
    return text.translate(_TABLE)


def clean_char(ch: str) -> str:
    return ch.translate(_TABLE)


# ----------------------------------------------------------------------------------------------
# Sentence boundaries

# Abbreviations after which a period does not end a sentence (compared lower-case, without the dot).
_NON_TERMINAL = frozenset(
    """e.g i.e cf fig figs eq eqs tab sec secs ref refs no nos vs viz resp approx ca dr mr mrs ms prof
    st vol pp ed eds chap ch app suppl incl sp spp var subsp cv al""".split()
)
_SENT_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)")
_OPENERS = "\"'“‘([{"


def _ends_with_abbreviation(text: str, dot: int) -> bool:
    """True when the period at text[dot] belongs to an abbreviation, an initial or a number."""
    start = dot
    while start > 0 and not text[start - 1].isspace() and text[start - 1] not in "([":
        start -= 1
    token = text[start:dot].lower()
    if not token:
        return False
    if token in _NON_TERMINAL or token.rstrip(".") in _NON_TERMINAL:
        return True
    # A single capital letter: an initial ("J. Smith") or a panel label ("Fig. 3A.") is rare enough.
    return len(token) == 1 and text[start].isupper()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence in text, whitespace trimmed.

    A sentence ends at . ! or ? (plus closing quotes/brackets) followed by space and then an
    upper-case letter or an opening quote/bracket; periods of abbreviations ("et al.", "e.g.",
    "Fig. 3", "i.e."), initials and decimals ("0.05") never end one.
    """
    spans: list[tuple[int, int]] = []
    start = _skip_space(text, 0)
    for match in _SENT_END.finditer(text):
        end = match.end()
        nxt = _skip_space(text, end)
        if nxt >= len(text) or not _starts_sentence(text, nxt):
            continue
        dot = match.start()
        single_period = match.group().rstrip("\"'”’)]") == "."
        if single_period and _ends_with_abbreviation(text, dot) and not _after_et_al_sentence_end(text, dot, nxt):
            continue
        if end > start:
            spans.append((start, end))
        start = nxt
    tail_end = len(text.rstrip())
    if tail_end > start:
        spans.append((start, tail_end))
    return spans


def _after_et_al_sentence_end(text: str, dot: int, nxt: int) -> bool:
    """'et al.' ends a sentence when a capitalised word (not a year or a bracket) follows."""
    if not text[max(0, dot - 6) : dot].lower().endswith("et al"):
        return False
    return text[nxt].isupper()


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _starts_sentence(text: str, i: int) -> bool:
    ch = text[i]
    if ch.isupper():
        return True
    if ch in _OPENERS and i + 1 < len(text):
        return text[i + 1].isupper() or text[i + 1].isdigit()
    return False


# ----------------------------------------------------------------------------------------------
# Broken font encodings

_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_ODD_SYMBOLS = re.compile(r"[^\w\s.,;:()\[\]{}\-–—'’\"“”%/+=<>±×·*&@#$?!]")
_LETTER_RUN = re.compile(r"[^\W\d_]{4,}")
_HAS_VOWEL = re.compile(r"[aeiouyàáâãäåèéêëìíîïòóôõöùúûüýÿæœøαεηιουω]", re.IGNORECASE)
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}", re.IGNORECASE)


def garbled_ratio(text: str) -> float:
    """Share of the text that does not read as words (0 = clean prose, 1 = nothing readable).

    The largest of: control/replacement/private-use characters; letters in runs no language
    would write (4+ letters without a vowel, 5+ consonants in a row; acronyms excepted); and
    unusual symbols when they make up over 30 % of the text.
    """
    visible = len("".join(text.split()))
    if visible <= 0:
        return 0.0
    bad = len(_BAD_CHARS.findall(text)) / visible
    runs = _LETTER_RUN.findall(text)
    letters = sum(len(r) for r in runs)
    odd = sum(len(r) for r in runs if not r.isupper() and (not _HAS_VOWEL.search(r) or _CONSONANT_RUN.search(r)))
    odd_share = odd / letters if letters >= 20 else 0.0
    symbols = len(_ODD_SYMBOLS.findall(text)) / visible
    return max(bad, odd_share, symbols if symbols > 0.3 else 0.0)
