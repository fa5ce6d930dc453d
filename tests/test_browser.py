"""End to end in a real browser: Debian's Chromium drives `streamlit run app.py` on a free port.

Upload a generated paper, ask an answerable and an unanswerable question, and check what a
researcher sees: the answer, the highlighted page image beside it and the "Unanswerable" flag.
Screenshots go to tests/artifacts/ (ignored by git); the README's pictures are refreshed only by docs/journey.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pymupdf
import pytest

from tests.conftest import ANSWER_FRAGMENT, ANSWERABLE_QUESTION, CHAT_PAPER_TITLE, UNANSWERABLE_QUESTION
from tests.servers import free_port, stop

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
# Everything that could reach the network or pop up first-run UI is off: the test runs offline.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INGEST_TIMEOUT_MS = 180_000
ANSWER_TIMEOUT_MS = 120_000

pytestmark = [
    pytest.mark.slow,
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (apt-get install chromium)"
    ),
]


def _wait_healthy(url: str, process: subprocess.Popen, timeout_s: float = 90) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not become healthy at {url} within {timeout_s}s")


@pytest.fixture
def app_url(data_dir: Path, tmp_path: Path) -> Iterator[str]:
    """A real `streamlit run app.py` on a free port with its own data dir; its log is in tmp_path."""
    port = free_port()
    log = (tmp_path / "streamlit.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"]
        + ["--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        env={**os.environ, "PAPERTRAIL_DATA_DIR": str(data_dir)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        stop(process, 15)
        log.close()
        print((tmp_path / "streamlit.log").read_text()[-4000:])  # shown by pytest only when the test fails


@pytest.fixture
def page(app_url: str):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield page
        context.close()
        browser.close()


def _screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)  # let images and charts settle before capturing
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def _ask(page, question: str, turn: int):
    """Types a question into the chat box; returns the locator of the turn-th answer card (1-based)."""
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    card = page.locator("[class*='st-key-answer-']").nth(turn - 1)
    card.wait_for(state="visible", timeout=ANSWER_TIMEOUT_MS)
    return card


def _download(page, label: str) -> Path:
    """Opens the Export menu, clicks a download button and returns the saved file."""
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name=label).click()
    download = download_info.value
    path = ARTIFACTS / download.suggested_filename
    download.save_as(path)
    page.keyboard.press("Escape")  # close the menu again
    return path


@pytest.fixture
def other_paper_pdf(make_paper_pdf) -> Path:
    """A second, unrelated paper of two pages, so the library looks like one in use."""
    paragraph = (
        "Bats emit ultrasonic calls whose shape differs between species. We recorded calls at twelve forest"
        " sites and classified them with a small recurrent network trained on expert labels."
    )
    sections = [(heading, [paragraph] * 4) for heading in ("Introduction", "Recordings", "Network", "Results")]
    return make_paper_pdf("bat_calls.pdf", "Classifying bat calls from ultrasonic recordings", sections, "Dan Myotis")


def test_upload_ask_and_see_highlighted_evidence_in_a_real_browser(
    page, app_url: str, chat_paper_pdf: Path, other_paper_pdf: Path, encrypted_pdf: Path
):
    from playwright.sync_api import expect

    page.goto(app_url)
    # The first run loads the embedding model and opens the index.
    expect(page.get_by_role("heading", name="Library")).to_be_visible(timeout=INGEST_TIMEOUT_MS)
    dropzone = page.get_by_test_id("stFileUploaderDropzoneInput")
    dropzone.set_input_files(str(other_paper_pdf))
    expect(page.get_by_text("Added").first).to_be_visible(timeout=INGEST_TIMEOUT_MS)
    page.wait_for_timeout(1100)  # added_at has one-second resolution: make the paper asked about the newest
    dropzone.set_input_files([str(chat_paper_pdf), str(encrypted_pdf)])
    expect(page.get_by_text("Added")).to_have_count(2, timeout=INGEST_TIMEOUT_MS)
    expect(page.get_by_text("password-protected", exact=False).first).to_be_visible(timeout=INGEST_TIMEOUT_MS)
    expect(page.get_by_text(CHAT_PAPER_TITLE).first).to_be_visible()
    shots = [_screenshot(page, "library.png")]

    page.get_by_test_id("stSidebarNav").get_by_text("Chat").click()
    expect(page.get_by_role("heading", name="Chat")).to_be_visible()
    expect(page.get_by_test_id("stMultiSelect")).to_contain_text(CHAT_PAPER_TITLE)  # the newest paper by default
    answer = _ask(page, ANSWERABLE_QUESTION, turn=1)
    expect(answer).to_contain_text(ANSWER_FRAGMENT, timeout=ANSWER_TIMEOUT_MS)
    expect(answer).not_to_contain_text("Unanswerable")
    evidence_image = page.locator(".st-key-evidence-panel img").first
    expect(evidence_image).to_be_visible()
    assert evidence_image.evaluate("img => img.complete && img.naturalWidth > 100")
    shots.append(_screenshot(page, "chat-answer.png"))

    unanswerable = _ask(page, UNANSWERABLE_QUESTION, turn=2)
    expect(unanswerable).to_contain_text("Unanswerable", timeout=ANSWER_TIMEOUT_MS)
    expect(unanswerable.get_by_test_id("stAlertContentError")).to_be_visible()
    expect(page.locator(".st-key-evidence-panel")).to_contain_text(UNANSWERABLE_QUESTION)
    shots.append(_screenshot(page, "chat-unanswerable.png"))

    # The chat leaves the app as a Markdown transcript and as the paper with its citations highlighted.
    transcript = _download(page, "Chat as Markdown").read_text()
    assert ANSWERABLE_QUESTION in transcript and "**Unanswerable**" in transcript and ANSWER_FRAGMENT in transcript
    with pymupdf.open(_download(page, "Annotated PDF")) as annotated:
        notes = [annot.info["content"] for pdf_page in annotated for annot in pdf_page.annots()]
    assert notes and all(ANSWERABLE_QUESTION in note for note in notes)
    assert all(shot.stat().st_size > 0 for shot in shots)
