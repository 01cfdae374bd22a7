"""Bootstrap confidence intervals for metrics over ``(n, 6)`` labels and scores."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.metrics import roc_auc_score

from cleanspeech.labels import N_LABELS


def weighted_macro_auc(y: np.ndarray, s: np.ndarray, w: np.ndarray | None = None) -> float:
    """Mean column-wise ROC-AUC with optional row weights; one-class labels are skipped."""
    vals = [roc_auc_score(y[:, j], s[:, j], sample_weight=w) for j in range(N_LABELS)
            if 0 < y[:, j].sum() < len(y)]
    return float(np.mean(vals)) if vals else float("nan")


def bootstrap_ci(metric: Callable[..., float], y: np.ndarray, s: np.ndarray,
                 w: np.ndarray | None = None, n_boot: int = 500, alpha: float = 0.05,
                 seed: int = 0) -> tuple[float, float]:
    """Percentile ``(1 - alpha)`` interval of ``metric(y, s, w)`` over row resamples."""
    rng = np.random.default_rng(seed)
    n, vals = len(y), []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        v = metric(y[idx], s[idx], None if w is None else w[idx])
        if np.isfinite(v):
            vals.append(v)
    lo, hi = np.quantile(vals, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def paired_bootstrap_delta(metric: Callable[..., float], y: np.ndarray, a: np.ndarray,
                           b: np.ndarray, w: np.ndarray | None = None, n_boot: int = 500,
                           seed: int = 0) -> dict[str, float]:
    """``metric(b) - metric(a)`` on the same resamples: the difference and its 95% interval."""
    rng = np.random.default_rng(seed)
    n, deltas = len(y), []
    for _ in range(n_boot):
        idx = rng.integers(0, n, n)
        ww = None if w is None else w[idx]
        deltas.append(metric(y[idx], b[idx], ww) - metric(y[idx], a[idx], ww))
    lo, hi = np.quantile(deltas, [0.025, 0.975])
    return {"delta": metric(y, b, w) - metric(y, a, w), "ci95": [float(lo), float(hi)]}
