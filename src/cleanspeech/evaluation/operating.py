"""Operating points: per-label thresholds for max F1, a target precision or a target recall,
at a stated prevalence.

Precision depends on prevalence; recall does not. Thresholds chosen on dev rows at the dev
split's 21% toxic rate over-flag natural traffic (~10%), so every choice here takes row weights
(:func:`cleanspeech.evaluation.calibration.prevalence_weights`) that re-weight dev to the
prevalence the model will serve at.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cleanspeech.labels import LABELS, N_LABELS

OBJECTIVES = ("f1", "precision", "recall")


@dataclass(frozen=True)
class OperatingPoint:
    """``objective`` is ``f1`` (maximise), ``precision`` or ``recall`` (reach ``target``)."""

    objective: str = "f1"
    target: float | None = None

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, got {self.objective!r}")
        if self.objective != "f1" and not (self.target and 0 < self.target <= 1):
            raise ValueError(f"objective {self.objective!r} needs a target in (0, 1]")

    @classmethod
    def parse(cls, text: str) -> OperatingPoint:
        """``"f1"``, ``"precision=0.9"`` or ``"recall=0.8"``."""
        name, _, value = text.partition("=")
        return cls(name.strip(), float(value) if value else None)

    def describe(self) -> str:
        return "max F1" if self.objective == "f1" else f"{self.objective} >= {self.target:g}"


def weighted_pr_curve(y: np.ndarray, s: np.ndarray, w: np.ndarray):
    """Precision, recall at every distinct score used as threshold (``score >= t``)."""
    order = np.argsort(-s, kind="stable")
    s, y, w = s[order], y[order].astype(bool), w[order]
    tp = np.cumsum(w * y)
    fp = np.cumsum(w * ~y)
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # last index of each distinct score
    tp, fp, t = tp[last], fp[last], s[last]
    precision = tp / np.clip(tp + fp, 1e-12, None)
    recall = tp / max(tp[-1], 1e-12)
    return precision, recall, t


def choose_threshold(y: np.ndarray, s: np.ndarray, point: OperatingPoint,
                     w: np.ndarray | None = None) -> float:
    """One label's threshold for ``point``; 0.5 when the label has one class only."""
    y, s = np.asarray(y), np.asarray(s, dtype=np.float64)
    w = np.ones(len(y)) if w is None else np.asarray(w, dtype=np.float64)
    if not 0 < y.sum() < len(y):
        return 0.5
    p, r, t = weighted_pr_curve(y, s, w)
    if point.objective == "f1":
        f1 = 2 * p * r / np.clip(p + r, 1e-12, None)
        return float(t[int(np.argmax(f1))])
    if point.objective == "precision":
        ok = np.nonzero(p >= point.target)[0]
        # the lowest threshold (highest recall) that still reaches the precision target
        return float(t[ok.max()]) if len(ok) else float(t[0])
    ok = np.nonzero(r >= point.target)[0]
    return float(t[ok.min()])  # the highest threshold that reaches the recall target


def choose_thresholds(y: np.ndarray, scores: np.ndarray, point: OperatingPoint,
                      weights: np.ndarray | None = None) -> np.ndarray:
    """``(6,)`` thresholds in ``LABELS`` order."""
    return np.array([choose_threshold(y[:, j], scores[:, j], point, weights)
                     for j in range(N_LABELS)])


def weighted_prf(y: np.ndarray, scores: np.ndarray, thresholds: np.ndarray,
                 weights: np.ndarray | None = None) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and flagged share per label at ``thresholds``, rows weighted."""
    y = np.asarray(y).astype(bool)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    pred = np.asarray(scores) >= np.asarray(thresholds)[None, :]
    out = {}
    for j, label in enumerate(LABELS):
        tp = float(w[pred[:, j] & y[:, j]].sum())
        fp = float(w[pred[:, j] & ~y[:, j]].sum())
        fn = float(w[~pred[:, j] & y[:, j]].sum())
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[label] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                      "flagged": float(w[pred[:, j]].sum() / w.sum()),
                      "prevalence": float(w[y[:, j]].sum() / w.sum())}
    return out
