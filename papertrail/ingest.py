"""Ingesting a list of files one by one, each failing alone: shared by the CLI, the review run and fitting."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papertrail.library import Library


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def ingest_files(library: Library, pdfs: Sequence[Path], report: Callable[[str], None] = _to_stderr) -> dict[str, str]:
    """Ingest each file on its own; returns file name -> paper id for those that made it, reporting each."""
    from papertrail.library import IngestError

    ids: dict[str, str] = {}
    for pdf in pdfs:
        try:
            result = library.ingest(pdf)
        except IngestError as err:
            report(f"{pdf.name}: failed: {err.message}")
            continue
        ids[pdf.name] = result.paper.id
        state = "already in library" if result.duplicate else f"{result.paper.passages} passages"
        report(f"{pdf.name}: {result.paper.id} ({state})")
    return ids
