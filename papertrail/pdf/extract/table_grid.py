"""Table structure: the rows of a table passage read as cells under row and column headers.

Layout finds where a table is (tables.py); here its words are put in a grid. Columns are the
x-extents of the cells of its body rows (word runs split by gaps wider than a word space), which is
what readers see as columns. Leading rows that are not numbers are header levels: a header cell
covers the columns under it, and an upper level spans ("Experiment 1" over "P F1" prefixes both).
The first column, when it holds names, is the row header; a row with only that cell filled heads a
group.

PyMuPDF's find_tables was measured on the 69 labelled tables of the 25 shared papers and is not
used: "lines" (run clipped to each table) found a grid in 10, with fewer columns than the text
shows in 9, and doubled extraction time (18 -> 34 ms/page); "text" cut numbers apart ("0934\n.").

Each row becomes one line, its cells in column order between "|" (an empty cell stays empty, so a
cell's position names its column); the first line is the table's label and column headers:
    (Table 2) Model | Experiment 1 P | Experiment 1 F1 | Experiment 2 P | Experiment 2 F1
    DNN | 0.88 | 0.91 | 0.79 | 0.83
This keeps the tokens a reader (and the answering engine) saw before, and table_cells() reads a
passage back into column headers and cells with their text offsets: Passage.boxes_for on a cell,
its row's first cell and its column's header highlights the cell and its headers on the page.
Every word keeps its own box; a row that only names a group of rows stays a line of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from papertrail.models import Passage, PassageKind
from papertrail.pdf.extract.blocks import Row
from papertrail.pdf.extract.lines import Word
from papertrail.pdf.extract.stitch import Draft

MAX_HEADER_LEVELS = 3
CAPTION_REACH = 4.0  # in ems: a caption further from a table than this names another one
CELL_GAP = 0.7  # in ems: wider than a word space (about 0.3), narrower than the gap between cells
CELL_SEPARATOR = "|"
_LABEL_PREFIX = re.compile(r"^\([^)]*\)\s*")
_TABLE_LABEL = re.compile(r"^(T\s?A\s?B\s?L\s?E|Table|Tab\.)\s*([A-Z]?\d+[a-z]?|[IVXLC]+)\b", re.IGNORECASE)
_OPEN_END = re.compile(r"(?:[-–+&/,]|\b(?:and|or|of|with|without|for|in|on|to|the|a))$", re.IGNORECASE)
_NUMERIC = re.compile(r"^[-+−±(<>~≤≥]?\d[\d.,%)×x*±−]*$|^[-–—]$|^n/?a$", re.IGNORECASE)


def is_cell_row(line: str) -> bool:
    """Is this line of a table passage a row of values ("DNN | 0.88 | 0.91"), not a header?"""
    cells = line.split(" | ")
    return len(cells) >= 2 and any(_numeric_cell(c) for c in cells[1:])


@dataclass
class Cell:
    words: list[Word]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)


Line = list[tuple[Word, int]]  # a serialised line: words with the page each is printed on


def _row_cells(row: Row) -> list[Cell]:
    """Runs of words separated by gaps wider than a word space (cells are set an em or more apart)."""
    cells: list[Cell] = []
    for word in row.words:
        if cells and word.x0 - cells[-1].words[-1].x1 <= CELL_GAP * row.size:
            cells[-1].words.append(word)
        else:
            cells.append(Cell([word]))
    return cells


def _columns(body: list[list[Cell]]) -> list[tuple[float, float]]:
    """Column extents: the union of overlapping body cells, left to right."""
    spans = sorted((c.x0, c.x1) for row in body for c in row)
    columns: list[list[float]] = []
    for x0, x1 in spans:
        if columns and x0 <= columns[-1][1] + 1.0:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return [(a, b) for a, b in columns]


def _columns_covered(cell: Cell, columns: list[tuple[float, float]]) -> list[int]:
    """The columns a cell stands over (a spanning header covers several)."""
    covered = [
        j
        for j, (a, b) in enumerate(columns)
        if min(cell.x1, b) - max(cell.x0, a) >= 0.25 * min(b - a, cell.x1 - cell.x0)
        or a <= (cell.x0 + cell.x1) / 2 <= b
    ]
    if covered:
        return covered
    centre = (cell.x0 + cell.x1) / 2
    return [min(range(len(columns)), key=lambda j: abs((columns[j][0] + columns[j][1]) / 2 - centre))]


def _gap_to(cell: Cell, column: tuple[float, float]) -> float:
    return max(0.0, column[0] - cell.x1, cell.x0 - column[1])


def _in_columns(row: Row, columns: list[tuple[float, float]]) -> list[list[Word]]:
    """A body row's words put in the column whose extent holds (or is nearest) each word's centre."""
    out: list[list[Word]] = [[] for _ in columns]
    for word in row.words:
        centre = (word.x0 + word.x1) / 2
        j = min(
            range(len(columns)),
            key=lambda k: (
                0.0
                if columns[k][0] <= centre <= columns[k][1]
                else min(abs(centre - columns[k][0]), abs(centre - columns[k][1]))
            ),
        )
        out[j].append(word)
    return out


def _copy(word: Word, text: str | None = None) -> Word:
    return Word(word.text if text is None else text, word.x0, word.y0, word.x1, word.y1)


def grid_lines(rows: list[Row], pages: list[int]) -> list[Line] | None:
    """The table's lines (column headers, then one per row, cells between "|") with word boxes, or
    None when no grid is clear (fewer than two rows of values or two columns): rows stay as printed."""
    cells = [_row_cells(r) for r in rows]
    first_body = next((i for i in range(len(rows)) if _body_like(cells[i])), None)
    if first_body is None:
        return None
    body_rows = [i for i in range(first_body, len(rows)) if len(cells[i]) >= 2]
    if len(body_rows) < 2:
        return None
    columns = _columns([cells[i] for i in body_rows])
    if len(columns) < 2:
        return None
    header_rows = list(range(max(0, first_body - MAX_HEADER_LEVELS), first_body))
    headers: list[list[Word]] = [[] for _ in columns]
    for level, i in enumerate(header_rows):
        covered: dict[int, list[Word]] = {}
        for cell in cells[i]:
            for j in _columns_covered(cell, columns):
                covered.setdefault(j, []).extend(cell.words)
        spanning = [c for c in cells[i] if 0 not in _columns_covered(c, columns)]
        if level < len(header_rows) - 1 and spanning:
            # An upper level spans: a column under no cell of it takes the nearest (not the names column's).
            for j in range(1, len(columns)):
                if j not in covered:
                    nearest = min(spanning, key=lambda c: _gap_to(c, columns[j]))
                    if _gap_to(nearest, columns[j]) < 3 * (columns[j][1] - columns[j][0]) + 6:
                        covered[j] = list(nearest.words)
        for j, words in covered.items():
            headers[j].extend(words)
    repeated = {" ".join(r.text.split()) for r in (rows[i] for i in header_rows)}
    lines: list[Line] = []
    if any(headers):
        lines.append(_cells_line([[(_copy(w), pages[header_rows[0]]) for w in h] for h in headers]))
    name = ""  # the row name of the last row of values
    for i in range(first_body, len(rows)):
        if " ".join(rows[i].text.split()) in repeated:
            continue  # a header repeated where the table continues on the next page
        cells_words = _in_columns(rows[i], columns)
        if len(cells[i]) == 1 and not _numeric_cell(cells[i][0].text):  # a line naming the rows under it
            cells_words = [cells[i][0].words] + [[] for _ in columns[1:]]
        if not any(cells_words[1:]):
            if cells_words[0] and _unfinished(name):  # the row's name wraps onto this line
                at = next(k for k, (w, _) in enumerate(lines[-1]) if w.text == CELL_SEPARATOR)
                lines[-1][at:at] = [(w, pages[i]) for w in cells_words[0]]
                name += " " + " ".join(w.text for w in cells_words[0])
            elif cells_words[0]:
                lines.append([(w, pages[i]) for w in cells_words[0]])  # a row naming the group under it
                name = ""
            continue
        lines.append(_cells_line([[(w, pages[i]) for w in ws] for ws in cells_words]))
        name = " ".join(w.text for w in cells_words[0])
    return lines


def _unfinished(name: str) -> bool:
    """A row name that goes on: cut at a hyphen or a connective, or a bracket left open."""
    return bool(_OPEN_END.search(name)) or name.count("(") > name.count(")") or name.count("[") > name.count("]")


def _cells_line(cells: list[Line]) -> Line:
    """One line of cells, "|" between each two (an empty cell stays, so positions name columns);
    a separator takes the box of the word before it (at a line's start, of its first word)."""
    filled = [cell for cell in cells if cell]
    if not filled:
        return []
    line: Line = []
    for j, cell in enumerate(cells):
        if j:
            word, page = line[-1] if line else filled[0][0]
            line.append((_copy(word, CELL_SEPARATOR), page))
        line.extend(cell)
    return line


def _line_cells(line: str, offset: int) -> list[tuple[str, int, int]]:
    """The cells of one "a | b | c" line as (text, start, end), offsets into the passage text."""
    cells, pos = [], 0
    for part in line.split("|"):
        lead = len(part) - len(part.lstrip())
        cells.append((part.strip(), offset + pos + lead, offset + pos + lead + len(part.strip())))
        pos += len(part) + 1
    return cells


def header_cells(text: str) -> list[tuple[str, int, int]]:
    """The column headers of a table passage as (text, start, end); the first keeps its "(Table N)"
    label. Empty when the first line is a row of values or the table is kept as printed."""
    first = text.split("\n", 1)[0]
    return _line_cells(first, 0) if " | " in first and not is_cell_row(first) else []


def table_cells(text: str) -> tuple[list[str], list[list[tuple[str, int, int]]]]:
    """The column headers of a table passage's text and its rows as (cell text, start, end) per
    column (start/end index the passage text, for Passage.boxes_for). Rows that name a group and
    tables kept as printed (no "|" lines) give no cells."""
    header = header_cells(text)
    rows: list[list[tuple[str, int, int]]] = []
    offset = 0
    for number, line in enumerate(text.split("\n")):
        if " | " in line and not (number == 0 and header):
            rows.append(_line_cells(line, offset))
        offset += len(line) + 1
    return [_LABEL_PREFIX.sub("", cell) for cell, _, _ in header], rows


def label_and_join_tables(drafts: list[Draft]) -> list[Draft]:
    """Each table takes its number from the nearest "Table N" caption on its page (captions stay
    passages of their own); header fragments set apart by layout rejoin the rows under them; a table
    that runs off the foot of a page and resumes at the top of the next, with no caption of its own,
    is one table."""
    drafts = _rejoin_header_fragments(drafts)
    captions = [d for d in drafts if d.kind == PassageKind.CAPTION and _TABLE_LABEL.match(d.text)]
    tables = [d for d in drafts if d.kind == PassageKind.TABLE and _has_body(d)]
    pairs = sorted(
        (_caption_distance(c, t), ci, ti)
        for ci, c in enumerate(captions)
        for ti, t in enumerate(tables)
        if t.page == c.page
        and not re.search(r"\bcontinued\b", c.text, re.IGNORECASE)
        and _caption_distance(c, t) <= CAPTION_REACH * t.rows[0].size
    )
    used_captions: set[int] = set()
    for _, ci, ti in pairs:  # nearest pairs first, each caption and table used once
        if ci in used_captions or tables[ti].label:
            continue
        used_captions.add(ci)
        tables[ti].label = _label_words(captions[ci])
    tops: dict[int, float] = {}
    bottoms: dict[int, float] = {}
    for d in drafts:
        if d.kind == PassageKind.FOOTNOTE:
            continue
        for row, page in zip(d.rows, d.row_pages, strict=True):
            tops[page] = min(tops.get(page, row.y0), row.y0)
            bottoms[page] = max(bottoms.get(page, row.y1), row.y1)
    out: list[Draft] = []
    last_table: Draft | None = None
    for d in drafts:
        if (
            d.kind == PassageKind.TABLE
            and last_table is not None
            and (_continues(last_table, d, tops, bottoms) or _resumes(last_table, d, out[-1]))
        ):
            last_table.rows.extend(d.rows)
            last_table.row_pages.extend(d.row_pages)
            continue
        if d.kind == PassageKind.TABLE:
            last_table = d
        out.append(d)
    return out


def _label_words(caption: Draft) -> list[Word]:
    """The caption's words that say "Table 2" (or "TA B LE 1")."""
    match = _TABLE_LABEL.match(caption.text)
    words: list[Word] = []
    length = 0
    for word in caption.rows[0].words:
        if match is None or length >= match.end():
            break
        words.append(word)
        length += len(word.text) + 1
    return words


def _has_body(draft: Draft) -> bool:
    return sum(1 for r in draft.rows if _body_like(_row_cells(r))) >= 2


def _numeric_cell(text: str) -> bool:
    """A value: numbers, with at most signs and brackets around them ("0.91 ± 0.01", "(0.000)")."""
    tokens = text.split()
    numbers = [bool(_NUMERIC.match(t)) for t in tokens]
    return any(numbers) and all(n or not any(c.isalpha() for c in t) for n, t in zip(numbers, tokens, strict=True))


def _body_like(cells: list[Cell]) -> bool:
    """A row of values: at least half of its cells after the first are numbers."""
    values = cells[1:]
    return bool(values) and sum(_numeric_cell(c.text) for c in values) >= 0.5 * len(values)


def _rejoin_header_fragments(drafts: list[Draft]) -> list[Draft]:
    """A short run of non-numeric table rows right above a table's rows (a header layout set apart)."""
    out: list[Draft] = []
    for d in drafts:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.kind == d.kind == PassageKind.TABLE
            and prev.page == d.page == prev.row_pages[-1]
            and len(prev.rows) <= MAX_HEADER_LEVELS
            and not _has_body(prev)
            and _has_body(d)
            and 0 <= d.rows[0].y0 - prev.rows[-1].y1 < 2 * d.rows[0].size
        ):
            prev.rows.extend(d.rows)
            prev.row_pages.extend(d.row_pages)
            continue
        out.append(d)
    return out


