"""Notation as printed: scripts, reference markers, symbol-font glyphs and line-end hyphens, on a
generated page (both of extraction's paths) and as the plain string decisions behind them."""

from __future__ import annotations

import pytest

from papertrail.answering.values import Kind, find
from papertrail.pdf.extract import ExtractedPaper, extract, reading_text
from papertrail.pdf.extract.notation import map_glyph, script_attaches, script_role, script_text, symbol_font_kind
from tests import notation_pdfs as factory


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module", params=[False, True], ids=["word-list path", "per-character path"])
def paper(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> ExtractedPaper:
    path = factory.make_notation_pdf(tmp_path_factory.mktemp("notation") / "n.pdf", hidden_line=request.param)
    return extract(path, "n")


def test_scripts_print_as_superscripts_and_subscripts(paper: ExtractedPaper) -> None:
    text = _flat(reading_text(paper))
    assert "learning rate of 10⁻⁴ with" in text  # not "104"
    assert factory.SQUARED_SENTENCE in text
    assert factory.SUBSCRIPT_SENTENCE in text
    assert factory.HIDDEN_TEXT not in text


def test_reference_marker_is_split_from_the_name_it_touches(paper: ExtractedPaper) -> None:
    text = _flat(reading_text(paper))
    assert factory.EXPONENT_SENTENCE in text
    assert "ProtT514" not in text and "ProtT5¹⁴" not in text


def test_a_reference_marker_is_not_a_value_but_an_exponent_is() -> None:
    # as extraction prints it (test above): the marker "¹⁴" must not answer "how many ...?"
    assert [v.text for v in find(Kind.NUMBER, factory.EXPONENT_SENTENCE)] == ["10-4"]


def test_symbol_font_glyphs_are_mapped(paper: ExtractedPaper) -> None:
    text = _flat(reading_text(paper))
    assert factory.SYMBOL_SENTENCE in text  # χ from WinAnsi "c", μ from U+F06D
    assert factory.TEX_SENTENCE in text  # ± and ≤ from CMSY codes


def test_line_end_hyphen_kept_in_a_compound_and_dropped_in_a_split_word(paper: ExtractedPaper) -> None:
    text = _flat(reading_text(paper))
    assert factory.HYPHEN_PARAGRAPH in text
    assert "cross- entropy" not in text and "segmen-tation" not in text


def test_script_words_keep_boxes_covering_what_is_printed(paper: ExtractedPaper) -> None:
    passage = next(p for p in paper.passages if "ProtT5" in p.text)
    words = {passage.text[w.start : w.end]: w.box for w in passage.words}
    exponent, name, marker = words["10⁻⁴"], words["ProtT5"], words["¹⁴"]
    assert exponent.x1 - exponent.x0 > 12  # "10" and the raised "-4" together
    assert marker.x0 >= name.x1 - 0.5  # the marker sits right after the name, outside its box
    assert marker.y0 < name.y0 and marker.y1 < name.y1  # and is raised


@pytest.mark.parametrize(
    ("base", "script", "role", "attaches"),
    [
        ("10", "-4", "sup", True),
        ("10", "4", "sup", True),
        ("R", "2", "sup", True),
        ("km", "2", "sup", True),
        ("CO", "2", "sub", True),
        ("5", "th", "sup", True),
        ("ProtT5", "14", "sup", False),
        ("Rivas", "3", "sup", False),
        ("(IUCN)", "10", "sup", False),
        ("humans", "1,2", "sup", False),
        ("1982", "8", "sup", False),
        ("Cohan", "†∗", "sup", False),
        ("Smith", "a,b", "sup", False),
    ],
)
def test_exponent_or_marker(base: str, script: str, role: str, attaches: bool) -> None:
    assert script_attaches(base, script, role) is attaches


def test_script_text_and_role() -> None:
    assert script_text("-4", "sup") == "⁻⁴"
    assert script_text("1,2", "sup") == "¹,²"
    assert script_text("st", "sup") == "st"
    assert script_text("d×2d", "sup") == "^(d×2d)"
    assert script_text("2", "sub") == "₂"
    assert script_text("train", "sub") == "_(train)"
    assert script_role(7, 96, 10, 100) == "sup"
    assert script_role(7, 102.5, 10, 100) == "sub"
    assert script_role(7, 100, 10, 100) == ""  # small capitals sit on the baseline
    assert script_role(10, 96, 10, 100) == ""  # full-size text is not a script


def test_glyph_maps() -> None:
    assert symbol_font_kind("ABCDEF+SymbolMT") == "symbol"
    assert symbol_font_kind("CMSY10") == "tex-symbol"
    assert symbol_font_kind("Helvetica") == ""
    assert map_glyph("c", "symbol") == "χ"
    assert map_glyph("\uf06d", "symbol") == "μ"
    assert map_glyph("\x14", "tex-symbol") == "≤"
    assert map_glyph("\x1f", "tex-italic") == "χ"
    assert map_glyph("\x93", "") == "“"  # a raw Windows-1252 quote
    assert map_glyph("\x01", "") == "\ufffd"  # unknown stays visible as unknown
    assert map_glyph("c", "") == "c"
