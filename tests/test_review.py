"""The review matrix on real components: a real Library in a tmp dir, generated PDFs, the real answerer."""

from __future__ import annotations

import json
import math
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from papertrail import review
from papertrail.answering import Answerer
from papertrail.library import Library
from papertrail.models import Answer, Paper, Verdict
from papertrail.settings import load_settings
from tests import review_pdfs

ROOT = Path(__file__).resolve().parent.parent
REFERENCE_QUESTIONS = ROOT.parent / "shared" / "reference" / "dl_pipeline_questions.txt"
CHECKLIST = review.builtin_battery()


class RecordingAnswerer:
    """The real answerer, remembering which questions it was asked about which papers."""

    def __init__(self, library: Library) -> None:
        self.inner = Answerer(library)
        self.settings = self.inner.settings
        self.calls: list[tuple[tuple[str, ...], tuple[str, ...]]] = []

    def ask(self, question: str, paper_ids: Sequence[str]) -> Answer:
        return self.ask_many([question], paper_ids)[0]

    def ask_many(self, questions: Sequence[str], paper_ids: Sequence[str]) -> list[Answer]:
        self.calls.append((tuple(questions), tuple(paper_ids)))
        return self.inner.ask_many(questions, paper_ids)


def _subprocess_env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "PAPERTRAIL_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}


# -- batteries ---------------------------------------------------------------------------------------


def test_builtin_checklist_covers_the_reproducibility_topics_in_its_own_words():
    assert CHECKLIST.name == review.DEFAULT_BATTERY and CHECKLIST.builtin
    expected = {
        "data_collection",
        "data_format",
        "annotation",
        "augmentation",
        "datasets",
        "preprocessing",
        "splits",
        "code_link",
        "data_link",
        "model",
        "learning_rate",
        "batch_size",
        "epochs",
        "tuning",
        "optimizer",
        "stopping",
        "regularization",
        "frameworks",
        "hardware",
        "metrics",
        "generalization",
        "seeds",
        "purpose",
        "deployment",
    }
    assert set(CHECKLIST.keys) == expected
    assert all(q.endswith("?") for q in CHECKLIST.questions)
    assert "GPU" in CHECKLIST.items[CHECKLIST.keys.index("hardware")].question
    assert "URL" in CHECKLIST.items[CHECKLIST.keys.index("code_link")].question
    if REFERENCE_QUESTIONS.is_file():
        reference = {" ".join(line.split()).lower() for line in REFERENCE_QUESTIONS.read_text().splitlines()}
        assert not reference & {q.lower() for q in CHECKLIST.questions}


def test_plain_text_battery_with_and_without_keys():
    text = "\n".join(
        [
            "# my checks",
            "gpu: Which GPU was used?",
            "",
            "Which GPU was used for inference?",
            "https://example.org/a is this a link?",
            "Note the colon: is it a key?",
        ]
    )
    battery = review.parse_battery_text(text, "Mine")
    assert battery.keys == ["gpu", "gpu_used_inference", "https_example_org", "note_colon_key"]
    assert battery.questions[2] == "https://example.org/a is this a link?"
    assert battery.questions[3] == "Note the colon: is it a key?"


def test_csv_battery_with_header_quotes_and_bom():
    data = '\ufeffkey,question\r\nhw,"Which GPU, if any, was used?"\r\n"Where is the code?"\r\n,\r\n'.encode()
    battery = review.parse_battery_file("Lab_checks.csv", data)
    assert battery.name == "Lab checks"
    assert [(i.key, i.question) for i in battery.items] == [
        ("hw", "Which GPU, if any, was used?"),
        ("code", "Where is the code?"),
    ]


