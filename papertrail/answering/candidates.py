"""Hybrid retrieval and sentence-level rerank, with per-paper work cached for a battery of questions.

1. Passages: BM25 and vector search, fused by reciprocal rank; passages that contain every word of
   the asked term (or the table the question names) join the pool, since a value sits beside its term.
2. Sentences of those passages are scored by term coverage (idf-weighted, the asked term counting
   double) and, for the best of them, by MiniLM cosine to the question (embedded once, cached).
3. MMR picks a few diverse sentences as the evidence shown with the answer.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from papertrail.answering.question import Question
from papertrail.answering.text import STOPWORDS, canonical, normalize, stems_in, stems_of_word, words
from papertrail.answering.values import Kind, find
from papertrail.models import Passage, PassageKind
from papertrail.pdf.chunk import row_spans, sentence_spans
from papertrail.pdf.extract.table_grid import is_cell_row, mostly_numbers, table_caption, table_header, table_passages

RRF_K = 60
_BACKGROUND = re.compile(
    r"\b(?:introduction|background|related work|literature|prior work|previous work|state of the art)\b", re.I
)
_BACK_MATTER = re.compile(
    r"\b(?:references|bibliography|acknowledg\w*|funding|author contributions|conflicts? of interest)\b", re.I
)


@dataclass(slots=True)
class Sentence:
    """One sentence (or table row) of a passage: passage.text[start:end]."""

    passage: Passage
    start: int
    end: int
    text: str
    stems: frozenset[str]
    # word index -> stem list, for locality measures
    tokens: tuple[tuple[str, int, int, tuple[str, ...]], ...]
    background: bool = False  # in an introduction / related-work section
    back_matter: bool = False  # references, acknowledgements
    context: str = ""  # a table row's caption and column header
    context_stems: frozenset[str] = frozenset()
    _values: dict = field(default_factory=dict)

    def values(self, kind) -> list:
        """Typed values of one kind in the sentence, found once (sentences are cached per paper)."""
        got = self._values.get(kind)
        if got is None:
            got = self._values[kind] = find(kind, self.text)
        return got


@dataclass
class PaperData:
    """Everything about one paper that does not depend on the question."""

    paper_id: str
    passages: list[Passage]
    passage_stems: list[frozenset[str]]
    df: Counter[str]
    position: dict[str, int] = field(default_factory=dict)  # passage id -> index in reading order
    sentences: dict[str, list[Sentence]] = field(default_factory=dict)  # passage id -> sentences
    kind_hits: dict[str, list[str]] = field(default_factory=dict)  # value kind -> ids of passages holding one

    @property
    def n(self) -> int:
        return max(1, len(self.passages))

    def idf(self, s: str) -> float:
        return math.log(1 + (self.n - self.df.get(s, 0) + 0.5) / (self.df.get(s, 0) + 0.5))


def make_sentence(passage: Passage, start: int, end: int) -> Sentence:
    text = passage.text[start:end]
    toks = tuple((w, s, e, stems_of_word(w)) for w, s, e in words(normalize(text)))  # offsets in the sentence
    stems = frozenset(x for t in toks for x in t[3])
    section = passage.section or ""
    return Sentence(
        passage=passage,
        start=start,
        end=end,
        text=text,
        stems=stems,
        tokens=toks,
        background=bool(_BACKGROUND.search(section)),
        back_matter=passage.kind == PassageKind.REFERENCE or bool(_BACK_MATTER.search(section)),
    )


def split_passage(passage: Passage, context: str = "") -> list[Sentence]:
    """Sentences of a passage; a table passage is split into its rows (lines), each read with context."""
    text = passage.text
    if passage.kind == PassageKind.TABLE:
        spans = row_spans(text)
    else:
        spans = [(int(s), int(e)) for s, e in sentence_spans(text)] or [(0, len(text))]
        # Over-long "sentences" (lists, formulas) are cut at 60 words so the evidence stays short.
        cut = []
        for s, e in spans:
            starts = [s + m.start() for m in re.finditer(r"\S+", text[s:e])]
            bounds = starts[60::60] if len(starts) > 70 else []
            cut += zip([s, *bounds], [*bounds, e], strict=True)
        spans = cut
    out = []
    ctx_stems = stems_in(context) if context else frozenset()
    group = ""  # a table's label row ("IUC-NN best model") names the rows under it
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            sent = make_sentence(passage, s, e)
            if passage.kind == PassageKind.TABLE:
                if not mostly_numbers(sent.text) and out and not is_cell_row(sent.text):
                    group = sent.text
                elif group:
                    sent.context = f"{context} | {group}" if context else group
                    sent.context_stems = ctx_stems | stems_in(group)
                    out.append(sent)
                    continue
            if context:
                sent.context = context
                sent.context_stems = ctx_stems
            out.append(sent)
    return out


def is_column_header(s: Sentence) -> bool:
    """The first line of a table that names its columns ("(Table 2) Model | P | F1"): it states no value."""
    return (
        s.passage.kind == PassageKind.TABLE and s.start == 0 and not mostly_numbers(s.text) and not is_cell_row(s.text)
    )


class PaperCache:
    """Per-answerer cache of paper data and sentence embeddings (never shared between answerers)."""

    def __init__(self, library, embedder) -> None:
        self.library = library
        self.embedder = embedder
        self._papers: dict[tuple[str, str], PaperData] = {}
        self._vectors: dict[tuple[str, int, int], np.ndarray] = {}
        self._lock = threading.RLock()

    def paper(self, paper_id: str) -> PaperData:
        paper = self.library.paper(paper_id)
        stamp = paper.added_at if paper is not None else ""
        key = (paper_id, stamp)
        with self._lock:
            data = self._papers.get(key)
            if data is None:
                passages = self.library.passages(paper_id)
                stems = [stems_in(p.text + " " + (p.section or "")) for p in passages]
                df = Counter(x for s in stems for x in s)
                data = PaperData(paper_id, passages, stems, df, {p.id: i for i, p in enumerate(passages)})
                self._papers = {k: v for k, v in self._papers.items() if k[0] != paper_id}
                self._papers[key] = data
            return data

    def sentences(self, data: PaperData, passage: Passage) -> list[Sentence]:
        got = data.sentences.get(passage.id)
        if got is None:
            context = ""
            if passage.kind == PassageKind.TABLE:
                i = data.position[passage.id]
                context = " | ".join(x for x in (table_caption(data.passages, i), table_header(passage)) if x)
            got = split_passage(passage, context)
            data.sentences[passage.id] = got
        return got

    def passages_with(self, data: PaperData, kind) -> list[str]:
        """Ids of the paper's passages that hold a value of this kind (a GPU, a URL...), cached."""
        got = data.kind_hits.get(str(kind))
        if got is None:
            got = [p.id for p in data.passages if p.kind != PassageKind.REFERENCE and find(kind, p.text)]
            data.kind_hits[str(kind)] = got
        return got

    def embed_sentences(self, sentences: Sequence[Sentence]) -> np.ndarray:
        """Unit vectors of the sentences, embedding only those not seen before (one batch)."""
        keys = [(s.passage.id, s.start, s.end) for s in sentences]
        with self._lock:
            missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        if missing:
            lookup = {(s.passage.id, s.start, s.end): s for s in sentences}
            texts = [_embed_text(lookup[k]) for k in missing]
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # less padding per batch
            vecs = np.asarray(self.embedder([texts[i] for i in order]), dtype=np.float32)
            with self._lock:
                for j, i in enumerate(order):
                    self._vectors[missing[i]] = vecs[j]
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])


