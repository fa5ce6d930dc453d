"""Settings: how this session answers. Applied per session on top of the environment's settings."""

import streamlit as st

from components import state
from components.settings_form import ANSWERERS, settings_form, settings_problems

state.ensure_app_navigation()
st.title("Settings")
base = state.base_settings()
current = state.effective_settings()
left, right = st.columns([3, 2], gap="large")
with left:
    overrides = settings_form(base, current)
    if overrides is not None:
        state.save_settings_overrides(overrides)
        current = state.effective_settings()
        st.success("Saved for this session.", icon=":material/check_circle:")
    for problem in settings_problems(current):
        st.warning(problem, icon=":material/warning:")
with right, st.container(border=True):
    st.markdown("**In use now**")
    st.markdown(f"Answerer: {ANSWERERS[current.answerer].split(':')[0]}")
    if current.answerer != "extractive":
        st.text(f"Server: {current.llm_url or '(not set)'}\nModel: {current.llm_model or '(not set)'}")
    st.markdown(f"Retrieval depth: {current.retrieval_depth} passages")
    st.caption(
        "Whatever the answerer, the verdict that a paper does not answer a question is the engine's own, "
        "measured on the retrieved passages: small language models rarely admit that a paper does not say."
    )
    st.text(f"Data directory: {base.data_dir}")
