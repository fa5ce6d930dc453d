"""`make bench-scale`: a 1,000-paper library built from real text, on embedded Chroma and on a Chroma server.

    python -m papertrail.bench_scale --shared ../shared [--source eval-out/data] [--papers 1000]

Source: the shared and dev2 papers, read and embedded once into a source library (`--source`; the
library `make eval` leaves in eval-out/data is reused when present). Each synthetic paper joins three
runs of consecutive passages from three different source papers, so every paper is distinct real
text; its passages keep the source's vectors (text repeats, so its embedding would be the same) and
go through the library's own store path (registry, FTS5, Chroma) with the model's cost left out.
The model's cost is measured on its own: real PDFs ingested into the full library against embedding
their passages alone. Every target is printed as a ratio or against its limit, measured in this run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pymupdf

from papertrail.embedding import MiniLMEmbedding, get_minilm
from papertrail.ingest import ingest_files
from papertrail.library import Library
from papertrail.models import Passage, PassageKind
from papertrail.pdf.chunk import chunk
from papertrail.pdf.extract import extract
from papertrail.settings import PROJECT_ROOT, load_settings

SETS = (("eval/qa_dev.jsonl", "papers"), ("eval/dev2/qa_dev2.jsonl", "eval/dev2/papers"))
RUNS_PER_PAPER = 3
SMALL = 16  # the library size single-paper answering is compared against
RETRIEVAL_PASSAGES = 200_000


@dataclass
class Source:
    filename: str
    passages: list[Passage]  # body text only: the runs are cut from these
    vectors: np.ndarray  # float32, one row per passage


@dataclass(frozen=True)
class Recipe:
    """A synthetic paper as the runs it is cut from; built into passages only when it is stored, so the
    benchmark itself never holds 1,000 papers' passages (peak RSS measures the library, not this)."""

    number: int
    runs: tuple[tuple[Source, int], ...]  # (source paper, first passage of the run)
    run_length: int

    @property
    def filename(self) -> str:
        return f"synthetic_{self.number:04d}.pdf"

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(source.filename for source, _ in self.runs)


def _pct(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the source library and the synthetic papers ------------------------------------------------------


def load_sources(shared: Path, source_dir: Path, embed_model: MiniLMEmbedding) -> list[Source]:
    library = Library(load_settings(data_dir=source_dir, chroma_url=""), embed_model=embed_model)
    pdfs = [pdf for _, folder in SETS for pdf in sorted((shared / folder).glob("*.pdf"))]
    have = {p.filename for p in library.papers()}
    missing = [pdf for pdf in pdfs if pdf.name not in have]
    if missing:
        print(f"source library: reading and embedding {len(missing)} papers once into {source_dir}", flush=True)
        ingest_files(library, missing)
    sources = []
    for paper in library.papers():
        body = [p for p in library.passages(paper.id) if p.kind in (PassageKind.BODY, PassageKind.TABLE)]
        vectors = library.index.vectors([p.id for p in body])
        sources.append(Source(paper.filename, body, np.asarray([vectors[p.id] for p in body], dtype=np.float32)))
    return sources


def synthetic_papers(sources: list[Source], count: int, per_paper: int, seed: int = 7) -> list[Recipe]:
    """`count` distinct papers, each three runs of consecutive passages from three source papers."""
    rng = random.Random(seed)
    run = per_paper // RUNS_PER_PAPER
    usable = [s for s in sources if len(s.passages) >= run]
    seen: set[tuple] = set()
    out: list[Recipe] = []
    while len(out) < count:
        picks = rng.sample(usable, RUNS_PER_PAPER)
        runs = tuple((s, rng.randrange(len(s.passages) - run + 1)) for s in picks)
        key = tuple((s.filename, start) for s, start in runs)
        if key not in seen:
            seen.add(key)
            out.append(Recipe(len(out) + 1, runs, run))
    return out


def build(recipe: Recipe) -> tuple[bytes, tuple[str, str, int, tuple[str, ...]], list[Passage], list[list[float]]]:
    """(PDF bytes naming the paper, meta, passages, vectors): pages renumbered so the runs follow one another."""
    passages: list[Passage] = []
    vectors: list[list[float]] = []
    page = 1
    for source, start in recipe.runs:
        first_page = source.passages[start].page
        shift = page - first_page
        for p in source.passages[start : start + recipe.run_length]:
            words = tuple(replace(w, box=replace(w.box, page=w.box.page + shift)) for w in p.words)
            passages.append(Passage("", len(passages), p.text, p.page + shift, p.section, p.kind, words))
        vectors.extend(source.vectors[start : start + recipe.run_length].tolist())
        page = passages[-1].page + 1
    title = f"Synthetic study {recipe.number}: " + " / ".join(name.rsplit(".", 1)[0][:30] for name in recipe.sources)
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), title, fontsize=9)
    return doc.tobytes(), (title, f"Author {recipe.number}", page - 1, (), ()), passages, vectors


