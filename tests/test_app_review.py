"""The Review page under Streamlit's AppTest, on a real library in a tmp data dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.review_matrix import matrix_key
from papertrail import review
from papertrail.library import Library
from tests import review_pdfs

ROOT = Path(__file__).resolve().parent.parent
TWO_CHECKS = review.make_battery(
    "Two checks",
    [
        ("hardware", "Which GPU or other hardware was used to train the model?"),
        ("code_link", "Where is the source code available (URL)?"),
    ],
)
TIMEOUT = 300


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page("pages/review.py")
    return at.run()


def _text(at: AppTest) -> str:
    return "\n".join(e.value for kind in ("markdown", "caption", "info", "error", "success") for e in getattr(at, kind))


@pytest.fixture
def reviewed_library(library: Library, tmp_path) -> Library:
    for pdf in review_pdfs.make_all(tmp_path / "papers")[:2]:
        library.ingest(pdf)
    review.save_battery(library.settings, TWO_CHECKS)
    return library


def test_empty_library_points_to_the_library_page(data_dir):
    at = _page()
    assert not at.exception
    assert "library is empty" in at.info[0].value


def test_run_fills_the_matrix_and_a_selected_cell_shows_its_evidence(reviewed_library):
    at = _page()
    assert not at.exception
    assert len(at.multiselect[0].value) == 2  # every paper is chosen by default
    assert at.selectbox[0].value == review.DEFAULT_BATTERY
    at.selectbox[0].set_value("Two checks").run()
    run_button = next(b for b in at.button if b.label.startswith("Answer 4 open cells"))
    run_button.click().run()
    assert not at.exception

    frame = at.dataframe[0].value
    assert list(frame.columns) == ["hardware", "code_link"]
    seabirds = next(label for label in frame.index if label.startswith("Counting nesting seabirds"))
    pollinators = next(label for label in frame.index if label.startswith("Seasonal activity"))
    # The cells' own text is the engine's (tested in test_review.py); here: reported vs not reported.
    assert not frame.loc[seabirds, "hardware"].startswith(review.NOT_REPORTED)
    assert not frame.loc[seabirds, "code_link"].startswith(review.NOT_REPORTED)
    assert frame.loc[pollinators, "hardware"].startswith(review.NOT_REPORTED)
    assert any(b.label == "All cells answered" and b.disabled for b in at.button)

    papers = [p.id for p in reviewed_library.papers()]
    stored = review.load_review(
        reviewed_library, papers, TWO_CHECKS, review.ReviewStore.for_settings(reviewed_library.settings)
    )
    to_check = sum(cell.uncertain for cell in stored.ordered())
    assert f"amber cells ({to_check}) are uncertain" in _text(at)
    key = matrix_key(stored)
    row = list(frame.index).index(seabirds)
    at.session_state[key] = {"selection": {"rows": [], "columns": [], "cells": [[row, "hardware"]]}}
    at.run()
    assert not at.exception
    shown = _text(at)
    assert "RTX 3090" in shown and "Page " in shown
    assert len(at.get("image")) == 1, "the highlighted page is shown"

    row = list(frame.index).index(pollinators)
    at.session_state[key] = {"selection": {"rows": [], "columns": [], "cells": [[row, "hardware"]]}}
    at.run()
    assert "Not reported" in at.error[0].value
    at.session_state["review_view"] = "Completeness"
    at.run()
    assert len(at.get("plotly_chart")) == 2  # the completeness heatmap and the coverage bars


def test_a_battery_is_edited_saved_and_chosen(reviewed_library):
    at = _page()
    at.selectbox[0].set_value("Two checks").run()
    name = next(t for t in at.text_input if t.label == "Battery name")
    text = next(t for t in at.text_area if t.label == "Questions, one per line")
    name.set_value("Seeds only")
    text.set_value("seeds: How were random seeds fixed?\nWhich optimiser was used?")
    next(b for b in at.button if b.label == "Save battery").click().run()
    assert not at.exception
    assert at.selectbox[0].value == "Seeds only"
    saved = review.resolve_battery("Seeds only", reviewed_library.settings)
    assert saved.keys == ["seeds", "optimiser_used"]
    assert "Saved" in at.success[0].value

    text = next(t for t in at.text_area if t.label == "Questions, one per line")
    text.set_value("a: one?\na: two?")
    next(b for b in at.button if b.label == "Save battery").click().run()
    assert "used twice" in at.error[0].value
    assert review.resolve_battery("Seeds only", reviewed_library.settings) == saved


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _answered(library: Library, reviewer: str = "") -> review.Review:
    store = review.ReviewStore.for_settings(library.settings)
    return review.load_review(library, [p.id for p in library.papers()], TWO_CHECKS, store, reviewer)


def _queue_cell(at: AppTest) -> tuple[str, str]:
    """The first title word and key of the cell the queue shows (its header reads '**title** · `key`')."""
    header = next(m.value for m in at.markdown if m.value.startswith("**") and " · `" in m.value)
    return header[2:].split()[0], header.rsplit("`", 2)[1]


def _id(cell: review.Cell) -> tuple[str, str]:
    return cell.paper.title.split()[0], cell.key


def test_cells_are_accepted_rejected_and_edited_from_the_queue_and_the_matrix_shows_it(reviewed_library):
    from papertrail.review.verify import to_check

    at = _page()
    at.selectbox[0].set_value("Two checks").run()
    next(b for b in at.button if b.label.startswith("Answer 4 open cells")).click().run()
    at.session_state["review_view"] = "To check"
    at.run()
    assert not at.exception
    expected = to_check(_answered(reviewed_library), {})
    assert "4 cells to check" in _text(at)
    assert _queue_cell(at) == _id(expected[0])
    assert len(at.get("image")) == 1 or not expected[0].answer.evidence  # beside its highlighted page

    _button(at, "Accept").click().run()  # no reviewer yet: refused, nothing recorded
    assert "Enter your name" in at.error[0].value
    assert _answered(reviewed_library).decisions == {}

    at.text_input(key="review_reviewer").set_value("Ana").run()
    _button(at, "Accept").click().run()
    first = (expected[0].paper.id, expected[0].key)
    mine = _answered(reviewed_library, "Ana").decisions
    assert list(mine) == [first] and mine[first].decision == review.Decision.ACCEPTED
    assert mine[first].reviewer == "Ana" and mine[first].tool_reported == expected[0].reported
    assert "3 cells to check" in _text(at)

    _button(at, "Next").click().run()  # leave the second for later: the third comes up
    assert _queue_cell(at) == _id(expected[2])
    note = next(t for t in at.text_input if t.label == "Note (optional)")
    note.set_value("the paper says the opposite").run()
    _button(at, "Reject").click().run()
    rejected = _answered(reviewed_library, "Ana").decisions[(expected[2].paper.id, expected[2].key)]
    assert rejected.decision == review.Decision.REJECTED and rejected.note == "the paper says the opposite"
    assert rejected.reported is (not expected[2].reported)
    assert _queue_cell(at) == _id(expected[3])

    # An edit without an answer is refused; with one, it is recorded with its page.
    _button(at, "Save edit").click().run()
    assert "needs your answer" in at.error[0].value
    next(t for t in at.text_input if t.label == "Your answer").set_value("an NVIDIA A100").run()
    at.number_input[0].set_value(1).run()
    _button(at, "Save edit").click().run()
    assert not at.exception
    decisions = _answered(reviewed_library, "Ana").decisions
    edited = next(v for v in decisions.values() if v.decision == review.Decision.EDITED)
    assert (edited.paper_id, edited.key, edited.answer, edited.page) == (
        expected[3].paper.id,
        expected[3].key,
        "an NVIDIA A100",
        1,
    )
    assert _queue_cell(at) == _id(expected[1])  # the skipped cell comes back last

    at.session_state["review_view"] = "Matrix"
    at.run()
    frame = at.dataframe[0].value
    texts = list(frame.to_numpy().ravel())
    assert sum(t.startswith("✓ ") for t in texts) == 1
    assert sum(t.startswith("✗ ") for t in texts) == 1
    assert "✎ an NVIDIA A100" in texts
    # Another reviewer sees none of Ana's decisions.
    at.text_input(key="review_reviewer").set_value("Ben").run()
    assert not any(t[:1] in "✓✗✎" for t in at.dataframe[0].value.to_numpy().ravel())


def _answer_all(at: AppTest) -> None:
    at.selectbox[0].set_value("Two checks").run()
    next(b for b in at.button if b.label.startswith("Answer 4 open cells")).click().run()
    assert not at.exception


def test_agreement_with_checked_cells_and_an_imported_label_file(reviewed_library):
    from papertrail.review.agreement import agreement, decision_pairs, label_pairs, read_labels

    at = _page()
    _answer_all(at)
    at.session_state["review_view"] = "Agreement"
    at.run()
    assert "No cell is checked yet" in at.info[0].value

    matrix = _answered(reviewed_library)
    store = review.ReviewStore.for_settings(reviewed_library.settings)
    first, second = matrix.ordered()[:2]
    store.add_verification(TWO_CHECKS, review.decide(first, "Ana", "accepted"))
    store.add_verification(TWO_CHECKS, review.decide(second, "Ana", "rejected"))
    at.run()
    assert "agreed with the reviewers on **50%** of 2 checked cells" in _text(at)
    overall = agreement(
        decision_pairs(
            matrix, review.final_decisions(store.verifications(TWO_CHECKS, [first.paper.id, second.paper.id]))
        ),
        TWO_CHECKS.keys,
    )[-1]
    assert overall.fraction == 0.5
    assert [m.value for m in at.metric] == ["2", "50%", "0.00" if overall.kappa == 0 else f"{overall.kappa:.2f}"]
    assert len(at.get("plotly_chart")) == 2

    at.segmented_control(key="review_agreement_source").set_value("A label file").run()
    rows = [f"{c.paper.filename},{c.key},{'n' if c.reported else 'y'}" for c in matrix.ordered()[:3]]
    rows.append(
        f"{matrix.ordered()[3].paper.filename},{matrix.ordered()[3].question},{'y' if matrix.ordered()[3].reported else 'n'}"
    )
    labels = "paper,question,reported\n" + "\n".join(rows) + "\nnowhere.pdf,hardware,y\n"
    at.file_uploader(key="review_labels_file").upload("labels.csv", labels.encode(), "text/csv")
    at.run()
    assert not at.exception
    expected = agreement(label_pairs(matrix, read_labels(labels)).pairs, TWO_CHECKS.keys)[-1]
    assert (expected.cells, expected.agreed) == (4, 1)
    assert [m.value for m in at.metric][:2] == ["4", "25%"]
    assert "1 labels match no answered cell" in _text(at)

    at.file_uploader(key="review_labels_file").upload(
        "bad.csv", b"paper,key,reported\nx.pdf,hardware,perhaps\n", "text/csv"
    )
    at.run()
    assert "reported must be y or n" in at.error[0].value and "Row 2" in at.error[0].value


def test_two_reviewers_disagreement_is_settled_keeping_both_decisions(reviewed_library):
    at = _page()
    _answer_all(at)
    matrix = _answered(reviewed_library)
    store = review.ReviewStore.for_settings(reviewed_library.settings)
    cells = matrix.ordered()
    for cell in cells:
        store.add_verification(TWO_CHECKS, review.decide(cell, "Ana", "accepted"))
    store.add_verification(TWO_CHECKS, review.decide(cells[0], "Ben", "accepted"))
    store.add_verification(TWO_CHECKS, review.decide(cells[1], "Ben", "accepted"))
    store.add_verification(TWO_CHECKS, review.decide(cells[2], "Ben", "rejected", note="not in the paper"))
    at.session_state["review_view"] = "Reviewers"
    at.run()
    assert not at.exception
    assert [m.value for m in at.metric][:2] == ["3", "67%"]
    shown = _text(at)
    assert "**Ana** accepted" in shown and "**Ben** rejected" in shown and "not in the paper" in shown
    assert [b.label for b in at.button if b.label.startswith("Keep ")] == ["Keep Ana's", "Keep Ben's"]

    at.session_state["review_view"] = "Matrix"
    at.run()
    assert sum(t.startswith("⚠") for t in at.dataframe[0].value.to_numpy().ravel()) == 1  # no reviewer: disputed

    at.session_state["review_view"] = "Reviewers"
    at.run()
    _button(at, "Keep Ben's").click().run()
    assert "Enter your name" in at.error[0].value
    at.text_input(key="review_reviewer").set_value("Cleo").run()
    _button(at, "Keep Ben's").click().run()
    assert not at.exception
    assert "Settled" in at.success[0].value
    log = store.verifications(TWO_CHECKS, [p.id for p in matrix.papers])
    settled = [v for v in log if v.settles]
    assert [(v.reviewer, v.decision, v.paper_id, v.key) for v in settled] == [
        ("Cleo", review.Decision.REJECTED, cells[2].paper.id, cells[2].key)
    ]
    originals = {
        (v.reviewer, v.decision)
        for v in log
        if (v.paper_id, v.key) == (cells[2].paper.id, cells[2].key) and not v.settles
    }
    assert originals == {("Ana", review.Decision.ACCEPTED), ("Ben", review.Decision.REJECTED)}
    assert review.final_decisions(log)[(cells[2].paper.id, cells[2].key)].decision == review.Decision.REJECTED
    assert "Settled: **Cleo** rejected" in _text(at)


def test_answering_again_lists_the_changed_cells_and_the_audit_log_downloads(reviewed_library):
    at = _page()
    _answer_all(at)
    assert not any(e.label.startswith("Latest rerun") for e in at.expander)
    _button(at, "Answer again").click().run()
    assert not at.exception
    rerun = next(e for e in at.expander if e.label.startswith("Latest rerun"))
    assert rerun.label == "Latest rerun: 0 of 4 cells changed"  # same engine, same settings, same answers
    assert "nothing in engine, extraction, backend or settings" in _text(at)
    labels = [b.label for b in at.get("download_button")]
    assert "Audit log as CSV" in labels and "Audit log as JSON" in labels


def test_paper_metadata_is_shown_edited_and_exported(reviewed_library):
    from papertrail.review.metadata import papers_metadata

    at = _page()
    _answer_all(at)
    at.session_state["review_view"] = "Papers"
    at.run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert {"Matrix as Excel", "Papers as BibTeX", "Papers as RIS"} <= set(labels)
    store = review.ReviewStore.for_settings(reviewed_library.settings)
    papers = _answered(reviewed_library).papers
    at.session_state["review_papers_editor"] = {
        "edited_rows": {"0": {"doi": "not a doi"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    _button(at, "Save metadata").click().run()
    assert "not a DOI" in at.error[0].value
    assert not papers_metadata(store, papers, reviewed_library.pdf_path)[papers[0].id].edited
    at.session_state["review_papers_editor"] = {
        "edited_rows": {"0": {"doi": "https://doi.org/10.5555/abc", "year": "2021"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    _button(at, "Save metadata").click().run()
    assert not at.exception and "Saved the metadata of 1 papers" in at.success[0].value
    saved = papers_metadata(store, papers, reviewed_library.pdf_path)[papers[0].id]
    assert (saved.doi, saved.year, saved.edited) == ("10.5555/abc", "2021", True)
