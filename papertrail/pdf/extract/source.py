"""Opening a PDF, and the per-file errors a user can act on (empty, not a PDF, damaged, encrypted)."""

from __future__ import annotations

from pathlib import Path

import pymupdf


class ExtractionError(Exception):
    """A per-file failure the user can act on; code is stable, message is plain words."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def open_pdf(source: Path | bytes) -> pymupdf.Document:
    data = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else None
    if data is None:
        path = Path(source)
        with path.open("rb") as fh:
            head = fh.read(1024)
    else:
        head = data[:1024]
    if not head:
        raise ExtractionError("empty", "The file is empty (0 bytes).")
    if b"%PDF" not in head:
        raise ExtractionError("not_pdf", "This file is not a PDF (it lacks the PDF header); upload the paper's PDF.")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf") if data is not None else pymupdf.open(path, filetype="pdf")
    except Exception as exc:  # pymupdf raises several types for unreadable files
        raise ExtractionError(
            "corrupt", "This PDF is damaged and cannot be opened; export or download it again."
        ) from exc
    if doc.needs_pass and not doc.authenticate(""):
        doc.close()
        raise ExtractionError("encrypted", "This PDF is password-protected; remove the password and upload it again.")
    if doc.page_count == 0:
        doc.close()
        raise ExtractionError("corrupt", "This PDF is damaged: it has no readable pages.")
    return doc
