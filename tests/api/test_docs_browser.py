"""``/docs`` and ``/redoc`` rendered by a real browser: headless Debian Chromium (Playwright,
``executable_path``) loads each page from a live uvicorn server and must find the API's
operations in the rendered DOM. A page that only returns 200 is not enough: Swagger UI 4 served
the page and then showed "Unable to render this definition" for FastAPI's OpenAPI 3.1 schema.

Skips only when no Chromium is installed (``scripts/install_browser.sh``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from browser_support import CHROMIUM_FLAGS, STEP_TIMEOUT_MS, chromium_path, free_port
from api_support import KeywordModel

from cleanspeech.pipeline import Moderator
from cleanspeech.server import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROUTES = ("/v1/moderate", "/v1/explain", "/v1/rewrite", "/v1/model", "/healthz")


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    import uvicorn

    port = free_port()
    app = create_app(Moderator(KeywordModel(), name="keyword-test"))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="module")
def chromium():  # not "browser": pytest-playwright's fixture of that name uses its own download
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium found: run scripts/install_browser.sh (apt-get install -y "
                    "chromium chromium-driver) or set CLEANSPEECH_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def _open(browser, url: str):
    """A page at ``url`` that records every request leaving 127.0.0.1 (there must be none)."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    remote: list[str] = []
    page.on("request", lambda r: remote.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:")) else None)
    page.goto(url, wait_until="domcontentloaded")
    return page, remote


def test_swagger_ui_renders_every_operation(chromium, base_url: str) -> None:
    from playwright.sync_api import expect

    page, remote = _open(chromium, f"{base_url}/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=STEP_TIMEOUT_MS)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert set(ROUTES) <= {p.replace("\u200b", "").strip() for p in paths}, paths
    assert "Unable to render" not in page.content()
    assert not page.locator(".errors-wrapper").is_visible()
    assert not remote, f"requests left the server: {remote}"


def test_redoc_renders_every_operation(chromium, base_url: str) -> None:
    from playwright.sync_api import expect

    page, remote = _open(chromium, f"{base_url}/redoc")
    expect(page.get_by_text("/v1/moderate").first).to_be_attached(timeout=STEP_TIMEOUT_MS)
    text = page.locator("body").inner_text()
    for route in ROUTES:
        assert route in text, route
    assert "English" in text  # the API description is rendered too
    assert not remote, f"requests left the server: {remote}"
