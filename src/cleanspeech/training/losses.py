"""Losses for six-label training: plain BCE, the design's inverse-frequency weighted BCE, pos_weight.

Every loss maps ``(logits (b, 6), targets (b, 6))`` to a scalar.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def inverse_frequency_weights(labels: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Per-label weights ``(6,)`` proportional to 1 / positive rate, normalised to sum to 6."""
    freq = np.clip(np.asarray(labels, dtype=float).mean(axis=0), eps, None)
    w = 1.0 / freq
    return w * (len(w) / w.sum())


def positive_weights(labels: np.ndarray, eps: float = 1.0) -> np.ndarray:
    """``pos_weight`` per label: negatives / positives (as in ``BCEWithLogitsLoss``)."""
    labels = np.asarray(labels, dtype=float)
    pos = labels.sum(axis=0)
    return (len(labels) - pos) / np.clip(pos, eps, None)


def make_loss(name: str, train_labels: np.ndarray) -> tuple[LossFn, dict[str, list[float]]]:
    """The loss ``name`` built from the training labels ``(n, 6)``, and its weights (for the card)."""
    if name == "bce":
        return (lambda logits, y: F.binary_cross_entropy_with_logits(logits, y.to(logits.dtype))), {}
    if name == "weighted_bce":
        w = torch.tensor(inverse_frequency_weights(train_labels), dtype=torch.float32)

        def weighted(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            per = F.binary_cross_entropy_with_logits(logits, y.to(logits.dtype), reduction="none")
            return (per * w.to(per.device, per.dtype)).mean()

        return weighted, {"label_weights": w.tolist()}
    if name == "pos_weight":
        pw = torch.tensor(positive_weights(train_labels), dtype=torch.float32)

        def pos_weighted(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return F.binary_cross_entropy_with_logits(
                logits, y.to(logits.dtype), pos_weight=pw.to(logits.device, logits.dtype)
            )

        return pos_weighted, {"pos_weight": pw.tolist()}
    raise ValueError(f"unknown loss {name!r}; choose weighted_bce, bce or pos_weight")
