"""Regenerate the README screenshot of the single-comment page from the real UI.

Starts the Streamlit page (the same command ``cleanspeech ui`` runs) on a free local port,
drives headless Debian Chromium with Playwright (``executable_path``; Playwright's own browser
downloads are never used), moderates one comment, waits for the verdict, heatmap and rewrite,
and saves the page::

    .venv/bin/python scripts/screenshot_ui.py                     # -> docs/images/ui-moderate.png
    .venv/bin/python scripts/screenshot_ui.py --model linear --comment "..." -o /tmp/shot.png

Needs Chromium (``scripts/install_browser.sh``; ``$CLEANSPEECH_CHROMIUM`` overrides the path).
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from cleanspeech.ui import streamlit_command

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]
TIMEOUT_MS = 120_000  # the first rewrite loads the span tagger (torch): slow on a busy machine


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"streamlit did not answer {url} within {timeout:.0f} s")


def capture(url: str, comment: str, out: Path, chromium: str, width: int = 1400) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.goto(url, wait_until="domcontentloaded")
            box = page.get_by_role("textbox", name="Comment", exact=True)
            box.fill(comment)
            page.get_by_role("button", name="Moderate").click()
            expect(page.get_by_test_id("verdict")).to_be_visible()
            expect(page.locator(".cs-exp .cs-w").first).to_be_visible()  # the word heatmap
            # the rewrite section ends in one of these, whatever the comment
            expect(page.get_by_text("Toxicity after").or_(page.get_by_text("rewrite found"))
                   .or_(page.get_by_text("no rewrite needed")).first).to_be_visible()
            # Streamlit scrolls inside its own container: grow the viewport to the content
            height = page.evaluate(
                "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
                "[data-testid=stAppViewContainer]')].map(e => e.scrollHeight), 1000)")
            page.set_viewport_size({"width": width, "height": min(int(height) + 40, 4000)})
            page.wait_for_timeout(1000)  # let the charts redraw at the new size
            out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(out), full_page=True)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="default")
    parser.add_argument("--comment", default="You are a disgusting idiot.")
    parser.add_argument("-o", "--out", type=Path, default=REPO / "docs" / "images" / "ui-moderate.png")
    args = parser.parse_args(argv)
    chromium = os.environ.get("CLEANSPEECH_CHROMIUM") or shutil.which("chromium") \
        or shutil.which("chromium-browser")
    if not chromium:
        print("no Chromium found: run scripts/install_browser.sh", file=sys.stderr)
        return 1
    port = _free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "CLEANSPEECH_MODEL": args.model}
    proc = subprocess.Popen(streamlit_command(args.model, "127.0.0.1", port), env=env, cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/_stcore/health", proc)
        capture(f"http://127.0.0.1:{port}/", args.comment, args.out, chromium)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(f"screenshot: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
