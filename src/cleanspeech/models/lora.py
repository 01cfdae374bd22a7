"""Low-rank adapters (LoRA) for the span tagger: a larger base at a few MB on disk.

A tagger on all-mpnet-base-v2 fine-tuned in full would store ~7 M parameters per encoder layer;
LoRA trains, beside the classifier, a rank-``r`` update ``B @ A`` for every ``Linear`` of the
encoder layers at or above ``first_layer`` and keeps the base weights as they are, so the folder
holds only ``A``, ``B`` and the classifier. At load the updates are merged into the base weights
(``W + scale * B @ A``): inference costs exactly what the base model costs.

Every ``Linear`` inside ``encoder.layer.{i}`` is adapted, whatever the architecture calls it
(BERT's ``query``/``key``/``value``/``dense``, MPNet's ``q``/``k``/``v``/``o``/``dense``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

LAYER_RE = re.compile(r"(?:^|\.)encoder\.layer\.(\d+)\.")
LORA_KEYS = (".lora_A", ".lora_B")


@lru_cache(maxsize=1)
def _lora_class() -> Any:
    """The adapter module class (built once, on first use, so importing this needs no torch)."""
    import torch

    class LoRALinear(torch.nn.Module):
        """``base(x) + scale * x A^T B^T``; ``B`` starts at zero so training starts at the base."""

        def __init__(self, base: torch.nn.Linear, rank: int, alpha: float) -> None:
            super().__init__()
            self.base = base
            gen = torch.Generator().manual_seed(base.in_features * 7919 + base.out_features)
            self.lora_A = torch.nn.Parameter(torch.randn(rank, base.in_features, generator=gen) / base.in_features**0.5)
            self.lora_B = torch.nn.Parameter(torch.zeros(base.out_features, rank))
            self.scale = alpha / rank

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.base(x) + (x @ self.lora_A.T @ self.lora_B.T) * self.scale

    return LoRALinear


def adapted_names(model: Any, first_layer: int) -> list[str]:
    """Names of the ``Linear`` modules LoRA adapts: those in encoder layers >= ``first_layer``."""
    import torch

    names = []
    for name, module in model.named_modules():
        match = LAYER_RE.search(f".{name}.")
        if isinstance(module, torch.nn.Linear) and match and int(match.group(1)) >= first_layer:
            names.append(name)
    return names


def add_lora(model: Any, first_layer: int, rank: int, alpha: float) -> list[str]:
    """Wrap the adapted ``Linear`` modules in place; returns their names."""
    if rank <= 0 or alpha <= 0:  # alpha 0 scales every update to nothing: nothing would train
        raise ValueError(f"LoRA needs rank > 0 and alpha > 0, not rank={rank}, alpha={alpha}")
    cls = _lora_class()
    names = adapted_names(model, first_layer)
    for name in names:
        parent_name, _, attr = name.rpartition(".")
        parent = model.get_submodule(parent_name)
        setattr(parent, attr, cls(getattr(parent, attr), rank, alpha))
    return names


def is_lora_param(name: str) -> bool:
    return name.endswith(LORA_KEYS)


def merge_lora(model: Any) -> None:
    """Fold every adapter into its base ``Linear`` and put the plain ``Linear`` back."""
    import torch

    cls = _lora_class()
    for name, module in list(model.named_modules()):
        if not isinstance(module, cls):
            continue
        with torch.no_grad():
            module.base.weight += (module.lora_B @ module.lora_A) * module.scale
        parent_name, _, attr = name.rpartition(".")
        setattr(model.get_submodule(parent_name), attr, module.base)
