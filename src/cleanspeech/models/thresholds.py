"""The ``thresholds.json`` of a model folder: per-label decision thresholds and where they were
tuned.

Thresholds depend on label prevalence: tuned at one prevalence they do not transfer to another,
so the file records where they were tuned and the prevalence seen there. Loading and saving live
with the models (every model folder has this file); tuning them is
:mod:`cleanspeech.evaluation.thresholds`.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from cleanspeech.data.io import write_text_atomic
from cleanspeech.labels import LABELS, N_LABELS, vector_from_mapping

DEFAULT_THRESHOLD = 0.5


def save_thresholds(
    path: str | Path, thresholds: np.ndarray, *, tuned_on: str, prevalence: dict[str, float] | None = None,
    objective: str = "max F1 per label",
) -> None:
    """Write ``thresholds.json`` with where the thresholds were tuned and at what prevalence."""
    data = {
        "thresholds": {label: float(t) for label, t in zip(LABELS, thresholds)},
        "tuned_on": tuned_on,
        "objective": objective,
        "prevalence": prevalence or {},
    }
    write_text_atomic(json.dumps(data, indent=2) + "\n", path)  # temp file + rename


def load_thresholds(path: str | Path) -> np.ndarray:
    """The ``(6,)`` thresholds from ``thresholds.json``; 0.5 each when the file is absent."""
    path = Path(path)
    if not path.exists():
        return np.full(N_LABELS, DEFAULT_THRESHOLD)
    data = json.loads(path.read_text(encoding="utf-8"))
    return vector_from_mapping(data["thresholds"], what=str(path))
