"""Per-label Platt calibration and prior-shift correction, as inference needs them.

Scores from different models (or from the two routes of a cascade) are only comparable once
they are on one probability scale. :class:`PlattCalibrator` maps ``sigmoid(a·logit(p) + b)`` per
label, fitted on the dev split — two parameters per label, monotone, so ranking (ROC-AUC) within
a model is unchanged — and stores itself as JSON. :func:`prior_shift` moves calibrated
probabilities to another prevalence by adding ``logit(target) - logit(source)`` to each label's
logit (Saerens et al., 2002).

These live with the models because a cascade applies them at inference; the metrics built on
them (calibration error, prevalence weights) stay in :mod:`cleanspeech.evaluation.calibration`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from cleanspeech.labels import LABELS, N_LABELS

EPS = 1e-6


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), EPS, 1 - EPS)
    return np.log(p / (1 - p))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))


def _fit_platt(z: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1e-3) -> tuple[float, float]:
    """Weighted logistic regression of ``y`` on ``z`` (Newton steps; tiny ridge on ``a``, ``b``)."""
    a, b = 1.0, 0.0
    x = np.stack([z, np.ones_like(z)], axis=1)
    for _ in range(50):
        p = sigmoid(a * z + b)
        grad = x.T @ (w * (p - y)) + l2 * np.array([a - 1.0, b])
        hess = (x * (w * p * (1 - p))[:, None]).T @ x + l2 * np.eye(2)
        step = np.linalg.solve(hess, grad)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


class PlattCalibrator:
    """``p' = sigmoid(a_j · logit(p_j) + b_j)`` per label; identity where a label had one class."""

    def __init__(self, a: np.ndarray | None = None, b: np.ndarray | None = None,
                 fitted_on: str = "", prevalence: Mapping[str, float] | None = None) -> None:
        self.a = np.ones(N_LABELS) if a is None else np.asarray(a, dtype=np.float64)
        self.b = np.zeros(N_LABELS) if b is None else np.asarray(b, dtype=np.float64)
        self.fitted_on = fitted_on
        # the prevalence the calibrated probabilities refer to (that of the fitting data,
        # after weighting)
        self.prevalence = dict(prevalence or {})

    @classmethod
    def fit(cls, scores: np.ndarray, y: np.ndarray, weights: np.ndarray | None = None,
            fitted_on: str = "") -> PlattCalibrator:
        scores, y = np.asarray(scores), np.asarray(y, dtype=np.float64)
        w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
        a, b = np.ones(N_LABELS), np.zeros(N_LABELS)
        for j in range(N_LABELS):
            if 0 < y[:, j].sum() < len(y):
                a[j], b[j] = _fit_platt(logit(scores[:, j]), y[:, j], w)
        prev = {lab: float(np.average(y[:, j], weights=w)) for j, lab in enumerate(LABELS)}
        return cls(a, b, fitted_on=fitted_on, prevalence=prev)

    def transform_logits(self, scores: np.ndarray) -> np.ndarray:
        return self.a[None, :] * logit(scores) + self.b[None, :]

    def transform(self, scores: np.ndarray) -> np.ndarray:
        return sigmoid(self.transform_logits(scores)).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "platt", "fitted_on": self.fitted_on,
                "a": {lab: float(v) for lab, v in zip(LABELS, self.a)},
                "b": {lab: float(v) for lab, v in zip(LABELS, self.b)},
                "prevalence": self.prevalence}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlattCalibrator:
        if data.get("kind", "platt") != "platt":
            raise ValueError(f"unknown calibrator kind {data.get('kind')!r}; known: platt")
        return cls([data["a"][lab] for lab in LABELS], [data["b"][lab] for lab in LABELS],
                   fitted_on=data.get("fitted_on", ""), prevalence=data.get("prevalence"))


def prior_shift(probs: np.ndarray, source: Mapping[str, float], target: Mapping[str, float]) -> np.ndarray:
    """Probabilities calibrated at prevalence ``source`` re-expressed at prevalence ``target``."""
    shift = np.array([logit(target[lab]) - logit(source[lab]) for lab in LABELS], dtype=np.float64)
    return sigmoid(logit(probs) + shift[None, :]).astype(np.float32)
