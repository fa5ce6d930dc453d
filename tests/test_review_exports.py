"""Paper metadata found in generated PDFs, and the review's exports: decisions in every format, Excel, BibTeX, RIS."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pymupdf
import pytest

from papertrail import review
from papertrail.models import Answer, Paper, Verdict
from papertrail.review.bibliography import to_bibtex, to_ris
from papertrail.review.metadata import MetadataError, PaperMeta, edited_metadata, find_metadata, papers_metadata
from tests.conftest import write_paper_pdf

BODY = [("Methods", ["Birds were counted from drone images on three coastal colonies over two summers."])]


def _paper_with(path: Path, extra: list[str], metadata: dict[str, str] | None = None) -> Path:
    write_paper_pdf(path, "Counting seabirds", "Ada Fulmar, Ben Gannet", [("Front matter", extra), *BODY])
    if metadata:
        with pymupdf.open(path) as doc:
            doc.set_metadata({**doc.metadata, **metadata})
            data = doc.tobytes()
        path.write_bytes(data)
    return path


def test_doi_year_and_venue_are_found_in_the_text_before_the_pdf_metadata(tmp_path):
    stated = _paper_with(
        tmp_path / "stated.pdf",
        [
            "Received: 2 December 2020; Accepted: 1 February 2021; Published: 3 March 2021.",
            "Proceedings of the 4th Workshop on Coastal Ecology, pages 10–18",
            "https://doi.org/10.5555/seabirds.2021.7.",
        ],
        {"subject": "Journal of Something Else", "creationDate": "D:20190101000000Z"},
    )
    assert find_metadata(stated) == PaperMeta(
        "10.5555/seabirds.2021.7", "2021", "Proceedings of the 4th Workshop on Coastal Ecology"
    )
    arxiv = _paper_with(tmp_path / "arxiv.pdf", ["arXiv:2101.01234v2 [cs.CV] 5 Jan 2022"])
    assert find_metadata(arxiv) == PaperMeta("", "2022", "arXiv preprint arXiv:2101.01234")
    bare = _paper_with(
        tmp_path / "bare.pdf", [], {"subject": "Journal of Field Ornithology", "creationDate": "D:20190101000000Z"}
    )
    assert find_metadata(bare) == PaperMeta("", "2019", "Journal of Field Ornithology")
    sentence = _paper_with(tmp_path / "abstract.pdf", [], {"subject": "We count birds. It works well."})
    assert find_metadata(sentence).venue == ""


def test_edited_metadata_is_validated_and_wins_over_what_was_found(tmp_path):
    assert edited_metadata(" https://doi.org/10.1000/xyz ", "2020", "  Ibis  ") == PaperMeta(
        "10.1000/xyz", "2020", "Ibis", edited=True
    )
    with pytest.raises(MetadataError, match="not a DOI"):
        edited_metadata("doi 123", "", "")
    with pytest.raises(MetadataError, match="not a year"):
        edited_metadata("", "20x1", "")

    pdf = _paper_with(tmp_path / "p.pdf", ["https://doi.org/10.5555/found.1"])
    paper = Paper("a" * 16, "Counting seabirds", "Ada Fulmar", 1, "a" * 64, "p.pdf", "2024-01-01T00:00:00+00:00")
    store = review.ReviewStore(tmp_path / "r.sqlite")
    found = papers_metadata(store, [paper], lambda _: pdf)
    assert found[paper.id].doi == "10.5555/found.1" and not found[paper.id].edited
    store.save_paper_meta(paper.id, edited_metadata("10.5555/edited.2", "2020", "Ibis"))
    pdf.unlink()  # the stored values are used; the PDF is not read again
    assert papers_metadata(store, [paper], lambda _: pdf)[paper.id] == PaperMeta(
        "10.5555/edited.2", "2020", "Ibis", edited=True
    )


def _review_with_decisions() -> tuple[review.Review, dict[str, PaperMeta]]:
    papers = (
        Paper("a" * 16, "Counting {seabirds} & 50% of gulls", "Ada Fulmar, Ben Gannet", 9, "a" * 64, "a.pdf", "x"),
        Paper("b" * 16, "Bats in the =SUM(A1) forest", "Dan Myotis", 4, "b" * 64, "b.pdf", "x"),
    )
    battery = review.make_battery("B", [("gpu", "Which GPU?"), ("code", "Where is the code?")])
    cells = {}
    for paper in papers:
        for key, reported in (("gpu", True), ("code", False)):
            answer = Answer(
                "Q", "=an RTX 3090 — “We used an RTX 3090.”" if reported else "code", Verdict(reported, 0.7)
            )
            cells[(paper.id, key)] = review.Cell(paper, key, "Q", answer)
    first, second = cells[(papers[0].id, "gpu")], cells[(papers[0].id, "code")]
    decisions = {
        (papers[0].id, "gpu"): review.decide(first, "Ana", "accepted", note="fine"),
        (papers[0].id, "code"): review.decide(second, "Ana", "edited", answer="github.com/x/y", page=3),
        (papers[1].id, "gpu"): review.decide(cells[(papers[1].id, "gpu")], "Ana", "rejected"),
    }
    meta = {papers[0].id: PaperMeta("10.5555/gulls.1", "2021", "Proceedings of the Gull Workshop")}
    return review.Review(battery, papers, cells, decisions), meta


def test_csv_json_and_markdown_carry_each_cells_decision(tmp_path):
    result, _ = _review_with_decisions()
    expected = review.records(result)
    assert [
        (r["state"], r["reviewer"], r["checked_answer"], r["checked_page"], r["reported_after_check"]) for r in expected
    ] == [
        ("accepted", "Ana", "", None, True),
        ("edited", "Ana", "github.com/x/y", 3, True),
        ("rejected", "Ana", "", None, False),
        ("unchecked", "", "", None, None),
    ]
    paths = review.write_exports(result, tmp_path / "m.csv")
    assert review.read_records(paths[0]) == expected
    assert review.read_records(paths[1]) == expected
    summary = paths[2].read_text()
    assert "  - accepted by Ana — fine" in summary and "  - edited by Ana: github.com/x/y (p. 3)" in summary


def test_excel_holds_the_matrix_with_decisions_and_the_papers_as_text(tmp_path):
    from openpyxl import load_workbook

    result, meta = _review_with_decisions()
    book = load_workbook(io.BytesIO(review.to_xlsx(result, meta)))
    assert book.sheetnames == ["Matrix", "Papers"]
    rows = list(book["Matrix"].iter_rows(values_only=True))
    assert rows[0] == review.EXPORT_FIELDS
    header = {name: n for n, name in enumerate(rows[0])}
    assert rows[1][header["answer"]].startswith("=an RTX 3090")  # kept as text, not a formula
    assert book["Matrix"].cell(row=2, column=header["answer"] + 1).data_type == "s"
    assert [r[header["state"]] for r in rows[1:]] == ["accepted", "edited", "rejected", "unchecked"]
    assert rows[2][header["checked_page"]] == 3 and rows[3][header["reported_after_check"]] == "no"
    papers = list(book["Papers"].iter_rows(values_only=True))
    assert papers[1][5:] == ("10.5555/gulls.1", "2021", "Proceedings of the Gull Workshop")
    assert papers[2][1] == "Bats in the =SUM(A1) forest" and papers[2][5:] == (None, None, None)


def test_bibtex_and_ris_list_the_reviewed_papers_with_their_metadata():
    result, meta = _review_with_decisions()
    bibtex = to_bibtex(result.papers, meta)
    entries = re.findall(r"^@(\w+)\{([^,]+),$", bibtex, re.MULTILINE)
    assert entries == [("inproceedings", "fulmar2021counting"), ("article", "myotisbats")]
    assert r"title = {Counting \{seabirds\} \& 50\% of gulls}" in bibtex
    assert "author = {Ada Fulmar and Ben Gannet}" in bibtex and "doi = {10.5555/gulls.1}" in bibtex
    assert "booktitle = {Proceedings of the Gull Workshop}" in bibtex and bibtex.count("year = ") == 1

    ris = to_ris(result.papers, meta)
    records = [r for r in ris.split("ER  - ") if r.strip()]
    assert len(records) == 2
    assert records[0].split("\n")[:4] == [
        "TY  - CONF",
        "TI  - Counting {seabirds} & 50% of gulls",
        "AU  - Ada Fulmar",
        "AU  - Ben Gannet",
    ]
    assert "DO  - 10.5555/gulls.1" in records[0] and "PY  - 2021" in records[0]
    assert "TY  - JOUR" in records[1] and "DO  -" not in records[1]
