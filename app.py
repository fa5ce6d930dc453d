"""PaperTrail: `streamlit run app.py`. Page config and navigation only; the pages live in pages/."""

import streamlit as st

st.set_page_config(page_title="PaperTrail", page_icon=":material/plagiarism:", layout="wide")

pages = [
    st.Page("pages/library.py", title="Library", icon=":material/library_books:", default=True),
    st.Page("pages/chat.py", title="Chat", icon=":material/forum:"),
    st.Page("pages/review.py", title="Review", icon=":material/table_chart:"),
    st.Page("pages/settings.py", title="Settings", icon=":material/tune:"),
]
st.navigation(pages).run()
