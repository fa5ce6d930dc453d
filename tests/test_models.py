from papertrail.models import Box, Evidence, Passage, PassageKind, WordSpan


def _passage() -> Passage:
    # "alpha beta gamma" on one line of page 2, then "delta" on the next line.
    words = (
        WordSpan(0, 5, Box(2, 10, 100, 40, 110)),
        WordSpan(6, 10, Box(2, 44, 100, 70, 110)),
        WordSpan(11, 16, Box(2, 74, 100, 110, 110)),
        WordSpan(17, 22, Box(2, 10, 112, 40, 122)),
    )
    return Passage("p1", 3, "alpha beta gamma delta", 2, "Methods", PassageKind.BODY, words)


def test_boxes_for_merges_words_on_a_line_and_splits_lines():
    boxes = _passage().boxes_for(6, 22)
    assert boxes == [Box(2, 44, 100, 110, 110), Box(2, 10, 112, 40, 122)]


def test_boxes_for_only_covers_the_requested_span():
    assert _passage().boxes_for(0, 5) == [Box(2, 10, 100, 40, 110)]


def test_words_survive_the_flat_metadata_round_trip():
    passage = _passage()
    assert Passage.words_from_json(passage.words_json()) == passage.words


def test_evidence_reports_its_text_page_and_boxes():
    ev = Evidence(_passage(), 11, 22, 0.8)
    assert ev.text == "gamma delta"
    assert ev.page == 2
    assert len(ev.boxes) == 2
    assert ev.passage.id == "p1:3"
