"""Rows and paragraphs inside a column, and each block's kind (stage 4).

Lines sharing a baseline become rows (table rows stay together) and rows are split into paragraphs
by gaps, indents, font changes and caption starts; small print at a column's foot is footnotes.
"""

from __future__ import annotations

import bisect
import statistics

from papertrail.models import PassageKind
from papertrail.pdf.extract.blocks import (
    BARE_LABEL,
    BULLET,
    CAPTION,
    SENTENCE_END,
    TERMINAL,
    Block,
    Row,
    dominant,
    prose_like,
    quantile,
)
from papertrail.pdf.extract.lines import BOLD_SHARE, Line, PageText
from papertrail.pdf.extract.sections import SECTION_NAMES, heading_text, is_heading
from papertrail.pdf.extract.stats import DocStats
from papertrail.pdf.extract.tables import count_cells, is_table, mark_figure_labels, merge_tables


def _merge_rows(lines: list[Line]) -> list[Row]:
    lines = sorted(lines, key=lambda ln: (ln.y0, ln.x0))
    groups: list[list[Line]] = []
    spans: list[list[float]] = []  # [top, bottom] of each group
    for line in lines:
        for index in range(len(groups) - 1, max(-1, len(groups) - 4), -1):
            group, (top, bottom) = groups[index], spans[index]
            overlap = min(bottom, line.y1) - max(top, line.y0)
            if overlap <= 0.5 * min(line.height, bottom - top):
                continue
            # Lines of one row sit side by side; a tall line (inline maths) may reach into the
            # next row, but the next row's line lies under it, not beside it.
            if all(min(g.x1, line.x1) - max(g.x0, line.x0) <= 2 for g in group):
                group.append(line)
                spans[index] = [min(top, line.y0), max(bottom, line.y1)]
                break
        else:
            groups.append([line])
            spans.append([line.y0, line.y1])
    return [_row_from(group) for group in groups]


def _row_from(group: list[Line]) -> Row:
    if len(group) == 1:
        line = group[0]
        return Row(
            words=line.words,
            x0=line.x0,
            y0=line.y0,
            x1=line.x1,
            y1=line.y1,
            size=line.size,
            bold=line.bold,
            cells=count_cells(line.words, line.size),
        )
    group.sort(key=lambda ln: ln.x0)
    words = [w for ln in group for w in ln.words]
    size = dominant(((ln.size, ln.chars) for ln in group), group[0].size)
    chars = sum(ln.chars for ln in group)
    return Row(
        words=words,
        x0=min(ln.x0 for ln in group),
        y0=min(ln.y0 for ln in group),
        x1=max(ln.x1 for ln in group),
        y1=max(ln.y1 for ln in group),
        size=size,
        bold=sum(ln.bold_chars for ln in group) >= BOLD_SHARE * chars,
        cells=count_cells(words, size),
    )


def column_blocks(
    lines: list[Line], page: PageText, stats: DocStats, page_body_bottoms: list[float] | None = None
) -> list[Block]:
    rows = _merge_rows(lines)
    left = quantile([r.x0 for r in rows], 0.1) if len(rows) > 3 else min(r.x0 for r in rows)
    right = quantile([r.x1 for r in rows], 0.9) if len(rows) > 3 else max(r.x1 for r in rows)
    typical_gap = _typical_gap(rows)
    hanging = _hanging_segments(rows, left)
    blocks: list[Block] = []
    current: list[Row] = []
    for i, row in enumerate(rows):
        if current and _starts_paragraph(current[-1], row, left, right, typical_gap, hanging[i]):
            blocks.append(Block(page.number, current, left, right))
            current = []
        current.append(row)
    if current:
        blocks.append(Block(page.number, current, left, right))
    for block in blocks:
        first = block.rows[0]
        block.indented = 0.5 * first.size < first.x0 - left < 4.5 * first.size
        block.kind = _classify(block, stats)
    demote_lonely_headings(blocks, stats)
    mark_figure_labels(blocks)
    blocks = merge_tables(blocks)
    if blocks:
        blocks[0].starts_column = True
    _mark_footnotes(blocks, page, stats, page_body_bottoms)
    return blocks


def demote_lonely_headings(blocks: list[Block], stats: DocStats) -> None:
    """A heading introduces running text; short labels followed by more labels are figure text."""
    for i, block in enumerate(blocks):
        if block.kind != PassageKind.HEADING:
            continue
        if SECTION_NAMES.match(heading_text(block.text.strip())):
            continue
        following = blocks[i + 1] if i + 1 < len(blocks) else None
        runs_on = following is not None and following.text[:1].islower()  # a bold sentence, not a title
        if not runs_on and (following is None or following.kind == PassageKind.HEADING or prose_like(following)):
            continue
        block.kind = _classify_text(block, stats)


def _typical_gap(rows: list[Row]) -> float:
    gaps = [b.y0 - a.y1 for a, b in zip(rows, rows[1:], strict=False) if abs(a.size - b.size) < 0.6]
    gaps = [g for g in gaps if g > -5]
    return statistics.median(gaps) if len(gaps) >= 3 else 1.0


