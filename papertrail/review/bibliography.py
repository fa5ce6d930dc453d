"""The reviewed papers as BibTeX and RIS, from the library's title and authors and the found or edited metadata."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from papertrail.models import Paper
from papertrail.review.metadata import PaperMeta

_BIBTEX_SPECIAL = re.compile(r"[\\{}%&$#_^~]")
_BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}


def _authors(paper: Paper) -> list[str]:
    # The library keeps authors as one line ("A. One, B. Two and C. Three").
    return [a.strip() for a in re.split(r",|;|\band\b|&", paper.authors) if a.strip()]


def _bibtex_text(text: str) -> str:
    """Literal text inside braces: LaTeX's special characters escaped, so a title cannot break the entry."""
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES.get(m.group(0), "\\" + m.group(0)), " ".join(text.split()))


def _citation_key(paper: Paper, meta: PaperMeta, taken: set[str]) -> str:
    authors = _authors(paper)
    surname = re.sub(r"[^a-z]", "", authors[0].split()[-1].lower()) if authors else ""
    word = next((w for w in re.findall(r"[a-z]+", paper.title.lower()) if len(w) > 3), "paper")
    base = f"{surname or 'anon'}{meta.year}{word}"
    key, n = base, 1
    while key in taken:
        key, n = f"{base}{chr(ord('a') + n)}", n + 1
    taken.add(key)
    return key


def to_bibtex(papers: Sequence[Paper], meta: Mapping[str, PaperMeta]) -> str:
    entries, taken = [], set()
    for paper in papers:
        m = meta.get(paper.id, PaperMeta())
        kind = "inproceedings" if m.venue.lower().startswith("proceedings") else "article"
        fields = [("title", paper.title), ("author", " and ".join(_authors(paper)))]
        fields += [("booktitle" if kind == "inproceedings" else "journal", m.venue), ("year", m.year), ("doi", m.doi)]
        body = ",\n".join(f"  {name} = {{{_bibtex_text(value)}}}" for name, value in fields if value)
        entries.append(f"@{kind}{{{_citation_key(paper, m, taken)},\n{body}\n}}\n")
    return "\n".join(entries)


def _ris_line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}"


def to_ris(papers: Sequence[Paper], meta: Mapping[str, PaperMeta]) -> str:
    records = []
    for paper in papers:
        m = meta.get(paper.id, PaperMeta())
        lines = [_ris_line("TY", "CONF" if m.venue.lower().startswith("proceedings") else "JOUR")]
        lines.append(_ris_line("TI", paper.title))
        lines += [_ris_line("AU", author) for author in _authors(paper)]
        lines += [_ris_line(tag, value) for tag, value in (("PY", m.year), ("T2", m.venue), ("DO", m.doi)) if value]
        lines.append("ER  - ")
        records.append("\n".join(lines) + "\n")
    return "\n".join(records)
