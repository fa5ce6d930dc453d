"""Adding papers: the uploader, one progress bar per file through the ingest stages, a plain outcome each."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from papertrail.export import escape_markdown, plural
from papertrail.library import STAGES, IngestError, Library

log = logging.getLogger(__name__)

STAGE_LABELS = {
    "extract": "Reading the text",
    "ocr": "Reading scanned pages with OCR (about half a minute a page)",
    "embed": "Embedding passages",
    "index": "Indexing",
}
# Share of the bar each stage fills: embedding is by far the slowest step on a CPU, unless pages need
# OCR (a paper without scanned pages skips that share).
_STAGE_WEIGHTS = {"extract": 0.1, "ocr": 0.4, "embed": 0.4, "index": 0.10}
_OUTCOMES = "upload_outcomes"  # session state: uploader file id -> UploadOutcome, so a rerun never re-ingests
_RUNNING = "upload_ingests"  # session state: uploader file id -> _Ingest still running


@dataclass(frozen=True, slots=True)
class UploadOutcome:
    filename: str
    status: Literal["added", "duplicate", "failed"]
    message: str
    paper_id: str = ""


def stage_progress(stage: str, fraction: float) -> float:
    """Overall 0..1 progress of one file from the engine's (stage, fraction-of-stage) report."""
    done_before = sum(_STAGE_WEIGHTS.get(s, 0.0) for s in STAGES[: STAGES.index(stage)]) if stage in STAGES else 0.0
    return min(1.0, done_before + _STAGE_WEIGHTS.get(stage, 0.0) * min(max(fraction, 0.0), 1.0))


def ingest_upload(
    library: Library, filename: str, data: bytes, on_progress: Callable[[float, str], None] | None = None
) -> UploadOutcome:
    """Ingest one uploaded file; never raises, so one bad file cannot stop the others."""

    def report(stage: str, fraction: float) -> None:
        if on_progress:
            on_progress(stage_progress(stage, fraction), STAGE_LABELS.get(stage, stage))

    try:
        result = library.ingest(data, filename=filename, progress=report)
    except IngestError as err:
        return UploadOutcome(filename, "failed", err.message)
    except Exception:  # a parser bug on one odd PDF must not take the whole batch down
        log.exception("ingest failed unexpectedly for an uploaded file")
        return UploadOutcome(filename, "failed", "An unexpected error occurred while reading this file.")
    paper = result.paper
    if result.duplicate:
        return UploadOutcome(filename, "duplicate", f"Already in your library as “{paper.title}”.", paper.id)
    return UploadOutcome(
        filename, "added", f"Added: {plural(paper.pages, 'page')}, {plural(paper.passages, 'passage')}.", paper.id
    )


class _Ingest:
    """One file being added on a worker thread. The page only reads its progress and outcome, so a
    rerun or a visit to another page while OCR reads a long scan does not stop the ingest."""

    def __init__(self, library: Library, filename: str, data: bytes) -> None:
        self.filename = filename
        self.progress: tuple[float, str] = (0.0, "starting")
        self.outcome: UploadOutcome | None = None
        self.thread = threading.Thread(target=self._run, args=(library, filename, data), daemon=True)
        self.thread.start()

    def _run(self, library: Library, filename: str, data: bytes) -> None:
        self.outcome = ingest_upload(library, filename, data, self._report)

    def _report(self, fraction: float, label: str) -> None:
        self.progress = (fraction, label)

    def wait(self, on_progress: Callable[[float, str], None]) -> UploadOutcome:
        while self.thread.is_alive():
            on_progress(*self.progress)
            self.thread.join(timeout=0.25)
        return self.outcome or UploadOutcome(self.filename, "failed", "The file could not be added; try again.")


def _show_outcome(slot: DeltaGenerator, outcome: UploadOutcome) -> None:
    text = f"**{escape_markdown(outcome.filename)}**: {escape_markdown(outcome.message)}"
    if outcome.status == "added":
        slot.success(text, icon=":material/check_circle:")
    elif outcome.status == "duplicate":
        slot.info(text, icon=":material/content_copy:")
    else:
        slot.error(text, icon=":material/error:")


def upload_section(library: Library) -> list[UploadOutcome]:
    """The uploader; ingests each newly dropped file once and shows how every file in it fared."""
    limit_mb = min(int(st.get_option("server.maxUploadSize")), library.settings.max_file_mb)
    uploads = st.file_uploader(
        "Add papers",
        type=["pdf"],
        accept_multiple_files=True,
        help=(
            f"PDF files up to {limit_mb} MB each; several at once is fine. The browser limit is "
            "server.maxUploadSize in .streamlit/config.toml, the library's own is PAPERTRAIL_MAX_FILE_MB. "
            "Scanned pages without a text layer are read with OCR, which takes about half a minute a page."
        ),
    )
    outcomes: dict[str, UploadOutcome] = st.session_state.setdefault(_OUTCOMES, {})
    running: dict[str, _Ingest] = st.session_state.setdefault(_RUNNING, {})
    shown: list[UploadOutcome] = []
    for upload in uploads or []:
        slot = st.empty()
        outcome = outcomes.get(upload.file_id)
        if outcome is None:
            name = escape_markdown(upload.name)
            bar = slot.progress(0.0, text=f"**{name}**: starting")
            if upload.file_id not in running:
                running[upload.file_id] = _Ingest(library, upload.name, upload.getvalue())
            outcome = running[upload.file_id].wait(
                lambda fraction, label, bar=bar, name=name: bar.progress(fraction, text=f"**{name}**: {label}…")
            )
            outcomes[upload.file_id] = outcome
            del running[upload.file_id]
        _show_outcome(slot, outcome)
        shown.append(outcome)
    if any(o.status != "failed" for o in shown):
        st.page_link("pages/chat.py", label="Ask questions about your papers", icon=":material/forum:")
    return shown
