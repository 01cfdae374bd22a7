"""A deterministic stand-in classifier, for tests that must not depend on what a trained model
happens to score."""

from __future__ import annotations

import numpy as np

from cleanspeech.labels import LABELS
from cleanspeech.models.base import ToxicityModel

INSULT = ("toxic", "insult")

BAD = {"idiot": 0.95, "fucking": 0.97, "stupid": 0.8, "shit": 0.9, "moron": 0.9, "bad": 0.3}


class KeywordModel(ToxicityModel):
    """A deterministic stand-in classifier for plumbing tests: toxicity comes from bad words.

    ``predict_proba`` gives ``(n, 6)``: each of ``labels`` (default: all six) gets the max weight
    of the bad words present (0.05 when none), the other labels 0.05, so a label is over its 0.5
    threshold exactly when a strong word is there. ``labels=INSULT`` keeps the threat label down.
    """

    model_type = "keyword-stub"

    def __init__(self, weights: dict[str, float] | None = None, labels: tuple[str, ...] = LABELS) -> None:
        super().__init__(thresholds=np.full(6, 0.5))
        self.weights = BAD if weights is None else weights
        self.columns = [LABELS.index(label) for label in labels]
        self.calls = 0

    def predict_proba(self, texts):
        self.calls += 1
        out = np.full((len(texts), 6), 0.05)
        for i, t in enumerate(texts):
            # quotes split words too: a slur quoted in counter-speech ('a "faggot"') is still the word
            words = t.lower().replace(",", " ").replace(".", " ").replace('"', " ").split()
            out[i, self.columns] = max([0.05] + [self.weights.get(w, 0.05) for w in words])
        return out
