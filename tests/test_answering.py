"""The whole ask path on generated PDFs with a real Library: retrieval, extractive answer, verdict, boxes."""

from __future__ import annotations

import re
from pathlib import Path

import pymupdf
import pytest

from papertrail.answering import Answerer
from papertrail.answering.decide import decide, shipped_weights
from papertrail.library import Library
from papertrail.settings import load_settings
from tests import answering_pdfs as pdfs


@pytest.fixture(scope="module")
def papers(tmp_path_factory, embed_model):
    """One library holding both generated papers (ingest once for the module)."""
    root = tmp_path_factory.mktemp("answering")
    frogs = pdfs.make_frogs(root / "frogs.pdf")
    kelp = pdfs.make_kelp(root / "kelp.pdf")
    library = Library(load_settings(data_dir=root / "data"), embed_model=embed_model)
    ids = {"frogs": library.ingest(frogs).paper.id, "kelp": library.ingest(kelp).paper.id}
    return library, ids, {"frogs": frogs, "kelp": kelp}


@pytest.fixture(scope="module")
def answerer(papers):
    return Answerer(papers[0])


def _overlaps(box, rect: pymupdf.Rect) -> bool:
    return box.x0 < rect.x1 and rect.x0 < box.x1 and box.y0 < rect.y1 and rect.y0 < box.y1


def test_number_with_unit_and_its_boxes_on_the_right_page(papers, answerer):
    _, ids, files = papers
    question = "How long did it take to train the classifier?"
    answer = answerer.ask(question, [ids["frogs"]])
    # The fitted model may be unsure of a two-page toy paper, but never sure that the paper is silent.
    assert answer.verdict.answerable or answer.verdict.uncertain, answer.verdict.reasons
    assert 0.0 < answer.verdict.confidence <= 1.0 and answer.verdict.reasons
    gathered = answerer.gather([question], [ids["frogs"]])[0]
    decision = decide(gathered.q, gathered.pool, shipped_weights())
    assert answerer.compose(gathered, decision.best).startswith("14 hours — “Training took 14 hours.”")
    page, rect = pdfs.find_on_page(files["frogs"], "Training took 14 hours")
    best = answer.evidence[0]
    assert "Training took 14 hours" in best.text
    assert best.page == page == 2
    assert best.boxes and all(b.page == page for b in best.boxes)
    assert any(_overlaps(b, rect) for b in best.boxes)
    assert best.paper_id == ids["frogs"]


def test_yes_no_answers_yes_or_no_first(papers, answerer):
    _, ids, _ = papers
    yes = answerer.ask(
        "Were the test recordings taken from different ponds than the training recordings?", [ids["frogs"]]
    )
    assert yes.verdict.answerable and yes.text.startswith("Yes.")
    no = answerer.ask("Did data augmentation improve the F1 score?", [ids["frogs"]])
    assert no.verdict.answerable and no.text.startswith("No."), no.text


def test_table_value(papers, answerer):
    _, ids, files = papers
    answer = answerer.ask(
        "According to Table 2, what recall did the classifier achieve for Rana temporaria?", [ids["frogs"]]
    )
    assert answer.verdict.answerable, answer.verdict.reasons
    assert "0.79" in answer.text
    page, _ = pdfs.find_on_page(files["frogs"], "Rana temporaria")
    assert answer.evidence[0].page == page


def test_url_answer(papers, answerer):
    _, ids, _ = papers
    answer = answerer.ask("Where is the code available?", [ids["frogs"]])
    assert answer.verdict.answerable and answer.text.startswith("https://github.com/example/frogcalls")


def test_unanswerable_question_is_flagged_with_reasons(papers, answerer):
    _, ids, _ = papers
    answer = answerer.ask("What random seed was used?", [ids["frogs"]])
    assert not answer.verdict.answerable
    assert answer.verdict.reasons and all(r.strip() for r in answer.verdict.reasons)
    assert 0.5 <= answer.verdict.confidence <= 1.0
    assert answer.evidence  # what was looked at is still shown


