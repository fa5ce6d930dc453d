"""Candidate -> named signals (floats), each computed once; the fitted decision weighs them.

Every signal is a general property of language or of the expected answer, never of one paper:
how close the sentence is to the question, whether a value of the expected kind sits by the asked
term, whether the sentence names one of the question's examples, and the traps (a cited work, another
training phase, a heading or the references).
"""

from __future__ import annotations

import re

import numpy as np

from papertrail.answering.candidates import Pool, Sentence, acronym_forms, is_acronym, is_column_header
from papertrail.answering.question import PHASES_IN_EVIDENCE, Question
from papertrail.answering.tables import extreme_rows
from papertrail.answering.text import canonical, stems_in, stems_of_word
from papertrail.answering.values import Kind, Value, names
from papertrail.models import PassageKind

WINDOW = 14  # words between the asked term and a non-numeric value
KIND_NAMES = {
    Kind.NUMBER: "value",
    Kind.PERCENT: "percentage",
    Kind.DURATION: "duration",
    Kind.MONEY: "amount of money",
    Kind.BYTES: "size in bytes",
    Kind.VERSION: "version number",
    Kind.URL: "URL",
    Kind.LICENSE: "licence",
    Kind.GPU: "GPU model",
    Kind.HARDWARE: "hardware",
    Kind.OPTIMIZER: "optimizer name",
    Kind.SOFTWARE: "software name",
    Kind.MODEL: "model name",
    Kind.NAME: "name",
}
_CITATION = re.compile(r"\(\s*[A-Z][\w-]+(?: et al\.?| and [A-Z][\w-]+)?,? (?:19|20)\d\d[a-z]?|\[\d+(?:[,–-]\s?\d+)*\]")
_EXAMPLE_OPEN = re.compile(r"[(\[]\s*(?:e\.\s?g\.|for example|for instance|such as)", re.I)
_RATE_AFTER = re.compile(
    r"^\s*(?:\$|USD|US\$|dollars?|euros?)?\s*(?:per\b|/\s?\w|an? (?:hour|day|week|month|page|document)\b|each\b)", re.I
)
_PERIOD_BEFORE = re.compile(r"\b(?:every|each)\s+$", re.I)
_CONTRAST = {"pretrain": ("finetune",), "finetune": ("pretrain",)}
_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|without|cannot|none|nothing|fail(?:s|ed)? to|unable to|lack(?:s|ed)?|"
    r"did ?n[o']t|does ?n[o']t|do ?n[o']t|is ?n[o']t|are ?n[o']t|was ?n[o']t|were ?n[o']t|could ?n[o']t|"
    r"rather than|instead of|only slightly|no (?:significant )?differences?)\b|n't\b",
    re.I,
)


# -- locality -------------------------------------------------------------------------------------


def _word_index(sentence: Sentence, char: int) -> int:
    for i, (_, _start, end, _) in enumerate(sentence.tokens):
        if char < end:
            return i
    return max(0, len(sentence.tokens) - 1)


def focus_positions(q: Question, sentence: Sentence) -> list[int]:
    """Word indices of the asked term's words (exact, equivalent, or as an acronym) in the sentence."""
    wanted = q.focus or q.category
    if not wanted:
        return []
    targets = {stems_of_word(f)[0] for f in wanted} | {p for f in wanted for p in stems_of_word(f)[1:]}
    canon = {canonical(t) for t in targets}
    acronyms = acronym_forms(wanted)
    out = []
    for i, (w, _, _, stems) in enumerate(sentence.tokens):
        if any(s in targets or canonical(s) in canon for s in stems) or (w.lower() in acronyms and is_acronym(w)):
            out.append(i)
    return out


def _given(q: Question, v: Value) -> bool:
    raw = re.sub(r"[^\d.]", "", v.text)
    return bool(raw) and raw in q.given_values