def test_battery_export_and_import_round_trip():
    as_text = review.parse_battery_file("anything.txt", review.battery_to_text(CHECKLIST))
    as_csv = review.parse_battery_file("Deep-learning reproducibility checklist.csv", review.battery_to_csv(CHECKLIST))
    assert as_text.name == CHECKLIST.name and as_text.items == CHECKLIST.items
    assert as_csv.items == CHECKLIST.items
    assert as_text.fingerprint == CHECKLIST.fingerprint


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no questions"),
        ("a: one?\na: two?", "used twice"),
        ("# only a comment", "no questions"),
        ("x" * 501, "longer than"),
    ],
)
def test_invalid_batteries_say_why(text, message):
    with pytest.raises(review.BatteryError, match=message):
        review.parse_battery_text(text, "Broken")


def test_user_batteries_are_saved_listed_resolved_and_deleted(tmp_path):
    settings = load_settings(data_dir=tmp_path / "data")
    mine = review.parse_battery_text("gpu: Which GPU was used?\nWhere is the code?", "My lab checks")
    path = review.save_battery(settings, mine)
    assert path.parent == settings.data_dir / "batteries"
    assert [b.name for b in review.all_batteries(settings)] == [CHECKLIST.name, "My lab checks"]
    assert review.resolve_battery("my lab checks", settings).items == mine.items
    assert review.resolve_battery("dl_reproducibility", settings) == CHECKLIST
    assert review.resolve_battery(str(path), settings).items == mine.items

    edited = review.make_battery("My lab checks", [("gpu", "Which GPU or TPU was used?")])
    review.save_battery(settings, edited)
    assert review.user_batteries(settings) == [edited]
    with pytest.raises(review.BatteryError, match="built-in"):
        review.save_battery(settings, review.make_battery(CHECKLIST.name.upper(), [("a", "b?")]))
    assert review.delete_battery(settings, "My lab checks")
    assert review.user_batteries(settings) == []
    with pytest.raises(review.BatteryError, match="Known batteries"):
        review.resolve_battery("no such battery", settings)


# -- the run on real papers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> list[Path]:
    return review_pdfs.make_all(tmp_path_factory.mktemp("papers"))


@pytest.fixture(scope="module")
def library(tmp_path_factory, pdfs, embed_model) -> Library:
    library = Library(load_settings(data_dir=tmp_path_factory.mktemp("data")), embed_model=embed_model)
    for pdf in pdfs:
        library.ingest(pdf)
    return library


@pytest.fixture(scope="module")
def papers(library) -> dict[str, Paper]:
    return {p.filename: p for p in library.papers()}


@pytest.fixture(scope="module")
def finished(library, papers) -> tuple[review.Review, list[tuple[int, int, str]], RecordingAnswerer]:
    steps: list[tuple[int, int, str]] = []
    answerer = RecordingAnswerer(library)
    ids = [papers[name].id for name in sorted(papers)]
    store = review.ReviewStore.for_settings(library.settings)
    result = review.run(library, answerer, ids, CHECKLIST, store, lambda *step: steps.append(step))
    return result, steps, answerer


def test_run_fills_every_cell_with_one_ask_many_per_paper(finished, papers):
    result, steps, answerer = finished
    assert result.complete and len(result.cells) == 3 * len(CHECKLIST.items)
    assert [paper_ids for _, paper_ids in answerer.calls] == [(papers[n].id,) for n in sorted(papers)]
    assert all(list(questions) == CHECKLIST.questions for questions, _ in answerer.calls)
    cells = 3 * len(CHECKLIST.items)
    assert steps[-1][:2] == (cells, cells)
    assert [done for done, _, _ in steps] == sorted(done for done, _, _ in steps)
    cell = result.cell(papers["a_seabirds.pdf"].id, "hardware")
    assert cell is not None and cell.question == CHECKLIST.items[CHECKLIST.keys.index("hardware")].question
    assert cell.seconds > 0


