from papertrail.answering.question import analyse


def test_examples_in_parentheses_illustrate_but_are_not_required():
    q = analyse("Which optimisation algorithm was used to train the network (SGD, Adam, RMSprop)?")
    assert not {"SGD", "Adam", "RMSprop"} & set(q.subject)


def test_a_single_label_in_parentheses_is_still_required():
    q = analyse("What is the F1 score of the baseline (Bio)?")
    assert "Bio" in q.subject
