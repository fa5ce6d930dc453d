"""A question battery asked of many papers: the review matrix, its resumable run, exports and timing.

The CLI, the Review page, the tests and the benchmark all go through this package; it imports no
streamlit and no CLI. A run answers one paper at a time with `Answerer.ask_many` (so retrieval work
is shared across a paper's questions) and persists each paper's cells as soon as they are answered,
keyed by battery fingerprint + paper id + question key, so a run that is killed continues where it
stopped.

  battery.py   the questions: parse, validate, save, resolve
  matrix.py    Cell, Review and their summaries (coverage per question, gaps per paper)
  store.py     answered cells in SQLite
  run.py       answering the open cells, and the benchmark of that
  exports.py   CSV, JSON, Excel and Markdown, with the decisions
  metadata.py  DOI, year and venue found in the PDF, editable; bibliography.py: BibTeX and RIS
  provenance.py  what produced a cell (engine, extraction, backend, settings)
  audit.py     what a rerun changed; the audit log of every decision
  agreement.py the tool vs reviewers or labels, and reviewer vs reviewer: agreement and kappa
  verify.py    reviewers' decisions: accept / edit / reject, the "to check" queue, disputes and settling
"""

from papertrail.review.battery import (
    BUILTIN_DIR,
    DEFAULT_BATTERY,
    Battery,
    BatteryError,
    BatteryItem,
    all_batteries,
    battery_to_csv,
    battery_to_text,
    builtin_batteries,
    builtin_battery,
    delete_battery,
    make_battery,
    parse_battery_csv,
    parse_battery_file,
    parse_battery_text,
    resolve_battery,
    save_battery,
    user_batteries,
    user_battery_dir,
)
from papertrail.review.exports import (
    EXPORT_FIELDS,
    cell_record,
    read_records,
    records,
    to_csv,
    to_json,
    to_markdown,
    to_xlsx,
    write_exports,
)
from papertrail.review.matrix import (
    CHECK,
    NOT_REPORTED,
    Cell,
    CellState,
    Coverage,
    Decision,
    Review,
    Verification,
    paper_gaps,
    question_coverage,
)
from papertrail.review.run import BatchAnswerer, Progress, bench_review, load_review, rerun, run, with_decisions
from papertrail.review.store import ReviewStore, review_db_path
from papertrail.review.verify import VerificationError, decide, disputes, final_decisions, to_check

__all__ = [
    "BUILTIN_DIR",
    "CHECK",
    "DEFAULT_BATTERY",
    "EXPORT_FIELDS",
    "NOT_REPORTED",
    "BatchAnswerer",
    "Battery",
    "BatteryError",
    "BatteryItem",
    "Cell",
    "CellState",
    "Decision",
    "Coverage",
    "Progress",
    "Review",
    "Verification",
    "VerificationError",
    "ReviewStore",
    "all_batteries",
    "battery_to_csv",
    "battery_to_text",
    "bench_review",
    "builtin_batteries",
    "builtin_battery",
    "cell_record",
    "decide",
    "delete_battery",
    "disputes",
    "final_decisions",
    "load_review",
    "make_battery",
    "paper_gaps",
    "parse_battery_csv",
    "parse_battery_file",
    "parse_battery_text",
    "question_coverage",
    "read_records",
    "records",
    "rerun",
    "resolve_battery",
    "review_db_path",
    "run",
    "save_battery",
    "to_check",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_xlsx",
    "user_batteries",
    "user_battery_dir",
    "with_decisions",
    "write_exports",
]
