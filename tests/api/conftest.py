"""Fixtures for the API tests: a tiny deterministic keyword model, so the tests take seconds and
do not depend on a shipped model (the acceptance test uses the shipped one when present)."""

from __future__ import annotations

import pytest
from api_support import KeywordModel
from fastapi.testclient import TestClient

from cleanspeech.server import create_app
from cleanspeech.pipeline import Moderator


@pytest.fixture(scope="session")
def moderator() -> Moderator:
    return Moderator(KeywordModel(), name="keyword-test")


@pytest.fixture(scope="session")
def client(moderator: Moderator) -> TestClient:
    return TestClient(create_app(moderator), raise_server_exceptions=False)
