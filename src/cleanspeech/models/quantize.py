"""Int8 weight storage: per-row symmetric quantisation of 2-D float tensors (safetensors, no pickle).

:func:`quantize_rows` is the one int8 quantiser: each row of a 2-D float array becomes int8 values
and one float32 scale (``max |row| / 127``), so ``int8 * scale`` restores it to within half a step.
The classifier's weights (``model.int8.safetensors``) and the span tagger's trained layers both go
through it.

A state dict ``{name: tensor}`` becomes ``{name: int8 (r, c), name + SCALE: float32 (r,)}`` for
every 2-D float tensor with at least ``min_elems`` elements; other tensors are kept as float16
(or as they are, for integer buffers). ``dequantize_state_dict`` inverts it to float32.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SCALE = ".__int8_scale__"


def quantize_rows(weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(int8 (r, c), scale float32 (r,))`` for a 2-D float array, symmetric per row."""
    w = np.asarray(weights, dtype=np.float32)
    # all-zero rows get a tiny scale rather than 0 so the division below stays finite
    scale = np.maximum(np.abs(w).max(axis=1), np.float32(1e-12)) / np.float32(127.0)
    q = np.clip(np.round(w / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def dequantize_rows(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Invert :func:`quantize_rows`: float32 ``(r, c)`` from int8 values and per-row scales."""
    return q.astype(np.float32) * np.asarray(scale, dtype=np.float32).reshape(-1, 1)


def quantize_state_dict(state: dict[str, Any], min_elems: int = 4096) -> dict[str, Any]:
    import torch

    out: dict[str, torch.Tensor] = {}
    for name, t in state.items():
        t = t.detach().cpu()
        if t.is_floating_point() and t.dim() == 2 and t.numel() >= min_elems:
            q, scale = quantize_rows(t.float().numpy())
            out[name], out[name + SCALE] = torch.from_numpy(q), torch.from_numpy(scale)
        elif t.is_floating_point():
            out[name] = t.to(torch.float16)
        else:
            out[name] = t.contiguous()
    return out


def dequantize_state_dict(state: dict[str, Any]) -> dict[str, Any]:
    import torch

    out: dict[str, torch.Tensor] = {}
    for name, t in state.items():
        if name.endswith(SCALE):
            continue
        if name + SCALE in state:
            out[name] = torch.from_numpy(dequantize_rows(t.numpy(), state[name + SCALE].float().numpy()))
        elif t.is_floating_point():
            out[name] = t.float()
        else:
            out[name] = t
    return out
