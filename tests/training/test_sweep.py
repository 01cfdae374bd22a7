"""Grid sweeps: expansion, resumable runs, results table; the `sweep` and `train` CLI commands."""

from __future__ import annotations

import json

import pandas as pd

from cleanspeech.training.config import TrainConfig
import pytest

from cleanspeech.training.sweep import (
    DESIGN_GRID,
    expand_grid,
    grid_configs,
    parse_grid,
    run_sweep,
    training_setting,
)


def test_design_grid_has_32_points():
    points = expand_grid(DESIGN_GRID)
    assert len(points) == 32 and points[0] == {"learning_rate": 2e-5, "effective_batch_size": 8,
                                               "max_length": 128, "weight_decay": 0.0, "warmup_ratio": 0.05}


@pytest.mark.parametrize("preset", ["minilm-l6", "mdeberta-v3-base"])
def test_every_design_grid_point_is_a_distinct_training_setting(preset):
    base = TrainConfig.from_yaml(f"configs/{preset}.yaml")
    configs = [cfg for _, cfg in grid_configs(base, DESIGN_GRID)]
    assert len(configs) == 32 and len({training_setting(c) for c in configs}) == 32
    assert {c.effective_batch_size for c in configs} == {8, 16}
    for point, cfg in grid_configs(base, DESIGN_GRID):
        assert cfg.effective_batch_size == point["effective_batch_size"]
        assert cfg.effective_batch_size % cfg.per_device_batch_size == 0
        assert cfg.per_device_batch_size <= base.per_device_batch_size


def test_micro_batch_only_grid_points_are_deduplicated():
    base = TrainConfig(per_device_batch_size=16, effective_batch_size=32)
    grid = {"learning_rate": [2e-5, 3e-5], "per_device_batch_size": [8, 16]}
    with pytest.warns(UserWarning, match="2 grid point"):
        kept = grid_configs(base, grid)
    assert [p for p, _ in kept] == [{"learning_rate": 2e-5, "per_device_batch_size": 8},
                                    {"learning_rate": 3e-5, "per_device_batch_size": 8}]


def test_parse_grid():
    assert parse_grid(["learning_rate=2e-5,3e-5", "loss=bce,weighted_bce"]) == {
        "learning_rate": [2e-5, 3e-5], "loss": ["bce", "weighted_bce"]}


def test_sweep_writes_a_table_and_resumes(tmp_path):
    calls = []

    def fake_train(cfg: TrainConfig, out):
        calls.append(cfg.learning_rate)
        summary = {"best_metric": cfg.learning_rate * 1e4, "best_epoch": 1, "seconds": 0.1}
        (out / "summary.json").write_text(json.dumps(summary))
        return summary

    grid = {"learning_rate": [2e-5, 3e-5]}
    run_sweep(TrainConfig(), grid, tmp_path, train_fn=fake_train)
    table = pd.read_csv(tmp_path / "results.csv")
    assert table["best_macro_roc_auc"].tolist() == [0.2, 0.3]
    assert (tmp_path / "results.md").read_text().index("| run_01") < (tmp_path / "results.md").read_text().index("| run_00")
    run_sweep(TrainConfig(), grid, tmp_path, train_fn=fake_train)
    assert calls == [2e-5, 3e-5]  # finished runs are not trained again


def test_train_command(tiny_deberta_dir, fixture_csv, tmp_path):
    from typer.testing import CliRunner

    from cleanspeech.cli import app

    cfg = TrainConfig.from_yaml("configs/mdeberta-v3-base.yaml").with_overrides(dict(
        model_name_or_path=str(tiny_deberta_dir), train_path=str(fixture_csv), max_train_rows=32,
        max_length=32, epochs=1, per_device_batch_size=8, effective_batch_size=8, progress_bar=False))
    cfg.to_yaml(tmp_path / "c.yaml")
    result = CliRunner().invoke(app, ["train", "--config", str(tmp_path / "c.yaml"), "--set", "max_steps=2",
                                      "-o", str(tmp_path / "run")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "best" / "cleanspeech.json").exists()
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["global_step"] == 2
