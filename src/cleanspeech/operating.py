"""Operating points: the per-label thresholds a request moderates at.

A model ships one threshold per label (tuned on held-out data). A caller may move them for one
request, on every edge (CLI, HTTP API, UI) with the same meaning:

* **sensitivity** ``low`` / ``default`` / ``high``: every threshold moved together. ``high``
  flags more (thresholds scaled down), ``low`` flags less (scaled up), ``default`` keeps the
  model's. The scaling acts on the threshold's odds, ``t / (1 - t)``, by :data:`SENSITIVITY_ODDS`,
  so a moved threshold stays strictly between 0 and 1 and keeps its order across labels
  (a plain multiplication could push a high threshold past 1, where nothing is ever flagged).
* **overrides** ``{label: value}`` (CLI: ``--threshold LABEL=VALUE``): an exact threshold for a
  label, applied after the sensitivity, so an explicit number always wins.

This module depends only on :mod:`cleanspeech.labels`, so any edge can import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from cleanspeech.labels import LABEL2ID, LABELS, N_LABELS

SENSITIVITIES: tuple[str, ...] = ("low", "default", "high")
# Factor on a threshold's odds: high halves them (t=0.5 -> 0.333), low doubles them (0.5 -> 0.667).
SENSITIVITY_ODDS: dict[str, float] = {"low": 2.0, "default": 1.0, "high": 0.5}


def apply_sensitivity(thresholds: np.ndarray | Iterable[float], level: str | None) -> np.ndarray:
    """The ``(6,)`` thresholds moved for a sensitivity ``level`` (``None`` = ``default``).

    ``high`` lowers every threshold (flags more), ``low`` raises it (flags less); a threshold of
    exactly 0 or 1 stays where it is. Unknown levels raise :class:`ValueError`.
    """
    th = np.asarray(list(thresholds) if not isinstance(thresholds, np.ndarray) else thresholds,
                    dtype=float)
    if th.shape != (N_LABELS,):
        raise ValueError(f"expected {N_LABELS} thresholds, got shape {th.shape}")
    level = "default" if level is None else str(level).strip().lower()
    if level not in SENSITIVITY_ODDS:
        raise ValueError(f"unknown sensitivity {level!r}; choose one of {', '.join(SENSITIVITIES)}")
    return scale_odds(th, SENSITIVITY_ODDS[level])


def scale_odds(thresholds: np.ndarray, k: float) -> np.ndarray:
    """Thresholds whose odds are ``k`` times ``thresholds``' (``t' = k t / (k t + 1 - t)``);
    0 and 1 are fixed points."""
    th = np.asarray(thresholds, dtype=float)
    if k == 1.0:
        return th.copy()
    return (k * th) / (k * th + (1.0 - th))


def check_overrides(overrides: Mapping[str, float]) -> dict[str, float]:
    """Validate ``{label: threshold}``: known labels, numbers in [0, 1]. Returns a clean copy."""
    clean: dict[str, float] = {}
    for label, value in overrides.items():
        if label not in LABEL2ID:
            raise ValueError(f"unknown label {label!r} in a threshold; labels are {', '.join(LABELS)}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"threshold for {label} must be a number, got {value!r}") from None
        if not 0.0 <= number <= 1.0:  # also refuses NaN
            raise ValueError(f"threshold for {label} must be between 0 and 1, got {value!r}")
        clean[label] = number
    return clean


def parse_threshold_overrides(items: Iterable[str]) -> dict[str, float]:
    """Parse ``LABEL=VALUE`` strings (the CLI's repeatable ``--threshold``) into overrides.

    Raises :class:`ValueError` with the offending item for a missing ``=``, an unknown label, a
    non-number or a value outside [0, 1]. A label given twice keeps its last value.
    """
    parsed: dict[str, float] = {}
    for item in items:
        label, eq, value = str(item).partition("=")
        if not eq or not label.strip() or not value.strip():
            raise ValueError(f"--threshold {item!r}: expected LABEL=VALUE, e.g. toxic=0.4")
        label = label.strip()
        try:
            parsed.update(check_overrides({label: value.strip()}))
        except ValueError as exc:
            raise ValueError(f"--threshold {item!r}: {exc}") from None
    return parsed


def operating_thresholds(
    thresholds: np.ndarray | Iterable[float],
    sensitivity: str | None = None,
    overrides: Mapping[str, float] | None = None,
) -> np.ndarray:
    """The ``(6,)`` thresholds for one request: the model's, moved by ``sensitivity``, then with
    each label in ``overrides`` set exactly."""
    th = apply_sensitivity(thresholds, sensitivity)
    for label, value in check_overrides(overrides or {}).items():
        th[LABEL2ID[label]] = value
    return th
