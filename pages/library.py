"""Library: add papers and see, or delete, the ones already there."""

import streamlit as st

from components import state
from components.paper_list import paper_list
from components.upload import upload_section

state.ensure_app_navigation()
st.title("Library")
st.caption("Papers are read, split into passages and indexed on this machine; nothing leaves it.")
library = state.library()
upload_section(library)
paper_list(library)
