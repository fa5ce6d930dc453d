"""The whole user journey on three real papers in a real browser, saving screenshots and downloads.

Starts `streamlit run app.py` on a free loopback port with a fresh data dir, then in headless Chromium:
uploads three papers, asks the Amazon paper an answerable and an unanswerable question, downloads the
chat as Markdown and as an annotated PDF, and runs the built-in battery on all three on the Review page.

    .venv/bin/python docs/journey.py [--shared ../shared]

Screenshots go to docs/screenshots/journey-*.png, downloads to docs/journey/.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
DOWNLOADS = ROOT / "docs" / "journey"
PAPERS = [
    "eco_amazon_land_patterns_arxiv1809.00340.pdf",
    "eco_whale_counting_guirado2019_scirep.pdf",
    "nlp_specter_cohan2020_acl.pdf",
]
AMAZON_TITLE = "Identifying Land Patterns from Satellite Imagery"
ANSWERABLE = ("How many images were used for testing?", "40669")
UNANSWERABLE = "What random seed was used?"
BATTERY = "Deep-learning reproducibility checklist"
LONG_MS = 300_000


def _wait_idle(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=LONG_MS)


def _shot(page, name: str) -> None:
    """Full page: Streamlit scrolls inside an element, so grow the viewport to its height first."""
    page.wait_for_timeout(1000)  # let images settle
    viewport = page.viewport_size
    height = page.evaluate("Math.max(...[...document.querySelectorAll('section, div')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": viewport["width"], "height": max(viewport["height"], height)})
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOTS / f"journey-{name}.png"), full_page=True)
    page.set_viewport_size(viewport)
    print(f"screenshot journey-{name}.png")


def journey(url: str, pdfs: list[Path]) -> None:
    from playwright.sync_api import expect, sync_playwright

    from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, _ask, _download

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
        page.set_default_timeout(60_000)
        nav = page.get_by_test_id("stSidebarNav")

        # 1) Library: upload all three at once.
        page.goto(url)
        expect(page.get_by_role("heading", name="Library")).to_be_visible(timeout=LONG_MS)
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([str(p) for p in pdfs])
        # Files are read in the background; the table appears complete once the queue is empty.
        expect(page.get_by_text(f"Your papers ({len(pdfs)})")).to_be_visible(timeout=LONG_MS)
        _shot(page, "1-upload")

        # 2) Chat: only the Amazon paper; one answerable, one unanswerable question.
        nav.get_by_text("Chat").click()
        expect(page.get_by_role("heading", name="Chat")).to_be_visible()
        _wait_idle(page)
        picker = page.get_by_test_id("stMultiSelect")
        remove = picker.get_by_role("button", name=re.compile("^Remove "))
        expect(remove).to_have_count(1)  # the newest paper is preselected
        remove.click()
        expect(remove).to_have_count(0)
        _wait_idle(page)
        amazon = page.get_by_role("option", name=re.compile(re.escape(AMAZON_TITLE)))
        for _ in range(5):  # the first click on the emptied box does not always open the list
            picker.get_by_role("button", name="Open").click()
            page.wait_for_timeout(500)
            if amazon.is_visible():
                break
        amazon.click()
        page.keyboard.press("Escape")
        expect(picker).not_to_contain_text("SPECTER")
        expect(picker).to_contain_text(AMAZON_TITLE)
        question, expected = ANSWERABLE
        answer = _ask(page, question, turn=1)
        expect(answer).to_contain_text(expected, timeout=LONG_MS)
        expect(page.locator(".st-key-evidence-panel img").first).to_be_visible()
        _shot(page, "2-answer")
        flagged = _ask(page, UNANSWERABLE, turn=2)
        expect(flagged).to_contain_text("Unanswerable", timeout=LONG_MS)
        _shot(page, "3-unanswerable")

        # 3) Export: the Markdown transcript and the annotated PDF.
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for label in ("Chat as Markdown", "Annotated PDF"):
            saved = _download(page, label)
            shutil.move(saved, DOWNLOADS / saved.name)
            print(f"downloaded docs/journey/{saved.name}")
        page.get_by_role("button", name="Export").click()
        expect(page.get_by_role("button", name="Annotated PDF")).to_be_visible()
        _shot(page, "4-export")
        page.keyboard.press("Escape")

        # 4) Review: the built-in battery on the papers, then the matrix.
        nav.get_by_text("Review").click()
        expect(page.get_by_role("heading", name="Review")).to_be_visible()
        page.get_by_test_id("stSelectbox").first.click()
        page.get_by_role("option", name=re.compile(re.escape(BATTERY))).click()
        page.get_by_role("button", name=re.compile(r"Answer \d+ open cells")).click()
        expect(page.get_by_role("button", name="All cells answered")).to_be_visible(timeout=LONG_MS)
        expect(page.get_by_test_id("stDataFrame")).to_be_visible()
        _shot(page, "5-review")
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared", help="holds papers/ (default ../shared)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.servers import free_port, stop
    from tests.test_browser import _wait_healthy

    pdfs = [args.shared / "papers" / name for name in PAPERS]
    missing = [str(p) for p in pdfs if not p.exists()]
    if missing:
        sys.exit(f"missing papers: {', '.join(missing)}")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="papertrail-journey-") as tmp:
        port = free_port()
        log_path = Path(tmp) / "streamlit.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
                + ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                cwd=ROOT,
                env={**os.environ, "PAPERTRAIL_DATA_DIR": str(Path(tmp) / "data")},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                url = f"http://127.0.0.1:{port}"
                _wait_healthy(url, process)
                journey(url, pdfs)
            except Exception:
                print(log_path.read_text()[-4000:], file=sys.stderr)
                raise
            finally:
                stop(process, 15)


if __name__ == "__main__":
    main()
