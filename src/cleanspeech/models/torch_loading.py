"""The PyTorch classifier from a model folder: the one loader the torch backend, the ONNX export
and Integrated Gradients share (kept apart from ``transformer`` and ``onnx_backend`` so neither
imports the other)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

INT8_WEIGHTS = "model.int8.safetensors"


def load_torch_module(path: Path, config: dict[str, Any]):
    """The PyTorch classifier from a model folder (int8 weights are dequantised to float32)."""
    import torch
    from transformers import AutoConfig, AutoModelForSequenceClassification

    if config.get("weights_format", "hf") != "int8":
        module = AutoModelForSequenceClassification.from_pretrained(path, dtype=torch.float32)
        return module.eval()
    from safetensors.torch import load_file

    from cleanspeech.models.quantize import dequantize_state_dict

    module = AutoModelForSequenceClassification.from_config(AutoConfig.from_pretrained(path))
    state = dequantize_state_dict(load_file(str(Path(path) / INT8_WEIGHTS)))
    missing, unexpected = module.load_state_dict(state, strict=False)
    bad = [k for k in missing if "position_ids" not in k] + list(unexpected)
    if bad:
        raise ValueError(f"{Path(path) / INT8_WEIGHTS}: weights do not match config.json ({bad[:5]})")
    return module.float().eval()
