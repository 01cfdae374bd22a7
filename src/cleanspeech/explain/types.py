"""The explanation records every caller (pipeline, CLI, HTTP API, UI, rewrite) receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cleanspeech.labels import LABELS


def _rounded(x: float, ndigits: int = 6) -> float:
    return round(float(x), ndigits)


@dataclass
class TokenAttribution:
    """One word of the original text, ``[start, end)``, with its attribution to each label.

    ``attributions`` is ``(6,)`` in ``LABELS`` order; positive values push that label's score up.
    Units are logits (the model's log-odds), so a word's values can be compared across labels.
    """

    text: str
    start: int
    end: int
    attributions: np.ndarray

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text, "start": int(self.start), "end": int(self.end),
            "attributions": {label: _rounded(v) for label, v in zip(LABELS, self.attributions)},
        }


@dataclass
class Explanation:
    """Why a text got its scores: per-word, per-label attributions and the toxic spans.

    ``scores`` is ``(6,)`` in ``LABELS`` order; ``labels`` are those at/over the model's
    thresholds; ``spans`` are ``[start, end)`` character ranges a moderator would highlight.
    """

    text: str
    scores: np.ndarray
    labels: list[str]
    tokens: list[TokenAttribution]
    spans: list[tuple[int, int]]
    method: str = ""
    span_method: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def attributions(self) -> np.ndarray:
        """All words' attributions as one ``(n_words, 6)`` array."""
        if not self.tokens:
            return np.zeros((0, len(LABELS)))
        return np.vstack([t.attributions for t in self.tokens])

    def top_words(self, label: str = "toxic", k: int = 5) -> list[TokenAttribution]:
        """The ``k`` words pushing ``label`` up the most (positive attributions only)."""
        j = LABELS.index(label)
        ranked = sorted((t for t in self.tokens if t.attributions[j] > 0), key=lambda t: -t.attributions[j])
        return ranked[:k]

    def span_texts(self) -> list[str]:
        """The highlighted substrings, in order."""
        return [self.text[s:e] for s, e in self.spans]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scores": {label: _rounded(p) for label, p in zip(LABELS, self.scores)},
            "labels": list(self.labels),
            "spans": [[int(s), int(e)] for s, e in self.spans],
            "tokens": [t.to_dict() for t in self.tokens],
        }
