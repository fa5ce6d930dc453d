"""The Settings page in streamlit's AppTest: answerer choices per session, keys never shown."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.conftest import open_app, rendered_text

SETTINGS_PAGE = "pages/settings.py"
SECRET = "sk-papertrail-test-0123456789"


def _everything_shown(at) -> str:
    """Every element's full protobuf, widgets' values and help texts included."""
    return "\n".join(str(getattr(node, "proto", "")) for node in at._tree)


def test_an_api_key_is_reported_but_never_shown_or_logged(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
):
    monkeypatch.setenv("PAPERTRAIL_LLM_API_KEY", SECRET)
    with caplog.at_level(logging.DEBUG):
        at = open_app(SETTINGS_PAGE)
        at.radio[0].set_value("openai").run()
        at.button[0].click().run()
    assert "API key configured: **yes**" in rendered_text(at)
    assert SECRET not in _everything_shown(at)
    assert "llm_api_key" not in at.session_state["settings_overrides"]
    assert SECRET not in caplog.text


def test_without_a_key_the_page_says_so(data_dir: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("PAPERTRAIL_LLM_API_KEY", raising=False)
    monkeypatch.setattr("papertrail.settings._secrets_file_key", lambda: "")
    at = open_app(SETTINGS_PAGE)
    assert "API key configured: **no**" in rendered_text(at)


def test_choices_apply_to_this_session_only(data_dir: Path):
    at = open_app(SETTINGS_PAGE)
    assert at.radio[0].value == "extractive"  # the offline default
    at.radio[0].set_value("ollama")
    at.text_input[0].input("http://127.0.0.1:11434")
    at.slider[0].set_value(12)
    at.button[0].click().run()  # the form's Apply

    assert at.session_state["settings_overrides"] == {
        "answerer": "ollama",
        "llm_url": "http://127.0.0.1:11434",
        "retrieval_depth": 12,
    }
    text = rendered_text(at)
    assert "Saved for this session." in text and "Retrieval depth: 12 passages" in text
    assert [w.value for w in at.warning] == ["The Ollama answerer needs a model name."]

    other_session = open_app(SETTINGS_PAGE)
    assert other_session.radio[0].value == "extractive"


def test_back_to_the_defaults_stores_no_overrides(data_dir: Path):
    at = open_app(SETTINGS_PAGE)
    at.radio[0].set_value("openai")
    at.text_input[1].input("some-model")
    at.button[0].click().run()
    at.radio[0].set_value("extractive")
    at.button[0].click().run()
    assert at.session_state["settings_overrides"] == {}
    assert not at.warning
