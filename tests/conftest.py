"""Shared fixtures: the small real Jigsaw-schema CSV and a linear model trained on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

FIXTURES = Path(__file__).parent / "fixtures"
JIGSAW_SAMPLE = FIXTURES / "jigsaw_sample.csv"


@pytest.fixture(scope="session")
def jigsaw_sample_path() -> Path:
    """400 real rows of the Jigsaw train set, every label represented."""
    return JIGSAW_SAMPLE


@pytest.fixture(scope="session")
def tiny_linear_dir(tmp_path_factory) -> Path:
    """A linear model folder trained on the fixture (seconds)."""
    from cleanspeech.models.linear import LinearConfig
    from cleanspeech.training.linear import train_linear

    out = tmp_path_factory.mktemp("linear")
    train_linear(JIGSAW_SAMPLE, out, val_fraction=0.25,
                 config=LinearConfig(min_df=1, keep_features=5000))
    return out


@pytest.fixture(scope="session")
def tiny_linear(tiny_linear_dir):
    from cleanspeech.models import load_model

    return load_model(tiny_linear_dir)
