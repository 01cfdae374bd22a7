"""Prevalence, prevalence weights and calibration error; the calibrator itself re-exported.

:class:`PlattCalibrator`, ``logit`` / ``sigmoid`` and :func:`prior_shift` are defined in
:mod:`cleanspeech.models.calibration`, because a cascade applies them when it scores.

Prevalence: the project's data over-represents toxic comments (about 21% toxic against 9.6% in
natural Jigsaw traffic). A probability calibrated at the dev split's prevalence over-states risk
on natural traffic. :func:`prior_shift` moves calibrated probabilities to another prevalence;
weights from :func:`prevalence_weights` do the same for metrics computed on dev rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from cleanspeech.labels import LABELS
from cleanspeech.models.calibration import EPS, PlattCalibrator, logit, prior_shift, sigmoid

__all__ = ["EPS", "NATURAL_PREVALENCE", "PlattCalibrator", "expected_calibration_error", "logit",
           "prevalence_weights", "prior_shift", "reliability_bins", "resolve_prevalence", "sigmoid"]

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