def _caption_distance(caption: Draft, table: Draft) -> float:
    """Points between a caption and a table; one below the table counts a little further (captions
    sit above tables more often)."""
    if caption.rows[-1].y1 <= table.rows[0].y0 + 2:
        return table.rows[0].y0 - caption.rows[-1].y1
    return abs(caption.rows[0].y0 - table.rows[-1].y1) + table.rows[0].size


def _continues(table: Draft, nxt: Draft, tops: dict[int, float], bottoms: dict[int, float]) -> bool:
    end_page, start_page = table.row_pages[-1], nxt.row_pages[0]
    return (
        bool(table.label)
        and not nxt.label
        and start_page == end_page + 1
        and table.rows[-1].y1 >= bottoms[end_page] - 1
        and nxt.rows[0].y0 <= tops[start_page] + 1
    )


def _resumes(table: Draft, nxt: Draft, previous: Draft) -> bool:
    """An unlabelled table right under a labelled one on the same page, as wide and with rows as
    wide: the same table, resumed under a line that names its next group of rows."""
    above, below = table.rows[-1], nxt.rows[-1]  # rows of values of each
    return (
        previous is table
        and bool(table.label)
        and not nxt.label
        and nxt.row_pages[0] == table.row_pages[-1]
        and 0 <= nxt.rows[0].y0 - above.y1 < 3 * above.size
        and abs(below.x0 - above.x0) < above.size
        and abs(below.x1 - above.x1) < 2 * above.size
    )


