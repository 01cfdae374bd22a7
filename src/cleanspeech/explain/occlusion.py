"""Leave-one-word-out attributions: the model-agnostic fallback.

Word ``i``'s attribution to label ``k`` is ``logit_k(text) - logit_k(text without word i)``; all
``n_words + 1`` variants are scored in one ``predict_proba`` call. Faithful to deletion by
construction, and works for any model (an ONNX-only transformer, a model whose cleaning moves
character offsets, a new kind), at the cost of ``n_words + 1`` texts per explanation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from cleanspeech.explain.words import Word

_EPS = 1e-6


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities, clipped away from 0 and 1."""
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p / (1 - p))


def delete_words(text: str, words: list[Word], drop: set[int]) -> str:
    """``text`` with the words at indices ``drop`` removed (the whitespace around them kept)."""
    parts, pos = [], 0
    for i, w in enumerate(words):
        if i in drop:
            parts.append(text[pos:w.start])
            pos = w.end
    parts.append(text[pos:])
    return "".join(parts)


def occlusion_word_attributions(model: Any, text: str, words: list[Word]) -> np.ndarray:
    """``(n_words, 6)``: how much each word's removal lowers each label's logit."""
    if not words:
        return np.zeros((0, 6))
    variants = [text] + [delete_words(text, words, {i}) for i in range(len(words))]
    z = logit(model.predict_proba(variants))
    return z[0][None, :] - z[1:]


def occlusion_word_attributions_many(model: Any, texts: list[str], words: list[list[Word]],
                                     only: list[Sequence[int]] | None = None) -> list[np.ndarray]:
    """:func:`occlusion_word_attributions` of many texts with one ``predict_proba`` call for all
    their variants: a model that scores each text on its own (the ONNX backend scores one
    window per call) gives exactly the per-text results, with its batching and worker threads
    kept busy across texts instead of draining at the end of every comment.

    ``only[i]``: occlude just these words of text ``i`` (the others get 0): ``len(only[i]) + 1``
    variants instead of ``n_words + 1``."""
    picks = [list(range(len(ws))) if only is None else sorted(set(only[i]))
             for i, ws in enumerate(words)]
    variants: list[str] = []
    for text, ws, pick in zip(texts, words, picks):
        if ws and pick:
            variants.append(text)
            variants.extend(delete_words(text, ws, {i}) for i in pick)
    z = logit(model.predict_proba(variants)) if variants else np.zeros((0, 6))
    out, at = [], 0
    for ws, pick in zip(words, picks):
        attrs = np.zeros((len(ws), 6))
        if ws and pick:
            attrs[pick] = z[at][None, :] - z[at + 1:at + 1 + len(pick)]
            at += 1 + len(pick)
        out.append(attrs)
    return out
