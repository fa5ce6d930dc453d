"""Chunking: sentence boundaries, splitting and merging rules, exact word offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from papertrail.models import Box, Passage, PassageKind, WordSpan
from papertrail.pdf.chunk import chunk, sentence_spans
from papertrail.pdf.extract import extract
from tests import pdf_factory as factory


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Smith et al. (2019) found more birds. Counts fell (p < 0.05). We used 3.5 m poles.",
            ["Smith et al. (2019) found more birds.", "Counts fell (p < 0.05).", "We used 3.5 m poles."],
        ),
        (
            "Species differ, e.g. in size, i.e. mass. See Fig. 3 for details. Eq. 2 holds too.",
            ["Species differ, e.g. in size, i.e. mass.", "See Fig. 3 for details.", "Eq. 2 holds too."],
        ),
        (
            "This was shown by Jones et al. Later work disagreed! Did it? Yes.",
            ["This was shown by Jones et al.", "Later work disagreed!", "Did it?", "Yes."],
        ),
        (
            'He said "Stop." Then he left. J. R. Smith wrote it. Values were 0.05 and 1.2.',
            ['He said "Stop."', "Then he left.", "J. R. Smith wrote it.", "Values were 0.05 and 1.2."],
        ),
        ("No final stop here", ["No final stop here"]),
        ("  padded.   Text.  ", ["padded.", "Text."]),
        ("", []),
    ],
)
def test_sentence_spans(text: str, expected: list[str]) -> None:
    assert _sentences(text) == expected


def _passage(text: str, *, section: str = "Methods", kind: PassageKind = PassageKind.BODY, page: int = 1) -> Passage:
    """A passage whose words each have a distinct box (x encodes the character offset)."""
    words = []
    pos = 0
    for word in text.split():
        start = text.index(word, pos)
        pos = start + len(word)
        words.append(WordSpan(start, pos, Box(page, float(start), 10.0, float(pos), 20.0)))
    return Passage("doc", 0, text, page, section, kind, tuple(words))


def _sentence(i: int) -> str:
    return f"Sentence number {i} reports a measured value of {i}.5 units for the sample."


def _check_offsets(original: Passage, piece: Passage) -> None:
    """Every word of a chunk still maps to the original word with the same box."""
    by_box = {w.box: original.text[w.start : w.end] for w in original.words}
    for w in piece.words:
        assert piece.text[w.start : w.end] == by_box[w.box]


def test_long_paragraph_splits_at_sentence_ends() -> None:
    original = _passage(" ".join(_sentence(i) for i in range(20)))  # 260 words
    pieces = chunk([original], max_words=60)
    assert len(pieces) > 1
    assert " ".join(p.text for p in pieces) == original.text
    for piece in pieces:
        assert len(piece.text.split()) <= 60
        assert piece.text.startswith("Sentence number") and piece.text.endswith("sample.")
        _check_offsets(original, piece)


def test_boxes_for_a_phrase_are_the_same_after_chunking() -> None:
    original = _passage(" ".join(_sentence(i) for i in range(20)))
    phrase = "value of 17.5 units"
    start = original.text.index(phrase)
    expected = original.boxes_for(start, start + len(phrase))
    piece = next(p for p in chunk([original], max_words=60) if phrase in p.text)
    at = piece.text.index(phrase)
    assert piece.boxes_for(at, at + len(phrase)) == expected


def test_tiny_neighbours_merge_within_section_and_kind_only() -> None:
    passages = [
        _passage("A short first paragraph."),
        _passage("A short second paragraph."),
        _passage("A short paragraph of another section.", section="Results"),
        _passage("Figure 1: a caption.", section="Results", kind=PassageKind.CAPTION),
        _passage("Another short paragraph.", section="Results"),
    ]
    pieces = chunk(passages, max_words=120)
    assert [p.text for p in pieces] == [
        "A short first paragraph.\nA short second paragraph.",
        "A short paragraph of another section.",
        "Figure 1: a caption.",
        "Another short paragraph.",
    ]
    assert [p.ordinal for p in pieces] == [0, 1, 2, 3]
    merged = pieces[0]
    second = merged.text.index("A short second")
    assert merged.text[merged.words[4].start : merged.words[4].end] == "A"
    assert merged.words[4].start == second


def test_headings_are_never_merged() -> None:
    passages = [_passage("2 Methods", kind=PassageKind.HEADING), _passage("Short text.")]
    assert len(chunk(passages)) == 2


def test_a_huge_sentence_is_cut_at_word_boundaries() -> None:
    original = _passage(" ".join(f"word{i}" for i in range(300)))  # no sentence end at all
    pieces = chunk([original], max_words=50)
    assert all(len(p.text.split()) <= 100 for p in pieces)
    assert " ".join(p.text for p in pieces) == original.text
    for piece in pieces:
        _check_offsets(original, piece)


def test_tables_split_at_row_boundaries() -> None:
    rows = [f"row{i} {i}.1 {i}.2 {i}.3" for i in range(40)]  # 160 words
    text = "\n".join(rows)
    original = _passage(text, kind=PassageKind.TABLE)
    pieces = chunk([original], max_words=50)
    assert len(pieces) > 1
    for piece in pieces:
        assert all(line in rows for line in piece.text.split("\n"))
        _check_offsets(original, piece)


def test_later_pieces_of_a_table_carry_its_column_headers_and_row_group() -> None:
    header = "(Table 1) Site | Area (ha) | Species"
    rows = [f"Site {i} | {i}.5 | {20 + i}" for i in range(30)]
    original = _passage("\n".join([header, *rows[:12], "Northern plots", *rows[12:]]), kind=PassageKind.TABLE)
    pieces = chunk([original], max_words=50)
    assert len(pieces) > 2 and pieces[0].text.startswith(header)
    for piece in pieces[1:]:
        lines = piece.text.split("\n")
        assert lines[0] == header
        # rows under the group line are read with it
        assert ("Northern plots" in lines) == (int(lines[-1].split()[1]) >= 12), lines
        _check_offsets(original, piece)  # the repeated header highlights where it is printed
    assert not any(p.text.endswith("Northern plots") for p in pieces)  # it goes with the rows it names
    # every row is in exactly one piece
    assert sorted(ln for p in pieces for ln in p.text.split("\n") if ln.startswith("Site ")) == sorted(rows)


def test_chunking_an_extracted_paper_keeps_its_sentences(tmp_path: Path) -> None:
    paper = extract(factory.make_two_column_paper(tmp_path / "paper.pdf"), "p")
    pieces = chunk(paper.passages, max_words=40)
    texts = [" ".join(p.text.split()) for p in pieces]
    for sentence in (factory.COLUMN_SENTENCE, factory.PAGE_SENTENCE, factory.MID_CAPTION_SENTENCE):
        assert any(sentence in t for t in texts)
    assert [p.ordinal for p in pieces] == list(range(len(pieces)))
    sections = [p.section for p in pieces]
    assert sections.index("2 Methods") > sections.index("1 Introduction")
    page_piece = next(p for p in pieces if "carries on at the top" in p.text)
    assert page_piece.pages == [1, 2]