def question_pairs(shared: Path, papers: Sequence[Recipe], limit: int) -> list[tuple[str, int]]:
    """(question, index of a synthetic paper holding text of the question's paper), over `papers`."""
    questions: dict[str, list[str]] = {}
    for qa_file, _ in SETS:
        for line in (shared / qa_file).read_text().splitlines():
            item = json.loads(line)
            questions.setdefault(item["paper"], []).append(item["question"])
    pairs = [(q, i) for i, paper in enumerate(papers) for source in paper.sources for q in questions.get(source, [])]
    return random.Random(11).sample(pairs, min(limit, len(pairs)))


def _store(library: Library, papers: Sequence[Recipe]) -> list[str]:
    return [library.ingest_passages(*_built(recipe)).paper.id for recipe in papers]


def _built(recipe: Recipe):
    data, meta, passages, vectors = build(recipe)
    return data, recipe.filename, meta, passages, vectors


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def single_paper_latencies(library: Library, ids: Sequence[str], pairs: Sequence[tuple[str, int]]) -> list[float]:
    """Each question about its one paper, by a fresh answerer (cold caches, as for a paper asked first)."""
    from papertrail.answering import Answerer

    Answerer(library).ask("How many epochs were used?", [ids[-1]])  # one-off costs (weights, imports) not timed
    answerer = Answerer(library)
    return [_timed(lambda q=q, i=i: answerer.ask(q, [ids[i]])) for q, i in pairs]


def ingest_overhead(library: Library, pdfs: Sequence[Path]) -> float:
    """(ingest - embedding alone) / embedding alone, for real PDFs added to the full library."""
    ingest_s = embed_s = 0.0
    for pdf in pdfs:
        data = pdf.read_bytes()
        passages = chunk(extract(data).passages, library.settings.chunk_words)
        # Embedding alone is timed before and after the ingest: the machine's load drifts.
        embed_s += _timed(lambda passages=passages: library.index.embed_passages(passages)) / 2
        ingest_s += _timed(lambda data=data, name=pdf.name: library.ingest(data, filename=name))
        embed_s += _timed(lambda passages=passages: library.index.embed_passages(passages)) / 2
    return (ingest_s - embed_s) / embed_s


def page_render_seconds(data_dir: Path, chroma_url: str) -> float:
    """The Library page's script run in Streamlit's AppTest (the server side of a page view), warm.

    Imported here: the engine never imports Streamlit; only this measurement drives the app.
    """
    from streamlit.testing.v1 import AppTest

    os.environ["PAPERTRAIL_DATA_DIR"] = str(data_dir)
    os.environ["PAPERTRAIL_CHROMA_URL"] = chroma_url
    at = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=600)
    at.run()
    at.switch_page("pages/library.py").run()  # first view: opens the library
    runs = [_timed(at.run) for _ in range(3)]
    if at.exception:
        raise RuntimeError(f"library page failed: {[e.value for e in at.exception]}")
    return statistics.median(runs)


