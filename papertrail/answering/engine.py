"""Retrieve -> answer -> verdict, for one question or a battery of questions about the same papers.

The extractive answerer (default) quotes the evidence; an LLM backend (settings.answerer "openai" or
"ollama") writes the answer from the same evidence. Either way the verdict is the engine's own
(answering/verdict.py), and an LLM answer whose numbers or names are not in its cited evidence is
flagged.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

import numpy as np

from papertrail.answering import extractive
from papertrail.answering.questions import Question, analyse
from papertrail.answering.retrieve import (
    TABLE_WORD,
    PaperCache,
    PaperData,
    Scored,
    Sentence,
    acronym_forms,
    fuse,
    lexical_scores,
    mmr,
    table_caption,
    term_present,
    term_weights,
)
from papertrail.answering.values import Kind
from papertrail.answering.verdict import (
    KIND_NAMES,
    LAYERS,
    Judged,
    focus_positions,
    judge_candidate,
    make_verdict,
    unambiguous,
)
from papertrail.models import Answer, Evidence, Passage, PassageKind, Verdict
from papertrail.settings import Settings

POOL_PASSAGES = 10  # fused passages whose sentences are scored
FOCUS_PASSAGES = 6  # extra passages that contain the asked term
TYPED_PASSAGES = 4  # extra passages that hold a value of the expected kind
EMBED_SENTENCES = 12  # sentences per question embedded for the rerank
JUDGED = 12  # candidates the verdict looks at
EVIDENCE = 3  # sentences cited per answer

# Words that help BM25 find a value of the expected kind even when the question does not name it.
_KIND_EXPANSION = {
    Kind.GPU: "GPU NVIDIA",
    Kind.HARDWARE: "GPU CPU",
    Kind.URL: "available http github",
    Kind.LICENSE: "license licensed",
    Kind.OPTIMIZER: "optimizer",
    Kind.VERSION: "version",
    Kind.DURATION: "hours minutes",
    Kind.MONEY: "$ USD paid",
    Kind.BYTES: "GB TB",
}


# Kinds specific enough that a passage holding such a value is worth reading whatever its words.
_TYPED_RETRIEVAL = frozenset(
    {
        Kind.GPU,
        Kind.HARDWARE,
        Kind.URL,
        Kind.LICENSE,
        Kind.VERSION,
        Kind.OPTIMIZER,
        Kind.SOFTWARE,
        Kind.MONEY,
        Kind.BYTES,
    }
)


@dataclass
class _Work:
    """One question's state on its way through the pipeline."""

    text: str
    q: Question
    pool: list[Scored]
    focus_in_paper: bool


