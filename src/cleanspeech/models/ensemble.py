"""A weighted ensemble of model folders (e.g. the shipped linear model + a fine-tuned transformer).

``cleanspeech.json`` lists the members: ``{"ref": "linear"}`` names a shipped model (resolved by
the registry, not copied), ``{"path": "transformer"}`` a sub-folder of the ensemble; each has a
``weight`` (weights sum to 1). ``combine`` is ``"proba"`` (weighted mean of probabilities) or
``"logit"`` (sigmoid of the weighted mean of logits). ``backend`` is passed to every member.

Each member also records the ``fingerprint`` of its folder when the ensemble was saved
(``models/fingerprint.py``): a referenced ``linear`` that is retrained later would otherwise
silently change the ensemble under weights and thresholds tuned for the old one. Loading checks
it and refuses a changed member, unless ``verify_members=False`` (or
``CLEANSPEECH_ALLOW_CHANGED_MEMBERS=1``) accepts it knowingly.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.labels import LABELS
from cleanspeech.models.base import AttributionMix, ToxicityModel
from cleanspeech.models.fingerprint import folder_fingerprint

COMBINES = ("proba", "logit")
ALLOW_CHANGED_ENV = "CLEANSPEECH_ALLOW_CHANGED_MEMBERS"


class MemberChangedError(ValueError):
    """An ensemble member's folder no longer matches the fingerprint recorded at build time."""


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
    """Members' ``(n, 6)`` probabilities combined with fixed weights (see the module docstring)."""

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
        """Probabilities ``(n, 6)``: the members' combined by ``combine`` with ``weights``."""
        return combine_probas(self.member_probas(texts), self.weights, self.combine)

    def attribution_method(self) -> str:
        return "ensemble"

    def attribution_mix(self, text: str, scores: np.ndarray | None = None) -> AttributionMix:
        """Member attributions combined the way the ensemble combines scores, in its logit units.

        ``combine="logit"`` (sigmoid of the weighted mean logit): exactly ``Σ w_m a_m``.
        ``combine="proba"`` (weighted mean probability): first order, ``Σ w_m p_m(1-p_m) a_m``
        divided by ``p(1-p)`` of the ensemble (chain rule, ``dp = p(1-p) dz``).
        """
        w = np.asarray(self.weights, dtype=float)
        w = w / w.sum()
        if self.combine == "logit":
            return AttributionMix([(m, np.full(len(LABELS), wi)) for m, wi in zip(self.members, w)])
        probas = [np.asarray(p, dtype=float)[0] for p in self.member_probas([text])]
        p_ens = sum(wi * p for wi, p in zip(w, probas))
        terms = [(m, wi * (p * (1 - p))) for m, wi, p in zip(self.members, w, probas)]
        return AttributionMix(terms, divisor=np.clip(p_ens * (1 - p_ens), 1e-6, None))

    def config_dict(self) -> dict[str, Any]:
        members = [{**spec, "weight": w, "model_type": m.model_type}
                   for spec, w, m in zip(self.specs, self.weights, self.members)]
        return {**super().config_dict(), "combine": self.combine, "members": members}

    def config_dict_for(self, folder: Path) -> dict[str, Any]:
        """Members pinned by the fingerprints of the folders they are saved in / refer to."""
        config = self.config_dict()
        for member in config["members"]:
            member["fingerprint"] = folder_fingerprint(member_folder(folder, member))
        return config

    def _save_weights(self, path: Path) -> None:
        for spec, member in zip(self.specs, self.members):
            if "path" in spec:
                member.save_pretrained(path / spec["path"])

    @classmethod
    def _load(cls, path: Path, config: dict[str, Any], backend: str = "onnx",
              verify_members: bool | None = None, **kwargs: Any) -> EnsembleModel:
        from cleanspeech.models.registry import load_model

        if verify_members is None:
            verify_members = os.environ.get(ALLOW_CHANGED_ENV, "") not in ("1", "true", "yes")
        members, weights, specs = [], [], []
        for spec in config["members"]:
            folder = member_folder(path, spec)
            if verify_members:
                check_member(path, spec, folder)
            members.append(load_model(folder, backend=backend, **kwargs))
            weights.append(float(spec["weight"]))
            specs.append({k: v for k, v in spec.items() if k in ("path", "ref", "fingerprint")})
        return cls(members, weights, specs, combine=config.get("combine", "proba"))


def member_folder(ensemble_dir: Path, spec: dict[str, Any]) -> Path:
    from cleanspeech.models.registry import resolve_model_path

    return ensemble_dir / spec["path"] if "path" in spec else resolve_model_path(spec["ref"])


def check_member(ensemble_dir: Path, spec: dict[str, Any], folder: Path) -> None:
    """Raise ``MemberChangedError`` if ``folder`` differs from the member the ensemble was built
    with. Members saved before fingerprints existed carry none and are not checked."""
    expected = spec.get("fingerprint")
    if expected is None:
        return
    actual = folder_fingerprint(folder)
    if actual != expected:
        name = spec.get("ref") or spec.get("path")
        raise MemberChangedError(
            f"{ensemble_dir}: member {name!r} ({folder}) has changed since the ensemble was built "
            f"(fingerprint {actual[:19]}..., recorded {expected[:19]}...); its weights and "
            "thresholds were tuned for the old member. Rebuild the ensemble "
            "with its members, restore the member, or load anyway with "
            f"verify_members=False / {ALLOW_CHANGED_ENV}=1.")


def pin_members(ensemble_dir: str | Path) -> dict[str, Any]:
    """Record the current fingerprint of every member in ``cleanspeech.json`` (for ensembles
    saved before members were pinned); returns the new config."""
    from cleanspeech.models.base import CONFIG_FILE, read_model_config, write_json

    ensemble_dir = Path(ensemble_dir)
    config = read_model_config(ensemble_dir)
    for spec in config["members"]:
        spec["fingerprint"] = folder_fingerprint(member_folder(ensemble_dir, spec))
    write_json(ensemble_dir / CONFIG_FILE, config)
    return config
