"""The HTTP edge's corners: empty texts score 0 everywhere, HEAD /healthz, offline /docs,
back-pressure (503 + Retry-After) and no work for clients that disconnected."""

from __future__ import annotations

import asyncio
import json
import re
import threading

import numpy as np
import pytest
from api_support import KeywordModel
from fastapi.testclient import TestClient

from cleanspeech.server import create_app
from cleanspeech.server.gate import HeavyGate
from cleanspeech.pipeline import Moderator


class BiasedModel(KeywordModel):
    """A model whose bias alone crosses the threshold (like ``linear`` on ""): 0.6 everywhere."""

    def predict_proba(self, texts):
        return np.full((len(texts), 6), 0.6)


def test_empty_text_scores_zero_in_moderate_explain_and_rewrite() -> None:
    client = TestClient(create_app(Moderator(BiasedModel(), name="biased")))
    texts = ["", "   "]
    for route in ("/v1/moderate", "/v1/explain", "/v1/rewrite"):
        response = client.post(route, json={"texts": texts})
        assert response.status_code == 200, (route, response.text)
        for result in response.json()["results"]:
            scores = result["scores"] if "scores" in result else {"max": result["toxicity_before"]}
            assert all(v == 0.0 for v in scores.values()), (route, result)
    rewritten = client.post("/v1/rewrite", json={"texts": texts}).json()["results"]
    assert [r["rewrite"] for r in rewritten] == texts and all(r["civil"] for r in rewritten)


def test_head_healthz_answers_200(client: TestClient) -> None:
    response = client.head("/healthz")
    assert response.status_code == 200 and response.content == b""


@pytest.mark.parametrize("route, marker", [("/docs", "swagger-ui"), ("/redoc", "redoc")])
def test_docs_pages_load_only_local_assets(client: TestClient, route: str, marker: str) -> None:
    page = client.get(route)
    assert page.status_code == 200 and marker in page.text.lower()
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page.text), "a remote URL"
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', page.text)
    assert assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_swagger_ui_is_new_enough_for_openapi_3_1(client: TestClient) -> None:
    """Swagger UI 4 shows "Unable to render this definition" for FastAPI's 3.1 schema."""
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    bundle = client.get("/docs-assets/swagger-ui/swagger-ui-bundle.js").text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.', bundle)
    assert version and int(version.group(1)) >= 5


class BlockingModel(KeywordModel):
    """Blocks in ``predict_proba`` until released, to hold a heavy request in progress."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.release = threading.Event(), threading.Event()
        self.calls = 0

    def predict_proba(self, texts):
        self.calls += 1
        self.entered.set()
        self.release.wait(10)
        return super().predict_proba(texts)


def test_heavy_requests_over_the_limit_get_503_with_retry_after() -> None:
    model = BlockingModel()
    client = TestClient(create_app(Moderator(model), gate=HeavyGate(concurrency=1, queue=0)))
    first: dict = {}
    worker = threading.Thread(target=lambda: first.update(
        r=client.post("/v1/explain", json={"texts": ["idiot"]})))
    worker.start()
    assert model.entered.wait(60)
    busy = client.post("/v1/rewrite", json={"texts": ["idiot"]})
    assert busy.status_code == 503 and int(busy.headers["retry-after"]) > 0
    model.release.set()
    worker.join(120)  # the first explain loads the span tagger: slow on a loaded machine
    assert first["r"].status_code == 200
    assert client.post("/v1/explain", json={"texts": ["idiot"]}).status_code == 200  # slot freed


def test_no_work_for_a_client_that_disconnected() -> None:
    model = BlockingModel()
    model.release.set()
    app = create_app(Moderator(model))
    body = json.dumps({"texts": ["you idiot"] * 8}).encode()
    messages = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> dict:
        if messages:
            return messages.pop(0)
        return {"type": "http.disconnect"}  # the client hung up right after sending

    sent: list[dict] = []

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/v1/explain", "raw_path": b"/v1/explain", "query_string": b"",
             "root_path": "", "headers": [(b"content-type", b"application/json"),
                                          (b"content-length", str(len(body)).encode())],
             "client": ("test", 1), "server": ("test", 80)}
    asyncio.run(app(scope, receive, send))
    assert model.calls == 0
    assert sent[0]["status"] == 499