class Answerer:
    def __init__(
        self,
        library,
        settings: Settings | None = None,
        *,
        layers: Collection[str] | None = None,
        backend=None,
    ) -> None:
        self.library = library
        self.settings = settings or library.settings
        self.layers = set(layers) if layers is not None else set(LAYERS) - self.settings.ablated_layers
        unknown = self.layers - set(LAYERS)
        if unknown:
            raise ValueError(f"unknown verdict layers: {sorted(unknown)}")
        self.cache = PaperCache(library, self._embed)
        self._backend = backend
        self._backend_lock = threading.Lock()

    # -- public API ---------------------------------------------------------------------------------

    def ask(self, question: str, paper_ids: Sequence[str]) -> Answer:
        return self.ask_many([question], paper_ids)[0]

    def ask_many(self, questions: Sequence[str], paper_ids: Sequence[str]) -> list[Answer]:
        """Answer a battery about the same papers: one passage load, batched embeddings."""
        paper_ids = list(dict.fromkeys(paper_ids))
        if not questions:
            return []
        datas = [self.cache.paper(pid) for pid in paper_ids]
        passages = [p for d in datas for p in d.passages]
        if not passages:
            return [self._nothing(text, paper_ids) for text in questions]
        works = [self._pool(text, datas, passages, paper_ids) for text in questions]
        # One batch: every question and every candidate sentence not embedded before.
        q_vecs = np.asarray(self._embed(list(questions)), dtype=np.float32)
        pending = [s.sentence for w in works for s in w.pool]
        vecs = self.cache.embed_sentences(pending)
        answers = []
        offset = 0
        for i, w in enumerate(works):
            n = len(w.pool)
            for j, sc in enumerate(w.pool):
                sc.cosine = float(vecs[offset + j] @ q_vecs[i])
                sc.score = _final_score(sc)
            offset += n
            answers.append(self._answer(w, vecs[offset - n : offset], datas, paper_ids))
        return answers

    # -- pipeline -----------------------------------------------------------------------------------

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        from papertrail.embedding import get_minilm

        return get_minilm().embed(list(texts))

    def _pool(self, text: str, datas: list[PaperData], passages: list[Passage], paper_ids: list[str]) -> _Work:
        q = analyse(text)
        index = self.library.index
        vec = [pid for pid, _ in index.vector_search(text, paper_ids, self.settings.retrieval_depth)]
        bm25_query = " ".join([text, _KIND_EXPANSION.get(q.kind, "") if q.kind else "", " ".join(q.focus)])
        lex = [pid for pid, _ in index.bm25_search(bm25_query, passages, self.settings.retrieval_depth)]
        fused = fuse([vec, lex])
        by_id = {p.id: p for p in passages}
        ranked = [pid for pid in sorted(fused, key=lambda k: -fused[k]) if pid in by_id]
        top = fused[ranked[0]] if ranked else 1.0

        pool_ids = ranked[:POOL_PASSAGES]
        # Passages holding every word of the asked term join, best fused first (a value sits by its term).
        focus_hits: list[str] = []
        if q.focus:
            acronyms = acronym_forms(q.focus)
            for d in datas:
                for p, stems in zip(d.passages, d.passage_stems, strict=True):
                    if all(term_present(f, stems) for f in q.focus) or (acronyms & stems):
                        focus_hits.append(p.id)
        focus_in_paper = bool(focus_hits) or not q.focus
        focus_hits.sort(key=lambda pid: -fused.get(pid, 0.0))
        pool_ids += [pid for pid in focus_hits[:FOCUS_PASSAGES] if pid not in pool_ids]
        # Passages holding a value of the expected kind (a GPU, a licence...) join too, best fused first.
        if q.kind in _TYPED_RETRIEVAL:
            typed = [pid for d in datas for pid in self.cache.passages_with(d, q.kind)]
            typed.sort(key=lambda pid: -fused.get(pid, 0.0))
            pool_ids += [pid for pid in typed[:TYPED_PASSAGES] if pid not in pool_ids]
        table_ids: set[str] = set()
        if q.table_ref:
            table_ids = set(_table_passages(q.table_ref, passages))
            pool_ids += [pid for pid in table_ids if pid not in pool_ids]

        weights = term_weights(q, datas)
        data_of = {d.paper_id: d for d in datas}
        scored: list[Scored] = []
        for pid in pool_ids:
            p = by_id[pid]
            p_score = fused.get(pid, 0.0) / top if top else 0.0
            for s in self.cache.sentences(data_of[p.paper_id], p):
                lexical, focus_cov = lexical_scores(q, s, weights, s.context_stems)
                sc = Scored(s, lexical, focus_cov, p_score, boost=0.15 if pid in table_ids else 0.0)
                if s.context:  # a table row: what the row itself names tells rows of one table apart
                    sc.row = lexical_scores(q, s, weights)[0]
                sc.score = _prior(q, sc, pid in focus_hits) + 2 * sc.boost
                scored.append(sc)
        scored.sort(key=lambda sc: -sc.score)
        return _Work(text, q, scored[:EMBED_SENTENCES], focus_in_paper)

    def _answer(self, w: _Work, vecs: np.ndarray, datas: list[PaperData], paper_ids: list[str]) -> Answer:
        q = w.q
        # "According to Table 2, ...": the rows of that table are read first
        order = sorted(range(len(w.pool)), key=lambda i: (-(w.pool[i].boost > 0), -w.pool[i].score))
        judged: list[Judged] = [judge_candidate(q, w.pool[i]) for i in order[:JUDGED]]
        verdict, support = make_verdict(q, judged, self.layers, w.focus_in_paper)
        # The evidence: the supporting sentence first, then diverse others (MMR over the judged pool).
        ranked = [w.pool[i] for i in order]
        ranked_vecs = vecs[order] if len(order) else vecs
        picks = mmr(ranked[:JUDGED], ranked_vecs[:JUDGED], EVIDENCE)
        chosen: list[Scored] = []
        if support is not None:
            chosen.append(support.scored)
        for i in picks:
            if len(chosen) >= EVIDENCE:
                break
            if all(ranked[i].sentence.key != c.sentence.key for c in chosen):
                chosen.append(ranked[i])
        follow = None
        also: Judged | None = None
        if support is not None:
            follow = extractive.follow_up(q, support.sentence, self._next_sentence(datas, support.sentence))
            also = _companion(q, support, judged, self.layers)
            if also is not None and follow is None:
                chosen = [support.scored, also.scored] + [c for c in chosen[1:] if c is not also.scored][: EVIDENCE - 2]
        evidence = [
            ev
            for sc in chosen
            for ev in _evidence(sc.sentence, sc.score, follow if (support and sc is support.scored) else None)
        ]
        if support is None:
            text = _unanswerable_text(q, verdict)
            return Answer(w.text, text, verdict, tuple(evidence), "extractive", tuple(paper_ids))
        sure = unambiguous(support)
        text = extractive.compose(q, support.sentence, support.value, follow, sure)
        if also is not None and follow is None:
            pair = sorted([support, also], key=lambda j: (j.sentence.passage.ordinal, j.sentence.start))
            text = " ".join(extractive.compose(q, j.sentence, None) for j in pair)
        try:
            backend = self._get_backend()
        except Exception as err:  # missing optional package, bad URL: the quoted answer still stands
            message = getattr(err, "args", [""])[0] or type(err).__name__
            verdict = replace(verdict, reasons=(*verdict.reasons, f"{message}; showing the quoted evidence instead"))
            backend = None
        if backend is not None:
            return backend.answer(w.text, q, verdict, tuple(evidence), tuple(paper_ids), text)
        return Answer(w.text, text, verdict, tuple(evidence), "extractive", tuple(paper_ids))

    def _next_sentence(self, datas: list[PaperData], s: Sentence) -> Sentence | None:
        data = next(d for d in datas if d.paper_id == s.passage.paper_id)
        sents = self.cache.sentences(data, s.passage)
        for i, other in enumerate(sents):
            if other.start == s.start and i + 1 < len(sents):
                return sents[i + 1]
        # continue into the next passage in reading order
        nxt = next((p for p in data.passages if p.ordinal == s.passage.ordinal + 1), None)
        if nxt is not None and nxt.kind == s.passage.kind:
            first = self.cache.sentences(data, nxt)
            return first[0] if first else None
        return None

    def _nothing(self, text: str, paper_ids: list[str]) -> Answer:
        verdict = Verdict(False, 0.5, ("the selected papers have no indexed text",))
        return Answer(
            text,
            "No text to search: the selected papers have no passages.",
            verdict,
            (),
            "extractive",
            tuple(paper_ids),
        )

    def _get_backend(self):
        if self.settings.answerer == "extractive":
            return None
        with self._backend_lock:
            if self._backend is None:
                from papertrail.answering.llm import make_backend

                self._backend = make_backend(self.settings)
            return self._backend


