"""Metrics over ``(n, 6)`` label and score arrays (columns in ``LABELS`` order)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score

from cleanspeech.labels import LABELS


def _per_label(fn, y_true: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    """Apply ``fn`` to each label column; labels with a single class present get NaN."""
    y_true, scores = np.asarray(y_true), np.asarray(scores)
    out = {}
    for j, label in enumerate(LABELS):
        y = y_true[:, j]
        out[label] = float(fn(y, scores[:, j])) if 0 < y.sum() < len(y) else float("nan")
    return out


def roc_auc_per_label(y_true: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    return _per_label(roc_auc_score, y_true, scores)


def pr_auc_per_label(y_true: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    return _per_label(average_precision_score, y_true, scores)


def macro(values: dict[str, float]) -> float:
    """Mean over labels that could be scored (NaN labels are skipped)."""
    finite = [v for v in values.values() if np.isfinite(v)]
    return float(np.mean(finite)) if finite else float("nan")


def scored_labels(values: dict[str, float]) -> list[str]:
    """The labels :func:`macro` averages: those with a finite value (both classes present)."""
    return [label for label, v in values.items() if np.isfinite(v)]


def finite_or_none(data: Any) -> Any:
    """``data`` with NaN / infinite floats replaced by ``None``: ``metrics.json`` must be strict
    JSON (``NaN`` is not), and ``null`` says "not defined here" (a label with no positives)."""
    if isinstance(data, dict):
        return {k: finite_or_none(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [finite_or_none(v) for v in data]
    if isinstance(data, (float, np.floating)) and not np.isfinite(data):
        return None
    return data


def macro_roc_auc(y_true: np.ndarray, scores: np.ndarray) -> float:
    """Mean column-wise ROC-AUC: the Kaggle Jigsaw metric."""
    return macro(roc_auc_per_label(y_true, scores))


def prf_at_thresholds(
    y_true: np.ndarray, scores: np.ndarray, thresholds: np.ndarray
) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support per label at the given ``(6,)`` thresholds."""
    y_true = np.asarray(y_true).astype(bool)
    pred = np.asarray(scores) >= np.asarray(thresholds)[None, :]
    out = {}
    for j, label in enumerate(LABELS):
        tp = float(np.sum(pred[:, j] & y_true[:, j]))
        fp = float(np.sum(pred[:, j] & ~y_true[:, j]))
        fn = float(np.sum(~pred[:, j] & y_true[:, j]))
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        out[label] = {"precision": p, "recall": r, "f1": f1, "support": int(y_true[:, j].sum())}
    return out