def table_lines(draft: Draft) -> list[Line] | None:
    """A labelled table's lines (label and column headers first), or None to keep rows as printed."""
    if not draft.label:
        return None
    lines = grid_lines(draft.rows, draft.row_pages)
    if not lines:
        return None
    words = [_copy(w) for w in draft.label]  # "(Table 2)" before the column headers
    words[0].text = "(" + words[0].text
    words[-1].text = words[-1].text.rstrip(".:|—–-") + ")"
    label = [(w, draft.row_pages[0]) for w in words]
    return [label + lines[0], *lines[1:]]


# -- a table among its paper's passages: its caption, its column names, the table a question names

# "Table 2", "TABLE IV", "Tab. 3" and letter-spaced "T A B L E 1".
_TABLE_WORD = r"(?:Table|TABLE|Tab\.|T\s?A\s?B\s?L\s?E)"
# A caption passage may hold several captions, one per line ("Figure 2. ...\nTable 1. ...").
_TABLE_CAPTION = re.compile(rf"(?m)^\s*{_TABLE_WORD}\s*(?:[A-Z]?\d+|[IVXL]+\b)")


def _caption_index(passages: Sequence[Passage], i: int) -> int | None:
    """The "Table N" caption of the table passage at index i: the nearest one before it on its page
    (captions usually sit above tables), else the nearest after it."""
    table = passages[i]

    def is_caption(j: int) -> bool:
        p = passages[j]
        return p.page == table.page and p.paper_id == table.paper_id and bool(_TABLE_CAPTION.search(p.text))

    before = next((j for j in range(i - 1, max(-1, i - 5), -1) if is_caption(j)), None)
    if before is not None:
        return before
    return next((j for j in range(i + 1, min(len(passages), i + 4)) if is_caption(j)), None)


