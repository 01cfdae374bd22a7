"""Fixtures for the UI tests: a real model folder to serve (the shipped ``default`` model when
present, else a tiny linear model trained in seconds on the committed fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleanspeech.labels import LABELS

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "jigsaw_sample.csv"


def _tiny_linear_model(folder: Path) -> Path:
    from cleanspeech.data.io import read_jigsaw
    from cleanspeech.models.linear import LinearConfig, LinearModel

    frame = read_jigsaw(FIXTURE, require_labels=True)
    config = LinearConfig(max_word_features=20_000, max_char_features=20_000, keep_features=None,
                          min_df=1)
    model = LinearModel(config).fit(frame["comment_text"].tolist(), frame[list(LABELS)].to_numpy())
    return model.save_pretrained(folder, tuned_on="none (UI test fixture)")


@pytest.fixture(scope="session")
def ui_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A model name or folder for ``--model``."""
    from cleanspeech.models.registry import resolve_model_path

    try:
        resolve_model_path("default")
        return "default"
    except FileNotFoundError:
        return str(_tiny_linear_model(tmp_path_factory.mktemp("ui-model") / "tiny-linear"))


@pytest.fixture(scope="session")
def fixture_csv() -> Path:
    """The committed Jigsaw sample (975 labelled rows)."""
    return FIXTURE
