"""Back-pressure for the heavy routes (``/v1/explain``, ``/v1/rewrite``): a bounded number run at
once, a bounded number wait, and the rest are told to come back (503 + ``Retry-After``).

Work is done a few texts at a time in the worker thread pool; between chunks the request is
checked, so a client that hung up (``curl -m 0.3``) stops costing CPU within one chunk instead
of the whole batch (explaining 16 long texts takes tens of seconds on a 2-core machine).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

logger = logging.getLogger("cleanspeech.server")

HEAVY_CONCURRENCY = 2  # requests computing at once (the model already uses every core)
HEAVY_QUEUE = 8  # requests waiting for a turn; more than this answer 503
RETRY_AFTER_S = 5
CHUNK = 2  # texts per model call between disconnect checks


class ClientGone(Exception):
    """The client disconnected before its heavy request finished; nothing is sent back."""


class HeavyGate:
    """Admission control: at most ``concurrency`` chunks compute at once and at most
    ``concurrency + queue`` requests are admitted; the next one gets 503 + Retry-After."""

    def __init__(self, concurrency: int = HEAVY_CONCURRENCY, queue: int = HEAVY_QUEUE,
                 retry_after: int = RETRY_AFTER_S) -> None:
        self.limit = concurrency + queue
        self.retry_after = retry_after
        self._running = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()  # the admitted count is shared by event loops and threads
        self._admitted = 0

    def admit(self) -> None:
        with self._lock:
            if self._admitted >= self.limit:
                raise HTTPException(503, headers={"Retry-After": str(self.retry_after)}, detail=(
                    f"the server is busy ({self.limit} explain/rewrite requests in progress); "
                    f"retry in {self.retry_after} s or send fewer texts per request"))
            self._admitted += 1

    def release(self) -> None:
        with self._lock:
            self._admitted -= 1

    def run_chunk(self, fn: Callable[[list[str]], list[Any]], texts: list[str]) -> list[Any]:
        with self._running:
            return fn(texts)


async def run_heavy(request: Request, gate: HeavyGate, fn: Callable[[list[str]], list[Any]],
                    texts: Sequence[str], chunk: int = CHUNK) -> list[Any]:
    """``fn(texts)`` computed ``chunk`` texts at a time under ``gate``; raises
    :class:`ClientGone` as soon as the client has disconnected, and 503 when the gate is full."""
    gate.admit()
    try:
        out: list[Any] = []
        for start in range(0, len(texts), chunk):
            if await request.is_disconnected():
                logger.info("%s: client gone after %d of %d texts; stopping",
                            request.url.path, start, len(texts))
                raise ClientGone
            out += await run_in_threadpool(gate.run_chunk, fn, list(texts[start:start + chunk]))
        return out
    finally:
        gate.release()
