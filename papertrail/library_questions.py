"""Questions and searches across the whole library, without loading the library's passages.

Both indexes already span the library: FTS5 (words) and the Chroma collection (meaning) name the
passages closest to a question, and so the few papers worth reading. Only those papers are read,
each by the per-paper engine, so a question costs about the same at 1,000 papers as at 20.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from papertrail import lexical
from papertrail.answering import Answerer
from papertrail.embedding import get_minilm
from papertrail.library import Library
from papertrail.models import LibraryAnswer, PaperAnswer, PassageHit
from papertrail.settings import Settings

_READERS = 2  # papers read at once: the model's ONNX session releases the GIL

_FUSION_K = 60  # reciprocal-rank fusion constant (the usual one)
_PASSAGES_PER_PAPER_READ = 10  # passages taken from each index per candidate paper wanted


def candidate_papers(library: Library, question: str, limit: int) -> list[str]:
    """Paper ids best first: each index ranks papers by their best passage; the two rankings are fused."""
    depth = _PASSAGES_PER_PAPER_READ * limit
    vector = get_minilm().embed([question])[0]
    rankings = (
        library.index.lexical_search(question, None, depth),
        library.index.vector_search(question, None, depth, vector),
    )
    fused: dict[str, float] = {}
    for hits in rankings:
        papers = list(dict.fromkeys(passage_id.rpartition(":")[0] for passage_id, _ in hits))
        for rank, paper_id in enumerate(papers, start=1):
            fused[paper_id] = fused.get(paper_id, 0.0) + 1.0 / (_FUSION_K + rank)
    return sorted(fused, key=lambda paper_id: -fused[paper_id])[:limit]


def ask_library(
    library: Library, question: str, top: int | None = None, settings: Settings | None = None
) -> LibraryAnswer:
    """The papers that answer, best first, among the `top` candidate papers read (default: the
    library_papers_read setting), and how many papers of the library do not answer. `settings`: the
    session's choices (answering backend), else the library's.

    A fresh Answerer per question: its caches hold only the papers this question reads, so memory
    stays bounded however many library questions a session asks.
    """
    settings = settings or library.settings
    read = candidate_papers(library, question, top or settings.library_papers_read)
    answerer = Answerer(library, settings)
    papers = [paper for paper in map(library.paper, read) if paper is not None]  # None: deleted meanwhile
    with ThreadPoolExecutor(_READERS) as pool:
        answers = list(pool.map(lambda paper: answerer.ask(question, [paper.id]), papers))
    answering = [PaperAnswer(p, a) for p, a in zip(papers, answers, strict=True) if a.verdict.answerable]
    answering.sort(key=lambda pa: (pa.answer.verdict.uncertain, -pa.answer.verdict.confidence))
    return LibraryAnswer(
        question=question,
        answering=tuple(answering),
        not_answering=library.paper_count() - len(answering),
        papers_read=len(papers),
    )


def search_passages(library: Library, query: str, k: int = 20) -> list[PassageHit]:
    """Passages matching the query's words across the library, best first, with the words to highlight."""
    hits = library.index.lexical_search(query, None, k)
    score = dict(hits)
    papers = {}
    out = []
    for passage in library.passages_by_id([passage_id for passage_id, _ in hits]):
        paper = papers.get(passage.paper_id) or library.paper(passage.paper_id)
        if paper is None:
            continue
        papers[paper.id] = paper
        out.append(PassageHit(paper, passage, score[passage.id], lexical.term_spans(passage.text, query)))
    return out