def _hanging_segments(rows: list[Row], left: float) -> list[bool]:
    """Per row: is it in a run set with hanging indents (a reference list)? Runs are cut at bold rows."""
    flags = [False] * len(rows)
    start = 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or (rows[end].bold and not rows[end - 1].bold):
            if _hanging_indent(rows[start:end], left):
                flags[start:end] = [True] * (end - start)
            start = end
    return flags


def _hanging_indent(rows: list[Row], left: float) -> bool:
    """Reference lists: each entry's first line at the margin, its continuation lines indented."""
    if len(rows) < 4:
        return False
    indented = [0.5 * r.size < r.x0 - left < 4.5 * r.size for r in rows]
    starts = [i for i in range(len(rows) - 1) if not indented[i] and not rows[i].bold]
    entries = sum(1 for i in starts if indented[i + 1])
    return sum(indented) >= 0.3 * len(rows) and entries >= 2 and entries >= 0.6 * len(starts)


def _centred(row: Row, left: float, right: float) -> bool:
    """Centred in the column: both margins wide and about equal."""
    before, after = row.x0 - left, right - row.x1
    wide = before > 2 * row.size and after > 2 * row.size
    return wide and abs(before - after) < max(2 * row.size, 0.3 * (before + after))


def _starts_paragraph(prev: Row, row: Row, left: float, right: float, typical_gap: float, hanging: bool) -> bool:
    size = max(prev.size, row.size)
    gap = row.y0 - prev.y1
    if gap > typical_gap + max(2.0, 0.45 * size):
        return True
    if BARE_LABEL.match(prev.text):  # "Figure 1." on a line of its own heads its caption
        return False
    if abs(prev.size - row.size) > 0.9:
        return True
    if prev.bold != row.bold and not row.text[:1].islower():  # a bold lead-in sentence runs on
        return True
    if CAPTION.match(row.text) or BULLET.match(row.text):
        return True
    indent = row.x0 - left
    prev_indent = prev.x0 - left
    if hanging:
        return indent < 0.5 * row.size and prev_indent >= -0.5 * row.size
    prev_short = prev.x1 < right - 1.5 * prev.size
    prev_centred = _centred(prev, left, right)
    row_centred = _centred(row, left, right)
    if prev_centred != row_centred:
        return True
    is_indent = 0.5 * row.size < indent < 4.5 * row.size and prev_indent < 0.5 * row.size
    if is_indent and (TERMINAL.search(prev.text) or (prev_short and not prev.bold)):
        return True
    # Block paragraphs (no indent, no spacing): a clearly short line that ends a sentence.
    clearly_short = prev.x1 < right - max(4 * prev.size, 0.12 * (right - left))
    return clearly_short and bool(SENTENCE_END.search(prev.text)) and not row_centred and prev.cells == 1


def _classify(block: Block, stats: DocStats) -> PassageKind:
    text = block.text
    if CAPTION.match(text):
        return PassageKind.CAPTION
    if block.size < 0.65 * stats.body_size:
        return PassageKind.TABLE  # print this small is the inside of a figure (or a screenshot)
    if is_table(block):
        return PassageKind.TABLE
    if is_heading(block, stats):
        return PassageKind.HEADING
    return _classify_text(block, stats)


def _classify_text(block: Block, stats: DocStats) -> PassageKind:
    """Running text, or the fragments of a figure or small table."""
    small = block.size < 0.85 * stats.body_size
    if _fragmentary(block) and (small or (len(block.rows) >= 2 and block.size <= stats.body_size + 0.5)):
        return PassageKind.TABLE  # labels inside figures, small tables without wide gaps
    return PassageKind.BODY


def _fragmentary(block: Block) -> bool:
    words = len(block.text.split())
    return words / len(block.rows) < 5 and not TERMINAL.search(block.text)


def _mark_footnotes(
    blocks: list[Block], page: PageText, stats: DocStats, page_body_bottoms: list[float] | None
) -> None:
    """Small print at the foot of a column, under text in the body font, is footnotes.

    A column set entirely in small print (a reference list, a sidebar) has no footnotes.
    """
    foot: list[Block] = []
    for block in reversed(blocks):
        small = block.size < 0.9 * stats.body_size
        low = block.rows[0].y0 > 0.55 * page.height
        if block.kind not in (PassageKind.BODY, PassageKind.TABLE) or not (small and low):
            break
        foot.append(block)
    if not foot:
        return
    above = blocks[: len(blocks) - len(foot)]
    body_above = sum(len(b.rows) for b in above if b.size >= 0.9 * stats.body_size and b.kind == PassageKind.BODY)
    if page_body_bottoms is not None:
        body_above += bisect.bisect_right(page_body_bottoms, foot[-1].rows[0].y0)
    if body_above < sum(len(b.rows) for b in foot):
        return
    for block in foot:
        block.kind = PassageKind.FOOTNOTE
