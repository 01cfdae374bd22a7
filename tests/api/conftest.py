"""Fixtures for the API tests: a tiny deterministic keyword model, so the tests take seconds and
do not depend on a shipped model (the acceptance test uses the shipped one when present)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from fastapi.testclient import TestClient

from cleanspeech.api import create_app
from cleanspeech.labels import LABELS
from cleanspeech.models.base import ToxicityModel
from cleanspeech.pipeline import Moderator

# word -> labels it raises (scores 0.9), everything else scores 0.05
KEYWORDS = {
    "idiot": ("toxic", "insult"),
    "disgusting": ("toxic",),
    "kill": ("toxic", "threat"),
}


class KeywordModel(ToxicityModel):
    """``predict_proba`` -> ``(n, 6)``: 0.9 for labels whose keyword occurs, else 0.05."""

    model_type = "keyword-test"

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.full((len(texts), len(LABELS)), 0.05)
        for i, text in enumerate(texts):
            words = text.lower().replace(".", " ").split()
            for word, labels in KEYWORDS.items():
                if word in words:
                    out[i, [LABELS.index(lab) for lab in labels]] = 0.9
        return out


@pytest.fixture(scope="session")
def moderator() -> Moderator:
    return Moderator(KeywordModel(), name="keyword-test")


@pytest.fixture(scope="session")
def client(moderator: Moderator) -> TestClient:
    return TestClient(create_app(moderator), raise_server_exceptions=False)


def explain_available() -> bool:
    """True once :mod:`cleanspeech.explain` provides ``explain_texts``."""
    try:
        from cleanspeech.explain import explain_texts  # noqa: F401
    except ImportError:
        return False
    return True


def rewrite_available() -> bool:
    """True once :mod:`cleanspeech.rewrite` provides ``rewrite_texts``."""
    try:
        from cleanspeech.rewrite import rewrite_texts  # noqa: F401
    except ImportError:
        return False
    return True