_LIST_KINDS = frozenset({Kind.NAME, Kind.SOFTWARE, Kind.MODEL})


def _companion(q: Question, support: Judged, judged: list[Judged], layers) -> Judged | None:
    """For a plural "which ...s" question, a second passing sentence of the same passage naming another one."""
    asked = (q.category or q.focus)[-1:] if (q.category or q.focus) else ()
    if q.kind not in _LIST_KINDS or not asked or not asked[0].lower().endswith("s"):
        return None
    for j in judged:
        a, b = j.sentence.passage, support.sentence.passage
        if j is support or a.paper_id != b.paper_id or abs(a.ordinal - b.ordinal) > 1 or not j.passes(layers):
            continue  # only a neighbour: the list goes on in the same place
        if j.value is None or (support.value is not None and j.value.text == support.value.text):
            continue
        if focus_positions(q, j.sentence):  # it names the asked kind of thing ("two KBs: UMLS ...")
            return j
    return None


def _prior(q: Question, sc: Scored, focus_hit: bool) -> float:
    """Cheap pre-rank before embedding: term coverage, the asked term, the passage's fused rank, a value."""
    bonus = 0.0
    if q.specific and q.kind is not None and sc.sentence.values(q.kind):
        bonus = 0.15
    return 0.45 * sc.lexical + 0.25 * sc.focus_cov + 0.2 * sc.passage_score + bonus + (0.05 if focus_hit else 0.0)


def _final_score(sc: Scored) -> float:
    return 0.4 * sc.cosine + 0.4 * sc.lexical + 0.1 * sc.focus_cov + 0.1 * sc.passage_score + sc.boost + 0.2 * sc.row


def _table_passages(ref: str, passages: list[Passage]) -> list[str]:
    """Table passages whose caption is the table a question names ("Table 2", "Table I")."""
    label = re.escape(ref.split()[-1])
    caption = re.compile(rf"(?m)^\s*{TABLE_WORD}\s*{label}\b")
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


def _unanswerable_text(q: Question, verdict: Verdict) -> str:
    """What the UI shows for an unanswerable question: what was looked for, and why it was not found."""
    if q.focus:
        what = q.focus_phrase
    elif q.kind is not None:
        what = KIND_NAMES.get(q.kind, "answer")
    else:
        what = "answer"
    why = verdict.reasons[0] if verdict.reasons else ""
    return f"Not reported: the paper gives no {what} for this question." + (f" ({why})" if why else "")
