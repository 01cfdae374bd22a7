"""The calibration and operating-point part of an evaluation report.

At a stated prevalence (``--prevalence natural``, a toxic rate, or the data as observed) rows
are re-weighted on ``toxic`` (:func:`~cleanspeech.evaluation.calibration.prevalence_weights`);
the report then gives ECE and reliability bins per label, and precision / recall / flagged
share at the model's thresholds: what a moderator will see on traffic at that prevalence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.evaluation.calibration import (
    expected_calibration_error,
    prevalence_weights,
    reliability_bins,
    resolve_prevalence,
)
from cleanspeech.evaluation.operating import weighted_prf
from cleanspeech.labels import LABELS


def calibration_metrics(y: np.ndarray, scores: np.ndarray, thresholds: np.ndarray,
                        prevalence: str | None = None) -> dict[str, Any]:
    y = np.asarray(y).astype(np.int8)
    observed = {lab: float(y[:, j].mean()) for j, lab in enumerate(LABELS)}
    target = resolve_prevalence(prevalence, observed)
    w = prevalence_weights(y, target) if prevalence not in (None, "observed") else np.ones(len(y))
    return {
        "prevalence_name": prevalence or "observed",
        "reweighted_on": "toxic" if prevalence not in (None, "observed") else None,
        "ece": {lab: expected_calibration_error(y[:, j], scores[:, j], weights=w)
                for j, lab in enumerate(LABELS)},
        "reliability": {lab: reliability_bins(y[:, j], scores[:, j], weights=w)
                        for j, lab in enumerate(LABELS)},
        "at_thresholds": weighted_prf(y, scores, thresholds, w),
    }


def calibration_markdown(cal: dict[str, Any]) -> list[str]:
    how = ("rows re-weighted on toxic" if cal["reweighted_on"] else "rows as they are")
    lines = ["", f"## At {cal['prevalence_name']} prevalence ({how})", "",
             "| label | prevalence | flagged | precision | recall | F1 | ECE |", "|---|---|---|---|---|---|---|"]
    for lab in LABELS:
        at = cal["at_thresholds"][lab]
        lines.append(f"| {lab} | {at['prevalence']:.4f} | {at['flagged']:.4f} | {at['precision']:.3f} | "
                     f"{at['recall']:.3f} | {at['f1']:.3f} | {cal['ece'][lab]:.4f} |")
    lines += ["", "Reliability diagram: `reliability.png`."]
    return lines


def plot_reliability(cal: dict[str, Any], out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 8))
    fig.suptitle(f"Reliability at {cal['prevalence_name']} prevalence")
    for ax, lab in zip(axes.ravel(), LABELS):
        bins = cal["reliability"][lab]
        mp, ob = np.array(bins["mean_predicted"]), np.array(bins["observed"])
        ok = np.isfinite(mp)
        ax.plot([0, 1], [0, 1], ls=":", c="grey", label="perfect")
        ax.plot(mp[ok], ob[ok], marker="o", label=f"ECE {cal['ece'][lab]:.4f}")
        ax.set_title(lab)
        ax.set_xlabel("mean predicted probability")
        ax.set_ylabel("observed rate")
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    path = out / "reliability.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return path
