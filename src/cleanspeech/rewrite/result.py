"""What a rewrite returns, and the one definition of "toxicity" and "civil" the rewriter uses.

* **toxicity** of a text = the maximum over the six labels of the model's probability, in [0, 1].
* **civil** = no label's probability is at or over that label's tuned threshold
  (``model.thresholds``), i.e. the moderation step would flag nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np


@dataclass
class RewriteResult:
    """One input's rewrite. ``method`` says which candidate won (``offline:lexicon``,
    ``openai``, ``offline:lexicon+guided``…), ``unchanged`` for input that needed no rewrite,
    ``none`` when no candidate was less toxic than the input, and ``… (fallback: why)`` when an
    LLM backend failed for this row. ``civil`` is False when the output still has a label at or
    over its threshold (it could not be made civil). ``reason`` says why a flagged input could not
    be made civil, or what a template rewrite did ("" when there is nothing to say)."""

    original: str
    rewrite: str
    toxicity_before: float
    toxicity_after: float
    method: str
    civil: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["toxicity_before"] = round(float(self.toxicity_before), 6)
        d["toxicity_after"] = round(float(self.toxicity_after), 6)
        d["civil"] = bool(self.civil)
        return d


def toxicity(scores: np.ndarray) -> np.ndarray:
    """``(n,)`` toxicity: the max over labels of an ``(n, 6)`` probability array."""
    scores = np.asarray(scores, dtype=float)
    return scores.max(axis=1) if len(scores) else np.zeros(0)


def civil_mask(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``(n,)`` bool: no label at or over its threshold."""
    scores = np.asarray(scores, dtype=float)
    if not len(scores):
        return np.zeros(0, dtype=bool)
    return ~(scores >= np.asarray(thresholds, dtype=float)[None, :]).any(axis=1)
