"""Per-word, per-label attributions for every model kind, dispatched on ``model_type``.

* ``linear``: exact per-feature contributions (:mod:`.linear_attr`).
* ``transformer``: Integrated Gradients on the embeddings (:mod:`.gradients`).
* ``ensemble``: each member explained by its own method, then combined with the ensemble's
  weights after converting to probability changes (chain rule: ``dp = p(1-p) dz``), and back to
  the ensemble's logit units, so a word's share follows what the ensemble averages.
* anything else, or a model whose cleaning moves character offsets: occlusion (:mod:`.occlusion`).

All return ``(n_words, 6)`` arrays in logit units, aligned with the words of the original text.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cleanspeech.explain.gradients import transformer_word_attributions
from cleanspeech.explain.linear_attr import linear_word_attributions
from cleanspeech.explain.occlusion import occlusion_word_attributions
from cleanspeech.explain.words import Word

METHODS = ("auto", "exact", "integrated-gradients", "occlusion")


def method_for(model: Any, method: str = "auto") -> str:
    """The attribution method used for ``model`` (``auto`` picks the faithful default)."""
    if method not in METHODS:
        raise ValueError(f"unknown attribution method {method!r}; choose one of {METHODS}")
    if method != "auto":
        return method
    kind = getattr(model, "model_type", "")
    if getattr(model, "cleaning", "none") != "none" and kind != "ensemble":
        return "occlusion"  # cleaning changes character offsets: explain by deleting words
    return {"linear": "exact", "transformer": "integrated-gradients", "ensemble": "ensemble"}.get(kind, "occlusion")


def word_attributions(model: Any, text: str, words: list[Word], method: str = "auto", n_steps: int = 16) -> np.ndarray:
    """``(n_words, 6)`` attributions of ``words`` (from ``text``) for ``model``."""
    if not words:
        return np.zeros((0, 6))
    chosen = method_for(model, method)
    if chosen == "ensemble":
        return ensemble_word_attributions(model, text, words, n_steps=n_steps)
    if chosen == "exact":
        if getattr(model, "model_type", "") != "linear":
            raise ValueError("exact attributions exist only for the linear model")
        return linear_word_attributions(model, text, words)
    if chosen == "integrated-gradients":
        return transformer_word_attributions(model, text, words, n_steps=n_steps)
    return occlusion_word_attributions(model, text, words)


def _members(model: Any) -> list[tuple[Any, float]]:
    """``(member, weight)`` pairs of an ensemble, weights normalised to sum to 1."""
    members = list(getattr(model, "members"))
    weights = np.asarray(getattr(model, "weights", None) or [1.0] * len(members), dtype=float)
    weights = weights / weights.sum()
    return list(zip(members, weights))


def ensemble_word_attributions(model: Any, text: str, words: list[Word], n_steps: int = 16) -> np.ndarray:
    """Weighted member attributions, combined in probability space, in ensemble logit units."""
    total = np.zeros((len(words), 6))
    p_ens = np.asarray(model.predict_proba([text]), dtype=float)[0]
    for member, w in _members(model):
        p = np.asarray(member.predict_proba([text]), dtype=float)[0]
        a = word_attributions(member, text, words, "auto", n_steps)
        total += w * (p * (1 - p))[None, :] * a
    slope = np.clip(p_ens * (1 - p_ens), 1e-6, None)
    return total / slope[None, :]