def test_near_miss_adam_without_learning_rate(papers, answerer):
    _, ids, _ = papers
    answer = answerer.ask("What learning rate was used to train the U-Net?", [ids["kelp"]])
    assert not answer.verdict.answerable
    reasons = " ".join(answer.verdict.reasons)
    assert "learning rate" in reasons and "Adam" in reasons, reasons


def test_a_value_question_is_not_answered_by_a_sentence_without_the_value(papers, answerer):
    _, ids, _ = papers
    answer = answerer.ask("To which values were the random seeds fixed?", [ids["kelp"]])
    assert not answer.verdict.answerable, answer.text
    assert "random seeds" in answer.evidence[0].text  # the sentence that names the term, shown as looked at


def test_hardware_not_reported_is_flagged(papers, answerer):
    _, ids, _ = papers
    answer = answerer.ask("Which GPU was used to train the model?", [ids["kelp"]])
    assert not answer.verdict.answerable


def test_multi_paper_retrieval_cites_the_right_paper(papers, answerer):
    _, ids, _ = papers
    answer = answerer.ask("Which GPU was used to train the model?", [ids["kelp"], ids["frogs"]])
    assert answer.verdict.answerable and "RTX 3090" in answer.text
    assert answer.evidence[0].paper_id == ids["frogs"]
    assert set(answer.paper_ids) == {ids["kelp"], ids["frogs"]}
    optimizer = answerer.ask("Which optimizer was used to train the U-Net?", [ids["frogs"], ids["kelp"]])
    assert optimizer.verdict.answerable and "Adam" in optimizer.text
    assert optimizer.evidence[0].paper_id == ids["kelp"]


def test_ask_many_matches_ask_and_batches_the_embedding(papers, monkeypatch):
    library, ids, _ = papers
    questions = [
        "How long did it take to train the classifier?",
        "What random seed was used?",
        "Which GPU was used to train the model?",
        "Where is the code available?",
    ]
    single = [Answerer(library).ask(q, [ids["frogs"]]) for q in questions]
    batch_answerer = Answerer(library)
    calls = []
    real = batch_answerer._embed
    monkeypatch.setattr(batch_answerer, "_embed", lambda texts: calls.append(len(texts)) or real(texts))
    many = batch_answerer.ask_many(questions, [ids["frogs"]])
    assert [a.text for a in many] == [a.text for a in single]
    assert [a.verdict for a in many] == [a.verdict for a in single]
    assert not many[1].verdict.answerable and many[3].verdict.answerable  # no seed; the code link
    assert len(calls) <= 2  # one batch of questions, one batch of new sentences


def test_empty_paper_list_and_deleted_paper(papers, answerer):
    answer = answerer.ask("Which GPU was used?", [])
    assert not answer.verdict.answerable and answer.verdict.reasons


def test_cli_answer_record_has_the_scored_fields(papers, answerer):
    from papertrail.cli import answer_record

    _, ids, _ = papers
    record = answer_record("q1", answerer.ask("Where is the code available?", [ids["frogs"]]))
    assert record["answerable"] is True and "github.com/example/frogcalls" in record["answer"]
    assert isinstance(record["uncertain"], bool) and 0.0 <= record["confidence"] <= 1.0
    assert record["citations"] and record["citations"][0]["page"] == 2 and record["citations"][0]["rects"]


def test_answers_quote_only_the_paper(papers, answerer):
    """Every answer after its leading value / Yes / No is a quote of the cited evidence."""
    _, ids, _ = papers
    for question, paper in (("Where is the code available?", "frogs"), ("Which optimizer was used?", "kelp")):
        answer = answerer.ask(question, [ids[paper]])
        assert answer.verdict.answerable, (question, answer.verdict.reasons)
        quoted = answer.text.split("“", 1)[1].rsplit("”", 1)[0]
        assert " ".join(answer.evidence[0].text.split()) in quoted or quoted in " ".join(
            answer.evidence[0].text.split()
        )


