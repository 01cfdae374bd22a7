"""Figures on a held-out split at a stated prevalence, with bootstrap 95% intervals.

Used for the numbers in model folders' ``metrics.json`` and cards: ROC-AUC (re-weighted to the
serving prevalence and as observed), precision / recall / F1 / flagged share at the shipped
thresholds, and calibration error.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from cleanspeech.evaluation.bootstrap import bootstrap_ci, paired_bootstrap_delta, weighted_macro_auc
from cleanspeech.evaluation.calibration import expected_calibration_error, prevalence_weights
from cleanspeech.evaluation.operating import weighted_prf
from cleanspeech.labels import LABELS


def _per_label_auc(y: np.ndarray, s: np.ndarray, w: np.ndarray | None) -> dict[str, float | None]:
    return {lab: (float(roc_auc_score(y[:, j], s[:, j], sample_weight=w))
                  if 0 < y[:, j].sum() < len(y) else None) for j, lab in enumerate(LABELS)}


def heldout_figures(y: np.ndarray, scores: np.ndarray, thresholds: np.ndarray,
                    prevalence: dict[str, float], n_boot: int = 500) -> dict[str, Any]:
    """All figures for one model on one split; ``prevalence`` is the serving prevalence."""
    y = np.asarray(y).astype(np.int8)
    w = prevalence_weights(y, prevalence)
    auc_w = weighted_macro_auc(y, scores, w)
    auc_u = weighted_macro_auc(y, scores, None)
    return {
        "n": int(len(y)),
        "at_prevalence": {
            "macro_roc_auc": auc_w,
            "macro_roc_auc_ci95": list(bootstrap_ci(weighted_macro_auc, y, scores, w, n_boot)),
            "roc_auc": _per_label_auc(y, scores, w),
            "at_thresholds": weighted_prf(y, scores, thresholds, w),
            "ece": {lab: expected_calibration_error(y[:, j], scores[:, j], weights=w)
                    for j, lab in enumerate(LABELS)},
        },
        "observed": {
            "macro_roc_auc": auc_u,
            "macro_roc_auc_ci95": list(bootstrap_ci(weighted_macro_auc, y, scores, None, n_boot)),
            "roc_auc": _per_label_auc(y, scores, None),
        },
    }


def compare(y: np.ndarray, a: np.ndarray, b: np.ndarray, prevalence: dict[str, float],
            n_boot: int = 500) -> dict[str, float]:
    """Macro ROC-AUC of ``b`` minus ``a`` at ``prevalence``, with a paired bootstrap interval."""
    w = prevalence_weights(np.asarray(y), prevalence)
    return paired_bootstrap_delta(weighted_macro_auc, np.asarray(y), a, b, w, n_boot)