def bench_backend(
    name: str,
    data_dir: Path,
    chroma_url: str,
    papers: Sequence[Recipe],
    pairs: Sequence[tuple[str, int]],
    library_questions: Sequence[str],
    real_pdfs: Sequence[Path],
    embed_model: MiniLMEmbedding,
) -> dict[str, float]:
    from papertrail.library_questions import ask_library

    library = Library(load_settings(data_dir=data_dir, chroma_url=chroma_url), embed_model=embed_model)
    t0 = time.perf_counter()
    ids = _store(library, papers[:SMALL])
    store_s = time.perf_counter() - t0
    small = single_paper_latencies(library, ids, pairs)
    t0 = time.perf_counter()
    ids += _store(library, papers[SMALL:])
    store_s += time.perf_counter() - t0
    passages = sum(p.run_length * RUNS_PER_PAPER for p in papers)
    print(
        f"[{name}] stored {len(ids)} papers, {passages} passages in {store_s:.0f} s "
        f"({1000 * store_s / passages:.1f} ms per passage without the model)",
        flush=True,
    )
    large = single_paper_latencies(library, ids, pairs)
    whole = [_timed(lambda q=q: ask_library(library, q)) for q in library_questions]
    overhead = ingest_overhead(library, real_pdfs)
    render = page_render_seconds(data_dir, chroma_url)
    figures = {
        "single_p50_small": statistics.median(small),
        "single_p95_small": _pct(small, 95),
        "single_p50_large": statistics.median(large),
        "single_p95_large": _pct(large, 95),
        "library_p50": statistics.median(whole),
        "library_p95": _pct(whole, 95),
        "ingest_overhead": overhead,
        "page_render": render,
        "store_ms_per_passage": 1000 * store_s / passages,
    }
    n = len(ids)
    print(
        f"[{name}] single-paper answer p50 {figures['single_p50_large']:.2f} s at {n} papers vs "
        f"{figures['single_p50_small']:.2f} s at {SMALL}: ratio {figures['single_p50_large'] / figures['single_p50_small']:.2f}"
        f" (target <= 1.2); p95 {figures['single_p95_large']:.2f} vs {figures['single_p95_small']:.2f} s",
        flush=True,
    )
    print(
        f"[{name}] whole-library question p50 {figures['library_p50']:.2f} s, p95 {figures['library_p95']:.2f} s"
        f" (target p95 <= 2 s); library page render {figures['page_render']:.2f} s (target <= 1 s)",
        flush=True,
    )
    print(
        f"[{name}] ingest overhead beyond embedding at {n} papers: {100 * overhead:.0f} % (target <= 25 %);"
        f" peak RSS so far {_peak_rss_mb():.0f} MB (target <= 1536 MB)",
        flush=True,
    )
    return figures


def retrieval_at_scale(
    target: int,
    chroma_url: str,
    data_dir: Path,
    sources: Sequence[Source],
    questions: Sequence[str],
    embed_model: MiniLMEmbedding,
) -> tuple[int, float, float]:
    """Fill the server's collection to `target` passages with precomputed vectors (real passages, their
    vectors jittered so none repeats exactly), then time the index's vector search: one paper, and all."""
    library = Library(load_settings(data_dir=data_dir, chroma_url=chroma_url), embed_model=embed_model)
    rng = np.random.default_rng(3)
    pool = [(p, v) for s in sources for p, v in zip(s.passages, s.vectors, strict=True)]  # v: float32 rows
    have = library.index.count()
    batch = 2000
    k = 0
    collection = library.index.collection
    while have < target:
        chosen = [pool[i] for i in rng.integers(0, len(pool), batch)]
        vectors = np.asarray([v for _, v in chosen], dtype=np.float32)
        vectors += rng.normal(0, 0.01, vectors.shape).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        # Written straight to the collection (what the index writes, without LlamaIndex's per-node work).
        ids = [f"bulk{k + j // 100:06d}:{j % 100}" for j in range(batch)]
        metadatas = [{"paper_id": i.split(":")[0], "ordinal": int(i.split(":")[1])} for i in ids]
        collection.add(ids=ids, embeddings=vectors, metadatas=metadatas, documents=[p.text for p, _ in chosen])
        k += batch // 100
        have += batch
    total = library.index.count()
    one_paper = library.papers()[0].id
    vecs = get_minilm().embed(list(questions))
    filtered = [
        _timed(lambda q=q, v=v: library.index.vector_search(q, [one_paper], 24, v))
        for q, v in zip(questions, vecs, strict=True)
    ]
    whole = [
        _timed(lambda q=q, v=v: library.index.vector_search(q, None, 24, v))
        for q, v in zip(questions, vecs, strict=True)
    ]
    return total, _pct(filtered, 95), _pct(whole, 95)


