"""Int8 weight storage: per-row symmetric quantisation of 2-D float tensors (safetensors, no pickle).

A state dict ``{name: tensor}`` becomes ``{name: int8 (r, c), name + SCALE: float32 (r,)}`` for
every 2-D float tensor with at least ``min_elems`` elements; other tensors are kept as float16
(or as they are, for integer buffers). ``dequantize_state_dict`` inverts it to float32.
"""

from __future__ import annotations

import torch

SCALE = ".__int8_scale__"


def quantize_state_dict(state: dict[str, torch.Tensor], min_elems: int = 4096) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    for name, t in state.items():
        t = t.detach().cpu()
        if t.is_floating_point() and t.dim() == 2 and t.numel() >= min_elems:
            t = t.float()
            scale = t.abs().amax(dim=1).clamp(min=1e-12) / 127.0
            out[name] = torch.round(t / scale[:, None]).clamp(-127, 127).to(torch.int8)
            out[name + SCALE] = scale
        elif t.is_floating_point():
            out[name] = t.to(torch.float16)
        else:
            out[name] = t.contiguous()
    return out


def dequantize_state_dict(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    for name, t in state.items():
        if name.endswith(SCALE):
            continue
        if name + SCALE in state:
            out[name] = t.float() * state[name + SCALE][:, None].float()
        elif t.is_floating_point():
            out[name] = t.float()
        else:
            out[name] = t
    return out
