"""The cross-source operating point: one logit offset on every threshold, chosen on a dev pool of
rows no model trained on (hand-made sources and mixture cache)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cleanspeech.labels import LABELS
from cleanspeech.training.data import mixture_frames
from cleanspeech.training.operating import (
    balanced_accuracy,
    choose_offset,
    labels_to_move,
    offset_thresholds,
    operating_pool,
)

from test_mixture_training import mixture_cache, mixture_config


def test_offset_moves_every_threshold_on_the_logit_scale():
    t = np.array([0.5, 0.2, 0.9, 0.05, 0.3, 0.7])
    assert np.allclose(offset_thresholds(t, 0.0), t)
    up = offset_thresholds(t, 1.0)
    assert (up > t).all() and np.allclose(up[0], 1 / (1 + np.exp(-1.0)))
    assert np.allclose(offset_thresholds(up, -1.0), t)


def test_an_offset_can_leave_the_labels_the_pool_cannot_judge_where_they_were():
    pool = pd.DataFrame({lab: [1.0, 1.0, 0.0, float("nan")] for lab in LABELS})
    pool["threat"] = [1.0, 0.0, float("nan"), float("nan")]  # one known positive only
    moves = labels_to_move(pool, min_positives=2)
    assert moves.tolist() == [lab != "threat" for lab in LABELS]
    assert labels_to_move(pool, min_positives=0).all()
    t = np.full(len(LABELS), 0.5)
    up = offset_thresholds(t, 1.0, moves)
    assert up[LABELS.index("threat")] == 0.5 and (np.delete(up, LABELS.index("threat")) > 0.5).all()
    # the choice reads the decision at the partly moved thresholds and returns them
    groups = {"a": _group([0.3, 0.9], [0.6, 0.1])}
    chosen = choose_offset(t, groups, moves=moves)
    assert np.allclose(chosen.thresholds, offset_thresholds(t, chosen.delta, moves))
    assert chosen.thresholds[LABELS.index("threat")] == 0.5


def test_balanced_accuracy_is_the_mean_of_caught_and_passed():
    r = balanced_accuracy(np.array([1, 1, 1, 1, 0, 0]), np.array([1, 1, 1, 0, 1, 0]))
    assert r == {"caught": 0.75, "passed": 0.5, "balanced": 0.625}


def _group(pos_scores, neg_scores):
    """A group whose decision is "toxic score at or over toxic's threshold"."""
    s = np.r_[pos_scores, neg_scores]
    y = np.r_[np.ones(len(pos_scores)), np.zeros(len(neg_scores))]
    return y, lambda t: s >= t[0]


def test_choose_offset_maximises_mean_balanced_accuracy_and_can_be_held_to_a_passed_rate():
    base = np.full(len(LABELS), 0.5)
    # three positives at 0.3 sit under the fitted 0.5: a threshold at or under 0.3 (offset
    # <= -0.9 on the grid) catches them, and flags the negative at 0.31 too
    groups = {"a": _group([0.3, 0.3, 0.3, 0.9], [0.31, 0.05, 0.02, 0.01]),
              "b": _group([0.3, 0.8], [0.1, 0.2])}
    free = choose_offset(base, groups)
    assert free.delta == -0.9  # ties go to the offset nearest 0
    assert free.objective > choose_offset(base, groups, grid=[0.0]).objective
    assert np.allclose(free.thresholds, offset_thresholds(base, free.delta))
    held = choose_offset(base, groups, min_passed=1.0)  # no negative may be flagged
    assert held.delta == 0.0  # every offset over 0.31 catches the same two: the tie goes to 0
    point = next(c for c in held.curve if c["delta"] == held.delta)
    assert point["mean_passed"] == 1.0
    with pytest.raises(ValueError, match="no offset"):
        choose_offset(base, {"c": _group([0.9], [0.99])}, grid=[0.0], min_passed=1.0)


def test_the_pool_holds_dev_splits_and_only_rows_no_training_sample_drew(fixture_csv, tmp_path):
    cache = mixture_cache(tmp_path / "mix.parquet")
    mixture = pd.read_parquet(cache)
    trained = set()
    for cap, seed in ((25, 42), (10, 0)):  # what two runs trained on, drawn as mixture_frames draws
        rows = mixture_frames(mixture_config(fixture_csv, cache, mixture_max_per_source=cap, seed=seed))[0]
        trained |= set(rows["comment_text"])
    nan = dict.fromkeys(LABELS, float("nan"))
    sources = {
        "hate": pd.DataFrame({"text": ["x"], "split": ["train"], "target": [1.0], **nan}),
        "abuse": pd.DataFrame({"text": ["x"], "split": ["train"], "target": [1.0], **nan}),
        "forum": pd.DataFrame({"text": [f"forum {s} {i}" for s in ("dev", "test") for i in range(6)],
                               "split": ["dev"] * 6 + ["test"] * 6, "target": [0.0, 1.0] * 6, **nan}),
        "spans": pd.DataFrame({"text": ["all toxic"], "split": ["dev"], "target": [1.0], **nan}),
    }
    pool = operating_pool(mixture, sources, per_source=100, exclude_samples=((25, 42), (10, 0)))
    from_mixture = pool[pool["source"].isin(["hate", "abuse"])]
    assert len(from_mixture) and not set(from_mixture["text"]) & trained
    assert from_mixture["text"].str.contains(" train ").all()  # never the held-out part
    assert len(from_mixture) == 80 - len(trained)  # every undrawn train row, nothing else
    forum = pool[pool["source"] == "forum"]
    assert forum["text"].str.startswith("forum dev").all() and len(forum) == 6  # test stays for evaluation
    assert "spans" not in set(pool["source"])  # one class: no trade-off to measure
    assert len(operating_pool(mixture, sources, per_source=3, exclude_samples=())
               .query("source == 'hate'")) == 3