def candidate_values(q: Question, s: Sentence) -> list[Value]:
    """Values of the expected kind in the sentence (numbers of a table row for numeric kinds)."""
    kinds = [q.kind] if q.kind else []
    out: list[Value] = []
    for kind in kinds + list(q.extra_kinds):
        found = s.values(kind)
        if kind == Kind.PERCENT and not found:
            found = [v for v in s.values(Kind.NUMBER) if v.number is not None and v.number <= 100]
        if kind == Kind.DURATION and not found and q.asks_rate:
            found = []
        out.extend(found)
    # Values written in the asked term itself ("F1", "ResNet50") are not answers, nor is a model family
    # that only restates the question (a model family named in full for the acronym the question uses).
    q_words = {w.lower() for w in q.focus + q.subject + q.category}
    q_stems = {x for w in q.terms for x in stems_of_word(w)}
    q_acronyms = {f.rstrip("s") for f in acronym_forms(q.category) | acronym_forms(q.focus)}
    q_acronyms |= {"".join(w[0] for w in ws).lower() for ws in (q.category, q.focus) if len(ws) > 1}
    q_acronyms |= {a + "s" for a in q_acronyms}
    family_asked = bool(_FAMILY.search(q.text))
    return [
        v
        for v in out
        if v.text.lower() not in q_words
        and not (v.kind == Kind.NAME and (stems_in(v.text) <= q_stems or v.text.lower() in q_acronyms))
        and not (v.kind in (Kind.NAME, Kind.SOFTWARE) and _author_name(s.text, v))
        and not _given(q, v)
        and not (v.kind == Kind.MODEL and family_asked and _FAMILY.fullmatch(v.text.strip()))
    ]


def _author_name(text: str, v: Value) -> bool:
    """A name that belongs to a citation: "Smith et al.", "(Ferragina and Scaiella, 2010)"."""
    if re.match(r"\s*(?:et al|and [A-Z]\w+ \(?(?:19|20)\d\d|,? \(?(?:19|20)\d\d)", text[v.end : v.end + 24]):
        return True
    opening = text[: v.start]
    open_at = opening.rfind("(")
    if open_at >= 0 and ")" not in opening[open_at:]:
        close = text.find(")", v.end)
        inside = text[open_at : close if close >= 0 else len(text)]
        return bool(re.search(r"\b(?:19|20)\d\d[a-z]?\b", inside))
    return False


_FAMILY = re.compile(
    r"(?:(?:deep|convolutional|recurrent|artificial|feed-?forward)\s+)?neural\s+networks?|CNNs?|RNNs?|DNNs?|ANNs?|"
    r"(?:deep|neural)\s+(?:network|model)s?",
    re.I,
)


def _value_checks(q: Question, s: Sentence, values: list[Value]) -> tuple[list[Value], bool]:
    """The values that answer, best first, and whether the first one clearly is the one asked.

    Not an answer: a number of another unit than the counted thing, a term of a formula, an example
    in passing, a name given in contrast, a schedule ("every 30 epochs"), a rate when a total is
    asked, a number detached from the asked term.
    """
    positions = focus_positions(q, s)
    near_subject = subject_positions(q, s)
    table_row = s.passage.kind == PassageKind.TABLE
    numeric = q.kind in (Kind.NUMBER, Kind.PERCENT, Kind.DURATION, Kind.MONEY, Kind.BYTES)
    good: list[tuple[float, Value]] = []
    for v in values:
        before = s.text[max(0, v.start - 12) : v.start]
        after = s.text[v.end : v.end + 24]
        rejected = (
            (q.count and v.unit and _OTHER_UNIT.match(v.unit) and not _is_focus_unit(q, v.unit))
            or (numeric and (_OPERAND_AFTER.match(after) or _OPERAND_BEFORE.search(before)))
            or _in_example(s.text, v)
            or _CONTRASTED.search(s.text[: v.start].rsplit(",", 1)[-1])
            or (numeric and _PERIOD_BEFORE.search(before) and not q.asks_rate)
            or (numeric and q.aggregate and (_RATE_AFTER.match(after) or _RATE_AFTER.match(v.unit or "")))
        )
        if rejected:
            continue
        dist = _attachment(s, v, positions, numeric, q.count) if q.focus and positions and not table_row else 0
        if dist is None:
            continue
        # among values attached alike, the one among more of the asked words ("700 images per class"),
        # then the one beside the question's other words ("40669 images for testing")
        key = dist - _focus_around(s, v, positions) + 0.5 * _distance_to(s, v, near_subject)
        if (
            q.asks_rate
            and _PER_FOCUS.match(after)
            and any(stems_of_word(w)[0] in {stems_of_word(f)[0] for f in q.focus} for w in after.split()[:4])
        ):
            key -= 2  # "700 images per class" for "images per class"
        good.append((key, v))
    good.sort(key=lambda t: t[0])
    # The value alone is shown only when it clearly is the one asked about (else the sentence is quoted):
    # the best by a margin, and beside the question's other words when the sentence has them.
    clear = len(good) < 2 or (bool(q.focus) and good[1][0] - good[0][0] >= 1.5)
    if good and near_subject and _distance_to(s, good[0][1], near_subject) > 6:
        clear = False
    return [v for _, v in good], clear


