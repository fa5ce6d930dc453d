"""Drafts -> Passages (text and word spans, line-end hyphens resolved), and the title and authors."""

from __future__ import annotations

import re

from papertrail.models import Box, Passage, PassageKind, WordSpan
from papertrail.pdf.extract.lines import Word
from papertrail.pdf.extract.notation import OPEN_URL, join_hyphenated
from papertrail.pdf.extract.stitch import Draft
from papertrail.pdf.extract.table_grid import Line, table_lines


def to_passage(draft: Draft, paper_id: str, ordinal: int, vocabulary: set[str]) -> Passage:
    table = draft.kind == PassageKind.TABLE
    lines = table_lines(draft) if table else None
    if lines is None:  # as printed: one line per row
        lines = [[(w, page) for w in row.words] for row, page in zip(draft.rows, draft.row_pages, strict=True)]
    parts: list[str] = []
    spans: list[WordSpan] = []
    length = 0
    glue_next = False
    for row_index, line in enumerate(lines):
        last = len(line) - 1
        has_next_row = row_index + 1 < len(lines)
        for word_index, (word, page) in enumerate(line):
            if parts and not glue_next:
                sep = "\n" if table and word_index == 0 else " "
                parts.append(sep)
                length += 1
            glue_next = False
            text = word.text
            if word_index == last and has_next_row and not table and OPEN_URL.match(text):
                glue_next = True  # a URL broken at the line end continues on the next line, no space
            elif text.endswith("-") and (following := _next_printed_line(lines, row_index, word_index, table)):
                decision = join_hyphenated(word, following, vocabulary)
                if decision is not None:
                    glue_next = True
                    if decision:
                        text = text[:-1]
            end = length + len(text)
            spans.append(WordSpan(length, end, Box(page, word.x0, word.y0, word.x1, word.y1)))
            parts.append(text)
            length = end
    return Passage(
        paper_id=paper_id,
        ordinal=ordinal,
        text="".join(parts),
        page=draft.page,
        section=draft.section,
        kind=draft.kind,
        words=tuple(spans),
    )


def _next_printed_line(lines: list[Line], row_index: int, word_index: int, table: bool) -> Word | None:
    """The word that starts the next printed line after this one: the next row's first word for text;
    in a table, the next word of the cell when the cell wraps onto a line below."""
    line = lines[row_index]
    if table:
        word = line[word_index][0]
        following = line[word_index + 1][0] if word_index + 1 < len(line) else None
        return following if following is not None and following.y0 > (word.y0 + word.y1) / 2 else None
    return lines[row_index + 1][0][0] if word_index == len(line) - 1 and row_index + 1 < len(lines) else None


def renumber(passage: Passage, ordinal: int) -> Passage:
    if passage.ordinal == ordinal:
        return passage
    return Passage(passage.paper_id, ordinal, passage.text, passage.page, passage.section, passage.kind, passage.words)


def paper_title(passages: list[Passage], metadata: dict) -> str:
    for p in passages:
        if p.kind == PassageKind.TITLE:
            return " ".join(p.text.split())
    return (metadata.get("title") or "").strip()


_AFFILIATION = re.compile(
    r"\b(university|institute|department|school|laborator|college|cent(er|re)|faculty|academy)|@", re.IGNORECASE
)


def paper_authors(passages: list[Passage], metadata: dict) -> str:
    meta = (metadata.get("author") or "").strip()
    if meta:
        return ", ".join(part.strip() for part in re.split(r"\s*;\s*", meta) if part.strip())
    for i, p in enumerate(passages):
        if p.kind == PassageKind.TITLE and i + 1 < len(passages):
            nxt = passages[i + 1]
            if nxt.kind in (PassageKind.BODY, PassageKind.TABLE) and len(nxt.text.split()) <= 60:
                return _clean_author_line(nxt.text)
    return ""


def _clean_author_line(text: str) -> str:
    """Names without affiliation markers (1,2 * † ‡ α) or the affiliations that follow them."""
    cut = _AFFILIATION.search(text)
    if cut:
        text = text[: cut.start()]
        text = text[: text.rfind(" ")] if " " in text else text  # drop the word the affiliation began with
    text = re.sub(r"[*∗†‡§¶♠♢♡♣♦♥|]", " ", text)
    text = re.sub(r"(?<=[^\W\d_])[α-ω]+(,[α-ω]+)*", "", text)
    text = re.sub(r"\s*,?\s*\d+(,\d+)*,?", ", ", text)  # numbered affiliation markers separate names
    text = re.sub(r",\s*(and|&)\s", " and ", text)
    text = re.sub(r"\s+,", ",", text)
    text = re.sub(r"(,\s*){2,}", ", ", text)
    return " ".join(text.split()).strip(" ,&")
