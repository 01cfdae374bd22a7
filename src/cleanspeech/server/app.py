"""HTTP API over :class:`cleanspeech.pipeline.Moderator` (FastAPI), and nothing else.

Routes (all JSON; request and response models in :mod:`cleanspeech.server.schemas`):

* ``POST /v1/moderate`` ``{"texts": [...], "sensitivity"?, "thresholds"?}`` → per text
  ``scores``, ``labels``, ``flagged`` and per-label ``flags``, plus the thresholds used;
* ``POST /v1/explain``  ``{"texts": [...]}`` → ``{"results": [Explanation.to_dict(), ...]}``;
* ``POST /v1/rewrite``  ``{"texts": [...], "backend": "offline"}`` → ``RewriteResult.to_dict()``s;
* ``GET /healthz`` (or ``HEAD``) → ``{"status": "ok", "model": name, "version": ...}``;
* ``GET /docs`` (Swagger UI) and ``GET /redoc`` (ReDoc), served from this package
  (:mod:`cleanspeech.server.docs`; no CDN);
* ``GET /v1/model`` → name, model type, labels, thresholds, metrics, model card and limits.

Every answer of the ``/v1`` routes names the model (name, folder, fingerprint) and the package
version, so a verdict stored by a caller can be traced to what produced it. Results come back in
input order, one per text.

Limits (:mod:`cleanspeech.limits`, documented in ``GET /v1/model`` and the OpenAPI schema):
moderate 64 texts of 20,000 characters; explain and rewrite 16 texts of 5,000 / 1,000 characters
(explanations and rewrites cost many model calls per text, and the rewrite's verification grows
faster than linearly with the number of toxic words); 2 MiB of request body, checked before the
JSON is parsed (413).

Malformed JSON, wrong types, unknown fields or limits broken answer 4xx with a message naming
the field; the server keeps serving. The model always runs in the worker thread pool, so
``/healthz`` stays responsive while a batch is scored. Explain and rewrite are bounded
(:mod:`cleanspeech.server.gate`): 503 + ``Retry-After`` when too many are in progress, and work
stops for a client that disconnected.
"""

from __future__ import annotations

import json
import logging
import math
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from cleanspeech import __version__
from cleanspeech.labels import LABELS
from cleanspeech.limits import (
    MAX_BODY_BYTES,
    MAX_CHARS,
    MAX_CHARS_EXPLAIN,
    MAX_CHARS_REWRITE,
    MAX_TEXTS,
    MAX_TEXTS_HEAVY,
)
from cleanspeech.operating import SENSITIVITIES, apply_sensitivity, operating_thresholds
from cleanspeech.pipeline import ModerationResult, Moderator
from cleanspeech.server.docs import mount_local_docs
from cleanspeech.server.gate import ClientGone, HeavyGate, run_heavy
from cleanspeech.server.schemas import (
    ENGLISH_ONLY,
    ErrorOut,
    ExplainRequest,
    ExplainResponse,
    Health,
    Limits,
    ModerateRequest,
    ModerateResponse,
    ModelInfo,
    RewriteResponse,
    rewrite_request_model,
)

logger = logging.getLogger("cleanspeech.server")

API_VERSION = "1"


# --- body size limit --------------------------------------------------------------------------
class BodySizeLimit:
    """ASGI middleware: read at most ``max_bytes`` of body, else answer 413 before parsing.

    The body is buffered (it is bounded) and replayed to the app, so chunked uploads without a
    ``Content-Length`` are limited too.
    """

    def __init__(self, app: Callable[..., Awaitable[None]], max_bytes: int = MAX_BODY_BYTES):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await _send_json(send, 400, {"detail": "Content-Length must be a whole number"})
                return
            if int(declared) > self.max_bytes:
                await _send_json(send, 413, {"detail": self._too_large(int(declared))})
                return
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _send_json(send, 413, {"detail": self._too_large(size, at_least=True)})
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False
        try:
            body.decode("utf-8")
        except UnicodeDecodeError as exc:
            await _send_json(send, 400, {"detail": f"request body is not valid UTF-8 (byte "
                                         f"{exc.start}); send JSON encoded as UTF-8 (RFC 8259)"})
            return

        async def replay() -> dict:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self, size: int, at_least: bool = False) -> str:
        return (
            f"request body is {'over ' if at_least else ''}{size:,} bytes; the limit is "
            f"{self.max_bytes:,} bytes. Send fewer or shorter texts per request "
            f"(at most {MAX_TEXTS} texts of {MAX_CHARS:,} characters)."
        )


async def _send_json(send: Callable, status: int, payload: dict) -> None:
    body = json.dumps(payload).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
    ]})
    await send({"type": "http.response.body", "body": body})


