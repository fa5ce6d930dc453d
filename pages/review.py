"""Review: one question battery across many papers -- a matrix of answers and gaps, evidence behind each cell."""

import streamlit as st

from components import state
from components.paper_picker import stop_if_library_empty
from components.review_agreement import reviewer_agreement, tool_agreement
from components.review_battery import battery_editor, battery_picker
from components.review_charts import completeness_heatmap, coverage_bars
from components.review_evidence import cell_evidence
from components.review_matrix import review_matrix
from components.review_papers import papers_metadata_editor
from components.review_run import export_menu, pick_papers, rerun_changes, run_section
from components.review_verify import check_queue, decision_bar, reviewer_name
from papertrail.review import ReviewStore
from papertrail.review.metadata import papers_metadata

state.ensure_app_navigation()
st.title("Review")
st.caption("Ask every paper the same questions: see what each reports, what it leaves out, and where it says so.")
library = state.library()
settings = state.base_settings()
papers = library.papers()
stop_if_library_empty(papers, "review them")

papers_column, battery_column = st.columns([3, 2], vertical_alignment="bottom")
with papers_column:
    paper_ids = pick_papers(papers)
with battery_column:
    battery = battery_picker(settings)
battery_editor(settings, battery)
if not paper_ids:
    st.info("Choose at least one paper to review.", icon=":material/info:")
    st.stop()

# The store follows this session's answering backend (Settings page), like the answerer does.
store = ReviewStore.for_settings(state.effective_settings())
reviewer = reviewer_name()
review = run_section(battery, paper_ids, store, reviewer)
meta = papers_metadata(store, review.papers, library.pdf_path)
with st.container(horizontal=True, vertical_alignment="center"):
    to_check = sum(cell.uncertain for cell in review.ordered())
    st.caption(
        "Click a cell to see its evidence on the page. Red cells are not reported in the paper;"
        f" amber cells ({to_check}) are uncertain: check their passages."
        " Checked: ✓ accepted, ✎ edited, ✗ rejected, ⚠ reviewers disagree."
    )
    export_menu(review, store, meta)
rerun_changes(store, review)
matrix_tab, queue_tab, agreement_tab, reviewers_tab, completeness_tab, papers_tab = st.tabs(
    ["Matrix", "To check", "Agreement", "Reviewers", "Completeness", "Papers"], key="review_view", on_change="rerun"
)
# Only the open tab is drawn, so the queue's keyboard shortcuts act only while it is shown.
if matrix_tab.open:
    with matrix_tab:
        selected = review_matrix(review)
        if selected is not None:
            with st.container(border=True, key="review-cell-evidence"):
                decision_bar(store, review, selected, "matrix")
                cell_evidence(library, selected)
if queue_tab.open:
    with queue_tab:
        check_queue(library, review, store)
if agreement_tab.open:
    with agreement_tab:
        tool_agreement(review, store)
if reviewers_tab.open:
    with reviewers_tab:
        reviewer_agreement(review, store)
if completeness_tab.open:
    with completeness_tab:
        st.plotly_chart(completeness_heatmap(review), key="review_heatmap", config={"displayModeBar": False})
        st.markdown("**Coverage per question**")
        st.plotly_chart(coverage_bars(review), key="review_coverage", config={"displayModeBar": False})
if papers_tab.open:
    with papers_tab:
        papers_metadata_editor(store, review.papers, meta)
