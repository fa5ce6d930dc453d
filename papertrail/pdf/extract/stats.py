"""Document statistics read before layout: body font size, running heads and footers, vocabulary.

Lines repeated in the top/bottom margins across pages (digits normalised) and lone page numbers are
running heads and footers (stage 2). Also the warnings about garbled or sideways pages.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from papertrail.pdf.extract.lines import Line, PageText
from papertrail.pdf.extract.notation import PUNCT_EDGES
from papertrail.text import garbled_ratio

MARGIN_ZONE = 0.12  # share of the page height searched for running heads and footers
GARBLED_THRESHOLD = 0.35
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(
    r"^(page\s*)?[-–—(\[]?\s*(\d{1,4}|[ivxlc]{1,6})\s*[-–—)\]]?(\s*(of|/)\s*\d{1,4})?$", re.IGNORECASE
)


def _margin_keys(line: Line) -> tuple[str, str]:
    """Running heads repeat with the same words (page numbers aside) at the same height."""
    text = _DIGITS.sub("#", " ".join(line.text.lower().split()))
    # Two overlapping 6pt bins so that a head drifting by a point still matches.
    return f"{text}@{int(line.y0 // 6)}", f"{text}@{int((line.y0 + 3) // 6)}~"


def _in_margin(line: Line, page: PageText) -> bool:
    return line.y1 <= page.height * MARGIN_ZONE + 8 or line.y0 >= page.height * (1 - MARGIN_ZONE) - 8


@dataclass
class DocStats:
    body_size: float
    margin_repeats: set[str]
    vocabulary: set[str]
    pages: int

    @classmethod
    def measure(cls, pages: list[PageText]) -> DocStats:
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
                    vocabulary.add(word.text.strip(PUNCT_EDGES).lower())
            keys_per_page.update(keys)
        needed = max(2, int(0.25 * len(pages)))
        repeats = {key for key, count in keys_per_page.items() if count >= needed and len(pages) > 1}
        body = sizes.most_common(1)[0][0] if sizes else 10.0
        return cls(body_size=body, margin_repeats=repeats, vocabulary=vocabulary, pages=len(pages))

    def is_running_text(self, line: Line, page: PageText) -> bool:
        if not _in_margin(line, page):
            return False
        if any(key in self.margin_repeats for key in _margin_keys(line)):
            return True
        # A lone number is a page number; one sharing its baseline with other text is a table cell.
        return bool(_PAGE_NUMBER.match(line.text.strip())) and not any(
            other is not line and min(other.y1, line.y1) - max(other.y0, line.y0) > 0.5 * line.height
            for other in page.lines
        )


def garbled_warning(pages: list[PageText]) -> list[str]:
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


def rotated_warning(pages: list[PageText]) -> list[str]:
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
