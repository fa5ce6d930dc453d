"""Ingesting files one by one, each failing alone: shared by the CLI, the review run and fitting."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from papertrail.library import Library


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def ingest_paths(
    library: Library, paths: Sequence[Path], report: Callable[[str], None] = _to_stderr
) -> tuple[dict[str, str], list[str]]:
    """Ingest each file on its own (a folder or zip: every PDF in it), reporting each.
    Returns (file name -> paper id for those in the library, names of the files that failed)."""
    from papertrail.library import IngestError, pdf_sources

    ids: dict[str, str] = {}
    failed: list[str] = []
    for path in paths:
        for name, source in pdf_sources(path, library.settings.max_file_mb):
            try:
                if isinstance(source, IngestError):
                    raise source
                result = library.ingest(source, filename=name)
            except IngestError as err:
                report(f"{name}: failed: {err.message}")
                failed.append(name)
                continue
            ids[name] = result.paper.id
            state = "already in library" if result.duplicate else f"{result.paper.passages} passages"
            report(f"{name}: {result.paper.id} ({state})")
    return ids, failed


def ingest_files(library: Library, pdfs: Sequence[Path], report: Callable[[str], None] = _to_stderr) -> dict[str, str]:
    """file name -> paper id for the files that made it into the library."""
    return ingest_paths(library, pdfs, report)[0]