def _start_chroma(path: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(  # noqa: S603 - the chroma CLI from our own venv
        [str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Chroma server did not start") from None
            time.sleep(0.5)
    return proc, f"http://127.0.0.1:{port}"


def _server_peak_rss_mb(proc: subprocess.Popen) -> float:
    for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", default="../shared", type=Path)
    parser.add_argument(
        "--source",
        default=PROJECT_ROOT / "eval-out" / "data",
        type=Path,
        help="a library holding the shared and dev2 papers (built here if missing)",
    )
    parser.add_argument("--papers", default=1000, type=int)
    parser.add_argument("--passages-per-paper", default=60, type=int)
    parser.add_argument("--questions", default=24, type=int, help="single-paper questions timed at each size")
    parser.add_argument("--library-questions", default=16, type=int)
    parser.add_argument("--retrieval-passages", default=RETRIEVAL_PASSAGES, type=int)
    parser.add_argument("--overhead-papers", default=2, type=int, help="real PDFs timed for ingest overhead")
    args = parser.parse_args()
    embed_model = MiniLMEmbedding()
    get_minilm().embed(["warm up the model before timing anything"])
    sources = load_sources(args.shared, args.source, embed_model)
    papers = synthetic_papers(sources, args.papers, args.passages_per_paper)
    pairs = question_pairs(args.shared, papers[:SMALL], args.questions)
    asked = [q for q, _ in question_pairs(args.shared, papers, 10 * args.library_questions)]
    library_questions = list(dict.fromkeys(asked))[: args.library_questions]
    real_pdfs = sorted((args.shared / "papers").glob("*.pdf"))[: args.overhead_papers]
    print(
        f"{len(sources)} source papers; {len(papers)} synthetic papers of {args.passages_per_paper} passages;"
        f" {len(pairs)} single-paper and {len(library_questions)} library questions",
        flush=True,
    )
    results = {}
    with tempfile.TemporaryDirectory(prefix="papertrail-bench-scale-") as tmp:
        root = Path(tmp)
        results["embedded"] = bench_backend(
            "embedded", root / "embedded", "", papers, pairs, library_questions, real_pdfs, embed_model
        )
        proc, url = _start_chroma(root / "chroma-server")
        try:
            results["server"] = bench_backend(
                "server", root / "server", url, papers, pairs, library_questions, real_pdfs, embed_model
            )
            total, filtered_p95, whole_p95 = retrieval_at_scale(
                args.retrieval_passages, url, root / "server", sources, library_questions, embed_model
            )
            server_rss = _server_peak_rss_mb(proc)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    print(
        f"[server] retrieval over {total} passages: p95 {1000 * filtered_p95:.0f} ms within one paper,"
        f" {1000 * whole_p95:.0f} ms over the whole collection (target p95 <= 200 ms)"
    )
    print(f"peak RSS: this process {_peak_rss_mb():.0f} MB (target <= 1536 MB); Chroma server {server_rss:.0f} MB")
    print(json.dumps({k: {n: round(v, 4) for n, v in f.items()} for k, f in results.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
