"""Index units from extracted passages: long paragraphs split at sentence ends, tiny neighbours
merged (same section and kind only), word boxes re-offset so highlights stay exact."""

from __future__ import annotations

from papertrail.models import Passage, PassageKind, WordSpan
from papertrail.pdf.extract.table_grid import header_cells, is_cell_row
from papertrail.text import sentence_spans

__all__ = ["chunk", "sentence_spans"]

MERGE_SEPARATOR = "\n"


def chunk(passages: list[Passage], max_words: int = 120) -> list[Passage]:
    """Split passages over max_words at sentence boundaries, merge small neighbours.

    Never crosses a section or a kind; ordinals are renumbered 0..n-1 in reading order.
    A single sentence longer than 2 x max_words (a run-on reference list, a table without
    punctuation) is cut at word boundaries, tables at row boundaries first.
    """
    max_words = max(1, max_words)
    pieces = [piece for passage in passages for piece in _split(passage, max_words)]
    merged = _merge_small(pieces, max_words)
    return [_with_ordinal(p, i) for i, p in enumerate(merged)]


# ---- splitting


def _word_count(text: str) -> int:
    return len(text.split())


def _split(passage: Passage, max_words: int) -> list[Passage]:
    if _word_count(passage.text) <= max_words:
        return [passage]
    units = row_spans(passage.text) if passage.kind == PassageKind.TABLE else sentence_spans(passage.text)
    units = [piece for start, end in units for piece in _cut_long(passage.text, start, end, 2 * max_words)]
    groups: list[tuple[int, int]] = []
    count = 0
    for start, end in units:
        words = _word_count(passage.text[start:end])
        if groups and count + words <= max_words:
            groups[-1] = (groups[-1][0], end)
            count += words
        else:
            groups.append((start, end))
            count = words
    for i in range(len(groups) - 1 if passage.kind == PassageKind.TABLE else 0):
        start, end = groups[i]
        rows, _, last = passage.text[start:end].rpartition("\n")
        if rows and not is_cell_row(last):  # a line naming the rows under it goes with them
            groups[i], groups[i + 1] = (start, start + len(rows)), (end - len(last), groups[i + 1][1])
    pieces = [_slice(passage, start, end) for start, end in groups]
    if passage.kind == PassageKind.TABLE and header_cells(passage.text):
        starts = [start for start, _ in groups[1:]]
        pieces[1:] = [_with_header(passage, start, piece) for start, piece in zip(starts, pieces[1:], strict=True)]
    return pieces


def _with_header(table: Passage, start: int, piece: Passage) -> Passage:
    """A later piece of a table, read under the table's column headers and the line naming the
    group of rows it starts in ("IUC-NN best model"): a row means little without them."""
    lines = table.text[:start].split("\n")
    header = _slice(table, 0, len(lines[0]))
    offset, group = len(lines[0]) + 1, None
    for line in lines[1:]:
        if line.strip() and not is_cell_row(line):
            group = _slice(table, offset, offset + len(line))
        offset += len(line) + 1
    return _concat(_concat(header, group) if group else header, piece)


def row_spans(text: str) -> list[tuple[int, int]]:
    """A table passage's units: its non-empty lines (rows)."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((pos, pos + len(line)))
        pos += len(line) + 1
    return spans


def _cut_long(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """A unit of more than limit words, cut at word boundaries into pieces of limit words."""
    segment = text[start:end]
    if _word_count(segment) <= limit:
        return [(start, end)]
    cuts: list[tuple[int, int]] = []
    words = 0
    piece_start = start
    pos = start
    for word in segment.split():
        pos = text.index(word, pos)
        if words == limit:
            cuts.append((piece_start, _rstrip_end(text, piece_start, pos)))
            piece_start, words = pos, 0
        words += 1
        pos += len(word)
    cuts.append((piece_start, end))
    return cuts


def _rstrip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _slice(passage: Passage, start: int, end: int) -> Passage:
    """passage.text[start:end] as a passage whose word spans point into the new text."""
    while start < end and passage.text[start].isspace():
        start += 1
    end = _rstrip_end(passage.text, start, end)
    words = tuple(
        WordSpan(w.start - start, w.end - start, w.box) for w in passage.words if w.start >= start and w.end <= end
    )
    page = words[0].box.page if words else passage.page
    return Passage(
        paper_id=passage.paper_id,
        ordinal=passage.ordinal,
        text=passage.text[start:end],
        page=page,
        section=passage.section,
        kind=passage.kind,
        words=words,
    )


# ---- merging


def _merge_small(pieces: list[Passage], max_words: int) -> list[Passage]:
    """Join a piece under a quarter of max_words to its neighbour of the same section and kind."""
    small = max(1, max_words // 4)
    out: list[Passage] = []
    for piece in pieces:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.section == piece.section
            and prev.kind == piece.kind
            and piece.kind not in (PassageKind.TITLE, PassageKind.HEADING)
            and (_word_count(prev.text) < small or _word_count(piece.text) < small)
            and _word_count(prev.text) + _word_count(piece.text) <= max_words
        ):
            out[-1] = _concat(prev, piece)
        else:
            out.append(piece)
    return out


def _concat(first: Passage, second: Passage) -> Passage:
    offset = len(first.text) + len(MERGE_SEPARATOR)
    moved = tuple(WordSpan(w.start + offset, w.end + offset, w.box) for w in second.words)
    return Passage(
        paper_id=first.paper_id,
        ordinal=first.ordinal,
        text=first.text + MERGE_SEPARATOR + second.text,
        page=first.page,
        section=first.section,
        kind=first.kind,
        words=first.words + moved,
    )


def _with_ordinal(passage: Passage, ordinal: int) -> Passage:
    if passage.ordinal == ordinal:
        return passage
    return Passage(passage.paper_id, ordinal, passage.text, passage.page, passage.section, passage.kind, passage.words)
