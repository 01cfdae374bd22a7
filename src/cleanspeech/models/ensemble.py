"""A weighted ensemble of model folders (e.g. the shipped linear model + a fine-tuned transformer).

``cleanspeech.json`` lists the members: ``{"ref": "linear"}`` names a shipped model (resolved by
the registry, not copied), ``{"path": "transformer"}`` a sub-folder of the ensemble; each has a
``weight`` (weights sum to 1). ``combine`` is ``"proba"`` (weighted mean of probabilities) or
``"logit"`` (sigmoid of the weighted mean of logits). ``backend`` is passed to every member.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.models.base import ToxicityModel

COMBINES = ("proba", "logit")


def combine_probas(probas: Sequence[np.ndarray], weights: Sequence[float], how: str = "proba") -> np.ndarray:
    """Weighted combination of ``(n, 6)`` probability arrays."""
    w = np.asarray(weights, dtype=float)
    w = w / w.sum()
    if how == "proba":
        return sum(wi * p for wi, p in zip(w, probas)).astype(np.float32)
    if how == "logit":
        eps = 1e-7
        z = sum(wi * np.log(np.clip(p, eps, 1 - eps) / np.clip(1 - p, eps, 1 - eps))
                for wi, p in zip(w, probas))
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)
    raise ValueError(f"combine must be one of {COMBINES}, got {how!r}")


class EnsembleModel(ToxicityModel):
    model_type = "ensemble"

    def __init__(self, members: Sequence[ToxicityModel], weights: Sequence[float],
                 specs: Sequence[dict[str, Any]], combine: str = "proba",
                 thresholds: np.ndarray | None = None) -> None:
        super().__init__(thresholds=thresholds, cleaning="none")
        if not (len(members) == len(weights) == len(specs)):
            raise ValueError("members, weights and specs must have the same length")
        if combine not in COMBINES:
            raise ValueError(f"combine must be one of {COMBINES}, got {combine!r}")
        self.members, self.specs, self.combine = list(members), [dict(s) for s in specs], combine
        total = float(sum(weights))
        self.weights = [float(w) / total for w in weights]

    def member_probas(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Each member's ``(n, 6)`` probabilities, in member order."""
        return [m.predict_proba(texts) for m in self.members]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return combine_probas(self.member_probas(texts), self.weights, self.combine)

    def config_dict(self) -> dict[str, Any]:
        members = [{**spec, "weight": w, "model_type": m.model_type}
                   for spec, w, m in zip(self.specs, self.weights, self.members)]
        return {**super().config_dict(), "combine": self.combine, "members": members}

    def _save_weights(self, path: Path) -> None:
        for spec, member in zip(self.specs, self.members):
            if "path" in spec:
                member.save_pretrained(path / spec["path"])

    @classmethod
    def _load(cls, path: Path, config: dict[str, Any], backend: str = "onnx", **kwargs: Any) -> EnsembleModel:
        from cleanspeech.models.registry import load_model

        members, weights, specs = [], [], []
        for spec in config["members"]:
            target = path / spec["path"] if "path" in spec else spec["ref"]
            members.append(load_model(target, backend=backend, **kwargs))
            weights.append(float(spec["weight"]))
            specs.append({k: v for k, v in spec.items() if k in ("path", "ref")})
        return cls(members, weights, specs, combine=config.get("combine", "proba"))
