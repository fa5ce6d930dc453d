"""A reviewed paper's DOI, year and venue, found in the PDF itself (no network), and kept editable.

Found from the first pages' text (a DOI, an arXiv stamp, "Published ..." and copyright lines,
"Proceedings of ..." or "Published in ..."), then the PDF's own metadata (subject, creation date),
which is often a template's leftover, so a reviewer's edit always wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pymupdf

from papertrail.models import Paper

if TYPE_CHECKING:
    from papertrail.review.store import ReviewStore

FIRST_PAGES = 2  # DOIs further on are usually the references'
MAX_VENUE_CHARS = 200
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_ARXIV_STAMP = re.compile(
    r"arXiv:\s*(\d{4}\.\d{4,5})(?:v\d+)?\s*\[[^\]]+\]\s*\d{1,2}\s+[A-Z][a-z]{2}\s+((?:19|20)\d\d)"
)
# In order of trust: the publication date, then the copyright line ("Received" and "Accepted" come earlier).
_YEAR_LINES = (
    re.compile(r"Published(?: online)?\s*:?[^\n]{0,40}?\b((?:19|20)\d\d)\b", re.IGNORECASE),
    re.compile(r"(?:©|\(c\)|Copyright)\s*(?:©\s*)?((?:19|20)\d\d)\b", re.IGNORECASE),
)
_VENUE_LINE = re.compile(
    r"\b(?:Published in|Appeared in|In)?\s*(Proceedings of [^\n]{5,150})|\bPublished in:?\s+([^\n]{3,150})"
)
_PAGES_SUFFIX = re.compile(r",?\s*(?:pages|pp\.)\s*\d+\s*[–-]\s*\d+.*$", re.IGNORECASE)
_PDF_DATE = re.compile(r"D:(?:19|20)\d\d")
_DOI_CHECK = re.compile(r"^10\.\d{4,9}/\S+$")


class MetadataError(ValueError):
    """An edited field is not valid; the message says which and why."""


@dataclass(frozen=True, slots=True)
class PaperMeta:
    doi: str = ""
    year: str = ""
    venue: str = ""
    edited: bool = False  # set by a reviewer rather than found in the PDF


def _clean_doi(raw: str) -> str:
    return raw.rstrip(".,;:)]}")


def find_metadata(pdf: Path) -> PaperMeta:
    """DOI, year and venue from the PDF's first pages and its metadata; empty where nothing is found."""
    with pymupdf.open(pdf) as doc:
        text = "\n".join(doc[n].get_text() for n in range(min(FIRST_PAGES, doc.page_count)))
        info = {k: (v or "").strip() for k, v in (doc.metadata or {}).items()}
    doi_match = _DOI.search(text) or _DOI.search(" ".join((info.get("subject", ""), info.get("keywords", ""))))
    arxiv = _ARXIV_STAMP.search(text)
    stated = [m.group(1) for pattern in _YEAR_LINES if (m := pattern.search(text))]
    created = info.get("creationDate", "")
    year = arxiv.group(2) if arxiv else stated[0] if stated else created[2:6] if _PDF_DATE.match(created) else ""
    venue_line = _VENUE_LINE.search(text)
    subject = info.get("subject", "")
    # A subject that reads like a journal's name (a few words, no sentence), not an abstract or a keyword.
    short_subject = subject if 2 <= len(subject.split()) <= 10 and len(subject) <= 80 and "." not in subject else ""
    venue = (
        _PAGES_SUFFIX.sub("", " ".join((venue_line.group(1) or venue_line.group(2)).split())).rstrip(".,;")
        if venue_line
        else f"arXiv preprint arXiv:{arxiv.group(1)}"
        if arxiv
        else short_subject
    )
    return PaperMeta(_clean_doi(doi_match.group(1)) if doi_match else "", year, venue[:MAX_VENUE_CHARS])


def edited_metadata(doi: str, year: str, venue: str) -> PaperMeta:
    """A reviewer's values, validated: a DOI like 10.1234/x (a doi.org link is accepted), a 4-digit year."""
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi.strip(), flags=re.IGNORECASE)
    if doi and not _DOI_CHECK.match(doi):
        raise MetadataError(f"{doi!r} is not a DOI (10.NNNN/...).")
    year = year.strip()
    if year and not re.fullmatch(r"(1[5-9]|20)\d\d", year):
        raise MetadataError(f"{year!r} is not a year.")
    venue = " ".join(venue.split())
    if len(venue) > MAX_VENUE_CHARS:
        raise MetadataError(f"The venue is longer than {MAX_VENUE_CHARS} characters.")
    return replace(PaperMeta(doi, year, venue), edited=True)


def papers_metadata(
    store: ReviewStore, papers: Sequence[Paper], pdf_path: Callable[[str], Path]
) -> dict[str, PaperMeta]:
    """Each paper's metadata: as stored (edited or found before), else found in its PDF now and stored."""
    known = store.paper_meta([p.id for p in papers])
    for paper in papers:
        if paper.id not in known:
            pdf = pdf_path(paper.id)
            known[paper.id] = find_metadata(pdf) if pdf.is_file() else PaperMeta()
            store.save_paper_meta(paper.id, known[paper.id])
    return {p.id: known[p.id] for p in papers}
