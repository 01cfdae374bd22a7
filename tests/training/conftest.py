"""Shared fixtures: a tiny random DebertaV2 folder and a small real Jigsaw fixture."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "jigsaw_sample.csv"


@pytest.fixture(scope="session")
def tiny_deberta_dir(tmp_path_factory) -> Path:
    from cleanspeech.training.tiny import tiny_deberta

    return tiny_deberta(tmp_path_factory.mktemp("tiny") / "deberta")


@pytest.fixture(scope="session")
def fixture_csv() -> Path:
    return FIXTURE
