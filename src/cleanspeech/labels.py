"""The six Jigsaw labels: the single source of truth for their names and order.

Every score array in the project is shaped ``(n, 6)`` with columns in ``LABELS`` order;
dicts keyed by label appear only at the edges (CLI, API, UI).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

LABELS: tuple[str, ...] = ("toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")
N_LABELS = len(LABELS)
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))
LABEL2ID: dict[str, int] = {name: i for i, name in ID2LABEL.items()}


def scores_to_dicts(scores: np.ndarray, ndigits: int | None = 6) -> list[dict[str, float]]:
    """Turn an ``(n, 6)`` score array into ``n`` dicts ``{label: score}`` (for the edges)."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2 or scores.shape[1] != N_LABELS:
        raise ValueError(f"expected scores of shape (n, {N_LABELS}), got {scores.shape}")
    rnd = (lambda x: round(float(x), ndigits)) if ndigits is not None else float
    return [{label: rnd(row[i]) for i, label in enumerate(LABELS)} for row in scores]


def vector_from_mapping(values: Mapping[str, float], what: str = "value") -> np.ndarray:
    """A ``(6,)`` array from a ``{label: value}`` mapping, failing loudly on missing labels."""
    missing = [label for label in LABELS if label not in values]
    if missing:
        raise ValueError(f"{what} is missing labels: {', '.join(missing)}")
    return np.array([float(values[label]) for label in LABELS])


def check_label_names(names: Sequence[str], what: str) -> None:
    """Raise ``ValueError`` naming ``what`` unless every one of ``names`` is a label (configs and
    options that pick labels by name, so a typo fails before any work)."""
    if not set(names) <= set(LABELS):
        raise ValueError(f"{what} must be among {LABELS}, got {list(names)}")


def labels_over(scores: np.ndarray, thresholds: Sequence[float] | np.ndarray) -> list[list[str]]:
    """For each row of an ``(n, 6)`` array, the labels whose score is at or over its threshold."""
    hits = np.asarray(scores) >= np.asarray(thresholds)[None, :]
    return [[LABELS[j] for j in np.flatnonzero(row)] for row in hits]
