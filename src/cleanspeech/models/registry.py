"""Find and load model folders: shipped names (``linear``, ``default``) or paths.

Loaders are a fixed table keyed by ``model_type`` and imported lazily, so the linear model never
pays for importing torch.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

from cleanspeech.models.base import CONFIG_FILE, ToxicityModel, read_model_config

# model_type -> (module, class). Extended by each model kind's module as it lands.
MODEL_CLASSES: dict[str, tuple[str, str]] = {
    "linear": ("cleanspeech.models.linear", "LinearModel"),
    "transformer": ("cleanspeech.models.transformer", "TransformerModel"),
    "ensemble": ("cleanspeech.models.ensemble", "EnsembleModel"),
    "cascade": ("cleanspeech.models.cascade", "CascadeModel"),
}


# The shipped model folders are package data (``cleanspeech/shipped_models``), so a wheel carries
# them; ``$CLEANSPEECH_MODELS`` points elsewhere (``CLEANSPEECH_MODELS_DIR`` is the old name).
MODELS_ENV = "CLEANSPEECH_MODELS"
MODELS_ENV_ALIASES = ("CLEANSPEECH_MODELS_DIR",)
PACKAGE_MODELS_DIR = Path(__file__).resolve().parents[1] / "shipped_models"


def shipped_models_dir() -> Path:
    """Folder holding the shipped models: ``$CLEANSPEECH_MODELS`` (or the older
    ``$CLEANSPEECH_MODELS_DIR``), else the package's own ``cleanspeech/shipped_models``."""
    for var in (MODELS_ENV, *MODELS_ENV_ALIASES):
        env = os.environ.get(var)
        if env:
            return Path(env)
    return PACKAGE_MODELS_DIR


def shipped_model_names() -> list[str]:
    root = shipped_models_dir()
    names = [p.name for p in root.iterdir() if (p / CONFIG_FILE).exists()] if root.exists() else []
    aliases = root / "aliases.json"
    if aliases.exists():
        names += list(json.loads(aliases.read_text(encoding="utf-8")))
    return sorted(set(names))


def resolve_model_path(name_or_path: str | Path) -> Path:
    """A model folder from a path, or from a shipped name (``default`` follows ``aliases.json``)."""
    candidate = Path(name_or_path)
    if (candidate / CONFIG_FILE).exists():
        return candidate
    root = shipped_models_dir()
    name = str(name_or_path)
    aliases_file = root / "aliases.json"
    if aliases_file.exists():
        name = json.loads(aliases_file.read_text(encoding="utf-8")).get(name, name)
    if (root / name / CONFIG_FILE).exists():
        return root / name
    raise FileNotFoundError(
        f"model {str(name_or_path)!r} is neither a model folder nor a shipped model; "
        f"shipped: {', '.join(shipped_model_names()) or 'none'} (in {root})"
    )


def model_class(model_type: str) -> type[ToxicityModel]:
    try:
        module_name, class_name = MODEL_CLASSES[model_type]
    except KeyError:
        raise ValueError(f"unknown model_type {model_type!r}; known: {sorted(MODEL_CLASSES)}") from None
    return getattr(importlib.import_module(module_name), class_name)


def load_model(name_or_path: str | Path = "default", **kwargs: Any) -> ToxicityModel:
    """Load a model folder or shipped model; ``kwargs`` go to the kind's loader (e.g. backend)."""
    path = resolve_model_path(name_or_path)
    config = read_model_config(path)
    return model_class(config["model_type"]).from_pretrained(path, **kwargs)
