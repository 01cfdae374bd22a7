"""LLM backends: Gemini (``generateContent`` REST) and any OpenAI-compatible
``/chat/completions`` endpoint (OpenAI, vLLM, Ollama, llama.cpp server…). Standard library only.

Configuration, first found wins: keyword arguments, environment variables, then a JSON/YAML file
named by ``$CLEANSPEECH_LLM_CONFIG`` (keys as in :class:`LLMConfig`).

=====================  =====================================================================
``CLEANSPEECH_LLM_BACKEND``  ``gemini`` or ``openai`` (what ``backend="auto"`` uses)
``GEMINI_API_KEY``           key for Gemini (``GOOGLE_API_KEY`` also read)
``GEMINI_BASE_URL``          default ``https://generativelanguage.googleapis.com/v1beta``
``GEMINI_MODEL``             default ``gemini-2.0-flash``
``OPENAI_BASE_URL``          default ``https://api.openai.com/v1`` (e.g. ``http://localhost:11434/v1``)
``OPENAI_API_KEY``           optional for local servers
``OPENAI_MODEL``             default ``gpt-4o-mini``
``CLEANSPEECH_LLM_TIMEOUT``  seconds per HTTP request (default 20)
``CLEANSPEECH_LLM_RETRIES``  retries on 429 / 5xx / network errors (default 3)
=====================  =====================================================================

Every failure (no key, connection refused, timeout, 429 after the retries, 5xx, a reply that is
not the API's JSON or holds no text) becomes ``Proposal(error=...)`` for that row only; the
verification loop then falls back to the offline rewriter and says so in ``method``.

Two guards reject a reply the same way (:func:`check_reply`): a **similarity floor** (the reply
must stay close to the comment: :func:`reply_similarity` at least ``min_similarity``) and an
**injection guard** (no URLs, role or chat-template text, instructions, apologies or
explanations; a comment steering the model — "ignore previous instructions" — must not steer
what the user is shown).
"""

from __future__ import annotations

import json
import os
import random
import re
import socket
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from cleanspeech.rewrite.base import Proposal, Rewriter, RewriteRequest

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
DEFAULTS = {
    "gemini": ("https://generativelanguage.googleapis.com/v1beta", "gemini-2.0-flash"),
    "openai": ("https://api.openai.com/v1", "gpt-4o-mini"),
}
SYSTEM_PROMPT = (
    "You rewrite toxic online comments into civil ones. Keep the meaning, the language, and as "
    "many of the original words as possible; remove or soften only the insults, profanity, "
    "threats and hateful words. Do not add explanations, quotes or commentary. Reply with the "
    "rewritten comment only."
)


class BackendError(RuntimeError):
    """A request that failed for good (after retries); the message is short and row-safe."""


@dataclass
class LLMConfig:
    """Where and how to call an LLM. ``backend`` is ``gemini`` or ``openai``."""

    backend: str
    base_url: str = ""
    model: str = ""
    api_key: str | None = None
    timeout: float = 20.0
    max_retries: int = 3
    backoff: float = 0.5  # seconds; doubles per retry, with jitter; Retry-After is honoured
    max_backoff: float = 8.0
    max_workers: int = 4
    temperature: float = 0.2
    min_similarity: float = 0.25  # see MIN_SIMILARITY

    def __post_init__(self) -> None:
        if self.backend not in DEFAULTS:
            raise ValueError(f"unknown LLM backend {self.backend!r}; use 'gemini' or 'openai'")
        url, model = DEFAULTS[self.backend]
        self.base_url = (self.base_url or url).rstrip("/")
        self.model = self.model or model

    @classmethod
    def from_env(cls, backend: str | None = None, **overrides: Any) -> LLMConfig:
        """Config from keyword overrides, then environment, then ``$CLEANSPEECH_LLM_CONFIG``."""
        env = os.environ
        file_cfg = _read_config_file(env.get("CLEANSPEECH_LLM_CONFIG"))
        backend = backend or env.get("CLEANSPEECH_LLM_BACKEND") or file_cfg.get("backend")
        if not backend:
            raise ValueError("no LLM backend configured: set CLEANSPEECH_LLM_BACKEND=gemini|openai")
        prefix = "GEMINI" if backend == "gemini" else "OPENAI"
        from_env = {
            "base_url": env.get(f"{prefix}_BASE_URL"),
            "model": env.get(f"{prefix}_MODEL"),
            "api_key": env.get(f"{prefix}_API_KEY") or (env.get("GOOGLE_API_KEY") if backend == "gemini" else None),
            "timeout": env.get("CLEANSPEECH_LLM_TIMEOUT"),
            "max_retries": env.get("CLEANSPEECH_LLM_RETRIES"),
        }
        merged: dict[str, Any] = {k: v for k, v in file_cfg.items() if k != "backend"}
        merged.update({k: v for k, v in from_env.items() if v not in (None, "")})
        merged.update({k: v for k, v in overrides.items() if v is not None})
        known = {f.name: f.type for f in fields(cls)}
        kwargs = {k: _coerce(v, known[k]) for k, v in merged.items() if k in known and k != "backend"}
        return cls(backend=backend, **kwargs)


