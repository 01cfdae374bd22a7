"""Shared fixtures: the small real Jigsaw-schema CSV and a linear model trained on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

FIXTURES = Path(__file__).parent / "fixtures"
JIGSAW_SAMPLE = FIXTURES / "jigsaw_sample.csv"


@pytest.fixture(autouse=True)
def _generator_only_where_asked(request, monkeypatch):
    """The fine-tuned generator (the rewriter's default where it is installed) loads a 135M
    model and decodes per comment: seconds per test. A test sees the offline edits alone unless
    it is marked ``generator`` (the rewrite tables, the snapshot, one CLI run)."""
    if request.node.get_closest_marker("generator") is None:
        monkeypatch.setenv("CLEANSPEECH_GENERATOR", "off")


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


# `make test-fast` runs `-m "not slow and not browser"` in under a minute on 2 cores. These
# modules train models, start servers, Ray or a browser, build a wheel, or load the shipped
# models' large members; the fast loop leaves them to `make test`. Kept in one list (by module
# file name, so a test that moves folders keeps its mark) rather than as decorators spread over
# forty files, so the split is visible and re-balanced in one place.
SLOW_MODULES = frozenset({
    "test_api_fuzz.py", "test_ui_browser.py", "test_augment.py", "test_predict_ray.py",
    "test_trainer.py", "test_wheel.py", "test_ui_app.py", "test_report.py", "test_serve_cli.py",
    "test_ui_signals.py", "test_long_text.py", "test_transformer.py", "test_onnx_backend.py",
    "test_snapshot.py", "test_cascade_fit.py", "test_docs.py", "test_runtime.py", "test_sweep.py",
    "test_docs_browser.py", "test_tagger_train.py", "test_tagger_ensemble.py", "test_lora.py",
    "test_shipped_models.py", "test_moderator_behaviour.py", "test_mixture_training.py",
    "test_rewriter.py", "test_generated_rewrites.py",
})
SLOW_TESTS = frozenset({
    "test_predict_keeps_every_row_including_empty_and_huge", "test_train_evaluate_predict_score",
    "test_long_and_hopeless_inputs_stay_bounded",
    "test_empty_text_scores_zero_in_moderate_explain_and_rewrite",
})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in SLOW_MODULES or item.originalname in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