# --- error handling ---------------------------------------------------------------------------
def _explain_validation(exc: RequestValidationError) -> str:
    """One readable sentence from pydantic's error list (the list itself stays in ``errors``)."""
    parts = []
    for err in exc.errors()[:5]:
        loc = tuple(err.get("loc", ()))
        if err.get("type") == "json_invalid":
            at = loc[1] if len(loc) > 1 else "?"
            parts.append(f"the request body is not valid JSON (parse error at character {at})")
        elif loc == ("body",) and err.get("type") == "missing":
            parts.append("the request body is empty")
        else:
            where = ".".join(str(p) for p in loc if p != "body") or "body"
            parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) + '. Expected a JSON object like {"texts": ["a comment", ...]}.'


async def _validation_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{k: v for k, v in e.items() if k in ("type", "loc", "msg")} for e in exc.errors()]
    detail = _explain_validation(exc)
    content_type = request.headers.get("content-type", "")
    if "json" not in content_type.lower():  # e.g. curl -d without -H: form-encoded
        detail = (f"send the body as JSON with the header Content-Type: application/json "
                  f"(got {content_type or 'no Content-Type'!r}). {detail}")
    return JSONResponse(status_code=422, content={"detail": detail,
                                                  "errors": json.loads(json.dumps(errors, default=str))})


# --- the app ----------------------------------------------------------------------------------
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "Body not UTF-8 or bad Content-Length."},
    413: {"model": ErrorOut, "description": "Request body over the size limit."},
    422: {"model": ErrorOut, "description": "Malformed JSON, wrong types or limits exceeded."},
}
_HEAVY_ERRORS = {**_ERRORS, 503: {"model": ErrorOut, "description": "Busy: retry after the "
                                  "number of seconds in the Retry-After header."}}


def model_id(moderator: Moderator) -> dict[str, Any]:
    """Name, type, folder and fingerprint of the served model, and the package version."""
    path = moderator.model.path
    fingerprint = None
    if path is not None:
        from cleanspeech.models.fingerprint import folder_fingerprint

        try:
            fingerprint = folder_fingerprint(path)
        except OSError as exc:  # an unreadable folder must not stop the server
            logger.warning("model fingerprint unavailable: %s", exc)
    return {"name": moderator.name, "model_type": moderator.model.model_type,
            "folder": path.name if path is not None else None, "fingerprint": fingerprint,
            "cleanspeech_version": __version__, "api_version": API_VERSION}


