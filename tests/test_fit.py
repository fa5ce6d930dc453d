"""Fitting the decision from labelled questions, on the generated papers and a real Library."""

from __future__ import annotations

import json

import numpy as np
import pytest

from papertrail.answering import Answerer
from papertrail.answering.decide import Weights, candidate_rows, decide
from papertrail.answering.fit import Item, fit_votes, fit_weights, keys_ok, supports
from papertrail.library import Library
from papertrail.settings import load_settings
from tests import answering_pdfs as pdfs

FROGS, KELP = "frogs.pdf", "kelp.pdf"
# (paper, question, evidence quote or None, answer keys)
LABELLED = [
    (FROGS, "How long did it take to train the classifier?", "Training took 14 hours.", ["14 hours"]),
    (
        FROGS,
        "Which GPU was used to train the classifier?",
        "trained on a single NVIDIA GeForce RTX 3090 GPU",
        ["3090"],
    ),
    (FROGS, "What batch size was used?", "with a batch size of 64", ["64"]),
    (
        FROGS,
        "Where is the code available?",
        "The code is available at https://github.com/example/frogcalls",
        ["github"],
    ),
    (FROGS, "How many hours of audio were recorded?", "We recorded 1,250 hours of audio at 14 ponds", ["1250"]),
    (FROGS, "What random seed was used?", None, []),
    (FROGS, "What learning rate was used?", None, []),
    (KELP, "Which optimizer was used to train the U-Net?", "trained with the Adam optimizer", ["adam"]),
    (KELP, "Which GPU was used to train the U-Net?", None, []),
    (KELP, "What learning rate was used to train the U-Net?", None, []),
    (KELP, "What random seed was used?", None, []),
]


@pytest.fixture(scope="module")
def gathered(tmp_path_factory, embed_model):
    root = tmp_path_factory.mktemp("fit")
    library = Library(load_settings(data_dir=root / "data"), embed_model=embed_model)
    files = {FROGS: pdfs.make_frogs(root / FROGS), KELP: pdfs.make_kelp(root / KELP)}
    ids = {name: library.ingest(path).paper.id for name, path in files.items()}
    answerer = Answerer(library)
    items = []
    for n, (paper, question, evidence, keys) in enumerate(LABELLED):
        page = pdfs.find_on_page(files[paper], evidence)[0] if evidence else 0
        gold = {
            "id": f"q{n}",
            "paper": paper,
            "question": question,
            "answerable": evidence is not None,
            "evidence": evidence,
            "must_contain": keys,
            "pages": [page] if page else [],
            "kind": "number",
        }
        g = answerer.gather([question], [ids[paper]])[0]
        labels = [supports(c.sentence.text, [c.sentence.passage.page], gold) for c in g.pool.candidates]
        items.append(Item("generated", gold, g, candidate_rows(g.pool), np.asarray(labels, dtype=float)))
    return answerer, items


def test_the_answering_sentence_is_gathered_and_labelled(gathered):
    _, items = gathered
    for it in items:
        assert it.labels.sum() >= 1 if it.gold["answerable"] else it.labels.sum() == 0, it.gold["question"]


def test_fitted_weights_pick_the_labelled_sentence_and_survive_json(gathered):
    answerer, items = gathered
    weights = fit_weights(answerer, items, {"note": "test"})
    again = Weights.from_json(json.loads(json.dumps(weights.to_json())))
    assert again.about == {"note": "test"} and 0.5 <= again.uncertain_below <= 0.8
    right = 0
    for it in items:
        if not it.gold["answerable"]:
            continue
        decision = decide(it.g.q, it.g.pool, again)
        right += keys_ok(it.gold, answerer.compose(it.g, decision.best))
    assert right >= 5  # of 6 answerable training questions


def test_keys_follow_the_shared_scorer():
    assert keys_ok({"kind": "yesno", "must_contain": ["no"]}, "No. “It did not help.”")
    assert not keys_ok({"kind": "yesno", "must_contain": ["no"]}, "Yes, it did not.")
    assert keys_ok({"kind": "number", "must_contain": ["40669"]}, "40,669 images")
    assert not keys_ok({"kind": "number", "must_contain": ["40669", "train"]}, "40,669 images")


def test_llm_votes_recover_what_each_stance_says():
    rng = np.random.default_rng(1)
    truth = rng.random(600) < 0.5
    stances = np.where(truth, np.where(rng.random(600) < 0.8, "answers", "declines"), "declines")
    votes = fit_votes(np.zeros(600), list(stances), truth.astype(float))
    assert votes["answers"] > 1.0 and votes["declines"] < -0.5
