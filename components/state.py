"""The engine objects the app shares, and the settings each session chooses.

One Library per process (and per data dir, so tests with their own dirs get their own) because
it owns the vector store and the embedding model; Streamlit serves every session from it on
its own thread. Session choices (Settings page) apply on top via model_copy, never globally.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from papertrail.answering import Answerer
from papertrail.embedding import MiniLMEmbedding
from papertrail.history import ChatHistory
from papertrail.library import Library
from papertrail.settings import Settings, load_settings

SETTINGS_OVERRIDES = "settings_overrides"
_NAVIGATION_CHECKED = "navigation_checked"


def base_settings() -> Settings:
    """Environment and secrets; read on every run so PAPERTRAIL_DATA_DIR is always honoured."""
    return load_settings()


@st.cache_resource(show_spinner="Loading the embedding model…")
def _embedding_model() -> MiniLMEmbedding:
    return MiniLMEmbedding()


@st.cache_resource(show_spinner="Opening the library…")
def _library(settings_key: str, _settings: Settings) -> Library:
    # settings_key is the settings as JSON (the API key masked), so the cache follows the data dir.
    return Library(_settings, embed_model=_embedding_model())


@st.cache_resource
def _history(data_dir: str, _settings: Settings) -> ChatHistory:
    return ChatHistory.for_settings(_settings)


def library() -> Library:
    settings = base_settings()
    return _library(settings.model_dump_json(), settings)


def history() -> ChatHistory:
    settings = base_settings()
    return _history(str(settings.data_dir), settings)


def settings_overrides() -> dict[str, Any]:
    return dict(st.session_state.get(SETTINGS_OVERRIDES, {}))


def save_settings_overrides(overrides: dict[str, Any]) -> None:
    st.session_state[SETTINGS_OVERRIDES] = dict(overrides)


def effective_settings() -> Settings:
    """This session's settings: the process settings with the Settings page's choices applied."""
    return base_settings().model_copy(update=settings_overrides())


@st.cache_resource(show_spinner=False)
def _answerer(settings_key: str, _library: Library, _settings: Settings) -> Answerer:
    return Answerer(_library, _settings)


def answerer() -> Answerer:
    """Shared by every session with the same settings: it caches each paper's sentences and their vectors."""
    settings = effective_settings()
    return _answerer(settings.model_dump_json(), library(), settings)


def ensure_app_navigation() -> None:
    """Make a first visit straight to a page URL go through app.py's st.navigation.

    Streamlit treats an app with a pages/ folder as an old-style multipage app until app.py
    calls st.navigation, so a fresh server's first request for /chat would run the page alone,
    without page config or our navigation. Clearing the flag fixes it for the process; the
    rerun redraws this first view properly, and only on a session's first run, when no click
    or typed question can be lost by it.
    """
    from streamlit.runtime.pages_manager import PagesManager

    first_run = not st.session_state.get(_NAVIGATION_CHECKED, False)
    st.session_state[_NAVIGATION_CHECKED] = True
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        if first_run:
            st.rerun()
