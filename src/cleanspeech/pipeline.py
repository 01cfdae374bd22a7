"""The one Python API the edges (CLI, HTTP API, UI) use: load a model once, then
moderate → explain → rewrite.

    >>> from cleanspeech.pipeline import Moderator
    >>> mod = Moderator.load("default")
    >>> mod.moderate(["You are a disgusting idiot."])[0].labels
    ['toxic', 'obscene', 'insult']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.labels import LABELS, labels_over, scores_to_dicts
from cleanspeech.models import ToxicityModel, load_model


@dataclass
class ModerationResult:
    """Scores ``(6,)`` in ``LABELS`` order and the labels at or over their thresholds."""

    scores: np.ndarray
    labels: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"scores": scores_to_dicts(self.scores[None, :])[0], "labels": list(self.labels)}


class Moderator:
    """A loaded model plus the stages built on it. Construct once; reuse for every request."""

    def __init__(self, model: ToxicityModel, name: str | None = None) -> None:
        self.model = model
        self.name = name or (model.path.name if model.path else model.model_type)

    @classmethod
    def load(cls, name_or_path: str | Path = "default", **kwargs: Any) -> Moderator:
        return cls(load_model(name_or_path, **kwargs), name=str(name_or_path))

    @property
    def thresholds(self) -> np.ndarray:
        return self.model.thresholds

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities ``(n, 6)`` in ``LABELS`` order.

        Empty or whitespace-only comments (and non-strings) score 0 for every label without
        calling the model: there is nothing to moderate, and a model's bias term alone is not
        evidence of toxicity.
        """
        return self.scores_routed(texts)[0]

    def scores_routed(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """:meth:`scores` plus, for cascade models, which comments reached the transformer
        (``None`` for other kinds; empty comments never do)."""
        routed_fn = getattr(self.model, "predict_proba_routed", None)
        texts = [t if isinstance(t, str) else "" for t in texts]
        out, routed = np.zeros((len(texts), len(LABELS))), np.zeros(len(texts), dtype=bool)
        keep = [i for i, t in enumerate(texts) if t.strip()]
        if keep and routed_fn is not None:
            out[keep], routed[keep] = routed_fn([texts[i] for i in keep])
        elif keep:
            out[keep] = self.model.predict_proba([texts[i] for i in keep])
        return out, (routed if routed_fn is not None else None)

    def moderate(self, texts: Sequence[str]) -> list[ModerationResult]:
        scores = self.scores(texts)
        return [ModerationResult(s, lab) for s, lab in zip(scores, labels_over(scores, self.thresholds))]

    def explain(self, texts: Sequence[str], **kwargs: Any) -> list[Any]:
        """Word-level, per-label explanations (see :mod:`cleanspeech.explain`); scores come from
        :meth:`scores`, so empty texts score 0 here too."""
        from cleanspeech.explain import explain_texts

        return explain_texts(self.model, list(texts), scorer=self.scores, **kwargs)

    def rewrite(self, texts: Sequence[str], backend: str = "offline", **kwargs: Any) -> list[Any]:
        """Verified civil rewrites (see :mod:`cleanspeech.rewrite`); inputs and candidates are
        scored by :meth:`scores`, so an empty text scores 0 and stays as it is."""
        from cleanspeech.rewrite import rewrite_texts

        return rewrite_texts(self.model, list(texts), backend=backend, scorer=self.scores, **kwargs)

    def routed_fraction(self) -> float | None:
        """Cascade models: share of the comments scored so far that reached the transformer."""
        fn = getattr(self.model, "routed_fraction", None)
        return fn() if fn is not None else None

    def info(self) -> dict[str, Any]:
        """Name, labels, thresholds, metrics and model card of the loaded model."""
        return {
            "name": self.name,
            "model_type": self.model.model_type,
            "path": str(self.model.path) if self.model.path else None,
            "labels": list(LABELS),
            "thresholds": scores_to_dicts(self.thresholds[None, :])[0],
            "metrics": self.model.metrics(),
            "model_card": self.model.model_card(),
            "routed_fraction": self.routed_fraction(),
        }
