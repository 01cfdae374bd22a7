"""AdamW with no weight decay on biases and LayerNorm weights, and the linear warm-up schedule."""

from __future__ import annotations

import torch
from transformers import get_linear_schedule_with_warmup

NO_DECAY = ("bias", "LayerNorm.weight", "LayerNorm.bias", "layernorm", "layer_norm", "norm.weight")


def parameter_groups(model: torch.nn.Module, weight_decay: float) -> list[dict]:
    """Two AdamW groups: decayed weights, and biases/LayerNorm parameters with decay 0."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (no_decay if any(nd in name for nd in NO_DECAY) else decay).append(param)
    return [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]


def build_optimizer(model: torch.nn.Module, lr: float, weight_decay: float) -> torch.optim.AdamW:
    return torch.optim.AdamW(parameter_groups(model, weight_decay), lr=lr)


def build_scheduler(optimizer: torch.optim.Optimizer, total_steps: int, warmup_ratio: float):
    """Linear warm-up over ``warmup_ratio`` of ``total_steps``, then linear decay to 0."""
    warmup = int(round(total_steps * warmup_ratio))
    return get_linear_schedule_with_warmup(optimizer, warmup, max(total_steps, 1))
