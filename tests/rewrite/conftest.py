"""Shared fixtures: a small real classifier (the shipped linear model when present, else a
LinearModel fitted on the Jigsaw sample fixture once per session)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

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


BAD = {"idiot": 0.95, "fucking": 0.97, "stupid": 0.8, "shit": 0.9, "moron": 0.9, "bad": 0.3}


class KeywordModel:
    """A deterministic stand-in classifier for plumbing tests: toxicity comes from bad words.

    ``predict_proba`` gives ``(n, 6)``: every label gets the max weight of the bad words present
    (0.05 when none), so ``toxic`` is over its 0.5 threshold exactly when a strong word is there.
    """

    thresholds = np.full(6, 0.5)

    def __init__(self, weights: dict[str, float] | None = None) -> None:
        self.weights = weights or BAD
        self.calls = 0

    def predict_proba(self, texts):
        self.calls += 1
        out = np.full((len(texts), 6), 0.05)
        for i, t in enumerate(texts):
            words = t.lower().replace(",", " ").replace(".", " ").split()
            out[i, :] = max([0.05] + [self.weights.get(w, 0.05) for w in words])
        return out


@pytest.fixture
def keyword_model():
    return KeywordModel()


@pytest.fixture(scope="session")
def model_dir(model, tmp_path_factory):
    """A model folder for CLI tests (the shipped one, or the session model saved)."""
    if getattr(model, "path", None) is not None:
        return model.path
    return model.save_pretrained(tmp_path_factory.mktemp("model") / "linear-tiny", tuned_on="test")
