"""The steps every training loop shares: AdamW, the linear warm-up schedule, one optimizer step
and the best-epoch bookkeeping.

Both loops use them, the Accelerate classifier loop (:mod:`cleanspeech.training.trainer`) and the
token-tagger loop (:mod:`cleanspeech.training.tagger`), so a change to how either steps or keeps
its best epoch is made once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from transformers import get_linear_schedule_with_warmup

NO_DECAY = ("bias", "LayerNorm.weight", "LayerNorm.bias", "layernorm", "layer_norm", "norm.weight")


def parameter_groups(model: torch.nn.Module, weight_decay: float,
                     no_decay: tuple[str, ...] = NO_DECAY) -> list[dict]:
    """AdamW groups of the trainable parameters: decayed weights, and those whose name holds a
    ``no_decay`` fragment (biases/LayerNorm by default) with decay 0. With ``no_decay`` empty,
    one group: everything decays (the token taggers were trained that way)."""
    decay, kept = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        (kept if any(nd in name for nd in no_decay) else decay).append(param)
    if not no_decay:
        return [{"params": decay, "weight_decay": weight_decay}]
    return [
        {"params": decay, "weight_decay": weight_decay},
        {"params": kept, "weight_decay": 0.0},
    ]


def build_optimizer(model: torch.nn.Module, lr: float, weight_decay: float,
                    no_decay: tuple[str, ...] = NO_DECAY) -> torch.optim.AdamW:
    return torch.optim.AdamW(parameter_groups(model, weight_decay, no_decay), lr=lr)


def linear_schedule(optimizer: torch.optim.Optimizer, total_steps: int, warmup_steps: int) -> Any:
    """Linear warm-up over ``warmup_steps``, then linear decay to 0 at ``total_steps``."""
    return get_linear_schedule_with_warmup(optimizer, warmup_steps, max(total_steps, 1))


def build_scheduler(optimizer: torch.optim.Optimizer, total_steps: int, warmup_ratio: float) -> Any:
    """:func:`linear_schedule` warming up over ``warmup_ratio`` of ``total_steps`` (rounded)."""
    return linear_schedule(optimizer, total_steps, int(round(total_steps * warmup_ratio)))


def apply_gradients(optimizer: torch.optim.Optimizer, scheduler: Any, parameters: Iterable[torch.Tensor],
                    max_grad_norm: float, clip: Callable[..., Any] | None = None) -> None:
    """After ``backward``: clip to ``max_grad_norm`` (0: no clipping), step, advance the
    schedule, clear the gradients. ``clip`` defaults to torch's; Accelerate passes its own, which
    unscales mixed-precision gradients first."""
    if max_grad_norm:
        (clip or torch.nn.utils.clip_grad_norm_)(parameters, max_grad_norm)
    optimizer.step()
    scheduler.step()
    optimizer.zero_grad()


def new_best_state() -> dict[str, Any]:
    """What :func:`record_best` keeps: no epoch yet."""
    return {"best_metric": -float("inf"), "best_epoch": -1, "bad_epochs": 0}


def record_best(state: dict[str, Any], epoch: int, value: float) -> bool:
    """Update ``state`` (``best_metric``, ``best_epoch``, ``bad_epochs``) with an epoch's metric;
    True when it is a new best (strictly higher), which the caller then keeps."""
    if value > state["best_metric"]:
        state.update(best_metric=value, best_epoch=epoch, bad_epochs=0)
        return True
    state["bad_epochs"] += 1
    return False
