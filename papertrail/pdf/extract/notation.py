"""Notation as printed: line-end hyphens (a split word joined, a compound kept) and broken URLs."""

from __future__ import annotations

import re

from papertrail.pdf.extract.lines import Word

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
