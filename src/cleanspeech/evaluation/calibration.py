"""Per-label calibration, prior-shift correction and calibration error.

Scores from different models (or from the two routes of a cascade) are only comparable once
they are on one probability scale. :class:`PlattCalibrator` fits ``sigmoid(a·logit(p) + b)`` per
label on the dev split — two parameters per label, monotone, so ranking (ROC-AUC) within a model
is unchanged — and stores itself as JSON.

Prevalence: the project's data over-represents toxic comments (about 21% toxic against 9.6% in
natural Jigsaw traffic). A probability calibrated at the dev split's prevalence over-states risk
on natural traffic. :func:`prior_shift` moves calibrated probabilities to another prevalence by
adding ``logit(target) - logit(source)`` to each label's logit (Saerens et al., 2002); weights
from :func:`prevalence_weights` do the same for metrics computed on dev rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from cleanspeech.labels import LABELS, N_LABELS

EPS = 1e-6

# Label rates of the full official Jigsaw train.csv (159,571 rows; the public counts:
# toxic 15,294, severe_toxic 1,595, obscene 8,449, threat 478, insult 7,877,
# identity_hate 1,405). "natural" prevalence in every command means these.
NATURAL_PREVALENCE: dict[str, float] = {
    "toxic": 15294 / 159571,
    "severe_toxic": 1595 / 159571,
    "obscene": 8449 / 159571,
    "threat": 478 / 159571,
    "insult": 7877 / 159571,
    "identity_hate": 1405 / 159571,
}


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


def resolve_prevalence(spec: str | Mapping[str, float] | None,
                       observed: Mapping[str, float] | None = None) -> dict[str, float] | None:
    """``"natural"`` → :data:`NATURAL_PREVALENCE`; ``"observed"``/None → ``observed``;
    a float string (``"0.1"``) scales the natural rates so that ``toxic`` has that rate;
    a mapping is taken as per-label rates."""
    if spec is None or spec == "observed":
        return dict(observed) if observed is not None else None
    if isinstance(spec, Mapping):
        return {lab: float(spec[lab]) for lab in LABELS}
    if spec == "natural":
        return dict(NATURAL_PREVALENCE)
    try:
        rate = float(spec)
    except ValueError:
        raise ValueError(f"prevalence must be 'natural', 'observed' or a toxic rate in (0, 1), "
                         f"got {spec!r}") from None
    if not 0 < rate < 1:
        raise ValueError(f"prevalence must be in (0, 1), got {rate}")
    scale = rate / NATURAL_PREVALENCE["toxic"]
    return {lab: min(0.99, v * scale) for lab, v in NATURAL_PREVALENCE.items()}


def prior_shift(probs: np.ndarray, source: Mapping[str, float], target: Mapping[str, float]) -> np.ndarray:
    """Probabilities calibrated at prevalence ``source`` re-expressed at prevalence ``target``."""
    shift = np.array([logit(target[lab]) - logit(source[lab]) for lab in LABELS], dtype=np.float64)
    return sigmoid(logit(probs) + shift[None, :]).astype(np.float32)


def prevalence_weights(y: np.ndarray, target: Mapping[str, float], label: str = "toxic") -> np.ndarray:
    """Row weights that give ``label`` the ``target`` prevalence on these rows.

    The project's data was over-sampled on ``toxic``, so re-weighting on it recovers natural
    traffic for metrics (weighted ROC-AUC, precision at a threshold, routed share).
    """
    col = np.asarray(y)[:, LABELS.index(label)].astype(bool)
    observed = col.mean()
    if observed in (0.0, 1.0):
        return np.ones(len(col))
    t = float(target[label])
    return np.where(col, t / observed, (1 - t) / (1 - observed))


def reliability_bins(y: np.ndarray, p: np.ndarray, n_bins: int = 10,
                     weights: np.ndarray | None = None) -> dict[str, list[float]]:
    """Mean predicted vs observed rate in equal-width bins of one label's probability."""
    y, p = np.asarray(y, dtype=np.float64), np.asarray(p, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    edges = np.linspace(0, 1, n_bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, n_bins - 1)
    out: dict[str, list[float]] = {"mean_predicted": [], "observed": [], "weight": []}
    for k in range(n_bins):
        m = idx == k
        wk = w[m].sum()
        out["mean_predicted"].append(float(np.average(p[m], weights=w[m])) if wk else float("nan"))
        out["observed"].append(float(np.average(y[m], weights=w[m])) if wk else float("nan"))
        out["weight"].append(float(wk / w.sum()))
    return out


def expected_calibration_error(y: np.ndarray, p: np.ndarray, n_bins: int = 10,
                               weights: np.ndarray | None = None) -> float:
    """ECE: the bin-weighted mean gap between predicted and observed rate."""
    bins = reliability_bins(y, p, n_bins, weights)
    return float(sum(wt * abs(mp - ob) for mp, ob, wt in
                     zip(bins["mean_predicted"], bins["observed"], bins["weight"]) if wt > 0))