def test_cells_hold_the_stated_hardware_and_code_link_with_evidence(finished, papers):
    result, _, _ = finished
    reporting = papers["a_seabirds.pdf"].id
    hardware = result.cell(reporting, "hardware")
    code = result.cell(reporting, "code_link")
    assert hardware.reported and "RTX 3090" in hardware.answer.text
    assert code.reported and "github.com/example/repo" in code.answer.text
    for cell, needle in ((hardware, "RTX 3090"), (code, "github.com/example/repo")):
        cited = [ev for ev in cell.answer.evidence if needle in ev.passage.text]
        assert cited and cited[0].boxes and cited[0].page in cell.pages
        assert 0 < cell.confidence <= 1


def test_a_paper_that_states_neither_is_not_reported(finished, papers):
    result, _, _ = finished
    silent = papers["b_pollinators.pdf"].id
    for key in ("hardware", "code_link"):
        cell = result.cell(silent, key)
        assert not cell.reported, cell.answer.text
        assert cell.short() == review.NOT_REPORTED
    assert not result.cell(papers["c_bats.pdf"].id, "code_link").reported


def test_stored_cells_are_reused_without_asking_again(finished, library, papers):
    result, _, _ = finished
    again = RecordingAnswerer(library)
    store = review.ReviewStore.for_settings(library.settings)
    ids = [p.id for p in result.papers]
    second = review.run(library, again, ids, CHECKLIST, store)
    assert again.calls == []
    assert {k: c.answer for k, c in second.cells.items()} == {k: c.answer for k, c in result.cells.items()}
    assert review.load_review(library, ids, CHECKLIST, store).cells == second.cells
    llm = library.settings.model_copy(update={"answerer": "openai", "llm_model": "some-model"})
    assert review.load_review(library, ids, CHECKLIST, review.ReviewStore.for_settings(llm)).cells == {}

    edited = review.make_battery("Edited", [("hardware", "Which GPU model was used for training?")])
    review.run(library, again, ids[:1], edited, store)
    assert again.calls == [(("Which GPU model was used for training?",), (ids[0],))]


def test_coverage_and_gaps_follow_the_cells(finished, papers):
    result, _, _ = finished
    coverage = {c.key: c for c in review.question_coverage(result)}
    assert coverage["hardware"].answered == 3
    assert coverage["hardware"].reported == sum(result.cell(p.id, "hardware").reported for p in result.papers)
    gaps = review.paper_gaps(result)
    assert "hardware" in gaps[papers["b_pollinators.pdf"].id]
    assert "hardware" not in gaps[papers["a_seabirds.pdf"].id]


def test_exports_round_trip_and_summarise(finished, papers, tmp_path):
    result, _, _ = finished
    paths = review.write_exports(result, tmp_path / "out" / "matrix.csv")
    assert [p.name for p in paths] == ["matrix.csv", "matrix.json", "matrix.md"]
    expected = review.records(result)
    assert len(expected) == 3 * len(CHECKLIST.items) and set(expected[0]) == set(review.EXPORT_FIELDS)
    assert review.read_records(paths[0]) == expected
    assert review.read_records(paths[1]) == expected
    hardware = next(r for r in expected if r["file"] == "a_seabirds.pdf" and r["key"] == "hardware")
    assert "RTX 3090" in hardware["answer"] and hardware["answerable"] is True and hardware["pages"]
    assert any("RTX 3090" in text for text in hardware["evidence"])

    summary = paths[2].read_text()
    assert "## Coverage per question" in summary and "## Gaps per paper" in summary
    coverage = next(c for c in review.question_coverage(result) if c.key == "hardware")
    assert f"| {coverage.reported}/3 |" in summary
    gap_line = next(line for line in summary.splitlines() if line.startswith("- **Seasonal activity"))
    assert "hardware" in gap_line and "code_link" in gap_line
    page = result.cell(papers["a_seabirds.pdf"].id, "hardware").pages[0]
    assert any(line.startswith("- **hardware**:") and f"p. {page}" in line for line in summary.splitlines())


def _cell(answer_text: str, paper_title: str = "T") -> review.Cell:
    paper = Paper("0" * 16, paper_title, "", 1, "0" * 64, "x.pdf", "2024-01-01T00:00:00+00:00")
    return review.Cell(paper, "k", "Q?", Answer("Q?", answer_text, Verdict(True, 0.9)))


