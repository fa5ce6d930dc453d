"""The Review page in a real Chromium against a real `streamlit run app.py`."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from papertrail import review
from papertrail.settings import load_settings
from tests import review_pdfs
from tests.servers import free_port, stop
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, _wait_healthy

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHECKS = review.make_battery(
    "Reproducibility quick check",
    [
        ("hardware", "Which GPU or other hardware was used to train the model?"),
        ("code_link", "Where is the source code available (URL)?"),
        ("frameworks", "Which software framework or library was the model implemented with?"),
        ("optimizer", "Which optimisation algorithm was used to train the network?"),
    ],
)
GRID_ROW_PX = 35  # st.dataframe's default row (and header) height
GRID_MEDIUM_COLUMN_PX = 200  # width="medium", used for the index and every question column

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (/usr/bin/chromium)"),
]


def _wait_idle(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=120_000)


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A library of the three generated papers (ingested by the CLI) and the app serving it."""
    tmp = tmp_path_factory.mktemp("review-browser")
    data_dir = tmp / "data"
    env = {**os.environ, "PAPERTRAIL_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    pdfs = review_pdfs.make_all(tmp / "papers")
    # The seabird paper (GPU and code link stated) is added first so it is the matrix's first row.
    for batch in (pdfs[:1], pdfs[1:]):
        subprocess.run([sys.executable, "-m", "papertrail", "ingest", *map(str, batch)], cwd=ROOT, env=env, check=True)
        time.sleep(1.1)  # added_at has one-second resolution
    review.save_battery(load_settings(data_dir=data_dir), CHECKS)
    port = free_port()
    log = (tmp / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
        + ["--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proc)
        yield url, data_dir
    finally:
        stop(proc, 20)
        log.close()


def _open_review(page, url: str) -> None:
    from playwright.sync_api import expect

    # Through the app's navigation: a direct /review URL would run the page without app.py.
    page.goto(url)
    page.get_by_test_id("stSidebarNav").get_by_text("Review").click()
    expect(page.get_by_role("heading", name="Review")).to_be_visible(timeout=120_000)
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name=CHECKS.name).click()
    _wait_idle(page)


def test_review_page_runs_a_battery_and_shows_a_cells_evidence(server):
    from playwright.sync_api import expect, sync_playwright

    url, _ = server

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1700})
        _open_review(page, url)
        page.get_by_role("button", name="Answer 12 open cells").click()
        expect(page.get_by_role("button", name="All cells answered")).to_be_visible(timeout=300_000)
        grid = page.get_by_test_id("stDataFrame")
        expect(grid).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "review-1-matrix.png"), full_page=True)

        box = grid.bounding_box()
        assert box is not None
        # The first row (the seabird paper) and the first question column (hardware).
        x = box["x"] + GRID_MEDIUM_COLUMN_PX + GRID_MEDIUM_COLUMN_PX / 2
        y = box["y"] + GRID_ROW_PX + GRID_ROW_PX / 2
        evidence = page.locator(".st-key-review-cell-evidence")
        _wait_idle(page)  # a click while the script reruns can be dropped with the old grid
        page.mouse.move(x, y)  # the grid (a canvas) tracks the pointer before it takes a click
        page.wait_for_timeout(300)
        page.mouse.click(x, y, delay=50)
        try:
            expect(evidence).to_be_visible(timeout=60_000)
        finally:
            page.screenshot(path=str(ARTIFACTS / "review-after-click.png"), full_page=True)
        expect(evidence).to_contain_text("RTX 3090")
        page_image = evidence.get_by_test_id("stImage").locator("img")
        expect(page_image).to_be_visible(timeout=60_000)
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=page_image.element_handle())
        page.screenshot(path=str(ARTIFACTS / "review-2-evidence.png"), full_page=True)

        page.get_by_role("tab", name="Completeness").click()
        completeness = page.get_by_role("tabpanel", name="Completeness")
        expect(completeness.locator(".js-plotly-plot")).to_have_count(2, timeout=60_000)
        expect(completeness.locator(".js-plotly-plot").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "review-3-completeness.png"), full_page=True)

        page.get_by_role("button", name="Export").click()
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name="Matrix as CSV").click()
        exported = Path(download.value.path()).read_text()
        assert exported.startswith(",".join(review.EXPORT_FIELDS)) and "RTX 3090" in exported
        browser.close()
    assert (ARTIFACTS / "review-2-evidence.png").stat().st_size > 0


def _expect_queue_shows(queue_cell, cell: review.Cell) -> None:
    """The queue's header ("**title** · `key`") names this cell."""
    from playwright.sync_api import expect

    expect(queue_cell.locator("strong", has_text=cell.paper.title).first).to_be_visible(timeout=60_000)
    expect(queue_cell.locator("code").filter(has_text=re.compile(f"^{re.escape(cell.key)}$")).first).to_be_visible()


def test_cells_are_checked_from_the_queue_with_the_keyboard(server):
    from playwright.sync_api import expect, sync_playwright

    from papertrail.review.verify import to_check

    url, data_dir = server
    settings = load_settings(data_dir=data_dir)
    store = review.ReviewStore.for_settings(settings)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1700})
        _open_review(page, url)
        answer = page.get_by_role("button", name="Answer 12 open cells")
        if answer.count():  # this test also runs alone
            answer.click()
        expect(page.get_by_role("button", name="All cells answered")).to_be_visible(timeout=300_000)

        from papertrail.library import Library

        library = Library(settings)
        ids = [p.id for p in library.papers()]
        queue = to_check(review.load_review(library, ids, CHECKS, store), {})
        reviewer = page.get_by_role("textbox", name="Reviewer")
        reviewer.fill("Ana")
        reviewer.press("Enter")
        _wait_idle(page)
        page.get_by_role("tab", name="To check").click()
        cell = page.locator(".st-key-review-queue-cell")
        _expect_queue_shows(cell, queue[0])
        expect(page.get_by_text("12 cells to check")).to_be_visible()
        expect(cell.get_by_test_id("stImage").locator("img")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "review-4-queue.png"), full_page=True)

        for key, shown_next, count in (("a", queue[1], 11), ("n", queue[2], 11), ("x", queue[3], 10)):
            _wait_idle(page)
            page.get_by_role("heading", name="Review").click()  # keys go to the page, not to a text box
            page.keyboard.press(key)
            expect(page.get_by_text(f"{count} cells to check")).to_be_visible(timeout=60_000)
            _expect_queue_shows(cell, shown_next)
        page.screenshot(path=str(ARTIFACTS / "review-5-checked.png"), full_page=True)
        browser.close()

    log = store.verifications(CHECKS, ids)
    assert [(v.reviewer, v.paper_id, v.key, v.decision) for v in log] == [
        ("Ana", queue[0].paper.id, queue[0].key, review.Decision.ACCEPTED),
        ("Ana", queue[2].paper.id, queue[2].key, review.Decision.REJECTED),
    ]
