"""Adding papers: the uploader (PDFs and zips) feeds the background ingest queue; the queue's progress,
ETA and cancel, and a plain outcome for each file this session dropped.

The queue lives in the registry, so a reload or a restart loses no file; the panel refreshes itself
while files are being read, then reruns the page once so the new papers appear in the table.
"""

from __future__ import annotations

import streamlit as st

from papertrail.export import escape_markdown
from papertrail.ingest_queue import ACTIVE, ADDED, DUPLICATE, FAILED, IngestQueue, Job
from papertrail.library import Library

STAGE_LABELS = {
    "extract": "Reading the text",
    "ocr": "Reading scanned pages with OCR (about half a minute a page)",
    "embed": "Embedding passages",
    "index": "Indexing",
}
_QUEUED = "upload_jobs"  # session state: uploader file id -> the queue's job ids for it
_WAS_ACTIVE = "ingest_was_active"  # session state: the panel saw files in flight on its last run
_REFRESH_S = 1.0


@st.cache_resource(show_spinner=False)
def _queue(data_dir: str, _library: Library) -> IngestQueue:
    # One queue (and worker thread) per process and data dir; it picks up files left by a restart.
    queue = IngestQueue(_library)
    queue.start()
    return queue


def ingest_queue(library: Library) -> IngestQueue:
    return _queue(str(library.settings.data_dir), library)


def _format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "estimating time left…"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    return f"about {minutes} min {secs:02d} s left" if minutes else f"about {secs} s left"


def _show_outcome(job: Job) -> None:
    text = f"**{escape_markdown(job.filename)}**: {escape_markdown(job.message)}"
    if job.status == ADDED:
        st.success(text, icon=":material/check_circle:")
    elif job.status == DUPLICATE:
        st.info(text, icon=":material/content_copy:")
    elif job.status == FAILED:
        st.error(text, icon=":material/error:")
    elif job.message:  # cancelled
        st.caption(text)


def _cancel_all(queue: IngestQueue) -> None:
    queue.cancel()


def _panel(queue: IngestQueue) -> None:
    status = queue.status()
    if status.queued and status.running is None:
        queue.start()  # a file queued just as the worker finished, or by another session
    if status.active:
        running = status.running
        current = ""
        if running is not None:
            current = f" · now **{escape_markdown(running.filename)}**: {STAGE_LABELS.get(running.stage, 'waiting')}"
        st.progress(
            status.progress,
            text=f"Adding papers: {status.finished} done, {status.queued + bool(running)} to go{current} · "
            + _format_eta(status.eta_s),
        )
        st.button("Cancel", key="cancel-ingest", icon=":material/cancel:", on_click=_cancel_all, args=(queue,))
    mine = [job_id for ids in st.session_state.get(_QUEUED, {}).values() for job_id in ids]
    for job in queue.jobs(mine) if mine else []:
        if job.status not in ACTIVE:
            _show_outcome(job)
    if st.session_state.get(_WAS_ACTIVE) and not status.active:
        st.session_state[_WAS_ACTIVE] = False
        st.rerun()  # the whole page: the table shows the new papers
    st.session_state[_WAS_ACTIVE] = status.active


def upload_section(library: Library) -> IngestQueue:
    """The uploader; each newly dropped file is queued once, then read in the background."""
    queue = ingest_queue(library)
    limit_mb = min(int(st.get_option("server.maxUploadSize")), library.settings.max_file_mb)
    uploads = st.file_uploader(
        "Add papers",
        type=["pdf", "zip"],
        accept_multiple_files=True,
        help=(
            f"PDF files up to {limit_mb} MB each, many at once, or a zip of PDFs. They are read in the "
            "background: you can leave this page, and files not yet read are kept across restarts. The browser "
            "limit is server.maxUploadSize in .streamlit/config.toml, the library's own is PAPERTRAIL_MAX_FILE_MB. "
            "Papers need a text layer: scanned, image-only PDFs cannot be searched."
        ),
    )
    queued: dict[str, list[int]] = st.session_state.setdefault(_QUEUED, {})
    for upload in uploads or []:
        if upload.file_id not in queued:
            queued[upload.file_id] = queue.enqueue(upload.name, upload.getvalue())
            st.session_state[_WAS_ACTIVE] = True
    busy = queue.status().active
    if busy:
        queue.start()  # e.g. files left queued by a restart
    active = busy or st.session_state.get(_WAS_ACTIVE, False)
    st.fragment(_panel, run_every=_REFRESH_S if active else None)(queue)
    return queue
