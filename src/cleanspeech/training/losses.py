"""Losses for six-label training: plain BCE, the design's inverse-frequency weighted BCE, pos_weight.

Every loss maps ``(logits (b, 6), targets (b, 6))`` to a scalar: the mean over the known targets.
A ``NaN`` target means "label unknown" (an augmentation row that only says ``toxic``, a source of
the multi-source mixture that says nothing about a label) and is left out of the loss, never read
as 0. ``bce`` and ``pos_weight`` are :func:`~cleanspeech.training.masked.masked_bce_with_logits`;
``weighted_bce`` keeps its own path, bit-identical to the design's when no target is NaN.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from cleanspeech.training.masked import masked_bce_with_logits

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def inverse_frequency_weights(labels: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Per-label weights ``(6,)`` proportional to 1 / positive rate, normalised to sum to 6."""
    freq = np.clip(np.nanmean(np.asarray(labels, dtype=float), axis=0), eps, None)
    w = 1.0 / freq
    return w * (len(w) / w.sum())


def positive_weights(labels: np.ndarray, eps: float = 1.0) -> np.ndarray:
    """``pos_weight`` per label: negatives / positives (as in ``BCEWithLogitsLoss``)."""
    labels = np.asarray(labels, dtype=float)
    pos = np.nansum(labels, axis=0)
    known = np.sum(~np.isnan(labels), axis=0)
    return (known - pos) / np.clip(pos, eps, None)


def masked_mean(per: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Mean of the element losses ``per`` over the entries whose target ``y`` is known."""
    known = ~torch.isnan(y)
    return (per * known).sum() / known.sum().clamp(min=1)


def make_loss(name: str, train_labels: np.ndarray) -> tuple[LossFn, dict[str, list[float]]]:
    """The loss ``name`` built from the training labels ``(n, 6)``, and its weights (for the card)."""
    def bce(logits: torch.Tensor, y: torch.Tensor, **kw) -> torch.Tensor:
        y = y.to(logits.dtype)
        return F.binary_cross_entropy_with_logits(logits, torch.nan_to_num(y), reduction="none", **kw)

    if name == "bce":
        return (lambda logits, y: masked_bce_with_logits(logits, y)), {}
    if name == "weighted_bce":
        w = torch.tensor(inverse_frequency_weights(train_labels), dtype=torch.float32)

        def weighted(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            per = bce(logits, y)
            return masked_mean(per * w.to(per.device, per.dtype), y)

        return weighted, {"label_weights": w.tolist()}
    if name == "pos_weight":
        pw = torch.tensor(positive_weights(train_labels), dtype=torch.float32)

        def pos_weighted(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            return masked_bce_with_logits(logits, y, pos_weight=pw.to(logits.device, logits.dtype))

        return pos_weighted, {"pos_weight": pw.tolist()}
    raise ValueError(f"unknown loss {name!r}; choose weighted_bce, bce or pos_weight")