def create_app(moderator: Moderator, *, max_body_bytes: int = MAX_BODY_BYTES,
               rewrite_backends: Sequence[str] = ("offline",), warmup: bool = False,
               gate: HeavyGate | None = None) -> FastAPI:
    """A FastAPI app serving ``moderator``; load the moderator once and pass it in.

    ``rewrite_backends``: the backends ``/v1/rewrite`` accepts, the first being the default
    (LLM backends such as ``gemini`` / ``openai`` call out to the network; off by default).
    ``warmup``: at start-up, run :meth:`Moderator.warm_up` in a background thread
    (``/healthz`` and ``/v1/moderate`` answer meanwhile). ``gate``: admission control for
    explain/rewrite.
    """
    gate = gate or HeavyGate()
    RewriteRequest = rewrite_request_model(tuple(rewrite_backends))
    identity = model_id(moderator)  # hashed once: the folder does not change while serving

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warmup:
            threading.Thread(target=moderator.warm_up, daemon=True).start()
        yield

    app = FastAPI(
        lifespan=lifespan,
        title="CleanSpeech API",
        version=f"{API_VERSION} (cleanspeech {__version__})",
        description="Six-label toxicity scores (toxic, severe_toxic, obscene, threat, insult, "
        "identity_hate), word-level explanations and civil rewrites. "
        f"**English only**: {ENGLISH_ONLY} "
        f"Limits: moderate {MAX_TEXTS} texts of {MAX_CHARS:,} characters; explain "
        f"{MAX_TEXTS_HEAVY} texts of {MAX_CHARS_EXPLAIN:,}; rewrite {MAX_TEXTS_HEAVY} texts of "
        f"{MAX_CHARS_REWRITE:,}; {max_body_bytes:,} bytes per body.",
        docs_url=None, redoc_url=None,  # FastAPI's pages load their assets from a CDN
    )
    mount_local_docs(app)
    app.state.moderator = moderator
    app.add_exception_handler(RequestValidationError, _validation_handler)  # type: ignore[arg-type]
    # 499 (client closed request, as nginx logs it): nobody is listening any more.
    app.add_exception_handler(ClientGone, lambda *_: Response(status_code=499))
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)

    @app.get("/healthz", response_model=Health, tags=["service"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "model": moderator.name, "version": __version__}

    app.head("/healthz", include_in_schema=False)(healthz)  # load balancers probe with HEAD

    @app.get("/v1/model", response_model=ModelInfo, tags=["service"])
    def model_info() -> dict[str, Any]:
        info = moderator.info()
        info["metrics"] = _finite(info.get("metrics") or {})  # NaN is not JSON
        levels = {level: _label_dict(apply_sensitivity(moderator.thresholds, level))
                  for level in SENSITIVITIES}
        return {**info, "sensitivities": levels, "model": identity,
                "limits": Limits(max_body_bytes=max_body_bytes).model_dump()}

    @app.post("/v1/moderate", response_model=ModerateResponse, responses=_ERRORS, tags=["v1"])
    def moderate(request: ModerateRequest) -> dict[str, Any]:
        overrides = request.thresholds.model_dump(exclude_none=True) if request.thresholds else {}
        thresholds = operating_thresholds(moderator.thresholds, request.sensitivity, overrides)
        scores, routed = moderator.scores_routed(request.texts)
        results = [_moderation(r) for r in moderator.judge(request.texts, scores, thresholds)]
        share = float(routed.mean()) if routed is not None and len(routed) else None
        return {"results": results, "thresholds": _label_dict(thresholds),
                "sensitivity": request.sensitivity, "model": identity, "routed_fraction": share}

    @app.post("/v1/explain", response_model=ExplainResponse, responses=_HEAVY_ERRORS, tags=["v1"])
    async def explain(body: ExplainRequest, request: Request) -> dict[str, Any]:
        results = await run_heavy(request, gate, moderator.explain, body.texts)
        out = [_jsonable(e.to_dict()) for e in results]
        return {"results": [{**e, "flagged": bool(e["labels"])} for e in out], "model": identity}

    async def rewrite(body: Any, request: Request) -> dict[str, Any]:
        backend = body.backend  # type: ignore[attr-defined]

        def run(texts: list[str]) -> list[Any]:
            if backend == "offline":
                return moderator.rewrite(texts, backend=backend)
            try:
                return moderator.rewrite(texts, backend=backend)
            except Exception as exc:  # network / quota / config errors of a remote LLM
                raise HTTPException(502, detail=f"rewrite backend {backend!r} failed: {exc}") from exc

        results = await run_heavy(request, gate, run, body.texts)  # type: ignore[attr-defined]
        return {"results": [_jsonable(r.to_dict()) for r in results], "model": identity}

    rewrite.__annotations__["body"] = RewriteRequest  # built per app: not a module global
    app.post("/v1/rewrite", response_model=RewriteResponse, tags=["v1"], responses={
        **_HEAVY_ERRORS, 502: {"model": ErrorOut, "description": "An LLM rewrite backend failed."}})(rewrite)
    return app


def _label_dict(values: Any) -> dict[str, float]:
    return {label: float(v) for label, v in zip(LABELS, values)}


def _moderation(result: ModerationResult) -> dict[str, Any]:
    """One text's answer: scores as the pipeline reports them, the verdict, per-label flags and
    whether the English classifier could judge the text."""
    return {**result.to_dict(), "flagged": result.flagged, "flags": result.flags}


def _jsonable(data: Any) -> Any:
    """Plain JSON types from dicts that may hold numpy scalars or tuples."""
    return json.loads(json.dumps(data, default=lambda o: o.item() if hasattr(o, "item") else str(o)))


def _finite(data: Any) -> Any:
    """``data`` with NaN / infinite floats replaced by ``None`` (strict JSON has neither)."""
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(v) for v in data]
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def app_from_env() -> FastAPI:
    """App factory for ``uvicorn --factory cleanspeech.server:app_from_env`` (lets uvicorn run
    several workers): model ``$CLEANSPEECH_MODEL`` (default ``default``), inference backend
    ``$CLEANSPEECH_BACKEND``, rewrite backends ``$CLEANSPEECH_REWRITE_BACKENDS`` (comma list),
    warm-up unless ``$CLEANSPEECH_WARMUP`` is ``0``."""
    backend = os.environ.get("CLEANSPEECH_BACKEND") or None
    moderator = Moderator.load(os.environ.get("CLEANSPEECH_MODEL", "default"),
                               **({"backend": backend} if backend else {}))
    rewrite = os.environ.get("CLEANSPEECH_REWRITE_BACKENDS", "offline")
    return create_app(moderator, rewrite_backends=tuple(b for b in rewrite.split(",") if b) or
                      ("offline",), warmup=os.environ.get("CLEANSPEECH_WARMUP", "1") != "0")
