"""Headings: what a section heading looks like, and its name without its number."""

from __future__ import annotations

import re

from papertrail.pdf.extract.blocks import Block
from papertrail.pdf.extract.stats import DocStats


def is_real_heading(block: Block) -> bool:
    text = block.text.strip()
    return bool(SECTION_NAMES.match(heading_text(text)) or NUMBERED_HEADING.match(text))


NUMBERED_HEADING = re.compile(r"^((\d{1,2}(\.\d{1,2}){0,3}\.?)|([IVX]{1,5}\.)|([A-Z]\.))\s+\S")
SECTION_NAMES = re.compile(
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


REFERENCES = re.compile(
    r"^(\d+\.?\s+)?(references?|bibliography|literature cited|works cited|references and notes|cited literature)$",
    re.IGNORECASE,
)


_HEADING_NUMBER = re.compile(r"^(\d{1,2}(\.\d{1,2}){0,3}\.?|[IVX]{1,5}\.|[A-Z]\.)?\s*\|?\s*")


def heading_text(text: str) -> str:
    """A heading without its number: "2.1 | Methods" -> "Methods"."""
    return _HEADING_NUMBER.sub("", text, count=1).strip(" :.")


def is_heading(block: Block, stats: DocStats) -> bool:
    text = block.text.strip()
    words = text.split()
    if not words or len(block.rows) > 3 or len(words) > 20 or len(text) < 2:
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    capitals = text.upper() == text and bool(re.search(r"[A-Z]{3}", text))  # a word, not "X + Y"
    if len(block.rows) == 1 and (
        SECTION_NAMES.match(heading_text(text)) or (capitals and NUMBERED_HEADING.match(text) and len(words) <= 12)
    ):
        return True  # even in small capitals ("REFERENCES", "IV. EVALUATION" in IEEE style)
    if any(r.cells >= 3 for r in block.rows) or block.size < 0.85 * stats.body_size:
        return False  # a table header row, or small print
    if text.endswith("-") or (text.endswith((".", ",", ";")) and not NUMBERED_HEADING.match(text)):
        return False
    if re.search(r"[a-z]{2}[.:] [A-Z]", text):  # a run-in heading followed by its paragraph
        return False
    if sum(c.isalpha() for c in text) < 0.5 * len(text.replace(" ", "")):
        return False
    larger = block.size >= stats.body_size + 0.9
    named = bool(re.search(r"[A-Za-z]{3}", text))  # a heading has a name: "2 * X + Y" is a formula
    numbered = bool(NUMBERED_HEADING.match(text)) and named and len(words) <= 12 and not text.endswith(".")
    caps = capitals and len(words) <= 8
    # A numbered line in the body font counts too (italic subsections): it must still be
    # followed by running text (see demote_lonely_headings).
    return larger or (block.bold and len(words) <= 15) or (numbered and len(block.rows) == 1) or caps
