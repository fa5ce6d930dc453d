"""Signals on constructed evidence, and the fitted decision reading them: each trap is seen and weighed."""

from __future__ import annotations

import numpy as np
import pytest

from papertrail.answering.candidates import Candidate, Pool, lexical_scores, make_sentence
from papertrail.answering.compose import compose, polarity
from papertrail.answering.decide import Logistic, Outcome, decide, shipped_weights
from papertrail.answering.question import analyse
from papertrail.answering.signals import SIGNALS, compute, supporting_value
from papertrail.answering.values import Kind
from papertrail.models import Box, Passage, PassageKind, WordSpan


def _passage(text: str, kind: PassageKind = PassageKind.BODY, section: str = "2. Methods", page: int = 3) -> Passage:
    words = []
    x = 50.0
    for i, w in enumerate(text.split(" ")):
        start = sum(len(t) + 1 for t in text.split(" ")[:i])
        words.append(WordSpan(start, start + len(w), Box(page, x, 100, x + 5 * len(w), 110)))
        x += 5 * len(w) + 3
    return Passage("paper", 1, text, page, section, kind, tuple(words))


def _pool(question: str, *texts: str, cosine: float = 0.6, **passage_kw) -> tuple:
    q = analyse(question)
    candidates = []
    for text in texts:
        s = make_sentence(_passage(text, **passage_kw), 0, len(text))
        lexical, focus_cov = lexical_scores(q, s, {t: 1.0 for t in q.terms})
        candidates.append(Candidate(s, lexical, focus_cov, 1.0, cosine=cosine))
    pool = Pool(candidates, focus_in_paper=True)
    compute(q, pool)
    return q, pool


def _signals(question: str, text: str, **kw) -> dict[str, float]:
    return _pool(question, text, **kw)[1].candidates[0].signals


def test_every_signal_is_computed_and_documented():
    sig = _signals("What batch size was used?", "We used a batch size of 32.")
    assert list(sig) == list(SIGNALS) and all(SIGNALS[name] for name in sig)
    assert all(isinstance(v, float) for v in sig.values())


def test_number_beside_the_asked_term_is_attached():
    q, pool = _pool("What batch size was used to train the network?", "We trained the network with a batch size of 32.")
    sig = pool.candidates[0].signals
    assert sig["typed_value"] == sig["attached_value"] == 1.0 and sig["rejected_value"] == 0.0
    value, clear = supporting_value(q, pool.candidates[0].sentence)
    assert value is not None and value.text == "32" and clear
    assert compose(q, pool.candidates[0].sentence, value).startswith("32")


def test_a_schedule_is_a_rejected_value():
    sig = _signals(
        "For how many epochs in total were the models trained?", "The learning rate was divided by 16 every 30 epochs."
    )
    assert sig["attached_value"] == 0.0 and sig["rejected_value"] == 1.0


def test_a_rate_is_not_a_total_but_answers_a_rate_question():
    assert _signals("What was the total cost of the annotations?", "Annotators were paid 15 $ per hour.")[
        "rejected_value"
    ]
    q = analyse("At what hourly rate were the annotators paid?")
    assert q.kind == Kind.MONEY
    assert _signals(q.text, "Annotators were paid at a rate of 15$ per hour.")["attached_value"] == 1.0


def test_question_numbers_are_not_answers():
    sig = _signals("How long does the system take to classify 60 s of audio?", "It classifies 60 s of audio quickly.")
    assert sig["typed_value"] == 0.0


def test_other_phase_is_flagged():
    sig = _signals(
        "What peak learning rate was used to pretrain the model?", "For fine-tuning we used a learning rate of 2e-5."
    )
    assert sig["phase_mismatch"] == 1.0


def test_a_cited_example_in_the_introduction_is_cited_work():
    sig = _signals(
        "Which optimizer was used to train the network?",
        "Deep networks became possible with better optimisation [e.g., stochastic gradient descent"
        " (Rumelhart et al., 1986)].",
        section="1. Introduction",
    )
    assert sig["cited_work"] == 1.0 and sig["own_work"] == 0.0


def test_a_category_question_is_answered_by_a_member_of_its_examples():
    q, pool = _pool(
        "What optimization techniques are applied in the deep learning pipeline (e.g., SGD, Adam)?",
        "The network was trained with Adam and a learning rate of 0.001.",
    )
    assert q.form == "category" and q.kind == Kind.OPTIMIZER and "SGD" in q.examples
    assert "optimization" not in q.subject  # the examples are not required words
    sig = pool.candidates[0].signals
    assert sig["example_named"] == sig["category_q_example"] == 1.0 and sig["typed_value"] == 1.0


def test_negation_and_weak_effect_cues():
    assert _signals("Did the augmentation help?", "No differences were found between the groups.")["negation"]
    assert _signals("Did the augmentation help?", "Accuracy improved only slightly.")["negation"]
    assert not _signals("Did the augmentation help?", "Accuracy improved by 4 points.")["negation"]


