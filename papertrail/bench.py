"""`make bench`: ingest, answer and review costs on ../shared, printed as ratios measured in one run.

The machine is shared and noisy, so every target is a ratio of two timings taken side by side
rather than an absolute number.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from papertrail.embedding import get_minilm
from papertrail.library import Library
from papertrail.models import PassageKind
from papertrail.pdf.chunk import chunk
from papertrail.pdf.extract import extract
from papertrail.settings import load_settings


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_ingest(library: Library, pdfs: list[Path]) -> dict[str, float]:
    print(f"{'paper':<52} {'pages':>5} {'pass.':>5} {'ms/page':>8} {'ingest s':>9} {'embed s':>8} {'ratio':>6}")
    totals = {"ingest": 0.0, "embed": 0.0, "pages": 0, "extract": 0.0}
    for pdf in pdfs:
        data = pdf.read_bytes()
        t0 = time.perf_counter()
        extracted = extract(data)
        extract_s = time.perf_counter() - t0
        passages = chunk(extracted.passages, library.settings.chunk_words)

        t0 = time.perf_counter()
        result = library.ingest(data, filename=pdf.name)
        ingest_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        library.index.embed_passages(passages)
        embed_s = time.perf_counter() - t0

        totals["ingest"] += ingest_s
        totals["embed"] += embed_s
        totals["pages"] += extracted.pages
        totals["extract"] += extract_s
        print(
            f"{pdf.name[:52]:<52} {extracted.pages:>5} {result.paper.passages:>5} "
            f"{1000 * extract_s / extracted.pages:>8.1f} {ingest_s:>9.2f} {embed_s:>8.2f} {ingest_s / embed_s:>6.2f}"
        )
    ratio = totals["ingest"] / totals["embed"]
    print(
        f"ALL: {totals['pages']} pages, extraction {1000 * totals['extract'] / totals['pages']:.1f} ms/page, "
        f"ingest {totals['ingest']:.1f} s vs embedding alone {totals['embed']:.1f} s: "
        f"ratio {ratio:.3f} (target <= 1.25); peak RSS {_peak_rss_mb():.0f} MB"
    )
    return {"ingest_ratio": ratio}


def bench_answer(library: Library, questions: list[dict], ids: dict[str, str]) -> dict[str, float]:
    from papertrail.answering import Answerer

    answerer = Answerer(library)
    latencies = []
    for q in questions:
        t0 = time.perf_counter()
        answerer.ask(q["question"], [ids[q["paper"]]])
        latencies.append(time.perf_counter() - t0)
    # The yardstick: embedding 8 typical body passages of the same library (not titles or headings).
    body = [p.text for p in library.passages(sorted(set(ids.values()))) if p.kind == PassageKind.BODY]
    sample = body[:: max(1, len(body) // 64)][:64]
    model = get_minilm()
    runs = []
    for start in range(0, len(sample) - 7, 8):
        t0 = time.perf_counter()
        model.embed(sample[start : start + 8])
        runs.append(time.perf_counter() - t0)
    p50, embed8 = statistics.median(latencies), statistics.median(runs)
    print(
        f"answer p50 {1000 * p50:.0f} ms over {len(latencies)} questions; embedding 8 passages {1000 * embed8:.0f} ms:"
        f" ratio {p50 / embed8:.2f} (target <= 1.0)"
    )
    return {"answer_ratio": p50 / embed8}


def bench_review_cost(library: Library, ids: dict[str, str]) -> dict[str, float]:
    from papertrail.review import bench_review, builtin_battery

    paper_ids = [ids[name] for name in sorted(ids) if name.startswith("eco_")][:3]
    figures = bench_review(library, paper_ids, builtin_battery())
    print(
        f"review: {figures['seconds_per_cell']:.3f} s per cell vs {figures['single_call_seconds_per_cell']:.3f} s"
        f" by single answer calls: ratio {figures['ratio']:.2f}"
    )
    return figures


def bench_ocr(pdf: Path, tmp: Path, pages: int = 2, dpi: int = 150) -> dict[str, float]:
    """OCR seconds per page on a scan of a shared paper's first pages, beside reading their text layer."""
    from papertrail.evaluate_ocr import scan_copy

    scan = scan_copy(pdf, tmp / "scan.pdf", dpi, max_pages=pages)
    t0 = time.perf_counter()
    born_digital = extract(pdf)
    text_layer_s = (time.perf_counter() - t0) / born_digital.pages
    t0 = time.perf_counter()
    scanned = extract(scan)
    ocr_s = (time.perf_counter() - t0) / len(scanned.ocr_pages)
    print(
        f"OCR seconds per page {ocr_s:.1f} ({len(scanned.ocr_pages)} pages of {pdf.name[:40]} at {dpi} dpi) vs"
        f" {1000 * text_layer_s:.0f} ms per page from the text layer: ratio {ocr_s / text_layer_s:.0f}"
    )
    return {"ocr_seconds_per_page": ocr_s}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", default="../shared", type=Path)
    args = parser.parse_args()
    papers = sorted((args.shared / "papers").glob("*.pdf"))
    questions = [json.loads(line) for line in (args.shared / "eval" / "qa_dev.jsonl").read_text().splitlines()]
    with tempfile.TemporaryDirectory(prefix="papertrail-bench-") as tmp:
        library = Library(load_settings(data_dir=Path(tmp)))
        get_minilm().embed(["warm up the model before timing anything"])
        bench_ingest(library, papers)
        ids = {p.filename: p.id for p in library.papers()}
        bench_answer(library, questions, ids)
        bench_review_cost(library, ids)
        bench_ocr(papers[0], Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