EMBED_WORDS = 24  # a sentence's first words carry its topic; the rest only costs embedding time
CONTEXT_WORDS = 16


def _embed_text(s: Sentence) -> str:
    text = " ".join(s.text.split()[:EMBED_WORDS])
    if s.context:  # a table row means little alone: its caption and column names go with it
        return " ".join(s.context.split()[:CONTEXT_WORDS]) + " | " + text
    return text


@dataclass(slots=True)
class Candidate:
    """A sentence or table row worth judging, with what retrieval measured about it."""

    sentence: Sentence
    lexical: float  # idf-weighted coverage of the question's terms, 0..1
    focus_cov: float  # share of the asked term's words present, 0..1
    passage_score: float  # fused passage rank score, normalised 0..1
    table_named: bool = False  # a row of the table the question names
    row: float = 0.0  # for a table row: coverage of the question's words by the row itself (not its header)
    prior: float = 0.0  # cheap pre-rank that decides which candidates are embedded
    cosine: float = 0.0  # MiniLM cosine to the question
    example_cosine: float = 0.0  # MiniLM cosine to the question's list of examples
    vector: np.ndarray | None = None  # the sentence's unit vector (for diverse evidence)
    signals: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0  # the fitted model's probability that this candidate answers


def fuse(rankings: Sequence[Sequence[str]]) -> dict[str, float]:
    """Reciprocal-rank fusion of ranked passage-id lists."""
    out: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking):
            out[pid] = out.get(pid, 0.0) + 1 / (RRF_K + rank + 1)
    return out


