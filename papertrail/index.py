"""The search index: LlamaIndex over a Chroma collection (vectors) plus SQLite FTS5 (words, papertrail/lexical.py).

Chroma is embedded (PersistentClient under the data dir) by default and a server when
PAPERTRAIL_CHROMA_URL is set, so several app replicas can share one collection.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Callable, Sequence
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from llama_index.core import Settings as LlamaSettings
from llama_index.core import StorageContext, VectorStoreIndex
from llama_index.core.llms.mock import MockLLM
from llama_index.core.schema import MetadataMode, QueryBundle, TextNode
from llama_index.core.vector_stores.types import FilterOperator, MetadataFilter, MetadataFilters
from llama_index.vector_stores.chroma import ChromaVectorStore

from papertrail import lexical
from papertrail.embedding import MiniLMEmbedding
from papertrail.models import Passage
from papertrail.settings import Settings

# LlamaIndex otherwise reaches for OpenAI; we never want an implicit network call. MockLLM directly, not
# None: None prints a notice to stdout, which is the CLI's output.
LlamaSettings.llm = MockLLM()


def _chroma_client(settings: Settings) -> chromadb.ClientAPI:
    telemetry_off = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=telemetry_off,
        )
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=telemetry_off)


def _node(passage: Passage, embedding: list[float] | None) -> TextNode:
    metadata = {
        "paper_id": passage.paper_id,
        "ordinal": passage.ordinal,
        "page": passage.page,
        "section": passage.section,
        "kind": str(passage.kind),
        # No word rectangles: the registry holds them, and searches read only ids and scores from Chroma.
        # Left out, they no longer weigh on every vector written (LlamaIndex stores metadata twice).
    }
    return TextNode(
        id_=passage.id,
        text=passage.text,
        metadata=metadata,
        embedding=embedding,
        # Only the section heading joins the text in the embedding; nothing goes to an LLM from here.
        excluded_embed_metadata_keys=[k for k in metadata if k != "section"],
        excluded_llm_metadata_keys=list(metadata),
    )


# Up to this many papers, vector search reads their vectors by id and ranks them exactly (see _exact_search).
EXACT_SEARCH_PAPERS = 20


class PassageIndex:
    """Vectors in Chroma via LlamaIndex; words in the registry's FTS5 table (written by the Library)."""

    def __init__(self, settings: Settings, embed_model: MiniLMEmbedding) -> None:
        self.settings = settings
        self.embed_model = embed_model
        self._client = _chroma_client(settings)
        self._collection = self._client.get_or_create_collection(settings.collection, metadata={"hnsw:space": "cosine"})
        self._store = ChromaVectorStore(chroma_collection=self._collection)
        self._index = VectorStoreIndex.from_vector_store(
            self._store,
            embed_model=embed_model,
            storage_context=StorageContext.from_defaults(vector_store=self._store),
        )
        self._local = threading.local()

    @property
    def collection(self) -> chromadb.Collection:
        """The Chroma collection itself (the scale benchmark writes precomputed vectors straight to it)."""
        return self._collection

    def embed_passages(
        self, passages: Sequence[Passage], progress: Callable[[float], None] | None = None
    ) -> list[list[float]]:
        texts = [_node(p, None).get_content(metadata_mode=MetadataMode.EMBED) for p in passages]
        batch = self.settings.embed_batch
        vectors: list[list[float]] = []
        for start in range(0, len(texts), batch):
            vectors.extend(self.embed_model.get_text_embedding_batch(texts[start : start + batch]))
            if progress:
                progress(min(1.0, (start + batch) / max(1, len(texts))))
        return vectors

    def add(self, passages: Sequence[Passage], embeddings: Sequence[list[float]]) -> None:
        nodes = [_node(p, e) for p, e in zip(passages, embeddings, strict=True)]
        self._index.insert_nodes(nodes)

    def delete_paper(self, paper_id: str) -> None:
        self._collection.delete(where={"paper_id": paper_id})

    def count(self, paper_id: str | None = None) -> int:
        if paper_id is None:
            return self._collection.count()
        return len(self._collection.get(where={"paper_id": paper_id}, include=[])["ids"])

    def vectors(self, passage_ids: Sequence[str]) -> dict[str, list[float]]:
        """The stored vectors of these passages (to reuse them without embedding again)."""
        got = self._collection.get(ids=list(passage_ids), include=["embeddings"])
        return {pid: [float(x) for x in vec] for pid, vec in zip(got["ids"], got["embeddings"], strict=True)}

    def paper_ids(self) -> set[str]:
        metadatas = self._collection.get(include=["metadatas"])["metadatas"] or []
        return {str(m["paper_id"]) for m in metadatas}

    def vector_search(
        self, query: str, paper_ids: Sequence[str] | None, k: int, embedding: Sequence[float] | None = None
    ) -> list[tuple[str, float]]:
        """(passage id, similarity exp(-cosine distance), as LlamaIndex reports it) best first, within the
        given papers or over the whole library when None (embedding: the query's vector, when the caller
        has it already)."""
        if paper_ids is not None and not paper_ids:
            return []
        if paper_ids is not None and len(paper_ids) <= EXACT_SEARCH_PAPERS:
            return self._exact_search(query, paper_ids, k, embedding)
        filters = None
        if paper_ids is not None:
            filters = MetadataFilters(
                filters=[MetadataFilter(key="paper_id", value=list(paper_ids), operator=FilterOperator.IN)]
            )
        retriever = self._index.as_retriever(similarity_top_k=k, filters=filters)
        bundle = QueryBundle(query, embedding=list(map(float, embedding)) if embedding is not None else None)
        return [(hit.node.node_id, float(hit.score or 0.0)) for hit in retriever.retrieve(bundle)]

    def _exact_search(
        self, query: str, paper_ids: Sequence[str], k: int, embedding: Sequence[float] | None
    ) -> list[tuple[str, float]]:
        """A few papers: their vectors fetched by id and compared exactly. A metadata-filtered search
        costs time in proportion to the whole collection; fetching by id costs only these papers'."""
        marks = ",".join("?" * len(paper_ids))
        rows = self._registry().execute(
            f"SELECT paper_id, ordinal FROM passages WHERE paper_id IN ({marks}) ORDER BY paper_id, ordinal",  # noqa: S608
            list(paper_ids),
        )
        wanted = [f"{paper_id}:{ordinal}" for paper_id, ordinal in rows]
        got = self._collection.get(ids=wanted, include=["embeddings"]) if wanted else None
        # Chroma answers in its storage order, not the order asked: read them in reading order, so that ties
        # (a passage the paper repeats) fall the same way in every run.
        found = dict(zip(got["ids"], got["embeddings"], strict=True)) if got and len(got["ids"]) else {}
        ids = [i for i in wanted if i in found]
        if not ids:
            return []
        vectors = np.asarray([found[i] for i in ids], dtype=np.float32)
        query_vec = np.asarray(
            embedding if embedding is not None else self.embed_model.get_query_embedding(query), dtype=np.float32
        )
        cosine = (vectors @ query_vec) / (np.linalg.norm(vectors, axis=1) * np.linalg.norm(query_vec) + 1e-12)
        best = np.argsort(-cosine, kind="stable")[:k]
        return [(ids[i], math.exp(-(1.0 - float(cosine[i])))) for i in best]

    def lexical_search(self, query: str, paper_ids: Sequence[str] | None, k: int) -> list[tuple[str, float]]:
        """(passage id, BM25 score) best first over the given papers, or the whole library when None."""
        if paper_ids is not None and len(paper_ids) <= EXACT_SEARCH_PAPERS:
            return lexical.search_within(self._registry(), query, paper_ids, k)
        return lexical.search(self._registry(), query, paper_ids, k)

    def _registry(self) -> sqlite3.Connection:
        # One read connection per thread (Streamlit serves sessions on threads).
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.settings.registry_path, timeout=60, isolation_level=None)
            self._local.conn = conn
        return conn
