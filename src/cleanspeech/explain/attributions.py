"""Per-word, per-label attributions for every model kind, dispatched on ``model_type``.

* ``linear``: exact per-feature contributions (:mod:`.linear_attr`).
* ``transformer``: Integrated Gradients on the embeddings (:mod:`.gradients`).
* ``ensemble``: each member explained by its own method, then combined with the ensemble's
  weights after converting to probability changes (chain rule: ``dp = p(1-p) dz``), and back to
  the ensemble's logit units, so a word's share follows what the ensemble averages.
* ``cascade``: the members on the route the comment takes, weighted per label as the cascade
  mixes their logits (calibration slopes included), so attributions stay in its logit units.
* anything else, or a model whose cleaning moves character offsets: occlusion (:mod:`.occlusion`).

All return ``(n_words, 6)`` arrays in logit units, aligned with the words of the original text.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from cleanspeech.explain.gradients import DEFAULT_STEPS, ENSEMBLE_MEMBER_STEPS, transformer_word_attributions
from cleanspeech.explain.linear_attr import linear_word_attributions
from cleanspeech.explain.occlusion import occlusion_word_attributions
from cleanspeech.explain.words import Word
from cleanspeech.labels import LABELS

METHODS = ("auto", "exact", "integrated-gradients", "occlusion")


def method_for(model: Any, method: str = "auto") -> str:
    """The attribution method used for ``model`` (``auto`` picks the faithful default)."""
    if method not in METHODS:
        raise ValueError(f"unknown attribution method {method!r}; choose one of {METHODS}")
    if method != "auto":
        return method
    kind = getattr(model, "model_type", "")
    if getattr(model, "cleaning", "none") != "none" and kind not in ("ensemble", "cascade"):
        return "occlusion"  # cleaning changes character offsets: explain by deleting words
    return {"linear": "exact", "transformer": "integrated-gradients", "ensemble": "ensemble",
            "cascade": "cascade"}.get(kind, "occlusion")


def word_attributions(model: Any, text: str, words: list[Word], method: str = "auto", n_steps: int | None = None,
                      scores: np.ndarray | None = None) -> np.ndarray:
    """``(n_words, 6)`` attributions of ``words`` (from ``text``) for ``model``; ``scores``: the
    model's ``(6,)`` probabilities for ``text`` when the caller has them (a cascade reads them)."""
    if not words:
        return np.zeros((0, 6))
    chosen = method_for(model, method)
    if chosen == "ensemble":
        return ensemble_word_attributions(model, text, words, n_steps=n_steps)
    if chosen == "cascade":
        return cascade_word_attributions(model, text, words, n_steps=n_steps, scores=scores)
    if chosen == "exact":
        if getattr(model, "model_type", "") != "linear":
            raise ValueError("exact attributions exist only for the linear model")
        return linear_word_attributions(model, text, words)
    if chosen == "integrated-gradients":
        return transformer_word_attributions(model, text, words, n_steps=n_steps or DEFAULT_STEPS)
    return occlusion_word_attributions(model, text, words)


def _members(model: Any) -> list[tuple[Any, float]]:
    """``(member, weight)`` pairs of an ensemble, weights normalised to sum to 1."""
    members = list(model.members)
    weights = np.asarray(getattr(model, "weights", None) or [1.0] * len(members), dtype=float)
    weights = weights / weights.sum()
    return list(zip(members, weights))


def ensemble_word_attributions(model: Any, text: str, words: list[Word], n_steps: int | None = None) -> np.ndarray:
    """Member attributions combined the way the ensemble combines scores, in its logit units.

    ``combine="logit"`` (sigmoid of the weighted mean logit): exactly ``Σ w_m a_m``.
    ``combine="proba"`` (weighted mean probability): first order, ``Σ w_m p_m(1-p_m) a_m``
    divided by ``p(1-p)`` of the ensemble.
    """
    pairs = _members(model)
    steps = n_steps or ENSEMBLE_MEMBER_STEPS
    member_attrs = [word_attributions(m, text, words, "auto", steps) for m, _ in pairs]
    if getattr(model, "combine", "proba") == "logit":
        return sum(w * a for (_, w), a in zip(pairs, member_attrs))
    if hasattr(model, "member_probas"):
        probas = [np.asarray(p, dtype=float)[0] for p in model.member_probas([text])]
    else:
        probas = [np.asarray(m.predict_proba([text]), dtype=float)[0] for m, _ in pairs]
    p_ens = sum(w * p for (_, w), p in zip(pairs, probas))
    total = sum(w * (p * (1 - p))[None, :] * a for (_, w), p, a in zip(pairs, probas, member_attrs))
    return total / np.clip(p_ens * (1 - p_ens), 1e-6, None)[None, :]


def cascade_word_attributions(model: Any, text: str, words: list[Word], n_steps: int | None = None,
                              scores: np.ndarray | None = None) -> np.ndarray:
    """``Σ_m weight_m ⊙ a_m`` over the members of the route ``text`` takes (exact for logit mixes).

    A label the cascade caps by ``toxic`` (``capped_by_toxic``) gets ``toxic``'s attributions
    when the cap decides its score: the words that drive the reported number (``scores``: the
    cascade's probabilities for ``text``, computed here when not given)."""
    plan = model.explanation_plan(text)
    steps = n_steps or (ENSEMBLE_MEMBER_STEPS if len(plan) > 1 else DEFAULT_STEPS)
    attrs = sum(np.asarray(w)[None, :] * word_attributions(m, text, words, "auto", steps) for m, w in plan)
    capped = getattr(model, "capped_by_toxic", {})
    if capped:
        p = np.asarray(model.predict_proba([text]) if scores is None else [scores], dtype=float)[0]
        for lab, scale in capped.items():
            j = LABELS.index(lab)
            if p[j] >= scale * p[0]:  # min(p_j, scale * p_toxic) took toxic's side
                attrs[:, j] = attrs[:, 0]
    return attrs
