"""``rewrite_texts``: propose candidates with the chosen backend and the offline rewriter, then
verify them with the classifier (see :mod:`cleanspeech.rewrite.verify`).

An input is rewritten when the classifier flags it (not civil) or when it holds a phrase that
ParaDetox annotators almost always remove (``lexicon_trigger``; e.g. "fucking", masked
profanity). Every other input comes back unchanged with ``method="unchanged"``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from cleanspeech.labels import labels_over
from cleanspeech.rewrite.base import Rewriter, RewriteRequest
from cleanspeech.rewrite.offline import OfflineRewriter
from cleanspeech.rewrite.result import RewriteResult, civil_mask, toxicity
from cleanspeech.rewrite.verify import Candidate, choose, guided_removals, score_candidates

BACKENDS = ("offline", "gemini", "openai", "auto")


def make_rewriter(backend: str = "offline", **kw: Any) -> Rewriter:
    """The rewriter for ``backend`` (LLM settings from ``kw``, the environment, a config file)."""
    if backend == "auto":
        backend = os.environ.get("CLEANSPEECH_LLM_BACKEND") or "offline"
    if backend == "offline":
        return OfflineRewriter()
    if backend in ("gemini", "openai"):
        from cleanspeech.rewrite.llm import make_llm_rewriter

        if "llm_model" in kw:
            kw["model"] = kw.pop("llm_model")
        return make_llm_rewriter(backend, **kw)
    raise ValueError(f"unknown rewrite backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def _model_scorer(model: Any):
    def score(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(model.predict_proba([t if isinstance(t, str) else "" for t in texts]), dtype=float)

    return score


def rewrite_texts(model: Any, texts: list[str], backend: str = "offline", *,
                  rewriter: Rewriter | None = None, offline: OfflineRewriter | None = None,
                  lexicon_trigger: bool = True, guided_steps: int = 3,
                  scorer: Callable[[Sequence[str]], np.ndarray] | None = None, **kw: Any) -> list[RewriteResult]:
    """One verified :class:`RewriteResult` per text, in order.

    ``model``: anything with ``predict_proba(texts) -> (n, 6)`` and ``thresholds (6,)``.
    ``rewriter`` overrides the backend; ``kw`` go to the LLM config (``base_url``, ``api_key``,
    ``llm_model``, ``timeout``, ``max_retries``, ``backoff``, ``max_workers``).
    ``guided_steps``: at most this many extra words removed by classifier occlusion when no
    lexicon/LLM candidate is civil (0 disables).
    ``scorer``: ``texts -> (n, 6)`` used for every score (the Moderator passes its own, which
    holds the empty-text policy), else ``model.predict_proba``.
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    if not texts:
        return []
    score = scorer or _model_scorer(model)
    thresholds = np.asarray(model.thresholds, dtype=float)
    before = score(texts)
    tox_before, civil_before = toxicity(before), civil_mask(before, thresholds)
    offline = offline or OfflineRewriter()
    todo = [i for i, t in enumerate(texts) if t.strip() and (
        not civil_before[i] or (lexicon_trigger and offline.has_known_toxic_terms(t)))]
    todo_set = set(todo)
    results = {i: RewriteResult(t, t, float(tox_before[i]), float(tox_before[i]), "unchanged", True)
               for i, t in enumerate(texts) if i not in todo_set}
    if todo:
        primary = rewriter or make_rewriter(backend, **kw)
        labels = labels_over(before[todo], thresholds)
        requests = [RewriteRequest(texts[i], tuple(lab), tuple(offline.spans(texts[i])))
                    for i, lab in zip(todo, labels)]
        cand_lists = _candidates(primary, offline, requests)
        flat = [c for cl in cand_lists for c in cl]
        score_candidates(score, thresholds, flat)
        for i, cands in zip(todo, cand_lists):
            if guided_steps and not any(c.civil for c in cands):
                start = min(cands, key=lambda c: c.tox) if cands else Candidate(texts[i], "offline", 1, float(tox_before[i]))
                cands = cands + guided_removals(score, thresholds, start, guided_steps,
                                                protected=offline.is_protected)
            res = choose(texts[i], float(tox_before[i]), cands)
            if civil_before[i] and not res.civil:  # triggered by the lexicon only: keep the input
                res = RewriteResult(texts[i], texts[i], res.toxicity_before, res.toxicity_before, "unchanged", True)
            res.method = _with_fallback_note(res.method, cands)
            results[i] = res
    return [results[i] for i in range(len(texts))]


def _candidates(primary: Rewriter, offline: OfflineRewriter, requests: list[RewriteRequest]
                ) -> list[list[Candidate]]:
    """Tier 0: the primary backend's candidates; tier 1: the offline rewriter's (always)."""
    out: list[list[Candidate]] = []
    prim = primary.propose(requests) if not isinstance(primary, OfflineRewriter) else None
    for k, req in enumerate(requests):
        cands: list[Candidate] = []
        note = None
        if prim is not None:
            if prim[k].error:
                note = prim[k].error
            cands += [Candidate(t, m, 0) for m, t in prim[k].candidates if t.strip()]
        for m, t in offline.candidates(req.text):
            if not re.search(r"\w", t):
                continue  # nothing left to say is not a rewrite
            cands.append(Candidate(t, f"{m} (fallback: {note})" if note else m, 1))
        out.append(cands)
    return out


def _with_fallback_note(method: str, cands: list[Candidate]) -> str:
    """Rows whose LLM call failed say so even when the result is ``none``."""
    if "(fallback:" in method:
        return method
    notes = {c.method.split("(fallback:", 1)[1] for c in cands if "(fallback:" in c.method}
    return f"{method} (fallback:{notes.pop()}" if notes else method
