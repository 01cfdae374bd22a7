"""Turn per-word scores into spans, and pick the word threshold that maximises span F1.

Used alike by the span tagger (word probabilities), the attribution spans (per-word
attributions) and the lexicon baseline (per-word toxicity ratios), so all three are tuned and
compared the same way on the same validation split.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cleanspeech.explain.span_metric import span_f1
from cleanspeech.explain.words import Word, spans_to_offsets, words_to_spans

DEFAULT_GRID = tuple(np.round(np.arange(0.05, 0.96, 0.025), 3))


def spans_from_word_scores(
    text: str, words: Sequence[Word], scores: np.ndarray, threshold: float, join_gaps: bool = True
) -> list[tuple[int, int]]:
    """Spans over the alphanumeric words whose score is at or over ``threshold``."""
    flags = [bool(s >= threshold) and w.is_alnum for w, s in zip(words, scores)]
    return words_to_spans(text, words, flags, join_gaps)


def f1_at(
    texts: Sequence[str], word_scores: Sequence[tuple[Sequence[Word], np.ndarray]],
    golds: Sequence[Sequence[int]], threshold: float, join_gaps: bool,
) -> float:
    """Span F1 of thresholded word scores against gold offsets."""
    preds = [
        spans_to_offsets(spans_from_word_scores(t, w, s, threshold, join_gaps))
        for t, (w, s) in zip(texts, word_scores)
    ]
    return span_f1(preds, golds)


def tune_threshold(
    texts: Sequence[str], word_scores: Sequence[tuple[Sequence[Word], np.ndarray]],
    golds: Sequence[Sequence[int]], grid: Sequence[float] = DEFAULT_GRID,
) -> dict[str, float | bool]:
    """The ``threshold`` and ``join_gaps`` with the best span F1, and that F1."""
    best = {"threshold": 0.5, "join_gaps": True, "f1": -1.0}
    for join in (True, False):
        for th in grid:
            f1 = f1_at(texts, word_scores, golds, float(th), join)
            if f1 > best["f1"]:
                best = {"threshold": float(th), "join_gaps": join, "f1": f1}
    return best