_PER_FOCUS = re.compile(r"^\s*(?:\w+\s+){0,2}per\b", re.I)


def _focus_around(s: Sentence, v: Value, positions: list[int]) -> int:
    """How many of the asked term's words sit within four words of the value."""
    i = _word_index(s, v.start)
    return len({s.tokens[p][3][0] for p in positions if abs(p - i) <= 4})


def subject_positions(q: Question, s: Sentence) -> list[int]:
    targets = {stems_of_word(t)[0] for t in q.subject}
    return [i for i, (_, _, _, stems) in enumerate(s.tokens) if any(x in targets for x in stems)]


def _distance_to(s: Sentence, v: Value, positions: list[int]) -> float:
    if not positions:
        return 0.0
    i = _word_index(s, v.start)
    return float(min(10, min(abs(i - p) for p in positions)))


# A number followed (or preceded) by an arithmetic operator is an operand ("19 x 19 = 361 + 2"), not a
# result; the result after "=" stays a value ("= 363 input variables").
# "Unlike other systems such as NELL and OpenIE, we use ..." names what was not used.
_CONTRASTED = re.compile(r"\b(?:unlike|other than|in contrast to|as opposed to|instead of|rather than)\b", re.I)
_OPERAND_AFTER = re.compile(r"^\s?[+*/^·]|^\s?[x×]\s?\d+(?:\.\d+)?\s?[=+*/]")
_OPERAND_BEFORE = re.compile(r"[+*/×^·]\s?\(?$|[A-Za-zα-ωΑ-Ω]\s?[-−]\s?$")
# Units that make a number a measurement rather than a count ("1-2 days" is no number of epochs).
_OTHER_UNIT = re.compile(
    r"^(?:%|percent|ms|s|sec|seconds?|min|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?|[kmgt]b|bytes|"
    r"[kmc]?m|km2|ha|hectares?|ghz|mhz|hz|khz|px|pixels?|dpi|°|degrees?)\b",
    re.I,
)


def _is_focus_unit(q: Question, unit: str) -> bool:
    head = unit.split()[0]
    return bool(head) and any(stems_of_word(head)[0] == stems_of_word(f)[0] for f in q.focus + q.category)


_NUMBER_WORD = re.compile(r"^(?:\d[\d.,]*%?|one|two|three|four|five|six|seven|eight|nine|ten)$", re.I)


def _attachment(s: Sentence, v: Value, positions: list[int], numeric: bool, count: bool = False) -> int | None:
    """Word distance from the value to the asked term when the value is attached to it, else None.

    A number belongs to a term written just after it ("40669 images", "700 images per class") or
    shortly before it ("batch size of 32", "AUC of 0.71", "MIoU of 94.17% and 93.71%"), with no other
    number in between ("a decay factor of 16 every 30 epochs": 16 is not a count of epochs).
    Other kinds of value only need to be in the term's neighbourhood.
    """
    first = _word_index(s, v.start)
    last = _word_index(s, max(v.start, v.end - 1))
    best = None
    for p in positions:
        if p > last:  # value before the term
            between = s.tokens[last + 1 : p]
            limit = 3 if numeric else WINDOW
            penalty = 0 if count or not numeric else 3
        elif p < first:  # term before the value
            between = s.tokens[p + 1 : first]
            limit = 8 if numeric else WINDOW
            penalty = 3 if count and numeric else 0
        else:
            return 0
        if len(between) > limit:
            continue
        other_number = any(_NUMBER_WORD.match(t[0]) for t in between if t[0].lower() not in ("and", "or"))
        # another number sits between: only "94.17% and 93.71%"-style lists pass
        if (
            numeric
            and other_number
            and not all(_NUMBER_WORD.match(t[0]) or t[0].lower() in _LIST_WORDS for t in between)
        ):
            continue
        d = len(between) + penalty
        best = d if best is None else min(best, d)
    return best