def term_weights(q: Question, data_list: Sequence[PaperData]) -> dict[str, float]:
    """Stem -> weight for the question's words: idf in these papers, the asked term doubled."""
    weights: dict[str, float] = {}
    focus_lower = {f.lower() for f in q.focus}
    for term in q.terms:
        main = stems_of_word(term)[0]
        idf = sum(d.idf(main) for d in data_list) / max(1, len(data_list))
        w = max(0.2, idf) * (2.0 if term.lower() in focus_lower else 1.0)
        weights[term] = max(weights.get(term, 0.0), w)
    return weights


def term_present(term: str, stems: frozenset[str], canon: frozenset[str] | None = None) -> float:
    """1 for the word (or every part of a compound), 0.7 for an equivalent term, else 0."""
    options = stems_of_word(term)
    if options[0] in stems or (len(options) > 1 and all(p in stems for p in options[1:])):
        return 1.0
    if canon is not None and canonical(options[0]) in canon:
        return 0.7
    return 0.0


def acronym_forms(focus: Sequence[str]) -> set[str]:
    """ "mean IoU" -> {"miou", "mi"...}: initials of the modifiers joined to the head (and plurals)."""
    low = [f.lower() for f in focus if f]
    if len(low) < 2:
        return set()
    forms = {"".join(w[0] for w in low)}
    for k in range(1, len(low)):
        forms.add("".join(w[0] for w in low[:k]) + "".join(low[k:]))
    forms = {f for f in forms if len(f) >= 2 and f not in STOPWORDS}
    return {f for f in forms if len(f) >= 3} | {f + "s" for f in forms}


def acronym_present(focus: Sequence[str], sentence: Sentence) -> bool:
    """ "mean IoU" in "MIoU", "knowledge bases" in "KBs"."""
    forms = acronym_forms(focus)
    return bool(forms) and any(is_acronym(w) and w.lower() in forms for w, *_ in sentence.tokens)


def is_acronym(word: str) -> bool:
    """Written as an acronym: at least two capitals ("MIoU", "KBs", "mAP" has one: "AP" part counts)."""
    return sum(c.isupper() for c in word) >= 2


def lexical_scores(
    q: Question, s: Sentence, weights: dict[str, float], context: frozenset[str] = frozenset()
) -> tuple[float, float]:
    """(coverage of all question terms, coverage of the asked term) in a sentence (plus context stems)."""
    stems = s.stems | context
    canon = frozenset(canonical(x) for x in stems)
    total = sum(weights.values()) or 1.0
    # A word naming the kind of answer ("hardware", "software") is present when a value of that kind is.
    typed = bool(q.category) and q.kind is not None and bool(s.values(q.kind))
    category = {c.lower() for c in q.category} if typed else set()
    got = sum(w * (1.0 if t.lower() in category else term_present(t, stems, canon)) for t, w in weights.items())
    if q.focus:
        hits = [term_present(f, stems, canon) for f in q.focus]
        focus_cov = sum(hits) / len(hits)
        if focus_cov < 1.0 and acronym_present(q.focus, s):
            focus_cov = 1.0
            got = max(got, sum(w for t, w in weights.items() if t in q.focus))
    else:
        focus_cov = 1.0
    return min(1.0, got / total), focus_cov


def mmr(candidates: Sequence[Candidate], vectors: np.ndarray, k: int, lam: float = 0.7) -> list[int]:
    """Indices of k candidates by maximal marginal relevance (relevance = the fitted probability)."""
    chosen: list[int] = []
    pool = list(range(len(candidates)))
    while pool and len(chosen) < k:
        best, best_val = None, -1e9
        for i in pool:
            redundancy = max((float(vectors[i] @ vectors[j]) for j in chosen), default=0.0)
            val = lam * candidates[i].probability - (1 - lam) * redundancy
            if val > best_val:
                best, best_val = i, val
        chosen.append(best)  # type: ignore[arg-type]
        pool.remove(best)  # type: ignore[arg-type]
    return chosen