def test_logistic_fit_recovers_a_separating_direction():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 3))
    y = (x[:, 0] - 2 * x[:, 2] + 0.3 * rng.normal(size=400) > 0).astype(float)
    model = Logistic.fit(("a", "b", "c"), x, y, l2=1.0)
    assert model.coef[0] > 1 and model.coef[2] < -1 and abs(model.coef[1]) < 0.5
    accuracy = ((model.logits(x) > 0) == (y > 0)).mean()
    assert accuracy > 0.9


def test_shipped_weights_prefer_the_attached_value_over_a_trap():
    weights = shipped_weights()
    assert weights.about.get("cross_validated"), "weights.json records the figures it was fitted with"
    q, pool = _pool(
        "Which GPU was used to train the model?",
        "We gratefully acknowledge NVIDIA for the donation of a GPU.",
        "We trained the model on a single NVIDIA Titan V GPU for two days.",
    )
    decision = decide(q, pool, weights)
    assert decision.best is not None and "Titan V" in decision.best.sentence.text
    assert 0.0 <= decision.confidence <= 1.0
    assert decision.outcome in set(Outcome)


def test_uncertain_band_comes_from_the_weights():
    weights = shipped_weights()
    q, pool = _pool("What batch size was used?", "We used a batch size of 32.")
    sure = decide(q, pool, weights)
    assert (sure.outcome == Outcome.UNCERTAIN) == (sure.confidence < weights.uncertain_below)


@pytest.mark.parametrize(
    ("question", "text", "yes"),
    [
        (
            "Does the model need citation information at inference time?",
            "At inference, the model does not need any citation information.",
            False,
        ),
        ("Is the label distribution imbalanced?", "The dataset is not balanced: some labels are rare.", True),
        (
            "Were the test recordings taken from other sites?",
            "The test recordings were taken from other sites than the training data.",
            True,
        ),
        (
            "Did the augmentation improve accuracy?",
            "The augmentation did not improve the accuracy on the test set.",
            False,
        ),
    ],
)
def test_yes_no_polarity(question, text, yes):
    q = analyse(question)
    s = make_sentence(_passage(text), 0, len(text))
    assert polarity(q, s) is yes
    assert compose(q, s, None).startswith("Yes." if yes else "No.")


@pytest.mark.parametrize(
    ("question", "kind", "focus"),
    [
        ("What batch size was used to train the network?", Kind.NUMBER, ("batch", "size")),
        ("How many images were used for testing?", Kind.NUMBER, ("images",)),
        ("Which GPU was used to train the model?", Kind.GPU, ()),
        ("Where is the code available?", Kind.URL, ("code",)),
        ("Under what licence is the corpus released?", Kind.LICENSE, ()),
        ("Which version of Grobid was used?", Kind.VERSION, ("Grobid",)),
        ("How long did it take to train the model?", Kind.DURATION, ()),
        ("What is the hidden-state size of the LSTM?", Kind.NUMBER, ("hidden-state", "size")),
        ("Which optimizer was used?", Kind.OPTIMIZER, ()),
    ],
)
def test_question_analysis(question, kind, focus):
    q = analyse(question)
    assert q.kind == kind and q.focus == focus and not q.yesno


def test_yes_no_question_is_recognised():
    assert analyse("Was a convolutional network used?").yesno


def test_examples_of_units_do_not_make_a_category_question():
    units = analyse("How long did training take (e.g., hours or days)?")
    assert units.kind == Kind.DURATION and units.form == "value" and units.examples == ()
    members = analyse("Which frameworks are used to build the deep learning model (e.g., TensorFlow, PyTorch)?")
    assert members.form == "category" and members.examples == ("TensorFlow", "PyTorch")


def test_a_descriptive_answer_goes_on_in_its_paragraph():
    from dataclasses import replace

    from papertrail.answering.candidates import split_passage
    from papertrail.answering.compose import follow_up

    text = (
        "Cell membrane stability was measured by adapting an earlier method. "
        "Leaf discs were shaken in deionised water for a day and the electrical conductivity was read."
    )
    first, second = split_passage(_passage(text))
    how = analyse("How was cell membrane stability measured?")
    assert how.form == "descriptive" and follow_up(how, first, second) is second
    answer = compose(how, first, None, follow_up(how, first, second))
    assert "electrical conductivity" in answer and answer.startswith("“Cell membrane")
    # a value question's answer is the one sentence that states the value
    value_q = analyse("How many leaf discs were used?")
    assert follow_up(value_q, first, second) is None
    # the next paragraph is another statement
    other = split_passage(replace(_passage("Photosynthesis was measured at noon."), ordinal=2))[0]
    assert follow_up(how, first, other) is None
    # nor is a structured abstract's label ("Methods: ... Results. ...")
    label = split_passage(_passage("Cell membrane stability was measured by leakage. Results. It fell by half."))[1]
    assert label.text == "Results." and follow_up(how, first, label) is None


