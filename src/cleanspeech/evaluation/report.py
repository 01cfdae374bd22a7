"""Evaluation reports: ``metrics.json``, a Markdown summary and PNG plots in one folder."""

from __future__ import annotations

import datetime as _dt
import json
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.data.io import write_text_atomic
from cleanspeech.evaluation.metrics import (
    finite_or_none,
    macro,
    pr_auc_per_label,
    prf_at_thresholds,
    roc_auc_per_label,
    scored_labels,
)
from cleanspeech.evaluation.thresholds import prevalence, tune_thresholds
from cleanspeech.labels import LABELS


def compute_metrics(y_true: np.ndarray, scores: np.ndarray, thresholds: np.ndarray) -> dict[str, Any]:
    """All headline metrics for ``(n, 6)`` labels and scores at the model's ``(6,)`` thresholds.

    Also reports the F1 that per-label tuning would reach on this same data (``oracle_f1``): an
    upper bound, not a claim, since those thresholds are fitted to the data they are scored on.
    """
    roc, pr = roc_auc_per_label(y_true, scores), pr_auc_per_label(y_true, scores)
    at_model = prf_at_thresholds(y_true, scores, thresholds)
    oracle_ths, oracle_f1 = tune_thresholds(y_true, scores)
    return {
        "n": int(len(y_true)),
        "prevalence": prevalence(y_true),
        "roc_auc": roc,
        "macro_roc_auc": macro(roc),
        # ROC/PR-AUC are undefined for a label with one class only: those macros skip it, while
        # macro F1 counts it (F1 0). Say which labels each average covers.
        "macro_labels": {"roc_auc": scored_labels(roc), "pr_auc": scored_labels(pr),
                         "f1": list(LABELS)},
        "pr_auc": pr,
        "macro_pr_auc": macro(pr),
        "thresholds": {label: float(t) for label, t in zip(LABELS, thresholds)},
        "at_thresholds": at_model,
        "macro_f1": macro({k: v["f1"] for k, v in at_model.items()}),
        "oracle_thresholds": {label: float(t) for label, t in zip(LABELS, oracle_ths)},
        "oracle_f1": oracle_f1,
        "macro_oracle_f1": macro(oracle_f1),
    }


def _num(value: float | None, digits: int = 4) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def _coverage(metrics: dict[str, Any]) -> str:
    """Which labels the macro averages cover, when a label could not be scored."""
    covered = metrics.get("macro_labels", {}).get("roc_auc", list(LABELS))
    skipped = [label for label in LABELS if label not in covered]
    if not skipped:
        return "Macro averages are over all six labels."
    return (f"Macro ROC-AUC and PR-AUC average the {len(covered)} labels with both classes "
            f"present ({', '.join(skipped)}: one class only, n/a); macro F1 averages all six, "
            "counting those as F1 0.")


def summary_markdown(metrics: dict[str, Any], title: str = "Evaluation") -> str:
    lines = [
        f"# {title}",
        "",
        f"Rows: {metrics['n']}. Macro ROC-AUC **{_num(metrics['macro_roc_auc'])}**, "
        f"macro PR-AUC {_num(metrics['macro_pr_auc'])}, macro F1 at the model's thresholds "
        f"{_num(metrics['macro_f1'])} (F1-optimal on this data: {_num(metrics['macro_oracle_f1'])}).",
        _coverage(metrics),
        "",
        "| label | prevalence | ROC-AUC | PR-AUC | threshold | precision | recall | F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label in LABELS:
        at = metrics["at_thresholds"][label]
        lines.append(
            f"| {label} | {metrics['prevalence'][label]:.4f} | {_num(metrics['roc_auc'][label])} | "
            f"{_num(metrics['pr_auc'][label])} | {metrics['thresholds'][label]:.3f} | "
            f"{at['precision']:.3f} | {at['recall']:.3f} | {at['f1']:.3f} |"
        )
    lines += ["", "Plots: `roc.png`, `pr.png`, `f1_threshold.png`."]
    return "\n".join(lines) + "\n"


def _grid(title: str):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(13, 8))
    fig.suptitle(title)
    return fig, axes.ravel(), plt


