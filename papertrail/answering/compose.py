"""The default, offline answer: the words of the paper, never a claim of our own.

A specific question gets the value (a number with its unit, a name, a URL) followed by the sentence
it comes from; a yes/no question gets "Yes." or "No." and the sentence; an open question gets the
sentence. Everything after the leading value or Yes/No is a verbatim quote of the cited evidence.
"""

from __future__ import annotations

import os
import re

from papertrail.answering.candidates import Sentence
from papertrail.answering.question import Question
from papertrail.answering.tables import TableReading, row_span
from papertrail.answering.text import stems_of_word
from papertrail.answering.values import Kind, Value, find
from papertrail.models import PassageKind
from papertrail.pdf.extract.table_grid import table_header

# Kinds whose value alone is a safe short answer; names are quoted in their sentence only.
SHORT_KINDS = frozenset(Kind) - {Kind.HARDWARE, Kind.SOFTWARE, Kind.MODEL, Kind.NAME}

_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|without|cannot|none|nothing|fail(?:s|ed)? to|unable to|lack(?:s|ed)?|"
    r"did ?n[o']t|does ?n[o']t|do ?n[o']t|is ?n[o']t|are ?n[o']t|was ?n[o']t|were ?n[o']t|could ?n[o']t|"
    r"rather than|instead of)\b|n't\b",
    re.I,
)
_RELATIVE_BEFORE = re.compile(r"\b(?:that|which|who|whom|whose|where)\s+(?:\w+\s+){0,2}$", re.I)
_ANAPHOR = re.compile(r"^(?:This|These|That|Those|It|They|Here|There|Such)\b")
_NEG_PREFIX = re.compile(r"^(?:un|in|im|il|ir|non|dis)(?=[a-z]{4,})")


def polarity(q: Question, s: Sentence) -> bool:
    """True for "Yes": the sentence states the question's predicate without negating it.

    A negation counts when it sits near a word of the question; a negated antonym ("not balanced"
    for "imbalanced") is a yes. "X rather than Y" / "instead of Y" negates Y only.
    """
    if _substituted(q, s):
        return False  # "Was a CNN used to estimate X?" - "an MLP was used to estimate X"
    q_stems = {st for t in q.terms for st in stems_of_word(t)}
    # the stems of asked antonyms: "balanced" for "imbalanced"
    prefixed = {stems_of_word(t.lower()[m.end() :])[0] for t in q.terms if (m := _NEG_PREFIX.match(t.lower()))}
    text = s.text
    negations = list(_NEGATION.finditer(text))
    if not negations:
        return not any(st in prefixed for st in s.stems)  # "balanced" asked as "imbalanced": no
    tokens = s.tokens
    for m in negations:
        # "ponds that were not used for training" describes the ponds; it does not deny the predicate
        if _RELATIVE_BEFORE.search(text[max(0, m.start() - 24) : m.start()]):
            continue
        # the words the negation governs: the next eight
        idx = next((i for i, t in enumerate(tokens) if t[1] >= m.end()), len(tokens))
        for _, _, _, stems in tokens[idx : idx + 8]:
            if any(st in prefixed for st in stems):
                return True  # "not balanced" for "imbalanced"
            if any(st in q_stems for st in stems):
                return False
    return True


_SUBSTITUTABLE = (Kind.MODEL, Kind.SOFTWARE, Kind.OPTIMIZER, Kind.GPU)


def _substituted(q: Question, s: Sentence) -> bool:
    """The sentence states the question's predicate of another thing of the same kind than the one asked."""
    for kind in _SUBSTITUTABLE:
        asked = [_squash(v.text) for v in find(kind, q.text)]
        if not asked:
            continue
        found = [_squash(v.text) for v in find(kind, s.text)]
        if found and not any(_same_thing(a, f) for a in asked for f in found):
            return True
    return False


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _same_thing(a: str, b: str) -> bool:
    """Loose identity of two names: equal, one inside the other, or a shared start ("resnet50" ~ "resnetv50")."""
    return a in b or b in a or len(os.path.commonprefix([a, b])) >= 5


