"""Stitching blocks across columns and pages into passage drafts (stage 5).

A paragraph that does not end a sentence is continued by the next body paragraph; captions, tables
and footnotes met in between are emitted after it. Sections and their kinds (abstract, references)
are tracked on the way.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from papertrail.models import PassageKind
from papertrail.pdf.extract.blocks import BULLET, CAPTION, TERMINAL, Block, Row, prose_like
from papertrail.pdf.extract.lines import Word
from papertrail.pdf.extract.sections import NUMBERED_HEADING, REFERENCES, SECTION_NAMES, heading_text
from papertrail.pdf.extract.stats import DocStats


@dataclass
class Draft:
    kind: PassageKind
    section: str
    page: int
    rows: list[Row]
    row_pages: list[int]
    joins: list[int] = field(default_factory=list)  # row indexes where another block was appended
    label: list[Word] = field(default_factory=list)  # a table's "Table 2" words, from its caption

    def add(self, block: Block) -> None:
        self.joins.append(len(self.rows))
        self.rows.extend(block.rows)
        self.row_pages.extend([block.page] * len(block.rows))

    @property
    def text(self) -> str:
        return " ".join(r.text for r in self.rows)


def new_draft(block: Block, kind: PassageKind, section: str) -> Draft:
    return Draft(kind, section, block.page, list(block.rows), [block.page] * len(block.rows))


class Stitcher:
    def __init__(self, stats: DocStats) -> None:
        self.stats = stats
        self.out: list[Draft] = []
        self.open: Draft | None = None
        self.deferred: list[Draft] = []
        self.section = ""
        self.in_references = False
        self.in_abstract = False
        self.title_size = 0.0
        self.seen_title = False
        self.front_matter = True  # page 1 above the first recognisable section

    def run(self, blocks: list[Block]) -> list[Draft]:
        self.title_size = _title_size(blocks)
        for block in blocks:
            self._take(block)
        self._close()
        return self.out

    def _take(self, block: Block) -> None:
        if not self.seen_title and block.page == 1 and self.title_size and abs(block.size - self.title_size) < 0.3:
            self._close()
            self._emit_or_extend_title(block)
            return
        if block.kind == PassageKind.HEADING and self._accept_heading(block):
            self._close()
            self.front_matter = False
            self._start_section(block)
            self.out.append(new_draft(block, PassageKind.HEADING, self.section))
            return
        if block.kind in (PassageKind.HEADING, PassageKind.BODY) or (
            self.in_references and block.kind == PassageKind.FOOTNOTE
        ):
            self._take_body(block)
            return
        draft = new_draft(block, block.kind, self.section)
        if self.open is not None:
            self.deferred.append(draft)
        else:
            self.out.append(draft)

    def _emit_or_extend_title(self, block: Block) -> None:
        last = self.out[-1] if self.out else None
        if last is not None and last.kind == PassageKind.TITLE:
            last.add(block)
        else:
            self.out.append(new_draft(block, PassageKind.TITLE, ""))

    def _accept_heading(self, block: Block) -> bool:
        name = heading_text(block.text)
        if self.front_matter and block.page == 1:
            # Affiliations and author lines are set large too; a section starts the paper proper.
            return bool(SECTION_NAMES.match(name) or NUMBERED_HEADING.match(block.text))
        if not self.in_references:
            return True
        # Inside a reference list only a clearly new part (appendix, supplement) ends it.
        return bool(re.match(r"^(appendi|supplement|supporting|[A-Z]\s)", name)) or (
            block.size >= self.stats.body_size + 0.9 and not re.search(r"\b(19|20)\d\d\b", block.text)
        )

    def _start_section(self, block: Block) -> None:
        self.seen_title = True
        name = " ".join(block.text.split())
        self.section = name
        bare = heading_text(name)
        self.in_references = bool(REFERENCES.match(bare))
        self.in_abstract = bare.lower() in ("abstract", "summary")

    def _take_body(self, block: Block) -> None:
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
            if not prose_like(block):
                self.deferred.append(new_draft(block, PassageKind.TABLE, self.section))
                return
            if not _same_font(self.open.rows[-1], block):
                self.deferred.append(new_draft(block, kind, self.section))
                return
        self._close()
        self.open = new_draft(block, kind, self.section)

    def _close(self) -> None:
        if self.open is not None:
            self.out.append(self.open)
            self.open = None
        self.out.extend(self.deferred)
        self.deferred = []


def _title_size(blocks: list[Block]) -> float:
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


def _same_font(row: Row, block: Block) -> bool:
    return abs(block.size - row.size) <= max(0.6, 0.07 * row.size)


def _is_open_ended(draft: Draft) -> bool:
    return not TERMINAL.search(draft.rows[-1].text.rstrip())


def _continues(prev: Draft, block: Block) -> bool:
    """Does block carry on the paragraph prev (broken by a column, page, figure or footnote)?"""
    first = block.rows[0].text
    if not first or BULLET.match(first) or CAPTION.match(first):
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
    open_end = not TERMINAL.search(prev_text)
    if open_end:
        return (not block.indented or starts_lower) and prose_like(block)
    return starts_lower and not block.indented and block.starts_column
