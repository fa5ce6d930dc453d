"""Chat: questions about one or several papers, each answer beside its highlighted evidence; or one
question to every paper, or a search across the library."""

import streamlit as st

from components import state
from components.chat_export import clear_chat_button, export_menu
from components.conversation import chat_pane
from components.evidence import PANE_HEIGHT, evidence_panel
from components.library_scope import library_question_pane, search_pane
from components.paper_picker import pick_papers, stop_if_library_empty

state.ensure_app_navigation()
st.title("Chat")
library = state.library()
history = state.history()
papers = library.papers()
stop_if_library_empty(papers, "ask about them")

SELECTED, ALL, SEARCH = "Selected papers", "All papers", "Search"
scope = st.segmented_control("Scope", [SELECTED, ALL, SEARCH], default=SELECTED, key="chat-scope") or SELECTED
if scope == ALL:
    library_question_pane(library)
    st.stop()
if scope == SEARCH:
    search_pane(library)
    st.stop()

with st.container(horizontal=True, vertical_alignment="bottom"):
    paper_ids = pick_papers(papers, history)
    turns = history.turns(paper_ids) if paper_ids else []
    chosen = [p for p in papers if p.id in paper_ids]
    export_menu(turns, chosen)
    clear_chat_button(turns, paper_ids)
if not paper_ids:
    st.info("Choose at least one paper to ask about.", icon=":material/info:")
    st.stop()

titles = {p.id: p.title for p in papers}
question = st.chat_input("Ask about the selected papers, e.g. “How many epochs was the model trained for?”")
chat_column, evidence_column = st.columns([1, 1], gap="medium")
# Both panes scroll on their own, so an answer and its highlighted page stay side by side.
with chat_column, st.container(height=PANE_HEIGHT, border=False, autoscroll=True, key="chat-pane"):
    chat_pane(turns, question, paper_ids)
with evidence_column, st.container(height=PANE_HEIGHT, border=True, key="evidence-pane"):
    evidence_panel(library, turns, titles)
