"""A group-hate head: a small network over the transformer member's sentence features.

Why it exists: the shipped encoders learned ``identity_hate`` from 2018 Wikipedia comments, where
nearly every hateful comment carries a slur. Hate without one ("<group> control the media",
"<group> should not vote") scores near zero there. The multi-source mixture
(``cleanspeech.data.sources``: HateXplain, ToxiGen, Implicit Hate, SBIC, Stormfront, ...) teaches
it, and a network on *frozen* features of the member (the mean hidden states of chosen layers, which
the member's ONNX graph returns with its logits: no extra forward pass) learns it from those
sources without retraining the encoder on a CPU. On the held-out parts of the ten train sources it
raised identity_hate ROC-AUC from 0.766 to 0.815 mixed into the cascade at equal weight; a linear
probe on the same features got about half of that, since hate is a topic *and* a stance
(``bench/results/hate_head.md``).

The head is trained multi-task on all six labels (masked where a source is silent; that keeps the
features general), but only its ``identity_hate`` output is served. ``prior_logit`` moves that
output from the mixture's positive rate to Jigsaw's natural one, so it mixes with calibrated
cascade scores on one scale. Weights are safetensors (no pickle); the maths is numpy, so the
ONNX path needs no torch.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import load_file, save_file

from cleanspeech.data.atomic import atomic_folder
from cleanspeech.labels import LABEL2ID

CONFIG_FILE = "head.json"
WEIGHTS_FILE = "head.safetensors"
SERVED = LABEL2ID["identity_hate"]


@dataclass
class HateHeadConfig:
    """What the head reads and how its output joins the cascade (stored in ``head.json``)."""

    features: str = "slow member: mean hidden states of the layers below"
    # transformer layers (1-based) whose means the head reads from the member's per-layer
    # features (models.onnx_backend.layer_means); None: the last layer only (heads before stop 42)
    layers: list[int] | None = None
    hidden: int = 256
    prior_logit: float = 0.0  # added to the served logit: mixture rate -> natural prevalence
    weight: float = 0.5  # its share of identity_hate's logit on the full route
    trained: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HateHeadConfig:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def gelu(x: np.ndarray) -> np.ndarray:
    """The tanh GELU (``torch.nn.GELU(approximate="tanh")``, as trained)."""
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x ** 3)))


def layer_columns(pooled: np.ndarray, layers: list[int] | tuple[int, ...], width: int) -> np.ndarray:
    """The columns of ``layers`` (1-based) in per-layer features ``(n, L·width)``
    (:func:`~cleanspeech.models.onnx_backend.layer_means`), side by side ``(n, len(layers)·width)``."""
    x = np.asarray(pooled, dtype=np.float32)
    if x.ndim != 2 or width < 1 or min(layers) < 1 or max(layers) * width > x.shape[1]:
        raise ValueError(f"layers {list(layers)} of width {width}: features have shape {x.shape}")
    return np.hstack([x[:, (k - 1) * width:k * width] for k in layers])


class HateHead:
    """Standardise -> Linear -> GELU -> Linear (6 outputs); serves ``identity_hate``'s logit."""

    def __init__(self, weights: dict[str, np.ndarray], config: HateHeadConfig | None = None) -> None:
        missing = {"mean", "scale", "w1", "b1", "w2", "b2"} - set(weights)
        if missing:
            raise ValueError(f"hate head weights lack {sorted(missing)}")
        self.weights = {k: np.asarray(v, dtype=np.float32) for k, v in weights.items()}
        self.config = config or HateHeadConfig()
        if not 0.0 <= self.config.weight <= 1.0:
            raise ValueError(f"hate head weight must be in [0, 1], got {self.config.weight}")

    @property
    def dim(self) -> int:
        return int(self.weights["mean"].shape[0])

    def logits(self, features: np.ndarray) -> np.ndarray:
        """All six raw logits ``(n, 6)`` for features ``(n, d)``."""
        w = self.weights
        x = np.asarray(features, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"hate head expects features of shape (n, {self.dim}), got {x.shape}")
        h = gelu((x - w["mean"]) / w["scale"] @ w["w1"].T + w["b1"])
        return h @ w["w2"].T + w["b2"]

    def select(self, pooled: np.ndarray) -> np.ndarray:
        """The columns of the member's per-layer features ``(n, L·w)`` this head reads ``(n, dim)``:
        its ``layers``, each ``w = dim / len(layers)`` wide, or the last ``dim`` columns (the last
        layer) when ``layers`` is None."""
        x = np.asarray(pooled, dtype=np.float32)
        if x.ndim != 2:
            raise ValueError(f"hate head expects features of shape (n, d), got {x.shape}")
        layers = self.config.layers
        if not layers:
            if x.shape[1] < self.dim:
                raise ValueError(f"hate head expects at least {self.dim} feature columns, got {x.shape}")
            return x[:, x.shape[1] - self.dim:]
        width = self.dim // len(layers)
        if width * len(layers) != self.dim:
            raise ValueError(f"hate head reads layers {layers} but has {self.dim} columns")
        return layer_columns(x, layers, width)

    def served_logit(self, features: np.ndarray) -> np.ndarray:
        """``identity_hate``'s logit ``(n,)`` at the natural prevalence, from the member's
        per-layer features (:meth:`select` picks the head's layers)."""
        return self.logits(self.select(features))[:, SERVED] + self.config.prior_logit

    def mix(self, p_identity: np.ndarray, features: np.ndarray) -> np.ndarray:
        """``p_identity`` ``(n,)`` (served scale) mixed with the head in logit space."""
        p = np.clip(np.asarray(p_identity, dtype=np.float64), 1e-6, 1 - 1e-6)
        w = self.config.weight
        z = (1 - w) * np.log(p / (1 - p)) + w * self.served_logit(features)
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)

    def apply(self, probs: np.ndarray, features: np.ndarray) -> np.ndarray:
        """A copy of ``probs`` ``(n, 6)`` with ``identity_hate`` mixed with the head (:meth:`mix`)."""
        out = np.array(probs, dtype=np.float32, copy=True)
        out[:, SERVED] = self.mix(out[:, SERVED], features)
        return out

    # --- persistence -----------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        with atomic_folder(path, replaceable=CONFIG_FILE) as tmp:
            save_file(self.weights, str(tmp / WEIGHTS_FILE))
            (tmp / CONFIG_FILE).write_text(json.dumps(asdict(self.config), indent=2) + "\n", encoding="utf-8")
        return Path(path)

    @classmethod
    def load(cls, path: str | Path) -> HateHead:
        path = Path(path)
        if not (path / WEIGHTS_FILE).exists():
            raise FileNotFoundError(f"{path}: no {WEIGHTS_FILE} (a hate head folder holds {CONFIG_FILE} and {WEIGHTS_FILE})")
        config = HateHeadConfig.from_dict(json.loads((path / CONFIG_FILE).read_text(encoding="utf-8")))
        return cls(load_file(str(path / WEIGHTS_FILE)), config)