def test_a_tables_column_header_line_is_a_heading_not_an_answer():
    from papertrail.answering.candidates import split_passage

    q = analyse("In Table 2, what F1 did the DNN reach?")
    header, row = split_passage(_passage("(Table 2) Model | P | F1\nDNN | 0.88 | 0.91", kind=PassageKind.TABLE))
    pool = Pool([Candidate(s, 0.5, 1.0, 1.0, cosine=0.5) for s in (header, row)], focus_in_paper=True)
    compute(q, pool)
    assert [c.signals["heading"] for c in pool.candidates] == [1.0, 0.0]


def test_the_row_with_the_asked_columns_extreme_value_is_marked():
    from papertrail.answering.candidates import split_passage

    table = _passage(
        "(Table 1) U-net | Dice coefficient | Train time (h)\nSimple U-net | 0.71 | 5\nEnlarged U-net | 0.74 | 7",
        kind=PassageKind.TABLE,
    )

    def marked(question: str) -> list[float]:
        q = analyse(question)
        pool = Pool([Candidate(s, 0.5, 1.0, 1.0, cosine=0.5) for s in split_passage(table)], focus_in_paper=True)
        compute(q, pool)
        return [c.signals["table_extreme"] for c in pool.candidates]

    assert marked("In Table 1, which U-net reached the highest Dice coefficient?") == [0.0, 0.0, 1.0]
    assert marked("In Table 1, which U-net had the lowest train time?") == [0.0, 1.0, 0.0]
    assert marked("In Table 1, what Dice coefficient did the simple U-net reach?") == [0.0, 0.0, 0.0]


def read_row(q, row) -> str:
    """A table row's answer, as the engine composes it: read against its table's columns."""
    from papertrail.answering.tables import read_table

    return compose(q, row, None, reading=read_table(q, row))


def test_a_table_lookup_answers_with_the_cell_under_the_asked_column():
    from papertrail.answering.candidates import split_passage
    from papertrail.answering.tables import read_table

    passage = _passage(
        "(Table 1) U-net | Dice coefficient | Train time (h)\nSimple U-net | 0.71 | 5\nEnlarged U-net | 0.74 | 7",
        kind=PassageKind.TABLE,
    )
    _, simple, enlarged = split_passage(passage)
    q = analyse("In Table 1, what Dice coefficient did the enlarged U-net reach?")
    reading = read_table(q, enlarged)
    (header, h_start, h_end), (cell, c_start, c_end) = reading.header, reading.rows[0][reading.column]
    assert (header, cell) == ("Dice coefficient", "0.74") and not reading.chosen
    assert passage.text[h_start:h_end] == header and passage.text[c_start:c_end] == cell
    assert read_row(q, enlarged).startswith("0.74 (Dice coefficient) — “Enlarged U-net | 0.74 | 7”")
    # two columns the question fits equally well: no cell is singled out, the row is quoted
    both = analyse("In Table 1, what Dice coefficient and train time did the simple U-net reach?")
    assert read_table(both, simple) is None and read_row(both, simple).startswith("“Simple U-net")
    # a sentence of the text is no table cell
    prose = make_sentence(_passage("The enlarged U-net reached a Dice coefficient of 0.74."), 0, 53)
    assert read_table(q, prose) is None


def test_a_superlative_or_a_comparison_answers_with_the_rows_it_picks_and_names_them():
    from papertrail.answering.candidates import split_passage

    passage = _passage(
        "(Table 1) Model | Dice coefficient | Train time (h)\nSimple U-net | 0.71 | 5\nEnlarged U-net | 0.74 | 7\n"
        "DeepLab | 0.69 | 9\nSegNet | 0.73 | 4",
        kind=PassageKind.TABLE,
    )
    _, simple, _, deeplab, _ = split_passage(passage)
    # whichever row the decision took, the row holding the extreme answers, with its name
    highest = analyse("In Table 1, which model reached the highest Dice coefficient?")
    assert read_row(highest, simple).startswith("Enlarged U-net: 0.74 (Dice coefficient) — “Enlarged U-net")
    # rows sharing a word with the question are not compared unless the question compares them
    u_net = read_row(analyse("In Table 1, which U-net version reached the highest Dice coefficient?"), simple)
    assert u_net.startswith("Enlarged U-net: 0.74 (Dice coefficient) — “Enlarged U-net | 0.74 | 7”"), u_net
    lowest = analyse("In Table 1, which model took the lowest train time?")
    assert read_row(lowest, simple).startswith("SegNet: 4 (Train time (h)) — “SegNet | 0.73 | 4”")
    # two rows named: both cells, the larger first when the question asks which is larger
    which = analyse("In Table 1, which had the higher Dice coefficient: DeepLab or SegNet?")
    assert read_row(which, deeplab).startswith("SegNet: 0.73 (Dice coefficient); DeepLab: 0.69 (Dice coefficient)")
    versus = analyse("In Table 1, what Dice coefficient did DeepLab reach, compared with the enlarged U-net?")
    answer = read_row(versus, simple)
    assert answer.startswith("DeepLab: 0.69 (Dice coefficient); Enlarged U-net: 0.74"), answer
    assert "“DeepLab | 0.69 | 9” “Enlarged U-net | 0.74 | 7”" in answer
