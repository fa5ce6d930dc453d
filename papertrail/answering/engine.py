"""One question's walk, each stage once: analyse -> candidates -> signals -> decision -> answer.

The decision is the fitted model of decide.py. The extractive answer (default) quotes the evidence;
an LLM backend adds its judgement to the same decision and writes the answer from the same evidence,
whose every number and name must be in the cited evidence. The verdict is the engine's own either way.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from papertrail.answering import compose
from papertrail.answering.candidates import Candidate, PaperCache, PaperData, Pool, Sentence, collect, mmr
from papertrail.answering.decide import Decision, Outcome, Weights, decide, score_candidates, shipped_weights
from papertrail.answering.llm import Stance
from papertrail.answering.question import Question, analyse
from papertrail.answering.signals import KIND_NAMES, anchor, compute, phase_reason, supporting_value
from papertrail.answering.tables import TableReading, read_table, row_span
from papertrail.answering.values import Value
from papertrail.models import Answer, Evidence, Verdict
from papertrail.settings import Settings

EVIDENCE = 3  # sentences cited per answer
MORE_SHARE = 0.25  # a list answer quotes runners-up at least this likely relative to the best


@dataclass(frozen=True)
class Quoted:
    """What an answer quotes, worked out once for its text and for its highlights."""

    best: Candidate
    value: Value | None  # the value the answer leads with
    clear: bool  # the value is clearly the one asked
    follow: Sentence | None  # the next sentence, when it goes on with the answer
    more: list[Candidate]  # a list answer's other statements
    reading: TableReading | None  # a table row read against its columns


@dataclass
class Gathered:
    """A question with its candidates and their signals: everything the decision reads."""

    text: str
    q: Question
    pool: Pool
    datas: list[PaperData]
    paper_ids: tuple[str, ...]


class Answerer:
    def __init__(self, library, settings: Settings | None = None, *, weights: Weights | None = None, backend=None):
        self.library = library
        self.settings = settings or library.settings
        self._weights = weights
        self.cache = PaperCache(library, self._embed)
        self._backend = backend
        self._backend_lock = threading.Lock()

    def ask(self, question: str, paper_ids: Sequence[str]) -> Answer:
        return self.ask_many([question], paper_ids)[0]

    def ask_many(self, questions: Sequence[str], paper_ids: Sequence[str]) -> list[Answer]:
        """Answer a battery about the same papers: one passage load, batched embeddings."""
        return [self.conclude(g) for g in self.gather(questions, paper_ids)]

    def gather(self, questions: Sequence[str], paper_ids: Sequence[str]) -> list[Gathered]:
        """Analyse each question, collect its candidates and compute their signals (embedding in one batch)."""
        paper_ids = tuple(dict.fromkeys(paper_ids))
        datas = [self.cache.paper(pid) for pid in paper_ids]
        analysed = [analyse(text) for text in questions]
        # One batch for every question and list of examples, one for every candidate not embedded before.
        prompts = [*questions, *(", ".join(q.examples) for q in analysed if q.examples)]
        prompt_vecs = np.asarray(self._embed(prompts), dtype=np.float32) if prompts else np.zeros((0, 384))
        pools = [
            collect(q, datas, self.library.index, self.cache, self.settings.retrieval_depth, prompt_vecs[i])
            if any(d.passages for d in datas)
            else Pool([], False)
            for i, q in enumerate(analysed)
        ]
        cand_vecs = self.cache.embed_sentences([c.sentence for pool in pools for c in pool.candidates])
        out, offset, example_at = [], 0, len(questions)
        for i, (text, q, pool) in enumerate(zip(questions, analysed, pools, strict=True)):
            vecs = cand_vecs[offset : offset + len(pool.candidates)]
            offset += len(pool.candidates)
            cosines = vecs @ prompt_vecs[i] if len(vecs) else []
            example_cos = vecs @ prompt_vecs[example_at] if q.examples and len(vecs) else [0.0] * len(vecs)
            example_at += bool(q.examples)
            for c, vec, cos, ex in zip(pool.candidates, vecs, cosines, example_cos, strict=True):
                c.vector, c.cosine, c.example_cosine = vec, float(cos), float(ex)
            compute(q, pool)
            out.append(Gathered(text, q, pool, datas, paper_ids))
        return out

    def conclude(self, g: Gathered, weights: Weights | None = None) -> Answer:
        """Decide and compose one answer (weights other than the shipped ones: cross-validation)."""
        weights = weights or self._weights or shipped_weights()
        if not g.pool.candidates:
            verdict = Verdict(False, 0.5, ("the selected papers have no indexed text",))
            text = "No text to search: the selected papers have no passages."
            return Answer(g.text, text, verdict, paper_ids=g.paper_ids)
        reply, note = self.consult_llm(g, weights)
        judgement = weights.llm_vote.get(reply.stance, 0.0) if reply is not None else 0.0
        decision = decide(g.q, g.pool, weights, judgement)
        quoted = self.quoted(g, decision.best) if decision.answerable and decision.best is not None else None
        evidence = self._evidence(g, decision, quoted)
        reasons = _reasons(g.q, g.pool, decision, weights) + ((note,) if note else ())
        verdict = Verdict(
            decision.answerable, decision.confidence, reasons, uncertain=decision.outcome == Outcome.UNCERTAIN
        )
        if quoted is None:
            return Answer(g.text, _not_found_text(g.q, verdict), verdict, evidence, paper_ids=g.paper_ids)
        if reply is not None and reply.stance == Stance.ANSWERS:
            # The model's answer, then the paper's words it rests on, then the statements the extractive
            # answer quotes that it did not cite (a model's one sentence must not drop a list's members).
            shown = g.pool.candidates[:EVIDENCE]
            cited = [ev for i in reply.cited for ev in _evidence(shown[i].sentence, shown[i].probability)]
            ordered = tuple(cited) + tuple(ev for ev in evidence if ev not in cited)
            first = shown[reply.cited[0]].sentence
            others = [s for s in (quoted.best.sentence, *(c.sentence for c in quoted.more)) if s is not first]
            follow = {id(quoted.best.sentence): quoted.follow}  # the best sentence is quoted with its sequel
            text = f"{reply.text} — " + " Also: ".join(compose.quote(s, follow.get(id(s))) for s in (first, *others))
            return Answer(g.text, text, verdict, ordered, self._backend.name, g.paper_ids)
        return Answer(g.text, _text(g.q, quoted), verdict, evidence, paper_ids=g.paper_ids)

    def consult_llm(self, g: Gathered, weights: Weights):
        """(the LLM's reply, a note for the reasons) on the best candidates; (None, "") without a backend."""
        try:
            backend = self._get_backend()
            if backend is None:
                return None, ""
            score_candidates(g.pool, weights)  # the model reads the likeliest candidates
            shown = g.pool.candidates[:EVIDENCE]
            reply = backend.consult(g.text, [ev for c in shown for ev in _evidence(c.sentence, c.probability)[:1]])
        except Exception as err:  # missing optional package, bad URL: the quoted answer still stands
            message = (err.args or [""])[0] or type(err).__name__
            return None, f"{message}; showing the quoted evidence instead"
        return reply, reply.note

    # -- stages after the decision ------------------------------------------------------------------

    def compose(self, g: Gathered, best: Candidate) -> str:
        """The extractive answer from a candidate (value or Yes/No first, then the quote)."""
        return _text(g.q, self.quoted(g, best))

    def quoted(self, g: Gathered, best: Candidate) -> Quoted:
        """What an answer from this candidate quotes: its value, then after the sentence the next one when it
        goes on, else (a list answer) the other likely statements; a table row's reading."""
        value, clear = supporting_value(g.q, best.sentence)
        follow = compose.follow_up(g.q, best.sentence, self._next_sentence(g.datas, best.sentence))
        more = [] if follow is not None else _more_statements(g.q, g.pool, best)
        return Quoted(best, value, clear, follow, more, read_table(g.q, best.sentence))

    def _evidence(self, g: Gathered, decision: Decision, quoted: Quoted | None) -> tuple[Evidence, ...]:
        """The supporting sentence first, then diverse others (MMR over the ranked candidates)."""
        ranked = g.pool.candidates[: 2 * EVIDENCE]  # the likeliest only: diversity must not bring in noise
        picks = mmr(ranked, np.stack([c.vector for c in ranked]), EVIDENCE)
        chosen = [ranked[i] for i in sorted(picks, key=lambda i: (ranked[i] is not decision.best, i))]
        follow = quoted.follow if quoted is not None else None
        if quoted is not None:
            chosen = [quoted.best, *quoted.more, *chosen]  # every statement the answer quotes is highlighted
        texts = [" ".join(c.sentence.text.split()) for c in chosen]  # a sentence the paper repeats is shown once
        chosen = [c for i, c in enumerate(chosen) if texts[i] not in texts[:i]][:EVIDENCE]
        evidence = [
            ev for c in chosen for ev in _evidence(c.sentence, c.probability, follow if c is decision.best else None)
        ]
        reading = quoted.reading if quoted is not None else None
        if reading is not None:  # the table rows answered come first, then the asked column's header
            passage, score = quoted.best.sentence.passage, evidence[0].score
            spans = [row_span(passage.text, row) for row in reading.rows] + [reading.header[1:]]
            others = [ev for ev in evidence if ev.passage.id != passage.id or (ev.start, ev.end) not in spans]
            evidence = [Evidence(passage, start, end, score) for start, end in spans] + others
        return tuple(evidence)

    def _next_sentence(self, datas: list[PaperData], s: Sentence) -> Sentence | None:
        data = next(d for d in datas if d.paper_id == s.passage.paper_id)
        sents = self.cache.sentences(data, s.passage)
        for i, other in enumerate(sents):
            if other.start == s.start and i + 1 < len(sents):
                return sents[i + 1]
        nxt = next((p for p in data.passages if p.ordinal == s.passage.ordinal + 1), None)
        if nxt is not None and nxt.kind == s.passage.kind:
            first = self.cache.sentences(data, nxt)
            return first[0] if first else None
        return None

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        from papertrail.embedding import get_minilm

        return get_minilm().embed(list(texts))

    def _get_backend(self):
        if self.settings.answerer == "extractive":
            return None
        with self._backend_lock:
            if self._backend is None:
                from papertrail.answering.llm import make_backend

                self._backend = make_backend(self.settings)
            return self._backend


def _text(q: Question, quoted: Quoted) -> str:
    s = quoted.best.sentence
    text = compose.compose(q, s, quoted.value, quoted.follow, quoted.clear, quoted.reading)
    return text + "".join(" Also: " + compose.quote(c.sentence) for c in quoted.more)


def _more_statements(q: Question, pool: Pool, best: Candidate) -> list[Candidate]:
    """For a list-like question (examples, several names), the runners-up at least a quarter as likely as
    the best: such answers are often spread over statements ("trained on X ..." and "tested on Y ...")."""
    if q.form not in ("category", "descriptive"):
        return []
    said = {" ".join(best.sentence.text.split())}
    more = []
    for c in pool.candidates[1:]:
        text = " ".join(c.sentence.text.split())
        if c.probability >= MORE_SHARE * best.probability and text not in said:  # a repeated sentence adds nothing
            said.add(text)
            more.append(c)
    return more[: EVIDENCE - 1]


def _evidence(s: Sentence, score: float, follow: Sentence | None = None) -> list[Evidence]:
    """The cited span; a span that crosses a page break is cited as its parts, one per page."""
    end = follow.end if follow is not None and follow.passage.id == s.passage.id else s.end
    score = round(float(score), 4)
    cut = s.start
    parts = []
    page = None
    for w in s.passage.words:
        if w.end <= s.start or w.start >= end:
            continue
        if page is not None and w.box.page != page:
            parts.append(Evidence(s.passage, cut, _trim_end(s.passage.text, cut, w.start), score))
            cut = w.start
        page = w.box.page
    parts.append(Evidence(s.passage, cut, end, score))
    return parts


def _trim_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


# Why a candidate was taken or set aside, in words, for the signals that pushed the decision most.
_FOR = {
    "attached_value": "{a_kind} beside '{term}'",
    "typed_value": "{a_kind} in the sentence",
    "example_named": "names one of the question's examples",
    "cosine": "close in meaning to the question",
    "lexical": "holds most of the question's terms",
    "focus_cov": "names '{term}'",
    "table_named": "a row of the table the question names",
    "row_names_subject": "a table row naming what the question asks about",
    "table_extreme": "the row with the asked column's extreme value",
    "own_work": "about this study's own work",
}
_AGAINST = {
    "focus_in_paper": "'{term}' does not occur in the paper",
    "focus_cov": "'{term}' is not in the evidence",
    "attached_value": "no {kind} found near '{anchor}'",
    "typed_value": "no {kind} in the evidence",
    "rejected_value": "the only {kind}s are formula terms, examples, schedules or rates",
    "cited_work": "the evidence describes cited work, not this study",
    "back_matter": "only found in the references or back matter",
    "phase_mismatch": "{phase}",
    "heading": "a heading or a table's column names name topics, they state nothing",
    "interrogative": "the closest sentence asks a question, it states no answer",
    "cosine": "nothing close in meaning to the question",
    "lexical": "the evidence covers few of the question's terms",
    "example_named": "none of the question's examples is named",
}


def _reasons(q: Question, pool: Pool, decision: Decision, weights: Weights) -> tuple[str, ...]:
    best = decision.best
    if best is None:
        return ("no passage of the paper matches the question",)
    row = np.asarray([best.signals[n] for n in weights.candidate.names])
    pushes = weights.candidate.contributions(row)
    kind = KIND_NAMES.get(q.kind, "value")
    fill = {
        "kind": kind,
        "a_kind": ("an " if kind[0] in "aeiou" else "a ") + kind,
        "term": q.focus_phrase or "the asked term",
        "anchor": anchor(q, best.sentence),
        "phase": phase_reason(q, best.sentence) or "about another phase",
    }
    page = best.sentence.passage.boxes_for(best.sentence.start, best.sentence.end)
    where = f"p. {page[0].page if page else best.sentence.passage.page}"
    if decision.answerable:
        table = _FOR
        picked = sorted((n for n in pushes if pushes[n] > 0.3 and best.signals[n]), key=lambda n: -pushes[n])
        if "attached_value" in picked:  # "a value beside 'images'" says all that "a value in the sentence" would
            picked = [n for n in picked if n != "typed_value"]
    else:
        table = _AGAINST
        picked = sorted((n for n in pushes if pushes[n] < -0.3), key=lambda n: pushes[n])
        if not pool.focus_in_paper and q.focus:
            picked = ["focus_in_paper", *[n for n in picked if n != "focus_in_paper"]]
    words = [table[n].format(**fill) for n in picked if n in table][:3]
    if not decision.answerable and q.kind is not None and not best.signals["attached_value"]:
        words.append(f"the closest passage mentions '{fill['anchor']}' but gives no {fill['kind']} for it")
    closeness = "best" if decision.answerable else "closest"
    lead = f"{closeness} evidence on {where} (evidence score {best.probability:.2f})"
    if decision.outcome == Outcome.UNCERTAIN:
        lead = f"uncertain: check these passages; {lead}"
    return (lead, *dict.fromkeys(words))


def _not_found_text(q: Question, verdict: Verdict) -> str:
    """What the UI shows when the paper does not answer: what was looked for, and why it was not found."""
    what = q.focus_phrase or KIND_NAMES.get(q.kind, "answer")
    why = "; ".join(verdict.reasons[1:3])
    return f"Not reported: the paper gives no {what} for this question." + (f" ({why})" if why else "")