def test_a_list_question_quotes_each_likely_statement_once_and_highlights_it(papers, answerer):
    """Data for training and for testing are told in two statements; the introduction repeats its
    sentences (as abstracts and introductions do), and a repeated sentence is quoted and shown once."""
    _, ids, _ = papers
    spread = answerer.ask(
        "What data were used to train and test the detector (e.g., field recordings, public datasets)?", [ids["frogs"]]
    )
    repeated = answerer.ask("How was the detector evaluated (e.g., held-out sites, cross-validation)?", [ids["frogs"]])
    assert "Also: “The test recordings were taken from four ponds" in spread.text
    for answer in (spread, repeated):
        quotes = re.findall(r"“([^”]+)”", answer.text)
        shown = [" ".join(ev.text.split()) for ev in answer.evidence]
        assert quotes and len(set(quotes)) == len(quotes)
        assert len(set(shown)) == len(shown)
        assert all(any(quote in text for text in shown) for quote in quotes)


def test_generated_pdfs_exist(tmp_path: Path):
    path = pdfs.make_kelp(tmp_path / "k.pdf")
    assert path.stat().st_size > 0


def test_a_table_lookup_answers_with_the_cell_and_highlights_its_column_header(tmp_path, embed_model):
    from tests import table_pdfs

    library = Library(load_settings(data_dir=tmp_path / "data"), embed_model=embed_model)
    paper = library.ingest(table_pdfs.make_tables_pdf(tmp_path / "tables.pdf")).paper
    answer = Answerer(library).ask("In Table 1, what loss did the SVM reach?", [paper.id])
    assert answer.verdict.answerable, answer.verdict.reasons
    assert answer.text.startswith("0.40 (Loss) — “SVM | 0.84 | 0.40”"), answer.text
    row, header = answer.evidence[0], answer.evidence[1]
    assert row.text == "SVM | 0.84 | 0.40" and header.text == "Loss"
    assert header.boxes and all(b.page == row.page for b in header.boxes)


def test_superlatives_and_comparisons_over_a_table_answer_with_the_rows_they_pick(tmp_path, embed_model):
    from tests import table_pdfs

    library = Library(load_settings(data_dir=tmp_path / "data"), embed_model=embed_model)
    tables = library.ingest(table_pdfs.make_tables_pdf(tmp_path / "tables.pdf")).paper
    wrapped = library.ingest(table_pdfs.make_wrapped_names_pdf(tmp_path / "wrapped.pdf")).paper
    answerer = Answerer(library)
    cases = [  # question, paper, the answer's start, the rows highlighted, then the column header
        (
            "In Table 1, which model reached the highest accuracy?",
            tables.id,
            "CNN: 0.91 (Accuracy) — “CNN | 0.91 | 0.25”",
            ["CNN | 0.91 | 0.25", "Accuracy"],
        ),
        (
            "In Table 4, which method has the lowest MAE?",
            wrapped.id,
            "MCNN [28] (with perspective information): 11.6 (MAE) — ",
            ["MCNN [28] (with perspective information) | 11.6", "MAE"],
        ),
        (
            "In Table 1, which had the lower loss, the random forest or the SVM?",
            tables.id,
            "SVM: 0.40 (Loss); Random forest: 0.45 (Loss) — “SVM | 0.84 | 0.40” “Random forest | 0.80 | 0.45”",
            ["SVM | 0.84 | 0.40", "Random forest | 0.80 | 0.45", "Loss"],
        ),
    ]
    cross = library.ingest(table_pdfs.make_cross_column_table_pdf(tmp_path / "cross.pdf")).paper
    cases.append(
        (  # the rows of the group the question names, not the same names in the group above
            "In Table 5, what F1 did the DNN reach from Site B to Site A, and how does that compare with the LSTM?",
            cross.id,
            "DNN: 0.50 (F1); LSTM: 0.59 (F1) — “DNN | 0.52 | 0.49 | 0.50 | 0.66 | 0.62” “LSTM | 0.61 | 0.58 | 0.59",
            ["DNN | 0.52 | 0.49 | 0.50 | 0.66 | 0.62", "LSTM | 0.61 | 0.58 | 0.59 | 0.70 | 0.55", "F1"],
        )
    )
    for question, paper_id, start, highlighted in cases:
        answer = answerer.ask(question, [paper_id])
        assert answer.verdict.answerable, (question, answer.verdict.reasons)
        assert answer.text.startswith(start), (question, answer.text)
        assert [ev.text for ev in answer.evidence[: len(highlighted)]] == highlighted
