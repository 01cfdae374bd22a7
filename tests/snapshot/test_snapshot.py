"""Behaviour is pinned: the shipped ``default`` model's scores, labels, spans and rewrites on a
fixed set of comments, and ``cleanspeech demo``'s output, are what ``expected.json`` recorded.
A refactor must leave them identical; a change meant to alter behaviour regenerates the file
(``python tests/snapshot/regen.py``) and says so."""

from __future__ import annotations

import json

import numpy as np
import pytest

from regen import EXPECTED, behaviour, demo_output, texts

pytestmark = [pytest.mark.slow, pytest.mark.generator]


@pytest.fixture(scope="module")
def expected():
    return json.loads(EXPECTED.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def default():
    from cleanspeech.pipeline import Moderator

    try:
        return Moderator.load("default")
    except (FileNotFoundError, ImportError) as exc:  # a wheel without the shipped models
        pytest.skip(f"shipped default model unavailable: {exc}")


def test_fixture_comments_behave_as_recorded(default, expected):
    got = behaviour(default, texts())
    assert [g["text"] for g in got] == [e["text"] for e in expected["cases"]]
    for g, e in zip(got, expected["cases"]):
        # int8 ONNX scores may move in the last digits across CPUs; decisions may not
        np.testing.assert_allclose(g["scores"], e["scores"], atol=2e-3, err_msg=e["text"])
        for key in ("labels", "spans", "rewrite", "civil", "method"):
            assert g[key] == e[key], (key, e["text"])


def test_demo_prints_what_it_printed(expected):
    assert demo_output() == expected["demo"]