def table_caption(passages: Sequence[Passage], i: int) -> str:
    """The caption of the table passage at index i, with the short fragments between the caption and
    the rows (a caption cut short, column names split off by extraction)."""
    c = _caption_index(passages, i)
    if c is None:
        return ""
    first = _TABLE_CAPTION.search(passages[c].text)
    parts = [passages[c].text[first.start() :].strip() if first else passages[c].text]
    lo, hi = (c + 1, i) if c < i else (i + 1, c)
    for j in range(lo, hi):
        p = passages[j]
        if p.page == passages[i].page and (p.kind == PassageKind.TABLE or len(p.text.split()) <= 30):
            parts.append(p.text)
    if c < i and len(parts) == 1 and len(passages[c].text.split()) < 6 and c + 1 < len(passages):
        parts.append(passages[c + 1].text)
    return " ".join(" ".join(parts).split()[:80])


def table_header(passage: Passage) -> str:
    """The lines at the top of a table that are not mostly numbers: its column names."""
    out = []
    for line in passage.text.split("\n")[:4]:
        if mostly_numbers(line) or is_cell_row(line):
            break
        out.append(line.strip())
    return " ".join(out)


def mostly_numbers(line: str) -> bool:
    """A third of the line's words or more are values (as in a cell: "0.91", "±0.01", "n/a")."""
    tokens = line.split()
    return bool(tokens) and sum(bool(_NUMERIC.match(t)) for t in tokens) >= max(1, len(tokens) / 3)


def table_passages(ref: str, passages: Sequence[Passage]) -> list[str]:
    """Table passages whose caption is the table a question names ("Table 2", "Table I")."""
    label = re.escape(ref.split()[-1])
    caption = re.compile(rf"(?m)^\s*{_TABLE_WORD}\s*{label}\b")
    found = [
        p.id
        for i, p in enumerate(passages)
        if p.kind == PassageKind.TABLE and caption.search(table_caption(passages, i))
    ]
    # A caption set far from its rows (other floats in between): every table on the caption's page.
    pages = {(p.paper_id, p.page) for p in passages if p.kind == PassageKind.CAPTION and caption.search(p.text)}
    found += [
        p.id for p in passages if p.kind == PassageKind.TABLE and (p.paper_id, p.page) in pages and p.id not in found
    ]
    return found
