"""Exports of a chat: a Markdown transcript with citations and the paper with every citation highlighted.

Paper text is data, never markup: everything taken from a paper or an answer goes through
escape_markdown before it joins Markdown, here and in the UI.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from papertrail.history import ChatTurn
from papertrail.models import Box, Evidence, Paper
from papertrail.pdf.render import annotate_pdf

# Characters that start Markdown or Streamlit syntax anywhere in a line: emphasis, code, links,
# raw HTML, tables, strikethrough and LaTeX ($).
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~$])")
# Streamlit turns :emoji: and :red[colour] into markup unless their colons are escaped, and
# :material/icon: even then, so that one is broken with an invisible word joiner.
_MATERIAL_ICON = re.compile(r":(?=material/)")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# Headings, lists, quotes and rules are only syntax at the start of a line.
_LINE_START = re.compile(r"^([ \t]*)([#>+=-]|\d+(?=[.)](?:\s|$)))", re.MULTILINE)
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def escape_markdown(text: str) -> str:
    """Text that renders literally in Markdown (st.markdown, .md files) and stays readable as a raw file."""
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _MATERIAL_ICON.sub(":\u2060", text).replace(":", "\\:")
    text = _ENTITY.sub(r"\\&", text)
    return _LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker.isdigit():  # "1. text" would become a numbered list: escape the dot or parenthesis after it
        return f"{indent}{marker}\\"
    return f"{indent}\\{marker}"


def quote_markdown(text: str) -> str:
    """An escaped block quote; every line is quoted so a paragraph break cannot end the quote."""
    return "\n".join(f"> {escape_markdown(line)}" if line.strip() else ">" for line in text.splitlines() or [""])


def safe_filename(title: str, suffix: str, fallback: str = "papertrail") -> str:
    """A download name built from a paper title; letters and digits only, so it is never a path."""
    stem = _FILENAME_UNSAFE.sub("-", title).strip("-")[:60].strip("-")
    return f"{stem or fallback}{suffix}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def format_timestamp(iso: str) -> str:
    """'2025-01-31 14:05 UTC' from a stored ISO 8601 UTC time; anything unparsable is shown as it is."""
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso


def citation_label(evidence: Evidence, titles: Mapping[str, str]) -> str:
    """Plain text: 'Title, p. 3'."""
    return f"{titles.get(evidence.paper_id, evidence.paper_id)}, p. {evidence.page}"


def chat_markdown(turns: Sequence[ChatTurn], papers: Sequence[Paper]) -> str:
    """The chat as a Markdown document: each question, the verdict, the answer and its numbered citations."""
    titles = {p.id: p.title for p in papers}
    lines = [
        "# PaperTrail chat",
        "",
        f"Exported {format_timestamp(datetime.now(UTC).isoformat())}, {plural(len(turns), 'question')} about:",
        "",
    ]
    lines += [
        f"- **{escape_markdown(p.title)}** ({escape_markdown(p.filename)}, {plural(p.pages, 'page')})" for p in papers
    ]
    for number, turn in enumerate(turns, start=1):
        answer = turn.answer
        verdict = answer.verdict
        lines += ["", f"## {number}\\. {escape_markdown(answer.question)}", ""]
        if verdict.uncertain:
            guess = "an answer" if verdict.answerable else "not in the paper"
            lines.append(
                f"**Uncertain**: check the passages below (best guess {guess}, confidence {verdict.confidence:.0%})."
            )
            lines += ["", escape_markdown(answer.text)]
        elif verdict.answerable:
            lines.append(f"**Answer** (confidence {verdict.confidence:.0%}):")
            lines += ["", escape_markdown(answer.text)]
        else:
            lines.append(f"**Unanswerable**: the paper does not say (confidence {verdict.confidence:.0%}).")
            if answer.text:
                lines += ["", f"*{escape_markdown(answer.text)}*"]
        if verdict.reasons:
            lines += ["", "Why:", ""] + [f"- {escape_markdown(reason)}" for reason in verdict.reasons]
        if answer.evidence:
            heading = "Citations" if verdict.answerable else "Closest passages (they do not answer the question)"
            lines += ["", f"{heading}:", ""]
            for index, evidence in enumerate(answer.evidence, start=1):
                label = escape_markdown(citation_label(evidence, titles))
                lines += [f"{index}\\. {label} (score {evidence.score:.2f})", "", quote_markdown(evidence.text), ""]
        lines.append(f"*Asked {format_timestamp(turn.asked_at)}, answered by {escape_markdown(answer.backend)}.*")
    return "\n".join(lines).rstrip() + "\n"


def citation_highlights(turns: Sequence[ChatTurn], paper_id: str) -> list[tuple[Box, str]]:
    """Every line box the chat's answers cite in one paper, each with a note naming the question(s).

    Passages behind an 'unanswerable' verdict are not citations (they did not answer), so they are
    left out. A span cited by several questions is highlighted once, with all the questions in its note.
    """
    questions_by_span: dict[tuple[str, int, int], list[str]] = {}
    evidence_by_span: dict[tuple[str, int, int], Evidence] = {}
    for turn in turns:
        if not turn.answer.verdict.answerable:
            continue
        for evidence in turn.answer.evidence:
            if evidence.paper_id != paper_id:
                continue
            span = (evidence.passage.id, evidence.start, evidence.end)
            evidence_by_span.setdefault(span, evidence)
            questions = questions_by_span.setdefault(span, [])
            if turn.answer.question not in questions:
                questions.append(turn.answer.question)
    highlights: list[tuple[Box, str]] = []
    for span, evidence in evidence_by_span.items():
        note = "\n".join(f"Q: {question}" for question in questions_by_span[span])
        highlights += [(box, note) for box in evidence.boxes]
    return highlights


def annotated_pdf(pdf_path: Path, turns: Sequence[ChatTurn], paper_id: str) -> bytes:
    """The stored paper with every span the chat cites as a real PDF highlight annotation."""
    return annotate_pdf(pdf_path, citation_highlights(turns, paper_id))
