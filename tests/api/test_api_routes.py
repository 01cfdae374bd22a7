"""Routes of :mod:`cleanspeech.server` through FastAPI's test client (keyword model: fast, exact)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cleanspeech.labels import LABELS
from cleanspeech.limits import (
    MAX_BODY_BYTES, MAX_CHARS, MAX_CHARS_EXPLAIN, MAX_CHARS_REWRITE, MAX_TEXTS, MAX_TEXTS_HEAVY,
)
from cleanspeech.server import create_app


PAIR = ["You are a disgusting idiot.", "Thanks for the helpful edit!"]
JSON = {"content-type": "application/json"}


def test_moderate_two_comments_in_order(client: TestClient) -> None:
    response = client.post("/v1/moderate", json={"texts": PAIR})
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert list(first["scores"]) == list(LABELS)
    assert first["labels"] == ["toxic", "insult"]
    assert second["labels"] == []
    assert all(0.0 <= p <= 1.0 for p in second["scores"].values())


def test_moderate_keeps_input_order_and_count(client: TestClient) -> None:
    texts = ["fine", "idiot", "", "kill", "fine"] * 4
    results = client.post("/v1/moderate", json={"texts": texts}).json()["results"]
    assert len(results) == len(texts)
    assert [("insult" in r["labels"], "threat" in r["labels"]) for r in results] == [
        ("idiot" == t, "kill" == t) for t in texts
    ]


def test_empty_batch_answers_empty_results(client: TestClient) -> None:
    answer = client.post("/v1/moderate", json={"texts": []}).json()
    assert answer["results"] == [] and answer["routed_fraction"] is None


@pytest.mark.parametrize("body", [
    {"texts": 5}, {"texts": "one string"}, {"texts": [1, 2]}, {"texts": [None]},
    {"text": ["typo in the field name"]}, {"texts": ["ok"], "extra": 1}, [1, 2], None, {},
])
def test_wrong_types_answer_422_with_a_message(client: TestClient, body: object) -> None:
    response = client.post("/v1/moderate", json=body)
    assert response.status_code == 422
    assert '{"texts"' in response.json()["detail"]


@pytest.mark.parametrize("raw", [b"{bad json", b"", b'{"texts": ["unterminated]', b"\xff\xfe\x00"])
def test_malformed_bodies_answer_4xx(client: TestClient, raw: bytes) -> None:
    response = client.post("/v1/moderate", content=raw, headers=JSON)
    assert 400 <= response.status_code < 500
    assert response.json()["detail"]


def test_too_many_texts(client: TestClient) -> None:
    response = client.post("/v1/moderate", json={"texts": ["hi"] * (MAX_TEXTS + 1)})
    assert response.status_code == 422
    assert f"at most {MAX_TEXTS} items" in response.json()["detail"]
    assert client.post("/v1/moderate", json={"texts": ["hi"] * MAX_TEXTS}).status_code == 200


def test_too_long_text(client: TestClient) -> None:
    response = client.post("/v1/moderate", json={"texts": ["a" * (MAX_CHARS + 1)]})
    assert response.status_code == 422
    assert "texts.0" in response.json()["detail"] and str(MAX_CHARS) in response.json()["detail"]
    assert client.post("/v1/moderate", json={"texts": ["a" * MAX_CHARS]}).status_code == 200


def test_body_over_limit_answers_413_before_parsing(client: TestClient) -> None:
    response = client.post("/v1/moderate", content=b"x" * (MAX_BODY_BYTES + 1), headers=JSON)
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_chunked_body_over_limit_answers_413(client: TestClient) -> None:
    def chunks():
        for _ in range(3):
            yield b"x" * (MAX_BODY_BYTES // 2)

    response = client.post("/v1/moderate", content=chunks(), headers=JSON)
    assert response.status_code == 413


def test_small_body_limit_is_configurable(moderator) -> None:
    small = TestClient(create_app(moderator, max_body_bytes=100))
    assert small.post("/v1/moderate", json={"texts": ["x" * 200]}).status_code == 413
    assert small.post("/v1/moderate", json={"texts": ["x"]}).status_code == 200


def test_server_stays_healthy_after_bad_requests(client: TestClient) -> None:
    for body in (b"{", b"[]", b'{"texts": 5}', b"\x00" * 10):
        client.post("/v1/moderate", content=body, headers=JSON)
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/healthz").json()["model"] == "keyword-test"
    assert client.post("/v1/moderate", json={"texts": ["idiot"]}).status_code == 200


def test_model_info(client: TestClient) -> None:
    info = client.get("/v1/model").json()
    assert info["name"] == "keyword-test"
    assert info["labels"] == list(LABELS)
    assert set(info["thresholds"]) == set(LABELS)
    assert info["limits"] == {
        "max_texts": MAX_TEXTS, "max_chars_per_text": MAX_CHARS,
        "max_texts_explain": MAX_TEXTS_HEAVY, "max_chars_explain": MAX_CHARS_EXPLAIN,
        "max_texts_rewrite": MAX_TEXTS_HEAVY, "max_chars_rewrite": MAX_CHARS_REWRITE,
        "max_body_bytes": MAX_BODY_BYTES}
    assert isinstance(info["metrics"], dict)


def test_openapi_schema_documents_routes_and_limits(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/v1/moderate", "/v1/explain", "/v1/rewrite", "/healthz", "/v1/model"} <= set(spec["paths"])
    texts = spec["components"]["schemas"]["ModerateRequest"]["properties"]["texts"]
    assert texts["maxItems"] == MAX_TEXTS and texts["items"]["maxLength"] == MAX_CHARS


def test_explain_contract(client: TestClient) -> None:
    response = client.post("/v1/explain", json={"texts": PAIR})
    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["labels"] == ["toxic", "insult"] and second["labels"] == []
    for token in first["tokens"]:
        assert PAIR[0][token["start"]:token["end"]] == token["text"]
    assert all(len(span) == 2 for span in first["spans"])
    too_many = client.post("/v1/explain", json={"texts": ["x"] * (MAX_TEXTS_HEAVY + 1)})
    assert too_many.status_code == 422
    too_long = client.post("/v1/explain", json={"texts": ["x" * (MAX_CHARS_EXPLAIN + 1)]})
    assert too_long.status_code == 422 and str(MAX_CHARS_EXPLAIN) in too_long.json()["detail"]


def test_rewrite_contract(client: TestClient) -> None:
    response = client.post("/v1/rewrite", json={"texts": PAIR})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["original"] for r in results] == PAIR
    assert results[0]["toxicity_after"] <= results[0]["toxicity_before"]
    unknown = client.post("/v1/rewrite", json={"texts": PAIR, "backend": "no-such-backend"})
    assert unknown.status_code == 422 and "backend" in unknown.json()["detail"]
    too_many = client.post("/v1/rewrite", json={"texts": ["x"] * (MAX_TEXTS_HEAVY + 1)})
    assert too_many.status_code == 422
    too_long = client.post("/v1/rewrite", json={"texts": ["x" * (MAX_CHARS_REWRITE + 1)]})
    assert too_long.status_code == 422 and str(MAX_CHARS_REWRITE) in too_long.json()["detail"]


def test_rewrite_backends_are_listed_in_the_schema(moderator) -> None:
    spec = TestClient(create_app(moderator, rewrite_backends=("offline", "gemini"))).get(
        "/openapi.json").json()
    backend = spec["components"]["schemas"]["RewriteRequest"]["properties"]["backend"]
    assert backend["enum"] == ["offline", "gemini"] and backend["default"] == "offline"


def test_missing_json_content_type_is_named_in_the_message(client: TestClient) -> None:
    response = client.post("/v1/moderate", content=b'{"texts": ["hi"]}',
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 422
    assert "Content-Type: application/json" in response.json()["detail"]


def test_model_info_survives_nan_metrics(moderator, monkeypatch) -> None:
    monkeypatch.setattr(moderator.model, "metrics", lambda: {"roc_auc": {"threat": float("nan")}})
    info = TestClient(create_app(moderator)).get("/v1/model")
    assert info.status_code == 200 and info.json()["metrics"] == {"roc_auc": {"threat": None}}


def test_moderate_answers_a_verdict_and_per_label_flags(client: TestClient) -> None:
    answer = client.post("/v1/moderate", json={"texts": PAIR}).json()
    first, second = answer["results"]
    assert first["flagged"] is True and second["flagged"] is False
    assert list(first["flags"]) == list(LABELS)
    assert [lab for lab, on in first["flags"].items() if on] == first["labels"]
    assert not any(second["flags"].values())
    assert answer["sensitivity"] == "default" and set(answer["thresholds"]) == set(LABELS)


def test_every_v1_answer_names_the_model_and_version(client: TestClient) -> None:
    import cleanspeech

    for route in ("/v1/moderate", "/v1/explain", "/v1/rewrite"):
        model = client.post(route, json={"texts": ["idiot"]}).json()["model"]
        assert model["name"] == "keyword-test" and model["model_type"] == "keyword-test"
        assert model["cleanspeech_version"] == cleanspeech.__version__
    assert client.get("/v1/model").json()["model"]["cleanspeech_version"] == cleanspeech.__version__
    assert client.get("/healthz").json()["version"] == cleanspeech.__version__


def test_model_id_carries_the_folder_fingerprint(tmp_path) -> None:
    from api_support import KeywordModel

    from cleanspeech.pipeline import Moderator

    model = KeywordModel()
    model.path = tmp_path / "my-model"
    model.path.mkdir()
    (model.path / "thresholds.json").write_text("{}")
    served = TestClient(create_app(Moderator(model)))
    identity = served.post("/v1/moderate", json={"texts": ["x"]}).json()["model"]
    assert identity["folder"] == "my-model" and identity["fingerprint"].startswith("sha256:")


def test_per_request_thresholds_move_the_verdict_not_the_scores(client: TestClient) -> None:
    base = client.post("/v1/moderate", json={"texts": ["fine"]}).json()
    strict = client.post("/v1/moderate", json={"texts": ["fine"], "thresholds": {"toxic": 0.01}})
    assert strict.status_code == 200, strict.text
    strict = strict.json()
    assert strict["results"][0]["scores"] == base["results"][0]["scores"]
    assert strict["results"][0]["labels"] == ["toxic"] and strict["results"][0]["flagged"]
    assert strict["thresholds"]["toxic"] == 0.01
    assert strict["thresholds"]["insult"] == base["thresholds"]["insult"]


@pytest.mark.parametrize("thresholds, needle", [
    ({"rude": 0.5}, "thresholds.rude"), ({"toxic": 1.5}, "thresholds.toxic"),
    ({"toxic": -0.1}, "thresholds.toxic"), ({"toxic": "0.5"}, "thresholds.toxic"),
    ([0.5], "thresholds"),
])
def test_bad_thresholds_are_a_422_naming_the_field(client: TestClient, thresholds, needle) -> None:
    response = client.post("/v1/moderate", json={"texts": ["x"], "thresholds": thresholds})
    assert response.status_code == 422 and needle in response.json()["detail"]


def test_sensitivity_moves_every_threshold(client: TestClient) -> None:
    levels = {level: client.post("/v1/moderate", json={"texts": ["fine"], "sensitivity": level})
              .json()["thresholds"] for level in ("low", "default", "high")}
    for label in LABELS:
        assert levels["high"][label] < levels["default"][label] < levels["low"][label]
    assert client.get("/v1/model").json()["sensitivities"]["high"] == levels["high"]
    bad = client.post("/v1/moderate", json={"texts": ["x"], "sensitivity": "extreme"})
    assert bad.status_code == 422 and "sensitivity" in bad.json()["detail"]


def test_schema_documents_reason_sensitivity_and_english_only(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "cannot be made civil" in schemas["RewriteOut"]["properties"]["reason"]["description"]
    assert "description" in schemas["ModerateRequest"]["properties"]["sensitivity"]
    assert "English" in spec["info"]["description"]
    assert client.get("/v1/model").json()["languages"] == ["en"]


def test_explain_answers_carry_the_verdict(client: TestClient) -> None:
    first, second = client.post("/v1/explain", json={"texts": PAIR}).json()["results"]
    assert first["flagged"] is True and second["flagged"] is False
