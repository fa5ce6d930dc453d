"""The background ingest queue on a real registry, real Chroma and generated PDFs: it survives a restart
and a killed worker, reports progress and an ETA, and cancels queued and running files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from papertrail.ingest_queue import ADDED, CANCELLED, FAILED, QUEUED, RUNNING, IngestQueue, overall_fraction
from papertrail.library import STAGES, Library

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def long_pdf(make_paper_pdf) -> Path:
    """Enough passages that embedding them takes seconds: time to cancel or kill mid-way."""
    paragraph = (
        "Light traps attract moths at night; a camera photographs each visitor and a detector counts them by"
        " species, so that population trends can be followed across seasons without killing the insects."
    )
    sections = [(f"Section {i}", [f"{paragraph} Site {i}, night {j}." for j in range(8)]) for i in range(25)]
    return make_paper_pdf("long.pdf", "Counting moths all year", sections)


def _wait_for(predicate, timeout_s: float = 240) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_progress_runs_through_the_stages_to_the_end():
    fractions = [overall_fraction(stage, f) for stage in STAGES for f in (0.0, 0.5, 1.0)]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0


def test_queued_files_survive_a_restart_and_are_added_by_the_next_queue(
    library, settings, embed_model, chat_paper_pdf, text_file_named_pdf
):
    queue = IngestQueue(library)
    ids = queue.enqueue("paper.pdf", chat_paper_pdf.read_bytes()) + queue.enqueue(
        "notes.pdf", text_file_named_pdf.read_bytes()
    )
    assert [job.status for job in queue.jobs(ids)] == [QUEUED, QUEUED]
    del queue, library  # the app stops here; the files wait in the registry and the staging folder

    reopened = IngestQueue(Library(settings, embed_model=embed_model))
    status = reopened.status()
    assert status.queued == 2 and status.active and status.eta_s is None
    reopened.start()
    reopened.wait()
    jobs = reopened.jobs(ids)
    assert [job.status for job in jobs] == [ADDED, FAILED]
    assert jobs[0].paper_id and reopened.library.paper(jobs[0].paper_id) is not None
    assert "PDF" in jobs[1].message  # the engine's own reason, in words
    assert not any(reopened.staging.iterdir())  # staged copies are removed once done
    assert not reopened.status().active and reopened.status().progress == 1.0


def test_eta_follows_the_files_already_timed(library, chat_paper_pdf, make_paper_pdf):
    queue = IngestQueue(library)
    queue.enqueue("one.pdf", chat_paper_pdf.read_bytes())
    queue.run_next()
    other = make_paper_pdf("other.pdf", "Another paper", [("Abstract", ["Moths come to light traps at night."])])
    queue.enqueue("two.pdf", other.read_bytes())
    status = queue.status()
    assert status.queued == 1 and status.eta_s is not None and status.eta_s > 0


def test_cancel_stops_a_running_file_and_drops_the_queued_ones(library, long_pdf, chat_paper_pdf):
    queue = IngestQueue(library)
    running, waiting = queue.enqueue("long.pdf", long_pdf.read_bytes()) + queue.enqueue(
        "paper.pdf", chat_paper_pdf.read_bytes()
    )
    queue.start()
    _wait_for(lambda: queue.job(running).status == RUNNING and queue.job(running).stage == "embed")
    assert queue.cancel() == 2
    queue.wait()
    assert queue.job(running).status == CANCELLED and queue.job(waiting).status == CANCELLED
    assert library.papers() == [] and library.index.count() == 0  # nothing half-added
    assert not any(queue.staging.iterdir())


@pytest.mark.slow
def test_a_file_whose_worker_was_killed_is_queued_again(settings, embed_model, long_pdf):
    queue = IngestQueue(Library(settings, embed_model=embed_model))
    [job_id] = queue.enqueue("long.pdf", long_pdf.read_bytes())
    env = {**os.environ, "PAPERTRAIL_DATA_DIR": str(settings.data_dir), "PYTHONPATH": str(ROOT)}
    worker = (
        "from papertrail.library import Library; from papertrail.ingest_queue import IngestQueue; "
        "IngestQueue(Library()).run_next()"
    )
    proc = subprocess.Popen([sys.executable, "-c", worker], env=env, cwd=ROOT)
    try:
        _wait_for(lambda: queue.job(job_id).status == RUNNING and queue.job(job_id).stage == "embed")
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    restarted = IngestQueue(Library(settings, embed_model=embed_model))
    assert restarted.job(job_id).status == QUEUED
    restarted.run_next()
    assert restarted.job(job_id).status == ADDED
    assert [p.filename for p in restarted.library.papers()] == ["long.pdf"]
