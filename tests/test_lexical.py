"""The FTS5 lexical index on a real registry: written on ingest, removed on delete, rebuilt for old registries."""

from __future__ import annotations

import sqlite3

import pytest

from papertrail import lexical
from papertrail.library import Library

KELP_SECTIONS = [
    ("Abstract", ["We survey kelp forests along a rocky coast with underwater drones and count sea urchins."]),
    ("Method", ["The classifier was trained with a learning rate of 1e-4 for 3.5 hours on one GPU."]),
]
BEETLE_SECTIONS = [
    ("Abstract", ["Bark beetle outbreaks kill spruce stands; we map them from aerial photographs."]),
    ("Method", ["A random forest separates infested crowns from healthy ones using twelve spectral bands."]),
]


@pytest.fixture
def two_papers(library, make_paper_pdf):
    kelp = library.ingest(make_paper_pdf("kelp.pdf", "Kelp forests from drones", KELP_SECTIONS)).paper
    beetle = library.ingest(make_paper_pdf("beetle.pdf", "Bark beetles from the air", BEETLE_SECTIONS)).paper
    return kelp, beetle


def _papers_hit(library: Library, query: str, paper_ids=None) -> set[str]:
    return {pid.split(":")[0] for pid, _ in library.index.lexical_search(query, paper_ids, 10)}


def test_tokens_keep_numbers_and_hyphens_whole_and_drop_stopwords():
    assert lexical.tokenize("What is the learning-rate of 1e-4 and 3.5 h?") == ["learning-rate", "1e-4", "3.5", "h"]
    # super- and subscripts as extraction keeps them meet the digits a question types
    assert lexical.tokenize("F₁ of 0.91 and R² at 10⁻⁴") == lexical.tokenize("F1 of 0.91 and R2 at 10-4")


def test_search_is_restricted_to_the_papers_asked_about(library, two_papers):
    kelp, beetle = two_papers
    assert _papers_hit(library, "sea urchins kelp") == {kelp.id}
    assert _papers_hit(library, "sea urchins kelp", [beetle.id]) == set()
    assert _papers_hit(library, "spruce crowns", [kelp.id, beetle.id]) == {beetle.id}
    assert _papers_hit(library, "learning rate 1e-4", [kelp.id]) == {kelp.id}
    # Only stopwords: nothing to match, and no error.
    assert library.index.lexical_search("what is the", None, 5) == []


def test_lexical_search_ranks_the_best_passage_first(library, two_papers):
    kelp, _ = two_papers
    passages = library.passages(kelp.id)
    hits = library.index.lexical_search("classifier learning rate 1e-4 GPU", [kelp.id], 3)
    best = next(p for p in passages if p.id == hits[0][0])
    assert "1e-4" in best.text
    assert all(score > 0 for _, score in hits) and hits == sorted(hits, key=lambda h: -h[1])


def test_a_papers_ranking_does_not_change_when_other_papers_join(library, make_paper_pdf):
    """Scores within a paper use its own term statistics: another paper full of "learning" and "rate"
    would otherwise make those words cheaper in the first paper too, and change its answers."""
    kelp = library.ingest(make_paper_pdf("kelp.pdf", "Kelp forests from drones", KELP_SECTIONS)).paper
    query = "classifier learning rate kelp urchins"
    alone = library.index.lexical_search(query, [kelp.id], 5)
    rates = [("Method", ["The learning rate, the learning rate schedule and the rate of learning were tuned."] * 3)]
    library.ingest(make_paper_pdf("rates.pdf", "Learning rates", rates))
    assert library.index.lexical_search(query, [kelp.id], 5) == alone
    assert len({pid.split(":")[0] for pid, _ in library.index.lexical_search(query, None, 10)}) == 2


def test_delete_removes_the_papers_terms(library, two_papers):
    kelp, beetle = two_papers
    assert library.delete(beetle.id)
    assert _papers_hit(library, "spruce crowns bark beetle") == set()
    assert _papers_hit(library, "kelp") == {kelp.id}


def test_a_registry_without_the_index_gets_it_built_when_opened(library, two_papers, settings, embed_model):
    kelp, beetle = two_papers
    with sqlite3.connect(settings.registry_path) as conn:
        conn.execute(f"DROP TABLE {lexical.TABLE}")
    reopened = Library(settings, embed_model=embed_model)
    assert _papers_hit(reopened, "spruce crowns") == {beetle.id}
    assert _papers_hit(reopened, "urchins") == {kelp.id}
