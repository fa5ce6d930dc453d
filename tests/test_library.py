"""The library on real components: generated PDFs, real embedded Chroma, a real Chroma server."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papertrail.library import IngestError, Library
from papertrail.settings import load_settings
from tests import pdf_factory
from tests.servers import free_port, stop

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def two_column_pdf(tmp_path_factory) -> Path:
    return pdf_factory.make_two_column_paper(tmp_path_factory.mktemp("pdfs") / "two_column.pdf")


@pytest.fixture
def library(tmp_path) -> Library:
    return Library(load_settings(data_dir=tmp_path / "data"))


def test_ingest_lists_the_paper_and_indexes_every_passage(library, two_column_pdf):
    stages = []
    result = library.ingest(two_column_pdf, progress=lambda stage, fraction: stages.append(stage))
    paper = result.paper
    assert not result.duplicate
    assert [p.id for p in library.papers()] == [paper.id]
    assert paper.pages >= 2 and paper.passages > 0 and paper.filename == "two_column.pdf"
    assert library.index.count(paper.id) == paper.passages == len(library.passages(paper.id))
    assert library.pdf_path(paper.id).read_bytes() == two_column_pdf.read_bytes()
    assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == ["extract", "embed", "index"]


def test_same_content_is_recognised_as_a_duplicate(library, two_column_pdf, tmp_path):
    first = library.ingest(two_column_pdf)
    renamed = tmp_path / "renamed.pdf"
    renamed.write_bytes(two_column_pdf.read_bytes())
    second = library.ingest(renamed)
    assert second.duplicate and second.paper.id == first.paper.id
    assert len(library.papers()) == 1
    assert library.index.count(first.paper.id) == first.paper.passages


def test_retrieved_passage_carries_page_and_word_boxes(library, two_column_pdf):
    paper = library.ingest(two_column_pdf).paper
    passages = {p.id: p for p in library.passages(paper.id)}
    hits = library.index.vector_search("running heads and page numbers", [paper.id], 3)
    assert hits and all(pid in passages for pid, _ in hits)
    best = passages[hits[0][0]]
    assert best.words and best.boxes_for()
    assert all(1 <= b.page <= paper.pages for b in best.boxes_for())


def test_delete_removes_vectors_passages_and_file(library, two_column_pdf):
    paper = library.ingest(two_column_pdf).paper
    assert library.delete(paper.id)
    assert library.papers() == []
    assert library.index.count(paper.id) == 0
    assert library.passages(paper.id) == []
    assert not library.pdf_path(paper.id).exists()
    assert not library.delete(paper.id)


def test_upload_names_never_become_paths(library, two_column_pdf):
    result = library.ingest(two_column_pdf.read_bytes(), filename="../../etc/evil.pdf")
    assert result.paper.filename == "evil.pdf"
    assert library.pdf_path(result.paper.id).parent == library.settings.pdf_dir


BAD_INPUTS = {
    "empty": lambda d: _write(d / "zero.pdf", b""),
    "not_pdf": lambda d: _write(d / "notes.pdf", b"These are my notes, not a PDF at all.\n" * 20),
    "corrupt": lambda d: pdf_factory.make_corrupt_pdf(d / "corrupt.pdf"),
    "encrypted": lambda d: pdf_factory.make_encrypted_pdf(d / "locked.pdf"),
    "no_text": lambda d: pdf_factory.make_image_only_pdf(d / "scan.pdf"),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("code", sorted(BAD_INPUTS))
def test_bad_file_fails_alone_with_a_reason(library, two_column_pdf, tmp_path, code):
    good = library.ingest(two_column_pdf).paper
    bad = BAD_INPUTS[code](tmp_path)
    with pytest.raises(IngestError) as err:
        library.ingest(bad)
    assert err.value.code == code
    assert len(err.value.message) > 20  # a sentence the user can act on, not a stack trace
    assert [p.id for p in library.papers()] == [good.id]
    assert library.index.count() == good.passages


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path, two_column_pdf):
    library = Library(load_settings(data_dir=tmp_path / "data", max_file_mb=0))
    with pytest.raises(IngestError) as err:
        library.ingest(two_column_pdf)
    assert err.value.code == "too_large" and "PAPERTRAIL_MAX_FILE_MB" in err.value.message


def test_gibberish_text_is_ingested_with_a_warning(library, tmp_path):
    paper = library.ingest(pdf_factory.make_gibberish_pdf(tmp_path / "garbled.pdf")).paper
    assert any("encoding" in w.lower() for w in paper.warnings)


@pytest.mark.slow
def test_thousand_page_pdf_ingests_with_progress(library, tmp_path):
    pdf = pdf_factory.make_many_pages_pdf(tmp_path / "long.pdf", pages=1000)
    fractions = []
    paper = library.ingest(pdf, progress=lambda stage, f: fractions.append((stage, f))).paper
    assert paper.pages == 1000
    extract_steps = [f for stage, f in fractions if stage == "extract"]
    assert len(extract_steps) >= 10 and extract_steps[-1] == 1.0
    assert library.index.count(paper.id) == paper.passages


def _pending_rows(registry: Path) -> int:
    if not registry.exists():
        return 0
    with sqlite3.connect(registry, timeout=30) as db:
        try:
            return db.execute("SELECT COUNT(*) FROM papers WHERE status = 'pending'").fetchone()[0]
        except sqlite3.OperationalError:
            return 0


@pytest.mark.slow
def test_killed_ingest_leaves_no_trace(tmp_path):
    data_dir = tmp_path / "data"
    pdf = pdf_factory.make_many_pages_pdf(tmp_path / "long.pdf", pages=300)
    env = {**os.environ, "PAPERTRAIL_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "papertrail", "ingest", str(pdf)], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 240
        # Kill it once it has registered the paper and is writing vectors: the worst moment.
        while _pending_rows(data_dir / "registry.sqlite") == 0:
            assert proc.poll() is None, "ingest finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(1.0)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    library = Library(load_settings(data_dir=data_dir))
    assert library.papers() == []
    assert library.index.count() == 0
    assert _pending_rows(data_dir / "registry.sqlite") == 0
    # And the same file ingests cleanly afterwards.
    assert library.ingest(pdf).paper.pages == 300


@pytest.fixture
def chroma_server(tmp_path):
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    proc = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None, "chroma server exited"
            assert time.monotonic() < deadline, "chroma server did not start"
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    stop(proc, 30)


@pytest.mark.slow
def test_two_replicas_share_a_chroma_server(tmp_path, chroma_server, two_column_pdf):
    # Two app replicas: separate processes' worth of state except the shared server and data dir.
    settings = load_settings(data_dir=tmp_path / "shared", chroma_url=chroma_server)
    writer, reader = Library(settings), Library(settings)
    paper = writer.ingest(two_column_pdf).paper
    assert not (tmp_path / "shared" / "chroma").exists()  # nothing embedded: vectors live on the server
    assert reader.index.count(paper.id) == paper.passages
    hits = reader.index.vector_search("two columns of text", [paper.id], 2)
    assert hits and hits[0][0].startswith(paper.id)
    assert writer.delete(paper.id)
    assert reader.index.count(paper.id) == 0
