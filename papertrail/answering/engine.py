"""First cut of the answerer: best vector hit, quoted. Replaced by the hybrid pipeline (issue 3)."""

from __future__ import annotations

from collections.abc import Sequence

from papertrail.library import Library
from papertrail.models import Answer, Evidence, Verdict
from papertrail.settings import Settings


class Answerer:
    def __init__(self, library: Library, settings: Settings | None = None) -> None:
        self.library = library
        self.settings = settings or library.settings

    def ask(self, question: str, paper_ids: Sequence[str]) -> Answer:
        passages = {p.id: p for p in self.library.passages(paper_ids)}
        hits = self.library.index.vector_search(question, paper_ids, self.settings.retrieval_depth)
        evidence = tuple(Evidence(passages[pid], 0, len(passages[pid].text), score) for pid, score in hits)
        if not evidence or evidence[0].score < 0.325:
            verdict = Verdict(False, 0.5, ("no passage is close to the question",))
            return Answer(question, "The paper does not say.", verdict, evidence[:3], paper_ids=tuple(paper_ids))
        verdict = Verdict(True, evidence[0].score, ())
        return Answer(question, evidence[0].text, verdict, evidence[:3], paper_ids=tuple(paper_ids))

    def ask_many(self, questions: Sequence[str], paper_ids: Sequence[str]) -> list[Answer]:
        """Answer a battery about the same papers (the review matrix shares retrieval work here)."""
        return [self.ask(q, paper_ids) for q in questions]
