"""This session's answering choices. Keys are never entered, shown or logged: only whether one is configured."""

from __future__ import annotations

from typing import Any

import streamlit as st

from papertrail.settings import Settings

ANSWERERS = {
    "extractive": "Extractive (offline, default): quotes the best passage",
    "openai": "OpenAI-compatible server (llama.cpp, vLLM, LM Studio, OpenAI)",
    "ollama": "Ollama",
}
URL_PLACEHOLDERS = {"openai": "http://127.0.0.1:8080/v1", "ollama": "http://127.0.0.1:11434"}


def key_configured(settings: Settings) -> bool:
    return bool(settings.llm_api_key.get_secret_value())


# Widget keys per setting. The widgets take their starting values from session state, not from
# default arguments: a default that changes after Apply would make Streamlit see a new widget
# and drop the user's next edit.
_WIDGET_KEYS = {
    "answerer": "settings-answerer",
    "llm_url": "settings-llm-url",
    "llm_model": "settings-llm-model",
    "retrieval_depth": "settings-retrieval-depth",
}


def settings_form(base: Settings, current: Settings) -> dict[str, Any] | None:
    """Returns the new overrides when saved, else None. `base` is the process default, `current` this session's."""
    for name, key in _WIDGET_KEYS.items():
        st.session_state.setdefault(key, getattr(current, name))
    with st.form("answering-settings"):
        st.markdown("**Answerer**")
        answerer = st.radio(
            "Answerer",
            options=list(ANSWERERS),
            format_func=ANSWERERS.__getitem__,
            label_visibility="collapsed",
            key=_WIDGET_KEYS["answerer"],
        )
        url_col, model_col = st.columns(2)
        llm_url = url_col.text_input(
            "Server URL",
            placeholder=URL_PLACEHOLDERS["openai"],
            help="Used by the OpenAI-compatible and Ollama answerers only.",
            key=_WIDGET_KEYS["llm_url"],
        )
        llm_model = model_col.text_input("Model", placeholder="qwen2.5-1.5b-instruct", key=_WIDGET_KEYS["llm_model"])
        st.caption(
            f"API key configured: **{'yes' if key_configured(base) else 'no'}**. Set PAPERTRAIL\\_LLM\\_API\\_KEY "
            "in the environment or in .streamlit/secrets.toml; keys are never entered or shown here."
        )
        st.divider()
        depth = st.slider(
            "Retrieval depth",
            min_value=4,
            max_value=60,
            key=_WIDGET_KEYS["retrieval_depth"],
            help="How many passages each of keyword and semantic search contributes for each question.",
        )
        saved = st.form_submit_button("Apply", type="primary", icon=":material/check:")
    if not saved:
        return None
    overrides: dict[str, Any] = {"answerer": answerer, "retrieval_depth": int(depth)}
    if answerer != "extractive":
        overrides |= {"llm_url": llm_url.strip(), "llm_model": llm_model.strip()}
    # Keep only what differs from the defaults, so a later change of environment still shows through.
    return {name: value for name, value in overrides.items() if getattr(base, name) != value}


def settings_problems(settings: Settings) -> list[str]:
    """What stops the chosen answerer from working, in plain words."""
    if settings.answerer == "extractive":
        return []
    name = ANSWERERS[settings.answerer].split(" (")[0]
    return [
        f"The {name} answerer needs {what}."
        for what, value in (("a server URL", settings.llm_url), ("a model name", settings.llm_model))
        if not value
    ]
