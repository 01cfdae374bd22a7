"""Training on the multi-source mixture: masked (NaN) targets, per-source caps, and validation on
Jigsaw dev plus the sources' held-out rows, with a tiny DebertaV2 and a hand-made mixture cache
(the real sources live outside the repository)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from cleanspeech.labels import LABELS
from cleanspeech.training.config import TrainConfig
from cleanspeech.training.data import JIGSAW_SOURCE, training_frames
from cleanspeech.training.trainer import source_aucs, train

NAN = float("nan")


def mixture_cache(path: Path) -> Path:
    """Two sources, 40 train + 12 held-out rows each; ``hate`` only knows toxic / identity_hate."""
    rows = []
    for source in ("hate", "abuse"):
        for part, n in (("train", 40), ("heldout", 12)):
            for i in range(n):
                positive = i % 2
                labels = dict.fromkeys(LABELS, NAN if source == "hate" else 0.0)
                labels["toxic"] = float(positive)
                labels["identity_hate"] = float(positive) if source == "hate" else NAN
                text = f"{source} {part} {i}: " + ("you people are vermin" if positive else "nice weather today")
                rows.append({"source": source, "text": text, "target": float(positive), "part": part, **labels})
    pd.DataFrame(rows).to_parquet(path, index=False)
    return path


def mixture_config(fixture_csv: Path, cache: Path, **over) -> TrainConfig:
    base = dict(train_path=str(fixture_csv), split="project", jigsaw_rows=60, mixture=True,
                mixture_cache=str(cache), mixture_max_per_source=25, val_rows_per_source=10, loss="bce",
                early_stopping_metric="jigsaw_and_sources")
    return TrainConfig(**{**base, **over})


def test_mixture_frames_cap_sources_keep_nan_and_validate_on_heldout(fixture_csv, tmp_path):
    cache = mixture_cache(tmp_path / "mix.parquet")
    train, val = training_frames(mixture_config(fixture_csv, cache))
    assert len(train) == 60 + 2 * 25  # Jigsaw sample + each source capped
    mix = train.iloc[60:]
    assert mix["comment_text"].str.contains(" train ").all()  # no held-out row is trained on
    assert (train["origin"].iloc[:60] == "jigsaw").all() and (mix["origin"] == "mixture").all()
    hate = mix[mix["comment_text"].str.startswith("hate")]
    assert hate["obscene"].isna().all() and hate["identity_hate"].notna().all()  # unknown stays NaN
    held = val[val["source"] != JIGSAW_SOURCE]
    assert held["source"].value_counts().to_dict() == {"hate": 10, "abuse": 10}
    assert held["comment_text"].str.contains(" heldout ").all()
    assert not set(held["comment_text"]) & set(train["comment_text"])
    only_hate = training_frames(mixture_config(fixture_csv, cache, mixture_sources=["hate"]))[0]
    assert len(only_hate) == 60 + 25


def test_mixture_needs_the_project_split_and_the_source_metric_needs_a_mixture():
    with pytest.raises(ValueError, match="split: project"):
        TrainConfig(mixture=True, split="legacy")
    with pytest.raises(ValueError, match="needs mixture"):
        TrainConfig(early_stopping_metric="jigsaw_and_sources")
    with pytest.raises(ValueError, match="early_stopping_metric"):
        TrainConfig(early_stopping_metric="accuracy")


def test_source_aucs_score_target_and_identity_hate_where_known():
    sources = np.array(["a"] * 4 + ["b"] * 4)
    target = np.array([0, 1, 0, 1, 1, 1, 1, 1], dtype=float)  # b: one class, no "any" AUC
    labels = np.full((8, 6), NAN)
    labels[:4, 5] = [0, 1, 0, 1]
    probs = np.zeros((8, 6))
    probs[:4, 0] = [0.1, 0.9, 0.2, 0.8]
    probs[:4, 5] = [0.09, 0.01, 0.08, 0.02]  # below toxic: "any" ranks by toxic
    assert source_aucs(sources, target, labels, probs) == {"a/any": 1.0, "a/identity_hate": 0.0}


def test_a_mixture_run_trains_with_masked_targets_and_keeps_thresholds_on_jigsaw(
        tiny_deberta_dir, fixture_csv, tmp_path):
    cache = mixture_cache(tmp_path / "mix.parquet")
    cfg = mixture_config(fixture_csv, cache, model_name_or_path=str(tiny_deberta_dir), max_length=32,
                         per_device_batch_size=16, effective_batch_size=16, epochs=1, progress_bar=False,
                         mixed_precision="no", learning_rate=1e-3)
    summary = train(cfg, tmp_path / "run")
    row = summary["history"][0]
    assert np.isfinite(row["train_loss"])  # NaN targets masked, not propagated
    assert set(row["sources_roc_auc"]) == {"hate/any", "hate/identity_hate", "abuse/any"}
    assert np.isclose(row["jigsaw_and_sources"], (row["macro_roc_auc"] + row["mean_sources_roc_auc"]) / 2)
    assert summary["best_metric"] == row["jigsaw_and_sources"]
    _, val = training_frames(cfg)
    saved = np.load(tmp_path / "run" / "best" / "val_predictions.npz")
    assert len(saved["labels"]) == (val["source"] == JIGSAW_SOURCE).sum()  # thresholds: Jigsaw dev only
    # the card credits every source the run trained on, with its rows and share
    metrics = json.loads((tmp_path / "run" / "best" / "metrics.json").read_text())
    assert [(s["name"], s["rows"], s["share"]) for s in metrics["training_data"]] == [("hate", 25, 0.5), ("abuse", 25, 0.5)]
    card = (tmp_path / "run" / "best" / "README.md").read_text()
    assert "| hate | 25 | 50.0% | not a registered source |" in card
    assert "at most 25 rows each" in metrics["training"]["mixture"]


def test_bce_is_the_masked_loss_and_has_no_gradient_on_unknown_targets():
    from cleanspeech.training.losses import make_loss
    from cleanspeech.training.masked import masked_bce_with_logits

    y = torch.tensor([[1.0, NAN, 0, 0, 0, 1], [0, 0, NAN, NAN, 0, NAN]])
    logits = torch.randn(2, 6, requires_grad=True)
    fn, _ = make_loss("bce", y.numpy())
    loss = fn(logits, y)
    assert torch.equal(loss, masked_bce_with_logits(logits, y))
    loss.backward()
    assert torch.all(logits.grad[torch.isnan(y)] == 0) and torch.all(logits.grad[~torch.isnan(y)] != 0)
