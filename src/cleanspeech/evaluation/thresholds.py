"""Per-label decision thresholds tuned to maximise F1 on a validation split.

Thresholds depend on label prevalence: tuned at one prevalence they do not transfer to another,
so the saved ``thresholds.json`` records where they were tuned and the prevalence seen there.
Reading and writing that file is :mod:`cleanspeech.models.thresholds` (re-exported here).
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import precision_recall_curve

from cleanspeech.labels import LABELS, N_LABELS
from cleanspeech.models.thresholds import DEFAULT_THRESHOLD, load_thresholds, save_thresholds

__all__ = ["DEFAULT_THRESHOLD", "best_f1_threshold", "load_thresholds", "prevalence",
           "save_thresholds", "tune_thresholds"]


def best_f1_threshold(y_true: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """``(threshold, f1)`` maximising F1 for one label; 0.5 when the label has no positives."""
    y_true = np.asarray(y_true)
    if y_true.sum() == 0 or y_true.sum() == len(y_true):
        return DEFAULT_THRESHOLD, float("nan")
    precision, recall, thresholds = precision_recall_curve(y_true, scores)
    f1 = 2 * precision * recall / np.clip(precision + recall, 1e-12, None)
    best = int(np.argmax(f1[:-1]))  # the last PR point has no threshold
    return float(thresholds[best]), float(f1[best])


def tune_thresholds(y_true: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, dict[str, float]]:
    """Per-label F1-optimal thresholds ``(6,)`` and the F1 each reaches on this data."""
    ths, f1s = np.full(N_LABELS, DEFAULT_THRESHOLD), {}
    for j, label in enumerate(LABELS):
        ths[j], f1s[label] = best_f1_threshold(y_true[:, j], scores[:, j])
    return ths, f1s


def prevalence(y_true: np.ndarray) -> dict[str, float]:
    """Share of positives per label."""
    return {label: float(np.mean(np.asarray(y_true)[:, j])) for j, label in enumerate(LABELS)}
