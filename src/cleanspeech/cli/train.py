"""``cleanspeech train`` and ``cleanspeech sweep``: fine-tune transformers from YAML configs.

Multi-GPU / multi-node: ``accelerate launch [...] -m cleanspeech.training --config C.yaml -o DIR``
runs the same loop on every process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from cleanspeech.cli.app import app


@app.command("train")
def train_command(
    config: Annotated[Path, typer.Option("--config", metavar="CONFIG.yaml", help="Training config YAML (see configs/).")],
    output: Annotated[Path, typer.Option("-o", "--output", metavar="RUN_DIR", help="Run folder; the best model goes to OUTPUT/best.")],
    overrides: Annotated[list[str] | None, typer.Option("--set", metavar="KEY=VALUE", help="Override a config key: key=value (repeat).")] = None,
    resume: Annotated[bool, typer.Option(help="Continue from OUTPUT/checkpoint if present.")] = True,
) -> None:
    """Fine-tune a transformer (resumable; early stopping on validation macro ROC-AUC)."""
    from cleanspeech.training.config import TrainConfig
    from cleanspeech.training.trainer import BEST_DIR, train

    cfg = TrainConfig.from_yaml(config).with_overrides(overrides or [])
    summary = train(cfg, output, resume=resume)
    typer.echo(json.dumps({"best_macro_roc_auc": summary["best_metric"], "best_epoch": summary["best_epoch"],
                           "model": str(output / BEST_DIR)}, indent=2))


@app.command("sweep")
def sweep_command(
    config: Annotated[Path, typer.Option("--config", metavar="CONFIG.yaml", help="Base training config YAML.")],
    output: Annotated[Path, typer.Option("-o", "--output", metavar="SWEEP_DIR", help="Sweep folder (run_NN/ + results.csv/.md).")],
    grid: Annotated[list[str] | None, typer.Option("--grid", metavar="KEY=V1,V2", help="key=v1,v2 (repeat); default: the design's grid.")] = None,
    overrides: Annotated[list[str] | None, typer.Option("--set", metavar="KEY=VALUE", help="Override a base config key: key=value (repeat).")] = None,
) -> None:
    """Train every point of a grid and write a results table (resumes finished runs)."""
    from cleanspeech.training.config import TrainConfig
    from cleanspeech.training.sweep import DESIGN_GRID, parse_grid, results_markdown, run_sweep

    cfg = TrainConfig.from_yaml(config).with_overrides(overrides or [])
    table = run_sweep(cfg, parse_grid(grid) if grid else DESIGN_GRID, output)
    typer.echo(results_markdown(table))
