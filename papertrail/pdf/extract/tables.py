"""Tables found by layout: rows of cells split by wide gaps, table bands across a gutter."""

from __future__ import annotations

from papertrail.models import PassageKind
from papertrail.pdf.extract.blocks import TERMINAL, Block, v_overlap
from papertrail.pdf.extract.lines import Line, Word
from papertrail.pdf.extract.sections import is_real_heading


def as_table(blocks: list[Block]) -> list[Block]:
    """Everything in a band made of table cells is the table (its caption aside)."""
    for block in blocks:
        if block.kind != PassageKind.CAPTION:
            block.kind = PassageKind.TABLE
    return merge_tables(blocks)


def is_table_band(columns: list[list[Line]]) -> bool:
    """Cells of one table on both sides of a gutter: every column holds short lines on shared baselines."""
    filled = [c for c in columns if c]
    if len(filled) < 2:
        return False
    for column in filled:
        width = max(ln.x1 for ln in column) - min(ln.x0 for ln in column)
        if sum(1 for ln in column if ln.width < 0.5 * width) < 0.7 * len(column):
            return False
    first, rest = filled[0], [ln for c in filled[1:] for ln in c]
    shared = sum(1 for a in first if any(v_overlap(a, b) > 0.6 * min(a.height, b.height) for b in rest))
    return shared >= 0.5 * len(first)


def count_cells(words: list[Word], size: float) -> int:
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


def mark_figure_labels(blocks: list[Block]) -> None:
    """Three or more tiny blocks in a row are the text of a figure (axis labels, legends)."""
    tiny = [
        b.kind != PassageKind.CAPTION
        and len(b.text.split()) <= 4
        and len(b.rows) <= 3
        and not (b.kind == PassageKind.HEADING and is_real_heading(b))
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


def merge_tables(blocks: list[Block]) -> list[Block]:
    """One table, one block: header rows and row groups split by spacing are put back together."""
    for i, block in enumerate(blocks):
        neighbours = blocks[max(0, i - 1) : i] + blocks[i + 1 : i + 2]
        header = (
            i + 1 < len(blocks)
            and blocks[i + 1].kind == PassageKind.TABLE
            and len(block.rows) == 1
            and len(block.text.split()) <= 12
            and not TERMINAL.search(block.text)
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
    _rows_taken_for_paragraphs(blocks)
    merged: list[Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if prev is not None and prev.kind == block.kind == PassageKind.TABLE:
            merged[-1] = Block(prev.page, prev.rows + block.rows, prev.left, prev.right, PassageKind.TABLE)
        else:
            merged.append(block)
    return merged


def _rows_taken_for_paragraphs(blocks: list[Block]) -> None:
    """A run of one- and two-line "paragraphs" that mostly end in a number set apart by a wide gap is
    a table whose rows layout split (rows set narrower than the column read as centred lines)."""
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and blocks[j].kind == PassageKind.BODY and len(blocks[j].rows) <= 2:
            j += 1
        valued = sum(any(_ends_in_value(r.words, r.size) for r in b.rows) for b in blocks[i:j])
        if valued >= 3 and valued >= 0.4 * (j - i):
            for block in blocks[i:j]:
                block.kind = PassageKind.TABLE
        i = max(j, i + 1)


def _ends_in_value(words: list[Word], size: float) -> bool:
    return len(words) >= 2 and _mostly_numbers(words[-1].text) and words[-1].x0 - words[-2].x1 > size


def is_table(block: Block) -> bool:
    rows = block.rows
    multi = sum(1 for r in rows if r.cells >= 2)
    if len(rows) >= 2 and multi >= 0.5 * len(rows) and multi >= 2:
        return True
    return len(rows) == 1 and rows[0].cells >= 3 and _mostly_numbers(rows[0].text)


def _mostly_numbers(text: str) -> bool:
    tokens = text.split()
    numeric = sum(1 for t in tokens if any(c.isdigit() for c in t))
    return bool(tokens) and numeric >= 0.5 * len(tokens)