def test_csv_cells_never_run_as_spreadsheet_formulas(tmp_path):
    battery = review.make_battery("B", [("k", "Q?")])
    cell = _cell('=HYPERLINK("http://evil.example","click")')
    result = review.Review(battery, (cell.paper,), {(cell.paper.id, "k"): cell})
    path = tmp_path / "m.csv"
    path.write_text(review.to_csv(result))
    assert "'=HYPERLINK" in path.read_text()
    assert review.read_records(path)[0]["answer"] == cell.answer.text


def test_markdown_summary_keeps_paper_text_literal():
    battery = review.make_battery("B", [("k", "Q?")])
    cell = _cell("<img src=x onerror=alert(1)> | [link](http://x)", "*Bold* title")
    summary = review.to_markdown(review.Review(battery, (cell.paper,), {(cell.paper.id, "k"): cell}))
    answer = next(line for line in summary.splitlines() if line.startswith("- **k**: ")).removeprefix("- **k**: ")
    assert not re.search(r"(?<!\\)[<>\[\]*|]", answer), answer
    assert "### \\*Bold\\* title" in summary
    assert answer.endswith("(confidence 90%)")


def test_an_uncertain_cell_is_marked_check_in_the_matrix_and_every_export(tmp_path):
    battery = review.make_battery("B", [("k", "Q?")])
    paper = Paper("0" * 16, "T", "", 1, "0" * 64, "x.pdf", "2024-01-01T00:00:00+00:00")
    sure = review.Cell(paper, "k", "Q?", Answer("Q?", "42 — “x”", Verdict(True, 0.9)))
    unsure = review.Cell(paper, "k", "Q?", Answer("Q?", "42 — “x”", Verdict(True, 0.55, uncertain=True)))
    assert not sure.label().startswith("check") and unsure.label().startswith("check: 42")
    result = review.Review(battery, (paper,), {(paper.id, "k"): unsure})
    path = tmp_path / "m.csv"
    path.write_text(review.to_csv(result))
    assert review.read_records(path)[0]["uncertain"] is True
    assert json.loads(review.to_json(result))[0]["uncertain"] is True
    assert "- **k**: check: 42" in review.to_markdown(result)


# -- resuming, the CLI, the benchmark ----------------------------------------------------------------


def _stored(data_dir: Path) -> dict[tuple[str, str], tuple[str, str]]:
    path = data_dir / "review.sqlite"
    if not path.is_file():
        return {}
    try:
        with sqlite3.connect(path, timeout=5) as db:
            rows = db.execute(
                "SELECT paper_id, key, answer, answered_at FROM cells WHERE battery = ?", (CHECKLIST.fingerprint,)
            )
            return {(p, k): (a, t) for p, k, a, t in rows}
    except sqlite3.OperationalError:  # the table is not created yet
        return {}