_LIST_WORDS = frozenset(["and", "or", "of", "to", "was", "were", "is"])


# -- aboutness ------------------------------------------------------------------------------------


def phase_reason(q: Question, s: Sentence) -> str:
    """Why the sentence is about another training phase than the question ("" when it is not)."""
    for phase in q.phases:
        if PHASES_IN_EVIDENCE[phase].search(s.text):
            continue
        for other in _CONTRAST.get(phase, ()):
            if PHASES_IN_EVIDENCE[other].search(s.text):
                return f"the evidence is about {_PHASE_WORDS[other]}, the question about {_PHASE_WORDS[phase]}"
    return ""


_PHASE_WORDS = {"pretrain": "pre-training", "finetune": "fine-tuning", "inference": "inference"}


def _in_example(text: str, value: Value) -> bool:
    """The value sits inside a parenthesis or bracket opened by "e.g." / "for example" / "such as"."""
    opening = text[: value.start]
    open_at = max(opening.rfind("("), opening.rfind("["))
    if open_at < 0 or ")" in opening[open_at:] or "]" in opening[open_at:]:
        return False
    return bool(_EXAMPLE_OPEN.match(text, open_at))


def _cited_work(s: Sentence) -> bool:
    """A background sentence with citations (or "previous studies"), not about this study."""
    return (
        s.background and bool(_CITATION.search(s.text) or _THIRD_PARTY.match(s.text)) and not _OWN_WORK.search(s.text)
    )


_THIRD_PARTY = re.compile(
    r"^\s*(?:They|These (?:studies|works|authors)|(?:Previous|Earlier|Prior|Other) (?:studies|work|works))\b"
)
_OWN_WORK = re.compile(r"\b(?:we|our|us|this (?:study|paper|work|article)|here)\b", re.I)


def anchor(q: Question, s: Sentence) -> str:
    """The word of the evidence a missing value would sit beside: the asked term, or a name in the sentence."""
    positions = focus_positions(q, s)
    if positions and q.focus:
        return " ".join(s.tokens[i][0] for i in positions[:3])
    q_words = {w.lower() for w in q.terms}
    for v in names(s.text):
        if v.text.lower() not in q_words and len(v.text) > 2:
            return v.text
    matched = [w for w, _, _, stems in s.tokens if any(x in {stems_of_word(t)[0] for t in q.terms} for x in stems)]
    return matched[0] if matched else (s.text[:40] + "...")


# -- the signals ----------------------------------------------------------------------------------

# name -> what it measures; the fitted weights are stored in this order.
SIGNALS: dict[str, str] = {
    "cosine": "MiniLM cosine between the question and the sentence",
    "cosine_gap": "cosine minus the best cosine among the question's candidates (0 for the best)",
    "example_cosine": "best MiniLM cosine between one of the question's examples and the sentence",
    "lexical": "idf-weighted share of the question's terms in the sentence (and a table row's headers)",
    "lexical_gap": "lexical minus the best lexical among the question's candidates",
    "focus_cov": "share of the asked term's words in the sentence (1 when the question names no term)",
    "focus_in_paper": "every word of the asked term occurs somewhere in the paper",
    "passage_rank": "fused BM25 + vector score of the sentence's passage, relative to the best passage",
    "typed_value": "a value of the expected kind (number, GPU, URL, optimizer...) is in the sentence",
    "attached_value": "such a value is attached to the asked term (no other number between, a few words away)",
    "rejected_value": "values of the kind are there but each is a formula term, an example, a schedule or a rate",
    "example_named": "the sentence names one of the question's examples ('Adam' for '(e.g., SGD, Adam)')",
    "negation": "a negation or weak-effect cue ('not', 'no differences', 'only slightly')",
    "own_work": "the sentence speaks of this study ('we', 'our', 'this paper')",
    "cited_work": "a background sentence about cited work (citation or 'previous studies') and not this study",
    "back_matter": "in the references, acknowledgements or funding statements",
    "phase_mismatch": "about another training phase than the one asked (pre-training vs fine-tuning)",
    "heading": "a section heading or a table's column-header line (it names topics and states nothing)",
    "interrogative": "the sentence is itself a question (it asks, it does not state)",
    "caption": "a figure or table caption",
    "table_row": "a table row",
    "table_named": "a row of the table the question names",
    "row_names_subject": "a table row whose own cells name one of the question's other words",
    "table_extreme": "a table row holding the highest / lowest value of the column the question asks about",
    "long_sentence": "log word count of the sentence (cosine is diluted in long sentences)",
    "value_q_typed": "typed_value, for a question asking a value",
    "value_q_attached": "attached_value, for a question asking a value",
    "category_q_typed": "typed_value, for a question listing examples of its answer",
    "category_q_example": "example_named, for a question listing examples of its answer",
    "open_q_cosine": "cosine, for a descriptive or yes/no question (no typed value to find)",
    "value_q_focus": "focus_cov, for a question asking a value",
}


