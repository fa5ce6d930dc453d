"""The engine's own verdict: is the question answered by the evidence, and how sure are we?

Four layers, each of which can be switched off for the ablation (`--ablate LAYER`):

relevance    the best evidence is close enough to the question at all (cosine + term coverage);
coverage     the asked term's words ("batch size", "mean IoU") are in the evidence sentence;
answer_type  a value of the expected kind (a number, a GPU, a URL, a licence...) sits near the asked
             term, is not a number the question itself states, and is not a schedule ("every 30
             epochs") when a count is asked, nor a rate when a total is asked. When the term is there
             but no value is, that is the near miss: "no learning rate value found near 'Adam'";
aboutness    the evidence is about the asked thing: the same phase (pre-training vs fine-tuning),
             training hardware rather than any device, the study's own choice rather than a cited
             example ("e.g., stochastic gradient descent (Rumelhart et al., 1986)").

Every check is a general property of language or of the expected answer, never of one paper.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from papertrail.answering.questions import PHASES_IN_EVIDENCE, Question
from papertrail.answering.retrieve import Scored, Sentence, acronym_forms, is_acronym, term_present
from papertrail.answering.text import canonical, stems_of_word, words
from papertrail.answering.values import Kind, Value, names
from papertrail.models import PassageKind, Verdict

LAYERS = ("relevance", "coverage", "answer_type", "aboutness")

# Thresholds (cosine of MiniLM, idf-weighted coverage); chosen once on general grounds, see README.
MIN_COSINE = 0.20
MIN_SCORE = 0.35
MIN_LEXICAL_SPECIFIC = 0.25
MIN_LEXICAL_OPEN = 0.45
MIN_FOCUS = 0.65
STRONG_COSINE = 0.55
WINDOW = 14  # words between the asked term and its value

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
_TRAIN_WORDS = frozenset(
    stems_of_word(w)[0]
    for w in [
        "train",
        "trained",
        "training",
        "learn",
        "learned",
        "fit",
        "fitted",
        "epochs",
        "iterations",
        "optimization",
    ]
)
_TRAIN_WORDS = _TRAIN_WORDS | {"finetun", "pretrain"}
_CITATION = re.compile(r"\(\s*[A-Z][\w-]+(?: et al\.?| and [A-Z][\w-]+)?,? (?:19|20)\d\d[a-z]?|\[\d+(?:[,–-]\s?\d+)*\]")
_EXAMPLE_OPEN = re.compile(r"[(\[]\s*(?:e\.\s?g\.|for example|for instance|such as)", re.I)
_RATE_AFTER = re.compile(
    r"^\s*(?:\$|USD|US\$|dollars?|euros?)?\s*(?:per\b|/\s?\w|an? (?:hour|day|week|month|page|document)\b|each\b)", re.I
)
_PERIOD_BEFORE = re.compile(r"\b(?:every|each)\s+$", re.I)
_CONTRAST = {"pretrain": ("finetune",), "finetune": ("pretrain",)}


@dataclass(slots=True)
class Check:
    layer: str
    ok: bool
    reason: str = ""


@dataclass
class Judged:
    """A candidate sentence with the outcome of every layer."""

    scored: Scored
    checks: list[Check] = field(default_factory=list)
    value: Value | None = None  # the value that answers (for specific questions)
    values: list[Value] = field(default_factory=list)
    ambiguous: bool = False  # two values answer equally well: quote the sentence without picking one

    @property
    def sentence(self) -> Sentence:
        return self.scored.sentence

    def failed(self, layers: Collection[str]) -> list[Check]:
        return [c for c in self.checks if c.layer in layers and not c.ok]

    def passes(self, layers: Collection[str]) -> bool:
        return not self.failed(layers)


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
    acronyms = _acronyms(wanted)
    out = []
    for i, (w, _, _, stems) in enumerate(sentence.tokens):
        if any(s in targets or canonical(s) in canon for s in stems) or (w.lower() in acronyms and is_acronym(w)):
            out.append(i)
    return out


def _acronyms(focus: Sequence[str]) -> set[str]:
    return acronym_forms(focus)


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
    # that only restates the question ("a convolutional neural network" for "which pre-trained CNN").
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
        and not (v.kind == Kind.NAME and (_stems(v.text) <= q_stems or v.text.lower() in q_acronyms))
        and not (v.kind in (Kind.NAME, Kind.SOFTWARE) and _author_name(s.text, v))
        and not _given(q, v)
        and not (v.kind == Kind.MODEL and family_asked and _FAMILY.fullmatch(v.text.strip()))
    ]


def _stems(text: str) -> set[str]:
    return {x for w, _, _ in words(text) for x in stems_of_word(w)}


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


def _value_checks(q: Question, s: Sentence, values: list[Value]) -> tuple[list[Value], str]:
    """The values that answer, best first, or ([], why none does)."""
    if not values:
        return [], ""
    positions = focus_positions(q, s)
    near_subject = subject_positions(q, s)
    table_row = s.passage.kind == PassageKind.TABLE
    good: list[tuple[float, Value]] = []
    why = ""
    for v in values:
        before = s.text[max(0, v.start - 12) : v.start]
        after = s.text[v.end : v.end + 24]
        numeric = q.kind in (Kind.NUMBER, Kind.PERCENT, Kind.DURATION, Kind.MONEY, Kind.BYTES)
        if q.count and v.unit and _OTHER_UNIT.match(v.unit) and not _is_focus_unit(q, v.unit):
            why = why or f"'{v.text} {v.unit.split()[0]}' is not a number of {q.focus_phrase}"
            continue
        if numeric and (_OPERAND_AFTER.match(after) or _OPERAND_BEFORE.search(before)):
            why = why or f"'{v.text}' is a term of a formula, not a reported value"
            continue
        if _in_example(s.text, v):
            why = why or f"'{v.text}' is only an example given in passing"
            continue
        if _CONTRASTED.search(s.text[: v.start].rsplit(",", 1)[-1]):
            why = why or f"'{v.text}' is named only in contrast to what was used"
            continue
        if numeric and _PERIOD_BEFORE.search(before) and not q.asks_rate:
            unit = after.split()[0].strip(",.;") if after.split() else ""
            why = f"'{before.split()[-1]} {v.text} {unit}' is a schedule, not the {q.focus_phrase or 'number'} asked"
            continue
        if numeric and q.aggregate and (_RATE_AFTER.match(after) or _RATE_AFTER.match(v.unit or "")):
            why = f"only a rate is given ('{v.text}{after.split(',')[0].rstrip()}'), not a total"
            continue
        if q.focus and positions and not table_row:
            dist = _attachment(s, v, positions, numeric, q.count)
            if dist is None:
                why = f"no {q.focus_phrase} value found near '{_anchor(q, s)}'" if numeric else why
                continue
        else:
            dist = 0
        # among values attached alike, the one beside the question's other words ("... images for testing")
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
    if not clear:
        why = "ambiguous"  # read by unambiguous()
    return [v for _, v in good], why


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


def unambiguous(j: Judged) -> bool:
    """Whether the first value is clearly the answer (else only the sentence is quoted)."""
    return len(j.values) < 2 or not j.ambiguous


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
        other_number = any(_NUMBER_WORD.match(t[0]) for t in between if not _is_and(t[0]))
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


def _is_and(word: str) -> bool:
    return word.lower() in ("and", "or")


# -- aboutness ------------------------------------------------------------------------------------


def _phase_mismatch(q: Question, s: Sentence) -> str:
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


def _cited_example(s: Sentence, value: Value | None) -> bool:
    """The value is an example from cited work: a background sentence with citations, not about this study."""
    return (
        s.background and bool(_CITATION.search(s.text) or _THIRD_PARTY.match(s.text)) and not _OWN_WORK.search(s.text)
    )


_THIRD_PARTY = re.compile(
    r"^\s*(?:They|These (?:studies|works|authors)|(?:Previous|Earlier|Prior|Other) (?:studies|work|works))\b"
)
_OWN_WORK = re.compile(r"\b(?:we|our|us|this (?:study|paper|work|article)|here)\b", re.I)


def aboutness(q: Question, s: Sentence, value: Value | None) -> str:
    """Why the evidence is about something else than asked ('' when it is about the asked thing)."""
    mismatch = _phase_mismatch(q, s)
    if mismatch:
        return mismatch
    if q.kind in (Kind.GPU, Kind.HARDWARE) and q.about_training and not (s.stems & _TRAIN_WORDS):
        return "the hardware named is not said to be used for training"
    if q.specific and _cited_example(s, value):
        return "only mentioned as an example from cited work, not as what this study used"
    if q.yesno and _cited_example(s, value):
        return "the evidence describes cited work, not this study"
    if s.back_matter:
        return "only found in the references or back matter"
    return ""


# -- the verdict ----------------------------------------------------------------------------------


def judge_candidate(q: Question, sc: Scored) -> Judged:
    s = sc.sentence
    j = Judged(sc)
    # relevance
    # Cosine is diluted in long sentences: a sentence holding nearly every question term is relevant too.
    rel_ok = sc.score >= MIN_SCORE and (sc.cosine >= MIN_COSINE or sc.lexical >= 0.75)
    j.checks.append(
        Check("relevance", rel_ok, "" if rel_ok else f"nothing close to the question (best match {sc.score:.2f})")
    )
    # coverage
    if q.specific:
        lex_ok = sc.lexical >= MIN_LEXICAL_SPECIFIC
    else:  # open and yes/no questions: broad coverage, or a close paraphrase with some shared terms
        lex_ok = sc.lexical >= MIN_LEXICAL_OPEN or (sc.cosine >= STRONG_COSINE and sc.lexical >= MIN_LEXICAL_SPECIFIC)
    cov_ok = sc.focus_cov >= MIN_FOCUS and lex_ok
    if sc.boost > 0 and s.passage.kind == PassageKind.TABLE:
        cov_ok = True  # a row of the table the question names: the column words may be implicit
    row_ok = True
    if s.passage.kind == PassageKind.TABLE and q.subject:
        # a cell is found by its column (the asked term, in the caption/header) and its row: the row
        # itself must name something the question names ("Flower", "Random Forest")
        canon = frozenset(canonical(x) for x in s.stems)
        row_ok = any(term_present(t, s.stems, canon) for t in q.subject)
    if cov_ok and not row_ok:
        j.checks.append(Check("coverage", False, "the table row names nothing the question asks about"))
    elif not cov_ok:
        missing = [f for f in q.focus if not term_present(f, s.stems | s.context_stems)]
        reason = (
            f"'{' '.join(missing)}' not found in the evidence"
            if missing and sc.focus_cov < MIN_FOCUS
            else f"the evidence covers too few of the question's terms ({sc.lexical:.0%})"
        )
        j.checks.append(Check("coverage", False, reason))
    else:
        j.checks.append(Check("coverage", True))
    # answer type, near the asked term
    if q.specific and s.passage.kind == PassageKind.HEADING:
        j.checks.append(Check("answer_type", False, "a section heading names a topic, it states no value"))
    elif q.specific:
        values = candidate_values(q, s)
        local, why = _value_checks(q, s, values)
        j.ambiguous = why == "ambiguous"
        j.values = local
        j.value = local[0] if local else None
        if local:
            j.checks.append(Check("answer_type", True))
        else:
            kind_name = KIND_NAMES.get(q.kind, "value")
            anchor = _anchor(q, s)
            what = f"{q.focus_phrase} {kind_name}" if q.focus and kind_name == "value" else kind_name
            if q.kind in (
                Kind.GPU,
                Kind.HARDWARE,
                Kind.OPTIMIZER,
                Kind.SOFTWARE,
                Kind.MODEL,
                Kind.URL,
                Kind.LICENSE,
                Kind.VERSION,
            ):
                what = kind_name if not q.focus else f"{kind_name} for '{q.focus_phrase}'"
            j.checks.append(Check("answer_type", False, why or f"no {what} found near '{anchor}'"))
    else:
        j.checks.append(Check("answer_type", True))
    # aboutness
    about = aboutness(q, s, j.value)
    j.checks.append(Check("aboutness", not about, about))
    return j


def _anchor(q: Question, s: Sentence) -> str:
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


def confidence_answerable(q: Question, j: Judged, layers: Collection[str]) -> float:
    sc = j.scored
    z = -2.2 + 3.0 * sc.cosine + 2.0 * sc.lexical + 0.8 * sc.focus_cov
    if q.specific and j.value is not None:
        z += 0.8
    z -= 0.6 * len(j.failed(set(LAYERS) - set(layers)))  # a switched-off layer that would have failed
    return round(1 / (1 + math.exp(-z)), 4)


def confidence_unanswerable(failed: Sequence[Check], focus_absent: bool) -> float:
    layers = {c.layer for c in failed}
    if focus_absent:
        return 0.9
    if "answer_type" in layers:
        return 0.8
    if "aboutness" in layers:
        return 0.7
    if "coverage" in layers:
        return 0.7
    return 0.6


def make_verdict(
    q: Question, judged: Sequence[Judged], layers: Collection[str], focus_in_paper: bool
) -> tuple[Verdict, Judged | None]:
    """The verdict and the candidate that supports it (None when unanswerable)."""
    support = next((j for j in judged if j.passes(layers)), None)
    if support is not None:
        conf = confidence_answerable(q, support, layers)
        reasons = [_support_reason(q, support)]
        return Verdict(True, conf, tuple(reasons)), support
    if not judged:
        return Verdict(False, 0.6, ("no passage of the paper matches the question",)), None
    best = judged[0]
    failed = best.failed(layers)
    reasons: list[str] = []
    focus_absent = bool(q.focus) and not focus_in_paper and "coverage" in layers
    if focus_absent:
        reasons.append(f"'{q.focus_phrase}' does not occur in the paper")
    # Near miss: some candidate has the asked term but no value; say so first.
    near = next(
        (
            j
            for j in judged
            if any(c.layer == "answer_type" and not c.ok for c in j.checks) and j.passes(set(layers) - {"answer_type"})
        ),
        None,
    )
    if near is not None:
        reasons.append(next(c.reason for c in near.checks if c.layer == "answer_type"))
        failed = near.failed(layers)
    for c in failed:
        if c.reason and c.reason not in reasons:
            reasons.append(c.reason)
    if not reasons:
        reasons.append("no evidence passes the checks")
    return Verdict(False, confidence_unanswerable(failed, focus_absent), tuple(reasons)), None


def _row_terms(q: Question, s: Sentence) -> list[str]:
    return list(dict.fromkeys(t for t in q.subject if term_present(t, s.stems)))[:3]


def _support_reason(q: Question, j: Judged) -> str:
    s = j.sentence
    boxes = s.passage.boxes_for(s.start, s.end)
    page = boxes[0].page if boxes else s.passage.page
    if s.passage.kind == PassageKind.TABLE:
        return f"a table row on p. {page} naming {', '.join(_row_terms(q, s)) or 'the asked item'}"
    if q.specific and j.value is not None and j.ambiguous:
        what = KIND_NAMES.get(q.kind, "value")
        return f"{len(j.values)} candidate {what}s in one sentence on p. {page}; read them in context"
    if q.specific and j.value is not None:
        what = KIND_NAMES.get(q.kind, "value")
        near = f" beside '{q.focus_phrase}'" if q.focus else ""
        return f"a {what} ('{j.value.text}'){near} on p. {page}; evidence similarity {j.scored.cosine:.2f}"
    return (
        f"evidence on p. {page} covers {j.scored.lexical:.0%} of the question's terms; similarity {j.scored.cosine:.2f}"
    )