@pytest.mark.slow
def test_a_killed_run_resumes_where_it_stopped(tmp_path):
    papers_dir = tmp_path / "papers"
    review_pdfs.make_all(papers_dir)
    data_dir = tmp_path / "data"
    per_paper = len(CHECKLIST.items)
    command = [sys.executable, "-m", "papertrail", "review", "--papers", str(papers_dir)]
    command += ["--battery", CHECKLIST.name, "--out", str(tmp_path / "out" / "matrix.csv")]
    proc = subprocess.Popen(
        command, cwd=ROOT, env=_subprocess_env(data_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 600
        while len(_stored(data_dir)) < per_paper:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the first paper was never answered"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    kept = _stored(data_dir)
    assert per_paper <= len(kept) < 3 * per_paper, "the run finished before it could be killed"
    assert not (tmp_path / "out" / "matrix.csv").exists()

    library = Library(load_settings(data_dir=data_dir))
    ids = [p.id for p in sorted(library.papers(), key=lambda p: p.filename)]
    answered = {pid for pid, _ in kept}
    assert len(ids) == 3 and answered <= set(ids)
    answerer = RecordingAnswerer(library)
    resumed = review.run(library, answerer, ids, CHECKLIST, review.ReviewStore.for_settings(library.settings))
    assert resumed.complete
    assert [paper_ids[0] for _, paper_ids in answerer.calls] == [pid for pid in ids if pid not in answered]
    after = _stored(data_dir)
    assert {k: after[k] for k in kept} == kept  # kept cells were neither re-asked nor rewritten


@pytest.mark.slow
def test_cli_writes_csv_json_and_markdown_and_reuses_the_index(tmp_path):
    papers_dir = tmp_path / "papers"
    review_pdfs.make_all(papers_dir)
    battery_file = tmp_path / "two.txt"
    battery_file.write_text(
        "hardware: Which GPU or other hardware was used to train the model?\n"
        "code_link: Where is the source code available (URL)?\n"
    )
    out = tmp_path / "out" / "matrix.csv"
    command = [sys.executable, "-m", "papertrail", "review", "--papers", str(papers_dir)]
    command += ["--battery", str(battery_file), "--out", str(out)]
    env = _subprocess_env(tmp_path / "data")
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    rows = review.read_records(out)
    assert [(r["file"], r["key"]) for r in rows] == [
        (f, k) for f in ("a_seabirds.pdf", "b_pollinators.pdf", "c_bats.pdf") for k in ("hardware", "code_link")
    ]
    assert rows[0]["answerable"] and "RTX 3090" in rows[0]["answer"]
    assert not rows[2]["answerable"] and rows[2]["answer"] == review.NOT_REPORTED
    assert json.loads(out.with_suffix(".json").read_text()) == rows
    assert "## Coverage per question" in out.with_suffix(".md").read_text()

    labels = tmp_path / "labels.csv"
    labels.write_text(
        "paper,question,reported,answer\n"
        "a_seabirds.pdf,hardware,y,RTX 3090\n"
        "a_seabirds.pdf,Where is the source code available (URL)?,n,\n"
        "b_pollinators.pdf,hardware,n,\n"
        "b_pollinators.pdf,code_link,y,somewhere\n"
        "c_bats.pdf,hardware,y,a GPU\n"
        "c_bats.pdf,code_link,n,\n"
        "not_here.pdf,hardware,y,\n"
    )
    second = subprocess.run(
        [*command, "--labels", str(labels)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert second.returncode == 0, second.stderr
    assert second.stderr.count("already in library") == 3
    assert review.read_records(out) == rows
    assert _printed_agreement(second.stdout) == _agreement_by_hand(rows, labels)
    assert "6 labelled cells (1 labels match no cell" in second.stdout

    again = subprocess.run([*command, "--again"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert "Rerun: 0 of 6 cells changed" in again.stdout and "setup:" not in again.stdout
    assert review.read_records(out) == rows

    missing = subprocess.run(
        [*command[:-4], "--battery", "no such battery", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "No battery or file" in missing.stderr


def _printed_agreement(stdout: str) -> dict[str, tuple[int, str, str]]:
    """question -> (cells, agreement, kappa) as printed by `review --labels`."""
    table = stdout[stdout.index("question ") :].splitlines()[1:]
    return {parts[0]: (int(parts[1]), parts[2], parts[3]) for line in table if len(parts := line.split()) >= 4}


def _agreement_by_hand(rows: list[dict], labels: Path) -> dict[str, tuple[int, str, str]]:
    """The same figures from the written matrix and the label file, counted here from scratch."""
    import csv as csv_module

    key_of = {"Where is the source code available (URL)?": "code_link"}
    said = {(r["file"], r["key"]): r["answerable"] for r in rows}
    pairs: dict[str, list[tuple[bool, bool]]] = {}
    for label in csv_module.DictReader(labels.open()):
        cell = (label["paper"], key_of.get(label["question"], label["question"]))
        if cell in said:
            pairs.setdefault(cell[1], []).append((said[cell], label["reported"] == "y"))
    pairs["overall"] = [p for key in ("hardware", "code_link") for p in pairs[key]]
    figures = {}
    for key, judged in pairs.items():
        n = len(judged)
        observed = sum(a == b for a, b in judged) / n
        tool_yes, label_yes = sum(a for a, _ in judged) / n, sum(b for _, b in judged) / n
        chance = tool_yes * label_yes + (1 - tool_yes) * (1 - label_yes)
        kappa = "n/a" if chance == 1 else f"{(observed - chance) / (1 - chance):.3f}"
        figures[key] = (n, f"{observed:.3f}", kappa)
    return figures


def test_bench_review_reports_seconds_per_cell_and_ratio(library, papers):
    battery = review.make_battery("Bench", [("hardware", "Which GPU was used?"), ("code", "Where is the code (URL)?")])
    figures = review.bench_review(library, [papers["a_seabirds.pdf"].id], battery)
    assert figures["cells"] == 2
    assert figures["seconds_per_cell"] > 0 and figures["single_call_seconds_per_cell"] > 0
    assert figures["ratio"] == pytest.approx(
        figures["seconds_per_cell"] / figures["single_call_seconds_per_cell"], rel=0.01
    )


def test_the_review_engine_imports_neither_the_cli_nor_streamlit():
    import ast

    for path in sorted((ROOT / "papertrail" / "review").glob("*.py")) + [ROOT / "papertrail" / "ingest.py"]:
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert not {m for m in imported if m.startswith(("papertrail.cli", "streamlit"))}, path


# -- verification ------------------------------------------------------------------------------------


def _verdict_cell(key: str, reported: bool, confidence: float, uncertain: bool = False) -> review.Cell:
    paper = Paper("0" * 16, "T", "", 5, "0" * 64, "x.pdf", "2024-01-01T00:00:00+00:00")
    return review.Cell(
        paper, key, "Q?", Answer("Q?", f"{key} value", Verdict(reported, confidence, uncertain=uncertain))
    )


def test_a_decision_says_what_the_reviewer_judges_reported():
    yes, no = _verdict_cell("a", True, 0.9), _verdict_cell("b", False, 0.9)
    assert review.decide(yes, "Ana", "accepted").reported is True
    assert review.decide(no, "Ana", "accepted").reported is False
    assert review.decide(yes, "Ana", "rejected").reported is False
    assert review.decide(no, "Ana", "rejected").reported is True
    edited = review.decide(no, " Ana ", "edited", note=" n ", answer="  SGD  with momentum ", page=3)
    assert (edited.reviewer, edited.reported, edited.answer, edited.page, edited.note) == (
        "Ana",
        True,
        "SGD with momentum",
        3,
        "n",
    )
    assert edited.tool_answer == review.NOT_REPORTED and edited.tool_reported is False
    accepted = review.decide(yes, "Ana", "accepted", answer="ignored", page=2)
    assert (accepted.answer, accepted.page) == ("", None)


@pytest.mark.parametrize(
    ("reviewer", "decision", "answer", "page", "message"),
    [
        ("", "accepted", "", None, "your name"),
        ("Ana", "maybe", "", None, "Unknown decision"),
        ("Ana", "edited", "", 1, "needs your answer"),
        ("Ana", "edited", "x", None, "Give the page"),
        ("Ana", "edited", "x", 6, "1 to 5"),
    ],
)
def test_bad_decisions_say_why(reviewer, decision, answer, page, message):
    with pytest.raises(review.VerificationError, match=message):
        review.decide(_verdict_cell("a", True, 0.9), reviewer, decision, answer=answer, page=page)


def test_the_queue_puts_uncertain_cells_first_then_the_least_confident():
    cells = [
        _verdict_cell("sure", True, 0.95),
        _verdict_cell("shaky", True, 0.4),
        _verdict_cell("unsure_hi", True, 0.6, uncertain=True),
        _verdict_cell("unsure_lo", False, 0.5, uncertain=True),
        _verdict_cell("done", True, 0.1),
    ]
    paper = cells[0].paper
    battery = review.make_battery("B", [(c.key, "Q?") for c in cells])
    matrix = review.Review(battery, (paper,), {(paper.id, c.key): c for c in cells})
    decided = {(paper.id, "done"): review.decide(cells[-1], "Ana", "accepted")}
    assert [c.key for c in review.to_check(matrix, decided)] == ["unsure_lo", "unsure_hi", "shaky", "sure"]
    later = [(paper.id, "unsure_lo"), (paper.id, "shaky")]
    assert [c.key for c in review.to_check(matrix, decided, later)] == ["unsure_hi", "sure", "unsure_lo", "shaky"]


def test_decisions_are_stored_append_only_and_the_latest_per_reviewer_counts(tmp_path):
    store = review.ReviewStore(tmp_path / "r.sqlite")
    cell = _verdict_cell("a", True, 0.9)
    battery = review.make_battery("B", [("a", "Q?")])
    for decision in ("accepted", "rejected"):
        store.add_verification(battery, review.decide(cell, "Ana", decision, note=decision))
    store.add_verification(battery, review.decide(cell, "Ben", "accepted"))
    log = store.verifications(battery, [cell.paper.id])
    assert [(v.reviewer, v.decision.value) for v in log] == [
        ("Ana", "accepted"),
        ("Ana", "rejected"),
        ("Ben", "accepted"),
    ]
    assert list(review.disputes(log)) == [(cell.paper.id, "a")]
    assert review.final_decisions(log) == {}
    assert store.verifications(review.make_battery("B", [("a", "Another question?")]), [cell.paper.id]) == []


# -- agreement ---------------------------------------------------------------------------------------


def test_kappa_and_agreement_match_a_hand_worked_example():
    from papertrail.review.agreement import Pair, agreement, cohen_kappa

    # 50 cells: both say reported 20, only the tool 5, only the reference 10, neither 15.
    # observed 35/50 = 0.70; tool yes 0.5, reference yes 0.6; chance 0.5*0.6 + 0.5*0.4 = 0.50;
    # kappa = (0.70 - 0.50) / (1 - 0.50) = 0.40.
    assert cohen_kappa(20, 5, 10, 15) == pytest.approx(0.40)
    assert cohen_kappa(10, 0, 0, 10) == pytest.approx(1.0)
    assert cohen_kappa(0, 5, 5, 0) == pytest.approx(-1.0)
    assert math.isnan(cohen_kappa(7, 0, 0, 0))  # both constant: kappa is undefined
    pairs = [Pair("q1", True, True)] * 3 + [Pair("q1", True, False), Pair("q2", False, False), Pair("q2", False, True)]
    q1, q2, overall = agreement(pairs, ["q1", "q2", "q3"])
    assert (q1.key, q1.cells, q1.agreed, q1.fraction) == ("q1", 4, 3, 0.75)
    # q1: the tool always says reported, the reference 3 of 4: chance 1 * 0.75 = 0.75 = observed, kappa 0.
    assert q1.kappa == pytest.approx(0.0)
    assert (q2.cells, q2.agreed, q2.kappa) == (2, 1, 0.0)
    # overall 6 cells: both 3, tool only 1, reference only 1, neither 1: observed 4/6;
    # tool yes 4/6, reference yes 4/6; chance 16/36 + 4/36 = 20/36; kappa = (24/36 - 20/36) / (16/36) = 0.25.
    assert (overall.key, overall.cells, overall.both, overall.tool_only, overall.reference_only, overall.neither) == (
        "overall",
        6,
        3,
        1,
        1,
        1,
    )
    assert overall.kappa == pytest.approx(0.25)


def test_labels_are_read_and_matched_by_file_title_key_or_question_text():
    from papertrail.review.agreement import LabelError, label_pairs, read_labels

    cell = _verdict_cell("gpu", True, 0.9)
    battery = review.make_battery("B", [("gpu", "Which GPU  was used?")])
    matrix = review.Review(battery, (cell.paper,), {(cell.paper.id, "gpu"): cell})
    labels = read_labels(
        "\ufeffPaper,Question,Reported,Answer\n"
        "X.PDF,gpu,y,A100\n"
        "T,which gpu was used?,no,\n"
        "0000000000000000,gpu,yes,\n"
        "other.pdf,gpu,y,\n"
        "x.pdf,seeds,n,\n"
    )
    assert labels[0].answer == "A100" and labels[1].reported is False
    matched = label_pairs(matrix, labels)
    assert [(p.key, p.tool, p.reference) for p in matched.pairs] == [
        ("gpu", True, True),
        ("gpu", True, False),
        ("gpu", True, True),
    ]
    assert [label.paper for label in matched.unmatched] == ["other.pdf", "x.pdf"]
    with pytest.raises(LabelError, match="Row 2: reported must be y or n"):
        read_labels("paper,key,reported\nx.pdf,gpu,maybe\n")
    with pytest.raises(LabelError, match="header"):
        read_labels("paper,reported\nx.pdf,y\n")


# -- reruns and the audit log ------------------------------------------------------------------------


def _same_answer(a: review.Cell, b: review.Cell) -> bool:
    def key(c: review.Cell):
        shown = " ".join(c.answer.text.split()) if c.reported else "not reported"
        return (c.reported, shown, c.uncertain, c.pages, round(c.confidence, 3))

    return key(a) == key(b)


def test_a_rerun_after_a_settings_change_lists_exactly_the_cells_that_changed(library, papers, tmp_path):
    from papertrail.review.audit import audit_csv, audit_events, audit_json, latest_rerun
    from papertrail.review.provenance import settings_fingerprint

    store = review.ReviewStore(tmp_path / "rerun.sqlite")
    ids = [papers[n].id for n in sorted(papers)]
    first = review.run(library, Answerer(library), ids, CHECKLIST, store)
    assert latest_rerun(store, first) is None
    cell = first.ordered()[0]
    assert cell.provenance.settings == settings_fingerprint(library.settings)
    assert cell.provenance.engine.startswith("answering-") and cell.provenance.backend == "extractive"
    assert cell.provenance.extraction.startswith("pdf-")

    shallow = library.settings.model_copy(update={"retrieval_depth": 2})
    second, rerun = review.rerun(library, Answerer(library, shallow), ids, CHECKLIST, store)
    expected = {k for k, c in second.cells.items() if not _same_answer(first.cells[k], c)}
    assert expected, "a retrieval depth of 2 should change some answers"
    assert len(expected) < len(second.cells)
    assert rerun.cells == len(second.cells)
    assert {(c.after.paper.id, c.after.key) for c in rerun.changes} == expected
    assert all(c.differences for c in rerun.changes)
    assert rerun.setup == [f"settings {settings_fingerprint(library.settings)} → {settings_fingerprint(shallow)}"]
    assert {c.provenance.settings for c in second.ordered()} == {settings_fingerprint(shallow)}

    _, unchanged = review.rerun(library, Answerer(library, shallow), ids, CHECKLIST, store)
    assert (unchanged.changes, unchanged.setup) == ([], [])

    decided = second.ordered()[0]
    store.add_verification(CHECKLIST, review.decide(decided, "Ana", "rejected", note="=SUM(A1)"))
    events = audit_events(store, second)
    machine = [e for e in events if e["kind"] == "answered"]
    assert len(machine) == 3 * len(second.cells)
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    human = events[-1]
    assert (human["actor"], human["kind"], human["decision"], human["key"]) == (
        "Ana",
        "checked",
        "rejected",
        decided.key,
    )
    assert json.loads(audit_json(events)) == events
    text = audit_csv(events)
    assert text.splitlines()[0].startswith("at,actor,kind,paper_id")
    assert len(text.splitlines()) == len(events) + 1 and "'=SUM(A1)" in text
