"""The window budget for long comments: first + last + the windows a scorer ranks highest."""

from __future__ import annotations

import os

import numpy as np
import pytest

from cleanspeech.models.transformer import LONG_TEXT_POLICY, TransformerModel, pick_windows

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def test_pick_windows_keeps_first_last_and_the_top_scores():
    assert pick_windows(5, 16) == [0, 1, 2, 3, 4]
    assert pick_windows(5, 0) == [0, 1, 2, 3, 4]  # 0 = no budget
    scores = np.zeros(20)
    scores[[7, 12]] = [0.9, 0.8]
    assert pick_windows(20, 4, scores) == [0, 7, 12, 19]
    assert pick_windows(20, 2, scores) == [0, 7]  # budget 2: first + the most toxic
    assert pick_windows(20, 2) == [0, 19]  # no scorer: first + last
    assert pick_windows(20, 1, scores) == [7]  # budget 1: the most toxic window
    assert pick_windows(20, 1) == [0]  # no scorer: the first
    spread = pick_windows(100, 6)
    assert len(spread) == 6 and spread[0] == 0 and spread[-1] == 99
    assert np.all(np.diff(spread) > 10)  # evenly spread, not bunched at the start
    assert "first and last" in LONG_TEXT_POLICY


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from transformers import AutoTokenizer

    from cleanspeech.models.transformer import load_torch_module
    from cleanspeech.training.tiny import tiny_deberta

    folder = tiny_deberta(tmp_path_factory.mktemp("long") / "hf")
    return TransformerModel(AutoTokenizer.from_pretrained(folder), load_torch_module(folder, {"weights_format": "hf"}),
                            max_length=32, overlap=8, batch_size=8, max_windows=4)


def test_a_long_comment_is_scored_on_the_budget_with_the_scorer_s_windows(tiny):
    text = " ".join(["fine"] * 150 + ["MARKER"] + ["fine"] * 150)
    seen = []

    def scorer(pieces):
        seen.extend(pieces)
        return np.array([float("MARKER" in p) for p in pieces])

    tiny.window_scorer = scorer
    try:
        wins, owner = tiny.windows([text, "short"])
    finally:
        tiny.window_scorer = None
    assert (owner == 0).sum() == 4 and (owner == 1).sum() == 1
    assert all(p in text for p in seen) and any("MARKER" in p for p in seen)  # slices of the text
    marker_ids = tiny.tokenizer("MARKER", add_special_tokens=False)["input_ids"]
    chosen = [w for w, o in zip(wins, owner) if o == 0]
    assert any(all(t in w for t in marker_ids) for w in chosen[1:-1])  # the scorer's window is scored
    # the score is the max over exactly those windows
    ids = np.zeros((4, max(map(len, chosen))), dtype=np.int64)
    mask = np.zeros_like(ids)
    for r, w in enumerate(chosen):
        ids[r, :len(w)], mask[r, :len(w)] = w, 1
    expected = (1 / (1 + np.exp(-tiny.logits(ids, mask)))).max(axis=0)
    tiny.window_scorer = scorer
    try:
        got = tiny.predict_proba([text])[0]
    finally:
        tiny.window_scorer = None
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_max_windows_is_saved_and_can_be_overridden(tiny, tmp_path):
    from cleanspeech.models.registry import load_model

    folder = tiny.save_pretrained(tmp_path / "m")
    assert load_model(folder, backend="torch").max_windows == 4
    assert load_model(folder, backend="torch", max_windows=0).max_windows == 0
