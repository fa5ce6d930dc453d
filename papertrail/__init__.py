"""PaperTrail engine: extraction, indexing and answering. Never imports streamlit."""
