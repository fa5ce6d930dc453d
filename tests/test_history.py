"""Chat history persistence and the chat exports (Markdown transcript, annotated PDF)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pymupdf
import pytest

from papertrail.history import ChatHistory, answer_from_dict, answer_to_dict, paper_set_key
from papertrail.models import Answer, Box, Evidence, Paper, Passage, PassageKind, Verdict, WordSpan


def _passage(paper_id: str = "p1", ordinal: int = 3, page: int = 2) -> Passage:
    text = "We trained the model for 50 epochs on a GPU."
    words, cursor = [], 0
    for number, word in enumerate(text.split()):
        start = text.index(word, cursor)
        cursor = start + len(word)
        words.append(WordSpan(start, cursor, Box(page, 72 + 30 * number, 100, 100 + 30 * number, 112)))
    return Passage(paper_id, ordinal, text, page, "Method", PassageKind.BODY, tuple(words))


def _answer(question: str = "How many epochs?", answerable: bool = True, paper_id: str = "p1") -> Answer:
    passage = _passage(paper_id)
    evidence = (Evidence(passage, 15, 34, 0.81),)
    verdict = Verdict(answerable, 0.87 if answerable else 0.6, ("the passage states it",) if answerable else ())
    text = "50 epochs" if answerable else "Looked for: rainfall at the field site."
    return Answer(question, text, verdict, evidence, "extractive", (paper_id,))


def _paper(paper_id: str = "p1", title: str = "Compact *transformers* [v2]") -> Paper:
    return Paper(paper_id, title, "A. Author", 4, "f" * 64, "paper.pdf", "2025-01-01T00:00:00+00:00", 12)


def test_answer_json_round_trip_keeps_the_exact_highlight_boxes():
    answer = _answer()
    restored = answer_from_dict(answer_to_dict(answer))
    assert restored == answer
    assert restored.evidence[0].boxes == answer.evidence[0].boxes and restored.evidence[0].text == "model for 50 epochs"


def test_history_is_per_paper_set_in_any_order_and_survives_a_restart(tmp_path: Path):
    store = ChatHistory(tmp_path / "history.sqlite")
    store.add(_answer("first"), ["p1"])
    store.add(_answer("both", paper_id="p2"), ["p2", "p1"])
    store.add(_answer("second"), ["p1"])

    reopened = ChatHistory(tmp_path / "history.sqlite")  # a new process sees the same chats
    assert [t.answer.question for t in reopened.turns(["p1"])] == ["first", "second"]
    assert [t.answer.question for t in reopened.turns(["p1", "p2"])] == ["both"]
    assert reopened.turns(["p2"]) == []
    assert reopened.turns(["p1"])[1].answer == _answer("second")
    assert paper_set_key(["b", "a", "b"]) == "a,b"


def test_last_paper_set_is_remembered_and_clear_only_touches_one_chat(tmp_path: Path):
    store = ChatHistory(tmp_path / "history.sqlite")
    assert store.last_paper_set() == ()
    store.remember_paper_set(["p2", "p1"])
    store.remember_paper_set(["p3"])
    assert ChatHistory(tmp_path / "history.sqlite").last_paper_set() == ("p3",)
    store.add(_answer(), ["p1"])
    store.add(_answer(), ["p3"])
    assert store.clear(["p1"]) == 1
    assert store.turns(["p1"]) == [] and len(store.turns(["p3"])) == 1


def test_concurrent_sessions_lose_no_turn(tmp_path: Path):
    store = ChatHistory(tmp_path / "history.sqlite")
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: store.add(_answer(f"q{n}"), ["p1"]), range(80)))
    assert sorted(t.answer.question for t in store.turns(["p1"])) == sorted(f"q{n}" for n in range(80))


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a *b* _c_ `d`", r"a \*b\* \_c\_ \`d\`"),
        ("[link](http://x)", r"\[link\](http\://x)"),
        ("<script>alert(1)</script>", r"\<script\>alert(1)\</script\>"),
        ("costs $5 and $x^2$", r"costs \$5 and \$x^2\$"),
        (":red[alarm] :smile:", r"\:red\[alarm\] \:smile\:"),
        (":material/home:", "\\:\u2060material/home\\:"),
        ("# Heading\n1. item\n- bullet\n> quote", "\\# Heading\n1\\. item\n\\- bullet\n\\> quote"),
        ("3.5 GHz, 50 epochs.", "3.5 GHz, 50 epochs."),
        ("&amp; and a | b ~~c~~", r"\&amp; and a \| b \~\~c\~\~"),
    ],
)
def test_escape_markdown_keeps_paper_text_literal(raw: str, escaped: str):
    from papertrail.export import escape_markdown

    assert escape_markdown(raw) == escaped


def test_markdown_export_has_verdicts_answers_and_numbered_citations(tmp_path: Path):
    from papertrail.export import chat_markdown

    store = ChatHistory(tmp_path / "history.sqlite")
    store.add(_answer("How many *epochs*?"), ["p1"])
    store.add(_answer("What was the rainfall?", answerable=False), ["p1"])
    markdown = chat_markdown(store.turns(["p1"]), [_paper()])

    assert markdown.startswith("# PaperTrail chat")
    assert r"**Compact \*transformers\* \[v2\]** (paper.pdf, 4 pages)" in markdown
    assert r"## 1\. How many \*epochs\*?" in markdown
    assert "**Answer** (confidence 87%):" in markdown
    assert r"1\. Compact \*transformers\* \[v2\], p. 2 (score 0.81)" in markdown
    assert "> model for 50 epochs" in markdown
    assert "**Unanswerable**: the paper does not say" in markdown
    assert "Closest passages (they do not answer the question):" in markdown


def test_citation_highlights_merge_repeated_spans_and_skip_unanswerable_turns(tmp_path: Path):
    from papertrail.export import citation_highlights

    store = ChatHistory(tmp_path / "history.sqlite")
    store.add(_answer("How many epochs?"), ["p1"])
    store.add(_answer("How long was training?"), ["p1"])
    store.add(_answer("Rainfall?", answerable=False), ["p1"])
    highlights = citation_highlights(store.turns(["p1"]), "p1")
    cited_boxes = _answer().evidence[0].boxes
    assert [box for box, _ in highlights] == cited_boxes
    assert all(note == "Q: How many epochs?\nQ: How long was training?" for _, note in highlights)
    assert citation_highlights(store.turns(["p1"]), "other-paper") == []


def test_annotated_pdf_holds_a_highlight_per_cited_line(tmp_path: Path, chat_paper_pdf: Path, library):
    from papertrail.export import annotated_pdf

    paper = library.ingest(chat_paper_pdf).paper
    passage = next(p for p in library.passages(paper.id) if "50 epochs" in p.text)
    start = passage.text.index("We trained")
    evidence = Evidence(passage, start, passage.text.index("GPU.") + 4, 0.9)
    store = ChatHistory(tmp_path / "history.sqlite")
    store.add(Answer("How many epochs?", evidence.text, Verdict(True, 0.9), (evidence,)), [paper.id])

    pdf_bytes = annotated_pdf(library.pdf_path(paper.id), store.turns([paper.id]), paper.id)
    with pymupdf.open(stream=pdf_bytes, filetype="pdf") as doc:
        # Read each annotation while its page is alive: PyMuPDF annotations die with their page.
        found = [
            (page.number + 1, annot.type[1], annot.info["content"], page.get_textbox(annot.rect))
            for page in doc
            for annot in page.annots()
        ]
    assert len(found) == len({box.page for box in evidence.boxes}) >= 1  # one annotation per page and note
    assert all(kind == "Highlight" and "How many epochs?" in note for _, kind, note, _ in found)
    assert found[0][0] == evidence.page and "trained" in found[0][3]


def test_safe_filename_never_yields_a_path():
    from papertrail.export import safe_filename

    assert safe_filename("../../etc/passwd", ".pdf") == "etc-passwd.pdf"
    assert safe_filename("Élan: a *study*", ".md") == "lan-a-study.md"
    assert safe_filename("///", ".md") == "papertrail.md"
