"""Page layout: gutters, full-width bands and columns (stage 3).

Column gutters are found per page (a vertical strip most text stays out of). Lines that cross a
gutter are full-width (title, wide figure captions, tables); they cut the page into horizontal
bands, and each band is read column by column, top to bottom.
"""

from __future__ import annotations

import numpy as np

from papertrail.models import PassageKind
from papertrail.pdf.extract.blocks import Block, quantile, v_overlap
from papertrail.pdf.extract.lines import Line, PageText
from papertrail.pdf.extract.paragraphs import column_blocks
from papertrail.pdf.extract.stats import DocStats
from papertrail.pdf.extract.tables import as_table, is_table_band


def layout_page(page: PageText, stats: DocStats) -> list[Block]:
    lines = [line for line in page.lines if not stats.is_running_text(line, page)]
    lines = _drop_margin_line_numbers(lines)
    if not lines:
        return []
    gutters = _find_gutters(lines, stats.body_size)
    if gutters:
        lines = _split_across_gutters(lines, gutters)
    # Full-width small print at the page foot (conference footers, licences) sits under the
    # page's body text rather than under text of its own band.
    body_bottoms = sorted(ln.y1 for ln in lines if ln.size >= 0.9 * stats.body_size)
    blocks: list[Block] = []
    for band_lines, spanning in _bands(lines, gutters):
        if spanning or not gutters:
            columns = [band_lines]
        else:
            columns = _columns(band_lines, gutters)
            if is_table_band(columns):
                blocks.extend(as_table(column_blocks(band_lines, page, stats)))
                continue
            # a full-width table resumed under a line of it, its rows cut at the gutter, text under them
            resumed = any(b.kind == PassageKind.TABLE for b in blocks[-2:])  # (a line naming rows between)
            table = _table_on_top(band_lines, gutters) if resumed else []
            if table:
                blocks.extend(as_table(column_blocks(table, page, stats)))
                taken = {id(ln) for ln in table}
                columns = _columns([ln for ln in band_lines if id(ln) not in taken], gutters)
        for column in columns:
            if column:
                blocks.extend(column_blocks(column, page, stats, body_bottoms if spanning else None))
    return blocks


def _drop_margin_line_numbers(lines: list[Line]) -> list[Line]:
    """Line numbers printed down a margin (review copies) sit outside all other text."""
    numeric = [ln for ln in lines if ln.text.isdigit() and len(ln.text) <= 4]
    if len(numeric) < 8:
        return lines
    others = [ln for ln in lines if not (ln.text.isdigit() and len(ln.text) <= 4)]
    if not others:
        return lines
    text_left = min(ln.x0 for ln in others)
    text_right = max(ln.x1 for ln in others)
    margin = {id(ln) for ln in numeric if ln.x1 < text_left - 2 or ln.x0 > text_right + 2}
    return [ln for ln in lines if id(ln) not in margin] if len(margin) >= 8 else lines


def _find_gutters(lines: list[Line], body_size: float) -> list[tuple[float, float]]:
    """Vertical strips (x0, x1) that separate columns; empty for a single-column page.

    A gutter must have real text on both sides, and the text crossing it (titles, wide
    captions and tables) must be less than the text beside it. Text counts by its characters,
    small print less (labels inside figures and screenshots may run across the gutter).
    """
    if len(lines) < 8:
        return []
    left = quantile([ln.x0 for ln in lines], 0.02)
    right = quantile([ln.x1 for ln in lines], 0.98)
    x0 = np.array([ln.x0 for ln in lines])
    x1 = np.array([ln.x1 for ln in lines])
    chars = np.array([ln.chars * _print_weight(ln.size, body_size) for ln in lines], dtype=float)
    return _gutters_between(x0, x1, chars, left, right, depth=0)


