"""A real browser against the running Streamlit page: headless Debian Chromium driven by
Playwright types a comment, checks that the labels and the civil rewrite appear, and saves a
screenshot (path printed; ``$CLEANSPEECH_SCREENSHOT_DIR`` or ``runs/ui-screenshots``).

Needs Chromium (``scripts/install_browser.sh``; ``$CLEANSPEECH_CHROMIUM`` overrides the path);
skips with that message only when none is installed. Playwright's own browsers are never used.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import CHROMIUM_FLAGS, STEP_TIMEOUT_MS, chromium_path, free_port

from cleanspeech.ui import streamlit_command

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
COMMENT = "You are a disgusting idiot."
START_TIMEOUT_S = 60


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}: {proc.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"streamlit did not answer {url} within {timeout:.0f} s")


@pytest.fixture(scope="module")
def streamlit_url(ui_model: str) -> Iterator[str]:
    """Start ``streamlit run`` (the same command as ``cleanspeech ui``) on a free port."""
    port = free_port()
    cmd = streamlit_command(ui_model, "127.0.0.1", port, headless=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CLEANSPEECH_MODEL": ui_model}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=REPO)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc, START_TIMEOUT_S)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _screenshot_path() -> Path:
    folder = Path(os.environ.get("CLEANSPEECH_SCREENSHOT_DIR", REPO / "runs" / "ui-screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "moderate-single-comment.png"


def _screenshot_whole_page(page, path: Path) -> None:
    """Streamlit scrolls inside its own container, so grow the viewport to the content first."""
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
        "[data-testid=stAppViewContainer], section.main')].map(e => e.scrollHeight), 1000)"
    )
    page.set_viewport_size({"width": 1400, "height": min(int(height) + 40, 4000)})
    page.wait_for_timeout(800)  # let the charts redraw at the new size
    page.screenshot(path=str(path), full_page=True)


def test_moderator_types_a_comment_and_sees_labels_and_rewrite(streamlit_url: str) -> None:
    browser_path = chromium_path()
    if browser_path is None:
        pytest.skip("no Chromium found: run scripts/install_browser.sh (apt-get install -y "
                    "chromium chromium-driver) or set CLEANSPEECH_CHROMIUM")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STEP_TIMEOUT_MS)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=CHROMIUM_FLAGS,
                                     headless=True)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(streamlit_url, wait_until="domcontentloaded")
            box = page.get_by_role("textbox", name="Comment", exact=True)
            expect(box).to_be_visible()
            box.fill(COMMENT)
            page.get_by_role("button", name="Moderate").click()

            expect(page.get_by_test_id("verdict")).to_contain_text("Flagged: toxic")
            raised = page.get_by_test_id("labels-raised")
            expect(raised).to_contain_text("toxic")
            expect(raised).to_contain_text("insult")
            # the first rewrite loads the generator and, on a fresh cache, exports the edit tagger:
            # a behaviour test, not a speed one (bench/bench_rewrite_speed.py times it)
            expect(page.get_by_text("Suggested civil rewrite")).to_be_visible(timeout=3 * STEP_TIMEOUT_MS)
            expect(page.get_by_text("Toxicity after")).to_be_visible()
            heatmap = page.locator(".cs-exp .cs-w")  # explain.render_html's word spans
            expect(heatmap.first).to_be_visible()
            assert "idiot" in [w.strip(" .") for w in heatmap.all_inner_texts()]
            rewrite = page.locator("blockquote").first
            expect(rewrite).to_be_visible()
            assert rewrite.inner_text().strip() and rewrite.inner_text().strip() != COMMENT
            shot = _screenshot_path()
            _screenshot_whole_page(page, shot)
        finally:
            browser.close()
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 10_000
