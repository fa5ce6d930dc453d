"""Library: add papers (read in the background) and find, sort or delete the ones already there."""

import streamlit as st

from components import state
from components.paper_table import paper_table
from components.upload import upload_section

state.ensure_app_navigation()
st.title("Library")
st.caption("Papers are read, split into passages and indexed on this machine; nothing leaves it.")
library = state.library()
upload_section(library)
paper_table(library)
