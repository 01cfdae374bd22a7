"""Grid sweeps over training settings, resumable run by run, with a results table.

The design's grid: lr {2e-5, 3e-5}, batch {8, 16}, max length {128, 256}, weight decay {0, 0.01},
warm-up {0.05, 0.1} (32 runs). "Batch" is the batch per optimizer step, ``effective_batch_size``:
``per_device_batch_size`` under a fixed effective batch only splits the same step into more
gradient-accumulation micro-batches (memory and speed, not the training setting), so a grid over
it would train the same setting twice. Points that resolve to the same setting run once.
"""

from __future__ import annotations

import itertools
import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from cleanspeech.data.io import write_csv_atomic, write_text_atomic
from cleanspeech.training.config import TrainConfig, parse_override

DESIGN_GRID: dict[str, list[Any]] = {
    "learning_rate": [2e-5, 3e-5],
    "effective_batch_size": [8, 16],
    "max_length": [128, 256],
    "weight_decay": [0.0, 0.01],
    "warmup_ratio": [0.05, 0.1],
}


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """``["learning_rate=2e-5,3e-5", ...]`` -> ``{"learning_rate": [2e-05, 3e-05], ...}``."""
    grid = {}
    for item in items:
        key, _ = parse_override(item.split(",")[0])
        values = item.split("=", 1)[1].split(",")
        grid[key] = [parse_override(f"{key}={v}")[1] for v in values]
    return grid


def expand_grid(grid: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """Every combination, in a stable order."""
    keys = list(grid)
    return [dict(zip(keys, combo)) for combo in itertools.product(*(grid[k] for k in keys))]


# with the effective batch fixed these change memory use and speed, not what is trained
EXECUTION_ONLY = ("per_device_batch_size", "eval_batch_size", "num_workers", "progress_bar")


def point_config(config: TrainConfig, point: dict[str, Any]) -> TrainConfig:
    """``config`` with a grid point applied; an effective batch smaller than (or not a multiple
    of) the base micro-batch gets the largest micro-batch that divides it."""
    point = dict(point)
    if "effective_batch_size" in point and "per_device_batch_size" not in point:
        point["per_device_batch_size"] = math.gcd(int(point["effective_batch_size"]),
                                                  config.per_device_batch_size)
    return config.with_overrides(point)


def training_setting(config: TrainConfig) -> tuple:
    """What a run trains: every setting except the execution-only ones (hashable)."""
    return tuple(sorted((k, repr(v)) for k, v in config.to_dict().items() if k not in EXECUTION_ONLY))


def grid_configs(config: TrainConfig, grid: dict[str, list[Any]]) -> list[tuple[dict[str, Any], TrainConfig]]:
    """``(point, config)`` for every grid point that is a distinct training setting, in grid
    order; points repeating an earlier setting are dropped with a warning."""
    seen, out, dropped = set(), [], []
    for point in expand_grid(grid):
        cfg = point_config(config, point)
        key = training_setting(cfg)
        if key in seen:
            dropped.append(point)
            continue
        seen.add(key)
        out.append((point, cfg))
    if dropped:
        warnings.warn(f"{len(dropped)} grid point(s) repeat a training setting (they differ only in "
                      f"{', '.join(EXECUTION_ONLY)}) and are skipped, e.g. {dropped[0]}", stacklevel=2)
    return out


def run_sweep(config: TrainConfig, grid: dict[str, list[Any]], out_dir: str | Path,
              train_fn: Callable[[TrainConfig, Path], dict[str, Any]] | None = None) -> pd.DataFrame:
    """Train every distinct grid point into ``out_dir/run_NN``; write ``results.csv`` and
    ``results.md`` (with the effective and per-device batch of each run).

    A run whose ``summary.json`` exists is not trained again (the sweep resumes).
    """
    if train_fn is None:
        from cleanspeech.training.trainer import train as train_fn
    out_dir = Path(out_dir)
    rows = []
    for i, (point, cfg) in enumerate(grid_configs(config, grid)):
        run_dir = out_dir / f"run_{i:02d}"
        summary_file = run_dir / "summary.json"
        if summary_file.exists():
            summary = json.loads(summary_file.read_text())
        else:
            run_dir.mkdir(parents=True, exist_ok=True)
            summary = train_fn(cfg, run_dir)
        rows.append({"run": run_dir.name, **point, "effective_batch_size": cfg.effective_batch_size,
                     "per_device_batch_size": cfg.per_device_batch_size,
                     "best_macro_roc_auc": summary["best_metric"],
                     "best_epoch": summary["best_epoch"], "seconds": summary.get("seconds")})
        table = pd.DataFrame(rows)
        write_csv_atomic(table, out_dir / "results.csv")
        write_text_atomic(results_markdown(table), out_dir / "results.md")
    return pd.DataFrame(rows)


def results_markdown(table: pd.DataFrame) -> str:
    """The table sorted by validation macro ROC-AUC, best first."""
    table = table.sort_values("best_macro_roc_auc", ascending=False)
    cols = list(table.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in table.iterrows():
        lines.append("| " + " | ".join(
            f"{r[c]:.5f}" if c == "best_macro_roc_auc" else str(r[c]) for c in cols) + " |")
    return "# Sweep results (validation macro ROC-AUC)\n\n" + "\n".join(lines) + "\n"
