"""Shared fixtures: a small real classifier (the shipped linear model when present, else a
LinearModel fitted on the Jigsaw sample fixture once per session) and a keyword stub."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from stubs import KeywordModel

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "jigsaw_sample.csv"


@pytest.fixture(scope="session")
def model():
    from cleanspeech.models import load_model

    try:
        return load_model("linear")
    except (FileNotFoundError, ValueError, ImportError):
        pass
    from cleanspeech.data.io import read_jigsaw
    from cleanspeech.labels import LABELS
    from cleanspeech.models.linear import LinearConfig, LinearModel

    df = read_jigsaw(FIXTURE, require_labels=True)
    cfg = LinearConfig(max_word_features=20_000, max_char_features=20_000, keep_features=None, min_df=1)
    m = LinearModel(cfg).fit(df["comment_text"].tolist(), df[list(LABELS)].to_numpy())
    m.thresholds = np.full(len(LABELS), 0.5)
    return m


@pytest.fixture
def keyword_model():
    return KeywordModel()


@pytest.fixture(scope="session")
def model_dir(model, tmp_path_factory):
    """A model folder for CLI tests (the shipped one, or the session model saved)."""
    if getattr(model, "path", None) is not None:
        return model.path
    return model.save_pretrained(tmp_path_factory.mktemp("model") / "linear-tiny", tuned_on="test")
