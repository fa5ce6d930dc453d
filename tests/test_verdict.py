"""The verdict layers on constructed evidence: each layer alone decides what it is meant to decide."""

from __future__ import annotations

import pytest

from papertrail.answering.extractive import compose, polarity
from papertrail.answering.questions import analyse
from papertrail.answering.retrieve import Scored, lexical_scores, make_sentence
from papertrail.answering.values import Kind
from papertrail.answering.verdict import LAYERS, judge_candidate, make_verdict
from papertrail.models import Box, Passage, PassageKind, WordSpan


def _passage(text: str, kind: PassageKind = PassageKind.BODY, section: str = "2. Methods", page: int = 3) -> Passage:
    words = []
    x = 50.0
    for i, w in enumerate(text.split(" ")):
        start = sum(len(t) + 1 for t in text.split(" ")[:i])
        words.append(WordSpan(start, start + len(w), Box(page, x, 100, x + 5 * len(w), 110)))
        x += 5 * len(w) + 3
    return Passage("paper", 1, text, page, section, kind, tuple(words))


def _judge(question: str, text: str, *, cosine: float = 0.6, layers=LAYERS, **passage_kw):
    q = analyse(question)
    s = make_sentence(_passage(text, **passage_kw), 0, len(text))
    lexical, focus_cov = lexical_scores(q, s, {t: 1.0 for t in q.terms})
    sc = Scored(s, lexical, focus_cov, 1.0, cosine)
    sc.score = 0.5 * cosine + 0.3 * lexical + 0.1 * focus_cov + 0.1
    j = judge_candidate(q, sc)
    verdict, support = make_verdict(q, [j], set(layers), focus_in_paper=True)
    return q, j, verdict, support


def test_number_beside_the_asked_term_answers():
    q, j, verdict, support = _judge(
        "What batch size was used to train the network?",
        "We trained the network with a batch size of 32 for 50 epochs.",
    )
    assert verdict.answerable and support is not None
    assert j.value is not None and j.value.text == "32"
    assert 0.5 < verdict.confidence <= 1.0
    assert "32" in compose(q, support.sentence, support.value)


def test_near_miss_names_the_anchor_and_the_missing_value():
    _, _, verdict, _ = _judge(
        "What learning rate was used to train the network?",
        "The network was trained with the Adam optimizer until the validation loss stopped improving.",
    )
    assert not verdict.answerable
    assert any("learning rate" in r and "Adam" in r for r in verdict.reasons), verdict.reasons


def test_term_missing_from_evidence_fails_coverage():
    _, j, verdict, _ = _judge(
        "What batch size was used?", "Batch normalization was applied after every convolution of the 12 layers."
    )
    assert not verdict.answerable
    assert any(c.layer == "coverage" and not c.ok for c in j.checks)


def test_a_schedule_is_not_a_total():
    _, j, verdict, _ = _judge(
        "For how many epochs in total were the models trained?",
        "The learning rate of 0.001 was divided by 16 every 30 epochs.",
    )
    assert not verdict.answerable
    assert any("schedule" in r for r in verdict.reasons)


def test_a_rate_is_not_a_total_cost():
    _, _, verdict, _ = _judge(
        "What was the total cost of the annotations?",
        "Annotation cost was kept low: annotators were paid 15 $ per hour.",
    )
    assert not verdict.answerable and any("rate" in r for r in verdict.reasons)


def test_a_rate_answers_a_rate_question():
    q, j, verdict, _ = _judge(
        "At what hourly rate were the annotators paid?", "Annotators were paid at a rate of 15$ per hour."
    )
    assert q.kind == Kind.MONEY and verdict.answerable


def test_fine_tuning_evidence_does_not_answer_a_pretraining_question():
    _, j, verdict, _ = _judge(
        "What peak learning rate was used to pretrain the model?",
        "For fine-tuning we used a learning rate of 2e-5 with a linear warm-up.",
    )
    assert not verdict.answerable
    assert any(c.layer == "aboutness" and not c.ok for c in j.checks)


def test_hardware_not_used_for_training_is_not_training_hardware():
    _, j, verdict, _ = _judge(
        "Which GPU or other hardware was used to train the CNN?",
        "The trap's Raspberry Pi 4 computer stores the images on a 500 GB solid-state drive.",
    )
    assert not verdict.answerable
    assert any("training" in r for r in verdict.reasons)


def test_training_hardware_answers():
    _, j, verdict, _ = _judge(
        "Which GPU was used to train the model?", "We trained the model on a single NVIDIA Titan V GPU for two days."
    )
    assert verdict.answerable and j.value is not None and "Titan V" in j.value.text


def test_a_cited_example_is_not_the_studys_choice():
    _, _, verdict, _ = _judge(
        "Which optimizer was used to train the network?",
        "Deep networks became possible with better algorithms for optimizing weights [e.g., stochastic gradient descent"
        " (Rumelhart et al., 1986)] and more computing power.",
        section="1. Introduction",
    )
    assert not verdict.answerable
    assert any("cited work" in r for r in verdict.reasons)


def test_a_data_url_does_not_answer_where_the_code_is():
    _, _, verdict, _ = _judge(
        "Where is the code for the model available?", "The survey data are available at http://example.org/survey."
    )
    assert not verdict.answerable


def test_code_url_answers():
    _, j, verdict, _ = _judge(
        "Where is the code for the model available?", "Our code is available at https://github.com/example/frogs."
    )
    assert verdict.answerable and j.value is not None and j.value.text == "https://github.com/example/frogs"


def test_low_similarity_fails_relevance():
    _, j, verdict, _ = _judge(
        "Which GPU was used to train the model?", "We trained it on an NVIDIA Tesla K80 GPU.", cosine=0.1
    )
    assert not verdict.answerable and any(c.layer == "relevance" and not c.ok for c in j.checks)


def test_term_without_value_is_a_near_miss():
    _, j, verdict, _ = _judge(
        "What learning rate was used to train the network?",
        "The learning rate of the Adam optimizer was tuned on the validation set.",
    )
    assert not verdict.answerable
    assert [c.layer for c in j.checks if not c.ok] == ["answer_type"]
    assert any("learning rate" in r for r in verdict.reasons)


def test_switching_a_layer_off_lets_its_failure_through():
    text = "The learning rate of the Adam optimizer was tuned on the validation set."
    question = "What learning rate was used to train the network?"
    assert not _judge(question, text)[2].answerable
    verdict = _judge(question, text, layers=set(LAYERS) - {"answer_type"})[2]
    assert verdict.answerable


def test_question_numbers_are_not_answers():
    _, j, verdict, _ = _judge(
        "How long does the system take to classify 60 s of audio?", "The system classifies 60 s of audio quickly."
    )
    assert not verdict.answerable


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