def plot_curves(y_true: np.ndarray, scores: np.ndarray, thresholds: np.ndarray, out: Path) -> list[Path]:
    """ROC and PR curves per label and F1 against threshold, as three PNG files."""
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    written = []
    for name, title in (("roc", "ROC per label"), ("pr", "Precision-recall per label"),
                        ("f1_threshold", "F1 against threshold")):
        fig, axes, plt = _grid(title)
        for j, (ax, label) in enumerate(zip(axes, LABELS)):
            y, s = y_true[:, j], scores[:, j]
            ax.set_title(label)
            if not 0 < y.sum() < len(y):
                ax.text(0.5, 0.5, "one class only", ha="center")
                continue
            pred = s >= thresholds[j]
            op_tpr, op_fpr = pred[y == 1].mean(), pred[y == 0].mean()
            op_prec = (y[pred] == 1).mean() if pred.any() else 1.0
            if name == "roc":
                fpr, tpr, _ = roc_curve(y, s)
                ax.plot(fpr, tpr, label=f"AUC {roc_auc_score(y, s):.4f}")
                ax.plot([0, 1], [0, 1], ls=":", c="grey")
                ax.plot([op_fpr], [op_tpr], "o", c="red", label=f"threshold {thresholds[j]:.3f}")
                ax.legend(loc="lower right", fontsize=8)
                ax.set_xlabel("false positive rate")
                ax.set_ylabel("true positive rate")
            elif name == "pr":
                p, r, _ = precision_recall_curve(y, s)
                ax.plot(r, p, label=f"AP {average_precision_score(y, s):.4f}")
                ax.axhline(y.mean(), ls=":", c="grey", label=f"prevalence {y.mean():.4f}")
                ax.plot([op_tpr], [op_prec], "o", c="red", label=f"threshold {thresholds[j]:.3f}")
                ax.legend(loc="lower left", fontsize=8)
                ax.set_xlabel("recall")
                ax.set_ylabel("precision")
            else:
                p, r, t = precision_recall_curve(y, s)
                f1 = 2 * p * r / np.clip(p + r, 1e-12, None)
                ax.plot(t, f1[:-1])
                ax.axvline(thresholds[j], ls="--", c="red", label="model threshold")
                ax.set_xlabel("threshold")
                ax.set_ylabel("F1")
                ax.legend(loc="lower center", fontsize=8)
        fig.tight_layout()
        path = out / f"{name}.png"
        fig.savefig(path, dpi=80)
        plt.close(fig)
        written.append(path)
    return written


def write_report(
    y_true: np.ndarray, scores: np.ndarray, thresholds: np.ndarray, out_dir: str | Path,
    *, title: str = "Evaluation", extra: dict[str, Any] | None = None,
    prevalence: str | None = None,
) -> dict[str, Any]:
    """Write ``metrics.json``, ``summary.md`` and the plots into ``out_dir``; return the metrics.

    ``prevalence`` (``natural``, a toxic rate such as ``0.1``, or None = as observed) is where
    calibration (ECE, reliability) and precision/recall at the thresholds are reported.
    """
    from cleanspeech.evaluation.report_calibration import (
        calibration_markdown,
        calibration_metrics,
        plot_reliability,
    )

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    metrics = compute_metrics(np.asarray(y_true), np.asarray(scores), np.asarray(thresholds))
    metrics["calibration"] = calibration_metrics(y_true, np.asarray(scores), np.asarray(thresholds),
                                                 prevalence)
    metrics.update(extra or {})
    metrics["created"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    write_text_atomic(json.dumps(finite_or_none(metrics), indent=2, allow_nan=False) + "\n",
                      out / "metrics.json")
    summary = summary_markdown(metrics, title) + "\n".join(calibration_markdown(metrics["calibration"])) + "\n"
    write_text_atomic(summary, out / "summary.md")
    plot_curves(np.asarray(y_true), np.asarray(scores), np.asarray(thresholds), out)
    plot_reliability(metrics["calibration"], out)
    return metrics