def compute(q: Question, pool: Pool) -> None:
    """Fill every candidate's signals (once per question)."""
    if not pool.candidates:
        return
    best_cos = max(c.cosine for c in pool.candidates)
    best_lex = max(c.lexical for c in pool.candidates)
    form = q.form
    value_q = form in ("value", "table")
    category_q = form == "category"
    open_q = form in ("descriptive", "yesno")
    extremes: dict[str, frozenset[int]] = {}  # passage id -> rows holding the asked extreme
    for c in pool.candidates:
        s = c.sentence
        typed = attached = rejected = 0.0
        if q.kind is not None and not q.yesno and s.passage.kind != PassageKind.HEADING:
            values = candidate_values(q, s)
            good, _ = _value_checks(q, s, values) if values else ([], False)
            typed = float(bool(values))
            attached = float(bool(good))
            rejected = float(bool(values) and not good)
        named = float(q.names_example(s.stems))
        if q.extreme and s.passage.kind == PassageKind.TABLE and s.passage.id not in extremes:
            extremes[s.passage.id] = extreme_rows(q, s.passage)
        sig = {
            "cosine": c.cosine,
            "cosine_gap": c.cosine - best_cos,
            "example_cosine": c.example_cosine,
            "lexical": c.lexical,
            "lexical_gap": c.lexical - best_lex,
            "focus_cov": c.focus_cov,
            "focus_in_paper": float(pool.focus_in_paper),
            "passage_rank": c.passage_score,
            "typed_value": typed,
            "attached_value": attached,
            "rejected_value": rejected,
            "example_named": named,
            "negation": float(bool(_NEGATION.search(s.text))),
            "own_work": float(bool(_OWN_WORK.search(s.text))),
            "cited_work": float(_cited_work(s)),
            "back_matter": float(s.back_matter),
            "phase_mismatch": float(bool(phase_reason(q, s))),
            "heading": float(s.passage.kind == PassageKind.HEADING or is_column_header(s)),
            "interrogative": float(s.text.rstrip(" \"'”)").endswith("?")),
            "caption": float(s.passage.kind == PassageKind.CAPTION),
            "table_row": float(s.passage.kind == PassageKind.TABLE),
            "table_named": float(c.table_named),
            "row_names_subject": float(s.passage.kind == PassageKind.TABLE and c.row > 0),
            "table_extreme": float(any(s.start <= r < s.end for r in extremes.get(s.passage.id, ()))),
            "long_sentence": float(np.log1p(len(s.tokens))),
            "value_q_typed": typed * value_q,
            "value_q_attached": attached * value_q,
            "category_q_typed": typed * category_q,
            "category_q_example": named * category_q,
            "open_q_cosine": c.cosine * open_q,
            "value_q_focus": c.focus_cov * value_q,
        }
        c.signals = sig


def supporting_value(q: Question, s: Sentence) -> tuple[Value | None, bool]:
    """The value that answers in the chosen sentence, and whether it clearly is the one asked."""
    if q.kind is None or q.yesno:
        return None, False
    good, clear = _value_checks(q, s, candidate_values(q, s))
    return (good[0] if good else None), bool(good) and clear