def _coerce(value: Any, type_name: Any) -> Any:
    t = str(type_name)
    if t.startswith("float"):
        return float(value)
    if t.startswith("int"):
        return int(value)
    return value


def _read_config_file(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    text = Path(path).read_text(encoding="utf-8")
    if path.endswith((".yaml", ".yml")):
        import yaml

        return dict(yaml.safe_load(text) or {})
    return dict(json.loads(text))


def user_prompt(req: RewriteRequest) -> str:
    """The user message: detected labels and spans, then the comment."""
    lines = []
    if req.labels:
        lines.append(f"Detected: {', '.join(req.labels)}.")
    if req.spans:
        lines.append("Words to remove or soften: " + "; ".join(f'"{s}"' for s in req.spans) + ".")
    lines.append(f"Comment: {req.text}")
    lines.append("Civil rewrite:")
    return "\n".join(lines)


def post_json(url: str, body: dict, headers: dict[str, str], cfg: LLMConfig) -> dict:
    """POST JSON with a timeout; retry 429/5xx/network errors with exponential backoff."""
    data = json.dumps(body).encode("utf-8")
    last = "no attempt"
    for attempt in range(cfg.max_retries + 1):
        retry_after: float | None = None
        try:
            req = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/json", **headers})
            with urllib.request.urlopen(req, timeout=cfg.timeout) as resp:
                raw = resp.read()
            try:
                return json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise BackendError("reply is not JSON") from None
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
            if exc.code not in RETRY_STATUS:
                raise BackendError(last) from None
            retry_after = _retry_after(exc.headers.get("Retry-After") if exc.headers else None)
        except (TimeoutError, socket.timeout):
            last = "timeout"
        except urllib.error.URLError as exc:
            last = "timeout" if isinstance(exc.reason, (TimeoutError, socket.timeout)) else "unreachable"
        except (ConnectionError, OSError) as exc:
            last = f"connection error ({type(exc).__name__})"
        if attempt < cfg.max_retries:
            delay = cfg.backoff * (2 ** attempt) * (1 + 0.25 * random.random())
            time.sleep(min(cfg.max_backoff, max(delay, retry_after or 0.0)))
    raise BackendError(f"{last} after {cfg.max_retries + 1} attempts")


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def clean_reply(text: Any, source: str) -> str:
    """The rewrite from a model's reply; raises :class:`BackendError` when it holds none."""
    if not isinstance(text, str) or not text.strip():
        raise BackendError("empty reply")
    s = text.strip()
    for prefix in ("Civil rewrite:", "Rewrite:", "Rewritten comment:"):
        if s.lower().startswith(prefix.lower()):
            s = s[len(prefix):].strip()
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'“”":
        s = s[1:-1].strip()
    s = s.strip("“”").strip()
    if not s:
        raise BackendError("empty reply")
    if len(s) > 3 * len(source) + 80:
        raise BackendError("reply much longer than the comment")
    return s


# The floor sits under the similarity of 98% of human paraphrases to their toxic source: the 2nd
# percentile over the ParaDetox training pairs (bench/results/llm_similarity_floor.json).
MIN_SIMILARITY = 0.25

# What a rewrite never needs: links, chat-template/role markers, refusals, meta-commentary about
# the task, steering ("ignore previous instructions"). Phrases are narrow on purpose: "I can't
# stand it" and "ignore the evidence" are ordinary paraphrases (0 of 15,948 ParaDetox references
# are flagged, bench/results/llm_similarity_floor.json).
_INJECTION_RE = re.compile(
    r"https?://|\bwww\.\w|\b\w+\.(?:com|org|net|io|ru|xyz)\b|<\|?/?(?:im_start|im_end|system|assistant|user)\b"
    r"|^\s*(?:system|assistant|user|human|ai)\s*:|\bas an ai\b|\blanguage model\b"
    r"|\bi (?:cannot|can't|can ?not|won't|will not) (?:help|assist|comply|do that|rewrite|provide|fulfil)"
    r"|\b(?:i'm|i am) sorry, but\b|\bi apologi[sz]e\b"
    r"|\bhere(?: is|'s) (?:the|a|your) (?:rewrit|civil|revised|polite|version|rephras)"
    r"|\b(?:rewritten|revised|civil) (?:comment|version|text)\b|\binstructions?\b|\bprompt\b"
    r"|\bignore (?:all |any |the )?(?:previous|prior|above|earlier)\b|```|\bnote:",
    re.IGNORECASE | re.MULTILINE)


def _grams(text: str, n: int = 3) -> set[str]:
    s = " " + re.sub(r"\s+", " ", text.lower()).strip() + " "
    return {s[i:i + n] for i in range(max(1, len(s) - n + 1))}


def reply_similarity(reply: str, source: str) -> float:
    """Cheap closeness in [0, 1]: the larger of the Dice overlaps of character trigrams and of
    word sets. Linear time; no model."""
    a, b = _grams(reply), _grams(source)
    chars = 2 * len(a & b) / (len(a) + len(b)) if a or b else 1.0
    wa, wb = set(re.findall(r"\w+", reply.lower())), set(re.findall(r"\w+", source.lower()))
    words = 2 * len(wa & wb) / (len(wa) + len(wb)) if wa or wb else 1.0
    return max(chars, words)


def _letters(text: str) -> str:
    """Letters and digits only, lowercased: "I can't" and ParaDetox's "i can 't" compare equal."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def injection_problem(reply: str, source: str) -> str | None:
    """Why ``reply`` carries more than a rewrite (a URL, role text, an instruction, a note),
    or None. What the comment itself contains is allowed back: a comment quoting a URL may keep it."""
    plain = _letters(source)
    for m in _INJECTION_RE.finditer(reply):
        if _letters(m.group(0)) not in plain:
            return f"reply carries {m.group(0).strip()!r}"
    if reply.count("\n") > source.count("\n") + 1:
        return "reply has more lines than the comment"
    return None


def check_reply(reply: str, source: str, min_similarity: float = MIN_SIMILARITY) -> str:
    """``reply`` if it passes the injection guard and the similarity floor, else
    :class:`BackendError` saying which it failed."""
    problem = injection_problem(reply, source)
    if problem:
        raise BackendError(f"rejected: {problem}")
    sim = reply_similarity(reply, source)
    if sim < min_similarity:
        raise BackendError(f"rejected: reply too far from the comment (similarity {sim:.2f} < {min_similarity:.2f})")
    return reply


class LLMRewriter(Rewriter):
    """Shared request fan-out; subclasses build the request and read the reply."""

    def __init__(self, config: LLMConfig) -> None:
        self.config = config
        self.name = config.backend

    def request(self, req: RewriteRequest) -> tuple[str, dict, dict[str, str]]:
        raise NotImplementedError

    def parse(self, reply: dict) -> Any:
        raise NotImplementedError

    def _one(self, req: RewriteRequest) -> Proposal:
        try:
            url, body, headers = self.request(req)
            reply = post_json(url, body, headers, self.config)
            try:
                text = self.parse(reply)
            except (KeyError, IndexError, TypeError, AttributeError):
                raise BackendError("reply has no text in the expected place") from None
            reply = check_reply(clean_reply(text, req.text), req.text, self.config.min_similarity)
            return Proposal([(self.name, reply)])
        except BackendError as exc:
            return Proposal(error=f"{self.name} {exc}")
        except Exception as exc:  # never let one row crash a batch
            return Proposal(error=f"{self.name} {type(exc).__name__}")

    def propose(self, requests: list[RewriteRequest]) -> list[Proposal]:
        if not requests:
            return []
        workers = max(1, min(self.config.max_workers, len(requests)))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(self._one, requests))


class GeminiRewriter(LLMRewriter):
    """``POST {base}/models/{model}:generateContent`` with ``x-goog-api-key``."""

    def request(self, req: RewriteRequest) -> tuple[str, dict, dict[str, str]]:
        if not self.config.api_key:
            raise BackendError("has no API key (set GEMINI_API_KEY)")
        url = f"{self.config.base_url}/models/{self.config.model}:generateContent"
        body = {
            "systemInstruction": {"parts": [{"text": SYSTEM_PROMPT}]},
            "contents": [{"role": "user", "parts": [{"text": user_prompt(req)}]}],
            "generationConfig": {"temperature": self.config.temperature, "candidateCount": 1},
        }
        return url, body, {"x-goog-api-key": self.config.api_key}

    def parse(self, reply: dict) -> Any:
        parts = reply["candidates"][0]["content"]["parts"]
        return "".join(p.get("text", "") for p in parts)


class OpenAIRewriter(LLMRewriter):
    """``POST {base}/chat/completions`` (OpenAI-compatible), ``Authorization: Bearer`` if keyed."""

    def request(self, req: RewriteRequest) -> tuple[str, dict, dict[str, str]]:
        url = f"{self.config.base_url}/chat/completions"
        body = {
            "model": self.config.model,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                         {"role": "user", "content": user_prompt(req)}],
            "temperature": self.config.temperature,
        }
        headers = {"Authorization": f"Bearer {self.config.api_key}"} if self.config.api_key else {}
        return url, body, headers

    def parse(self, reply: dict) -> Any:
        return reply["choices"][0]["message"]["content"]


def make_llm_rewriter(backend: str | None = None, **overrides: Any) -> LLMRewriter:
    """A Gemini or OpenAI-compatible rewriter from the environment/config file (+ overrides)."""
    cfg = LLMConfig.from_env(backend, **overrides)
    return GeminiRewriter(cfg) if cfg.backend == "gemini" else OpenAIRewriter(cfg)
