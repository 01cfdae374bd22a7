"""Masked multi-label BCE: train on a mixture of sources that each rate only some labels.

A source that says nothing about a label leaves its target ``NaN`` (see
:mod:`cleanspeech.data.sources`). Such an entry must contribute neither loss nor gradient; reading
it as 0 would teach the model that a "not hate" post from a hate-speech set is civil.

Unlike multiplying a per-element loss by a mask afterwards, the NaN targets are replaced before
the loss is computed: ``NaN * 0`` is still ``NaN``, in the loss and in its gradient.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def masked_bce_with_logits(
    logits: torch.Tensor, targets: torch.Tensor, pos_weight: torch.Tensor | None = None,
) -> torch.Tensor:
    """Mean binary cross-entropy over the known (non-NaN) entries of ``targets``.

    ``logits`` and ``targets``: ``(n, 6)``; ``pos_weight``: ``(6,)`` or ``None``, as in
    ``BCEWithLogitsLoss``. Returns a scalar; 0 (still attached to ``logits``) when every target is
    masked, so an all-masked batch is a no-op step rather than a NaN.
    """
    if logits.shape != targets.shape:
        raise ValueError(f"logits {tuple(logits.shape)} and targets {tuple(targets.shape)} differ")
    known = ~torch.isnan(targets)
    safe = torch.where(known, targets, torch.zeros_like(targets)).to(logits.dtype)
    per = F.binary_cross_entropy_with_logits(logits, safe, pos_weight=pos_weight, reduction="none")
    per = torch.where(known, per, torch.zeros_like(per))  # cuts the gradient of masked entries
    return per.sum() / known.sum().clamp(min=1)