POOL_PASSAGES = 20  # fused passages whose sentences are candidates
FOCUS_PASSAGES = 6  # extra passages that contain the asked term
TYPED_PASSAGES = 4  # extra passages that hold a value of the expected kind
EXAMPLE_PASSAGES = 4  # extra passages that name one of the question's examples
EMBEDDED = 32  # candidates per question embedded and judged

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
_TYPED_RETRIEVAL = frozenset(map(Kind, "gpu hardware url license version optimizer software money bytes".split()))


@dataclass
class Pool:
    """One question's candidates (best prior first) and what the paper as a whole says about its terms."""

    candidates: list[Candidate]
    focus_in_paper: bool  # every word of the asked term occurs somewhere in the papers


def collect(
    q: Question, datas: Sequence[PaperData], index, cache: PaperCache, depth: int, q_vector: np.ndarray
) -> Pool:
    """Hybrid retrieval, then the sentences of the pooled passages ranked by a cheap prior."""
    paper_ids = [d.paper_id for d in datas]
    passages = [p for d in datas for p in d.passages]
    vec = [pid for pid, _ in index.vector_search(q.text, paper_ids, depth, q_vector)]
    expansion = _KIND_EXPANSION.get(q.kind, "") if q.kind else ""
    lex_query = " ".join([q.text, expansion, " ".join(q.focus), " ".join(q.examples)])
    lex = [pid for pid, _ in index.lexical_search(lex_query, paper_ids, depth)]
    fused = fuse([vec, lex])
    by_id = {p.id: p for p in passages}
    ranked = [pid for pid in sorted(fused, key=lambda k: -fused[k]) if pid in by_id]
    top = fused[ranked[0]] if ranked else 1.0

    def best_fused(ids: list[str], k: int) -> list[str]:
        return sorted(ids, key=lambda pid: -fused.get(pid, 0.0))[:k]

    pool_ids = ranked[:POOL_PASSAGES]
    # Passages holding every word of the asked term join (a value sits by its term).
    focus_hits: list[str] = []
    acronyms = acronym_forms(q.focus) if q.focus else set()
    example_hits: list[str] = []
    for d in datas:
        for p, stems in zip(d.passages, d.passage_stems, strict=True):
            if q.focus and (all(term_present(f, stems) for f in q.focus) or (acronyms & stems)):
                focus_hits.append(p.id)
            if q.names_example(stems):
                example_hits.append(p.id)
    extra = best_fused(focus_hits, FOCUS_PASSAGES) + best_fused(example_hits, EXAMPLE_PASSAGES)
    if q.kind in _TYPED_RETRIEVAL:
        extra += best_fused([pid for d in datas for pid in cache.passages_with(d, q.kind)], TYPED_PASSAGES)
    table_ids = set(table_passages(q.table_ref, passages)) if q.table_ref else set()
    for pid in extra + sorted(table_ids):
        if pid not in pool_ids:
            pool_ids.append(pid)

    weights = term_weights(q, datas)
    data_of = {d.paper_id: d for d in datas}
    focus_set = set(focus_hits)
    out: list[Candidate] = []
    for pid in pool_ids:
        p = by_id[pid]
        p_score = fused.get(pid, 0.0) / top if top else 0.0
        for s in cache.sentences(data_of[p.paper_id], p):
            lexical, focus_cov = lexical_scores(q, s, weights, s.context_stems)
            c = Candidate(s, lexical, focus_cov, p_score, table_named=pid in table_ids)
            if s.context:  # a table row: what the row itself names tells rows of one table apart
                c.row = lexical_scores(q, s, weights)[0]
            typed = q.kind is not None and not q.yesno and bool(s.values(q.kind))
            c.prior = (
                0.45 * lexical
                + 0.25 * focus_cov
                + 0.2 * p_score
                + 0.15 * typed
                + 0.1 * q.names_example(s.stems)
                + 0.05 * (pid in focus_set)
                + 0.3 * c.table_named
            )
            out.append(c)
    out.sort(key=lambda c: -c.prior)
    return Pool(out[:EMBEDDED], focus_in_paper=bool(focus_hits) or not q.focus)