def _print_weight(size: float, body_size: float) -> float:
    """Tiny print (inside figures) weighs little; footnote-sized text counts fully."""
    ratio = size / body_size
    return 1.0 if ratio >= 0.65 else ratio * ratio


def _gutters_between(
    x0: np.ndarray, x1: np.ndarray, chars: np.ndarray, left: float, right: float, depth: int
) -> list[tuple[float, float]]:
    width = right - left
    if width < 100 or len(x0) < 8 or depth > 2:
        return []
    half = 3.0  # a gutter is at least 6pt wide
    xs = np.arange(left + 0.15 * width, right - 0.15 * width, 2.0)
    if xs.size == 0:
        return []
    crossing = (x0[None, :] < xs[:, None] - half) & (x1[None, :] > xs[:, None] + half)
    left_of = ~crossing & (x1[None, :] <= xs[:, None] + half)
    right_of = ~crossing & (x0[None, :] >= xs[:, None] - half)
    # The best gutter leaves much text on both sides and little crossing it.
    score = np.minimum(left_of @ chars, right_of @ chars) - 0.5 * (crossing @ chars)
    best = int(np.argmax(score))
    ties = np.flatnonzero(score == score[best])
    run = _run_containing(ties, best)
    x = float(xs[run[len(run) // 2]])
    crosses = crossing[run[len(run) // 2]]
    on_left = ~crosses & (x1 <= x + half)
    on_right = ~crosses & (x0 >= x - half)
    total = chars.sum()
    left_chars, right_chars, cross_chars = chars[on_left].sum(), chars[on_right].sum(), chars[crosses].sum()
    columns = (
        on_left.sum() >= 4
        and on_right.sum() >= 4
        and min(left_chars, right_chars) >= 0.12 * total
        and min(left_chars, right_chars) >= 0.35 * cross_chars
    )
    # A margin column (dates, notes beside the text) is thin, but nothing at all crosses it.
    clean = cross_chars <= 0.02 * total
    margin_column = on_left.sum() >= 2 and on_right.sum() >= 2 and clean
    # Inside a column only a clean split counts (a third column); the gaps between the cells
    # of a table are crossed by the running text around the table.
    ok = (columns or margin_column) and (depth == 0 or clean)
    if not ok:
        return []
    g0 = float(x1[on_left].max()) if on_left.any() else x - half
    g1 = float(x0[on_right].min()) if on_right.any() else x + half
    if g1 - g0 < 4:  # lines on either side that almost touch are not separate columns
        g0, g1 = x - half, x + half
    gutter = (min(g0, x - half), max(g1, x + half))
    lefts = _gutters_between(x0[on_left], x1[on_left], chars[on_left], left, gutter[0], depth + 1)
    rights = _gutters_between(x0[on_right], x1[on_right], chars[on_right], gutter[1], right, depth + 1)
    return [*lefts, gutter, *rights]


def _run_containing(indices: np.ndarray, target: int) -> list[int]:
    """The consecutive run of indices (step 1) that contains target."""
    pos = int(np.searchsorted(indices, target))
    lo = hi = pos
    while lo > 0 and indices[lo - 1] == indices[lo] - 1:
        lo -= 1
    while hi + 1 < len(indices) and indices[hi + 1] == indices[hi] + 1:
        hi += 1
    return [int(i) for i in indices[lo : hi + 1]]


def _table_on_top(lines: list[Line], gutters: list[tuple[float, float]]) -> list[Line]:
    """The top lines of a band when they are short cells of a table set across the gutter, above the
    band's running text (at least four of them); else none."""
    ordered = sorted(lines, key=lambda ln: ln.y0)
    limit = 0.5 * (max(ln.x1 for ln in lines) - min(ln.x0 for ln in lines)) / (len(gutters) + 1)
    count, bottom = 0, ordered[0].y1
    for ln in ordered:  # up to the first line as wide as text, or a gap wider than a table's rows leave
        if ln.width >= limit or ln.y0 - bottom > ln.size:
            break
        count, bottom = count + 1, max(bottom, ln.y1)
    head = ordered[:count]
    return head if 4 <= count < len(ordered) and is_table_band(_columns(head, gutters)) else []


def _crosses(line: Line, gutter: tuple[float, float]) -> bool:
    mid = (gutter[0] + gutter[1]) / 2
    return line.x0 < mid - 3 and line.x1 > mid + 3


def _split_across_gutters(lines: list[Line], gutters: list[tuple[float, float]]) -> list[Line]:
    """A line that crosses a gutter only through a word gap is really two lines (PyMuPDF merge)."""
    out: list[Line] = []
    for line in lines:
        pieces = [line]
        for gutter in gutters:
            mid = (gutter[0] + gutter[1]) / 2
            nxt: list[Line] = []
            for piece in pieces:
                cut = _gap_at(piece, mid)
                nxt.extend(_split_line(piece, cut) if cut is not None else [piece])
            pieces = nxt
        out.extend(pieces)
    return out


def _gap_at(line: Line, x: float) -> int | None:
    if not (line.x0 < x < line.x1):
        return None
    for i in range(1, len(line.words)):
        if line.words[i - 1].x1 <= x <= line.words[i].x0 and line.words[i].x0 - line.words[i - 1].x1 >= 4:
            return i
    return None


def _split_line(line: Line, cut: int) -> list[Line]:
    parts = []
    for words in (line.words[:cut], line.words[cut:]):
        parts.append(
            Line(
                words=words,
                x0=min(w.x0 for w in words),
                y0=min(w.y0 for w in words),
                x1=max(w.x1 for w in words),
                y1=max(w.y1 for w in words),
                size=line.size,
                bold_chars=line.bold_chars if line.bold else 0,
                chars=sum(len(w.text) for w in words),
            )
        )
    return parts


def _bands(lines: list[Line], gutters: list[tuple[float, float]]) -> list[tuple[list[Line], bool]]:
    """Horizontal bands in top-to-bottom order: (lines, is_full_width)."""
    if not gutters:
        return [(lines, False)]
    spanning = [any(_crosses(ln, g) for g in gutters) for ln in lines]
    _extend_spanning(lines, spanning)
    order = sorted(range(len(lines)), key=lambda i: (lines[i].y0 + lines[i].y1) / 2)
    bands: list[tuple[list[Line], bool]] = []
    for i in order:
        if bands and bands[-1][1] == spanning[i]:
            bands[-1][0].append(lines[i])
        else:
            bands.append(([lines[i]], spanning[i]))
    return bands


def _extend_spanning(lines: list[Line], spanning: list[bool]) -> None:
    """Lines on a full-width line's baseline, and the short last line of a full-width
    paragraph (left-aligned right under it, same font), are full-width too."""
    wide = [ln for ln, s in zip(lines, spanning, strict=True) if s]
    if not wide:
        return
    for i, ln in enumerate(lines):
        if spanning[i]:
            continue
        if any(v_overlap(ln, w) > 0.5 * min(ln.height, w.height) for w in wide):
            spanning[i] = True
            continue
        above = [
            w
            for w in wide
            if -2 <= ln.y0 - w.y1 <= 0.8 * ln.size and abs(w.size - ln.size) < 0.5 and abs(w.x0 - ln.x0) < 2 * ln.size
        ]
        if above and not any(j != i and not spanning[j] and v_overlap(ln, other) > 0 for j, other in enumerate(lines)):
            spanning[i] = True


def _columns(lines: list[Line], gutters: list[tuple[float, float]]) -> list[list[Line]]:
    edges = [(g[0] + g[1]) / 2 for g in gutters]
    columns: list[list[Line]] = [[] for _ in range(len(edges) + 1)]
    for line in lines:
        centre = (line.x0 + line.x1) / 2
        columns[sum(centre > e for e in edges)].append(line)
    return columns
