"""The Kaggle Jigsaw metric for a submission file: mean column-wise ROC-AUC over scored rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.data.io import ID_COLUMN, DataError, read_csv, read_label_file
from cleanspeech.evaluation.metrics import macro, roc_auc_per_label
from cleanspeech.labels import LABELS


def read_submission(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """``(ids, scores (n, 6))`` from a submission; every cell must be a finite number."""
    path = Path(path)
    df = read_csv(path)
    missing = [c for c in (ID_COLUMN, *LABELS) if c not in df.columns]
    if missing:
        raise DataError(f"{path}: missing column(s) {missing}")
    scores = np.empty((len(df), len(LABELS)))
    for j, label in enumerate(LABELS):
        col = df[label].str.strip()
        values = np.array([_to_float(v) for v in col])
        bad = ~np.isfinite(values)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataError(f"{path}: column '{label}', line {i + 2} holds {col.iloc[i]!r}, not a number")
        scores[:, j] = values
    return df[ID_COLUMN].to_numpy(), scores


def _to_float(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("nan")


def _check_unique(ids: Any, path: str | Path) -> None:
    """Each id once: two rows for one id (perhaps with different scores) make the score ambiguous."""
    seen: dict[str, int] = {}
    for k, i in enumerate(ids):
        if i in seen:
            raise DataError(f"{path}: id {i!r} appears twice (lines {seen[i] + 2} and {k + 2}); "
                            "each id must appear exactly once")
        seen[i] = k


def score_submission(submission: str | Path, labels: str | Path) -> dict[str, Any]:
    """Join on id, keep rows whose labels are not -1, and average the six ROC-AUCs.

    Like the official scorer, refuses duplicate ids and ids that the labels file does not know.
    """
    ids, scores = read_submission(submission)
    truth = read_label_file(labels)
    _check_unique(ids, submission)
    _check_unique(truth[ID_COLUMN], labels)
    known = set(truth[ID_COLUMN])
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise DataError(f"{submission}: {len(unknown)} id(s) are not in {labels} (first: "
                        f"{unknown[0]!r}); a submission has exactly the ids of the test file")
    scored = truth[(truth[list(LABELS)] != -1).all(axis=1)]
    index = {i: k for k, i in enumerate(ids)}
    absent = [i for i in scored[ID_COLUMN] if i not in index]
    if absent:
        raise DataError(
            f"{submission}: {len(absent)} scored id(s) from {labels} are missing (first: {absent[0]!r})"
        )
    rows = np.array([index[i] for i in scored[ID_COLUMN]], dtype=int)
    auc = roc_auc_per_label(scored[list(LABELS)].to_numpy(), scores[rows])
    return {"roc_auc": auc, "score": macro(auc), "n_scored": int(len(rows))}
