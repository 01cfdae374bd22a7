"""Data for the Streamlit page, kept free of Streamlit so it can be tested on its own.

Scores arrive as ``(n, 6)`` arrays in ``LABELS`` order; frames and dicts are built only here.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.labels import LABELS, labels_over

LABELS_COLUMN = "labels"
FLAGGED_COLUMN = "flagged"
COMMENT_COLUMN = "comment"  # a moderator must see what was flagged: in the table and downloads
LABEL_SEPARATOR = " "
PLOT_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")


def score_bars_frame(scores: np.ndarray, thresholds: np.ndarray) -> pd.DataFrame:
    """One row per label for a single comment: ``label, score, threshold, raised``.

    ``scores`` and ``thresholds`` are ``(6,)`` in ``LABELS`` order.
    """
    scores, thresholds = np.asarray(scores, float), np.asarray(thresholds, float)
    return pd.DataFrame({
        "label": list(LABELS),
        "score": scores.round(4),
        "threshold": thresholds.round(4),
        "raised": scores >= thresholds,
    })


def predictions_frame(
    ids: Sequence[str], scores: np.ndarray, thresholds: np.ndarray,
    texts: Sequence[str] | None = None, flags: np.ndarray | None = None,
) -> pd.DataFrame:
    """The batch result table, one row per input row in order: ``id``, the comment (when
    ``texts`` are given: a moderator must see what was flagged), ``flagged`` (the verdict),
    ``labels`` and the six scores.

    ``labels`` joins the raised labels with ``LABEL_SEPARATOR`` ("" if none).
    """
    scores = np.asarray(scores, float)
    if len(ids) != len(scores):
        raise ValueError(f"{len(ids)} ids but {len(scores)} score rows")
    frame = pd.DataFrame({"id": list(ids)})
    if texts is not None:
        if len(texts) != len(ids):
            raise ValueError(f"{len(ids)} ids but {len(texts)} texts")
        frame[COMMENT_COLUMN] = list(texts)
    # ``flags`` (n, 6): the pipeline's decision (Moderator.flags: language support and the
    # worst sentence included); without it, the thresholds alone
    if not len(scores):
        raised = []
    elif flags is not None:
        raised = [[lab for lab, on in zip(LABELS, row) if on] for row in flags]
    else:
        raised = labels_over(scores, thresholds)
    frame[FLAGGED_COLUMN] = pd.Series([bool(row) for row in raised], dtype=bool)
    frame[LABELS_COLUMN] = pd.Series([LABEL_SEPARATOR.join(row) for row in raised], dtype=object)
    for j, label in enumerate(LABELS):
        frame[label] = scores[:, j] if len(scores) else []
    return frame


def raised_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """Boolean ``(n, 6)`` frame: which labels each row raised (from the ``labels`` column)."""
    sets = frame[LABELS_COLUMN].fillna("").str.split()
    return pd.DataFrame({label: sets.map(lambda s, lab=label: lab in s) for label in LABELS},
                        index=frame.index)


def filter_by_labels(frame: pd.DataFrame, labels: Sequence[str], mode: str = "any") -> pd.DataFrame:
    """Rows raising any (``mode="any"``) or all (``"all"``) of ``labels``; every row if none given.

    ``"none"`` as the only label keeps the rows that raised no label.
    """
    if not labels:
        return frame
    raised = raised_matrix(frame)
    if list(labels) == ["none"]:
        return frame[~raised.any(axis=1)]
    unknown = [lab for lab in labels if lab not in LABELS]
    if unknown:
        raise ValueError(f"unknown label(s) {unknown}; expected some of {list(LABELS)}")
    picked = raised[list(labels)]
    keep = picked.all(axis=1) if mode == "all" else picked.any(axis=1)
    return frame[keep]


def label_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Share of rows raising each label: columns ``label, rate, count`` in ``LABELS`` order."""
    raised = raised_matrix(frame)
    n = max(len(frame), 1)
    return pd.DataFrame({
        "label": list(LABELS),
        "rate": [float(raised[label].sum()) / n for label in LABELS],
        "count": [int(raised[label].sum()) for label in LABELS],
    })


def to_csv_bytes(frame: pd.DataFrame, with_labels: bool = False, with_text: bool = False) -> bytes:
    """UTF-8 CSV bytes for a download button, one row per input row in order.

    Plain: the ``cleanspeech predict`` contract, ``id`` + the six probabilities (``%.6f``).
    ``with_text`` puts the comment after ``id`` (when the frame has it); ``with_labels``
    appends ``flagged`` and ``labels`` (labels over threshold, space-separated)."""
    text = [COMMENT_COLUMN] if with_text and COMMENT_COLUMN in frame else []
    extra = [FLAGGED_COLUMN, LABELS_COLUMN] if with_labels else []
    columns = ["id", *text, *LABELS, *extra]
    return frame[columns].to_csv(index=False, float_format="%.6f").encode("utf-8")


def report_plots(model_path: str | Path | None) -> list[Path]:
    """Evaluation plots shipped with a model (``<model>/report/*.png`` ...), sorted by name."""
    if model_path is None:
        return []
    folder = Path(model_path) / "report"
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in PLOT_SUFFIXES)


def metrics_table(metrics: dict) -> pd.DataFrame | None:
    """A label × metric table from ``metrics.json``; ``None`` when it holds no per-label values.

    Accepts metric-major dicts (``{"roc_auc": {label: v}, ...}``, what the evaluation report
    writes) and label-major ones (``{label: {"roc_auc": v}}``, at the top or under ``per_label``).
    """
    if not isinstance(metrics, dict):
        return None
    columns = {name: [values[label] for label in LABELS] for name, values in metrics.items()
               if isinstance(values, dict) and all(_is_number(values.get(lab)) for lab in LABELS)}
    if columns:
        return pd.DataFrame(columns, index=list(LABELS))
    per_label = metrics.get("per_label", metrics)
    rows = {label: per_label[label] for label in LABELS if isinstance(per_label.get(label), dict)}
    if not rows:
        return None
    table = pd.DataFrame.from_dict(rows, orient="index")
    numeric = table.select_dtypes("number").columns
    return table[numeric] if len(numeric) else None


def headline_metrics(metrics: dict) -> dict[str, float]:
    """The top-level numbers of ``metrics.json`` (``macro_roc_auc``, ``macro_f1``, ...)."""
    if not isinstance(metrics, dict):
        return {}
    return {k: float(v) for k, v in metrics.items() if _is_number(v) and k.startswith("macro")}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