def short_value(q: Question, s: Sentence, v: Value) -> str:
    """The value with its unit or counted noun: "40669 images", "0.977s", "TITAN Xp"."""
    end = v.end
    if q.kind in (Kind.NUMBER, Kind.PERCENT) and not v.text.endswith("%"):
        # extend over the unit / the asked noun right after the number ("684K training triples")
        focus = {stems_of_word(f)[0] for f in q.focus}
        rest = list(re.finditer(r"\s*([A-Za-z%][\w%-]*)", s.text[v.end :]))
        for i, m in enumerate(rest):
            if v.end + m.start() != end:
                break
            w = m.group(1)
            is_unit = i == 0 and (w in ("%", "h", "s", "ms", "min", "GB", "TB", "MB") or w.lower() in _UNITS)
            # "37M unique paper nodes": a word or two more when an asked word follows
            asked_ahead = any(stems_of_word(r.group(1))[0] in focus for r in rest[i : i + 3 if i < 3 else i + 1])
            if not (is_unit or asked_ahead):
                break
            end = v.end + m.end()
    return s.text[v.start : end].strip(" ,;:(")


_UNITS = frozenset(
    (
        "percent images samples species documents papers pages hours minutes seconds days epochs layers "
        "words tokens sentences pairs triples parameters classes recordings files nodes edges km m cm mm"
    ).split()
)


def quote(s: Sentence, follow: Sentence | None = None) -> str:
    return "“" + " ".join(f"{s.text} {follow.text if follow else ''}".split()) + "”"


def compose(
    q: Question,
    s: Sentence,
    value: Value | None,
    follow: Sentence | None = None,
    sure: bool = True,
    reading: TableReading | None = None,
) -> str:
    """The answer text for a supported question (reading: the sentence as a table row, tables.read_table)."""
    page = s.passage.boxes_for(s.start, s.end)
    where = f" (p. {page[0].page})" if page else f" (p. {s.passage.page})"
    if s.passage.kind == PassageKind.TABLE:
        # a row is read with its table's column names (the passage's first lines)
        header = table_header(s.passage)
        if header and header.strip() != s.text.strip():
            where = f" (table on p. {page[0].page if page else s.passage.page}; columns: {header})"
    body = quote(s, follow) + where
    if q.yesno:
        return ("Yes. " if polarity(q, s) else "No. ") + body
    if reading is not None:  # the cells under the asked column, then their rows
        return table_answer(reading, s.passage.text, where)
    if sure and value is not None and q.kind in SHORT_KINDS and s.passage.kind != PassageKind.TABLE:
        short = short_value(q, s, value)
        if short and short != " ".join(s.text.split()):
            return f"{short} — {body}"
    return body


def table_answer(reading: TableReading, text: str, where: str) -> str:
    """ "0.74 (Dice) — “row”" for a lookup; rows the question picked are named: "A: 0.74 (Dice); B: ..."."""
    cells = "; ".join(
        (f"{row[0][0]}: " if reading.chosen else "") + f"{row[reading.column][0]} ({reading.header[0]})"
        for row in reading.rows
    )
    quotes = " ".join("“" + " ".join(text[slice(*row_span(text, row))].split()) + "”" for row in reading.rows)
    return f"{cells} — {quotes}{where}"


def follow_up(q: Question, s: Sentence, next_sentence: Sentence | None) -> Sentence | None:
    """The next sentence when it continues the answer ("This was in the middle of ...")."""
    if next_sentence is None or len(next_sentence.tokens) < 4:
        return None  # a label ("Results.") or a fragment goes on with nothing
    if q.compound and _ANAPHOR.match(next_sentence.text.strip()):
        return next_sentence
    if next_sentence.passage.id != s.passage.id:
        return None
    # "We use two KBs: UMLS: ... " announces a list that goes on in the next sentence, and a descriptive
    # answer ("How was X measured?") usually does too: a method is seldom told in one sentence.
    if _ENUMERATION.search(s.text) or q.form == "descriptive":
        return next_sentence
    return None


_ENUMERATION = re.compile(r"\b(?:two|three|four|five|\d)\s+(?:\w+\s+){0,2}\w+s?\s*:", re.I)
