"""Core commands: train-linear, evaluate, predict, score-submission, moderate, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer
from rich.progress import Progress
from rich.table import Table

from cleanspeech.cli.app import app
from cleanspeech.cli.common import (
    BACKEND_HELP, MODEL_HELP, batched, console, err_console, friendly_errors, load_moderator, texts_from_args,
)
from cleanspeech.data.io import ID_COLUMN, TEXT_COLUMN, read_jigsaw
from cleanspeech.labels import LABELS

BATCH = 512


@app.command("train-linear")
def train_linear_cmd(
    train: Path = typer.Option(..., "--train", help="Jigsaw train CSV (plain or .gz)."),
    out: Path = typer.Option(..., "-o", "--output", help="Model folder to write."),
    val_fraction: float = typer.Option(0.1, "--val-fraction", help="Share held out (dev + test) from training; the project default is 0.1."),
    seed: int = typer.Option(42, "--seed"),
    c: Optional[float] = typer.Option(None, "--C", help="Inverse regularisation strength."),
    keep_features: Optional[int] = typer.Option(None, "--keep-features", help="Prune to N features."),
) -> None:
    """Train the TF-IDF + logistic-regression model and write a model folder."""
    from cleanspeech.models.linear import LinearConfig
    from cleanspeech.training.linear import train_linear

    overrides = {k: v for k, v in {"C": c, "keep_features": keep_features}.items() if v is not None}
    with friendly_errors():
        _, metrics = train_linear(train, out, val_fraction=val_fraction, seed=seed,
                                  config=LinearConfig(seed=seed, **overrides), progress=console.log)
    console.print(f"validation macro ROC-AUC [bold]{metrics['macro_roc_auc']:.4f}[/], "
                  f"macro F1 {metrics['macro_f1']:.4f} → {out}")


def _score_frame(moderator, texts: list[str], what: str) -> np.ndarray:
    """Score texts in batches with a progress bar; ``(n, 6)``."""
    parts = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(what, total=len(texts))
        for chunk in batched(texts, BATCH):
            parts.append(moderator.scores(list(chunk)))
            progress.advance(task, len(chunk))
    return np.vstack(parts) if parts else np.zeros((0, len(LABELS)))


@app.command("evaluate")
def evaluate_cmd(
    model: str = typer.Option(..., "--model", help=MODEL_HELP),
    data: Path = typer.Option(..., "--data", help="Labelled CSV in Jigsaw format."),
    out: Path = typer.Option(..., "-o", "--output", help="Report folder to write."),
    text_column: str = typer.Option(TEXT_COLUMN, "--text-column"),
    id_column: str = typer.Option(ID_COLUMN, "--id-column"),
    backend: Optional[str] = typer.Option(None, "--backend", help=BACKEND_HELP),
) -> None:
    """Score a labelled CSV; write metrics.json, summary.md and ROC/PR/F1 plots."""
    from cleanspeech.evaluation.report import write_report

    with friendly_errors():
        df = read_jigsaw(data, text_column=text_column, id_column=id_column, require_labels=True)
        moderator = load_moderator(model, backend)
        scores = _score_frame(moderator, df[TEXT_COLUMN].tolist(), "scoring")
        metrics = write_report(df[list(LABELS)].to_numpy(), scores, moderator.thresholds, out,
                               title=f"{moderator.name} on {data.name}",
                               extra={"model": moderator.name, "data": str(data)})
    console.print(f"macro ROC-AUC [bold]{metrics['macro_roc_auc']:.4f}[/], macro PR-AUC "
                  f"{metrics['macro_pr_auc']:.4f}, macro F1 {metrics['macro_f1']:.4f} → {out}")


@app.command("predict")
def predict_cmd(
    input_path: Path = typer.Argument(..., help="Comments: .csv/.tsv (plain or .gz), .jsonl or .parquet; read in chunks."),
    out: Path = typer.Option(..., "-o", "--output", help="Output (.csv/.tsv/.jsonl/.parquet, by name): id + six probabilities."),
    model: str = typer.Option("default", "--model", help=MODEL_HELP),
    text_column: str = typer.Option(TEXT_COLUMN, "--text-column"),
    id_column: str = typer.Option(ID_COLUMN, "--id-column"),
    backend: Optional[str] = typer.Option(None, "--backend", help=BACKEND_HELP),
    sep: Optional[str] = typer.Option(None, "--sep", help="CSV delimiter (default: tab for .tsv, else comma; '\\t' = tab); also used for the output."),
    engine: str = typer.Option("local", "--engine", help="local (one process, streaming) or ray (Ray Data; joins RAY_ADDRESS when set)."),
    workers: int = typer.Option(2, "--workers", min=1, help="Ray actors, each with its own model copy (--engine ray)."),
    progress_every: float = typer.Option(5.0, "--progress-every", help="Seconds between progress lines on stderr."),
) -> None:
    """Write one row per input row, in order: id + the six label probabilities.

    Streams: memory stays bounded whatever the file's size, and the output appears (atomically)
    only once every row is written. For Jigsaw's test.csv the output is a Kaggle submission.
    """
    from cleanspeech.data.progress import ProgressLog
    from cleanspeech.data.stream import ChunkReader, ScoreWriter, score_stream

    if engine not in {"local", "ray"}:
        raise typer.BadParameter(f"--engine must be local or ray, got {engine!r}")
    progress = ProgressLog("predict", every=progress_every)
    with friendly_errors():
        if engine == "ray":
            from cleanspeech.engines.ray_engine import predict_ray

            rows = predict_ray(input_path, out, model=model, backend=backend,
                               text_column=text_column, id_column=id_column, sep=sep,
                               workers=workers, progress=progress)
        else:
            reader = ChunkReader(input_path, text_column=text_column, id_column=id_column, sep=sep)
            moderator = load_moderator(model, backend)
            with ScoreWriter(out, sep=sep) as writer:
                rows = score_stream(reader, writer, moderator.scores, progress)
            if reader.bad_utf8_lines:
                err_console.print(f"[yellow]warning:[/] {input_path}: {reader.bad_utf8_lines} row(s) "
                                  "held non-UTF-8 bytes; they were replaced with U+FFFD")
    console.print(f"wrote {rows} row{'' if rows == 1 else 's'} → {out}")


@app.command("score-submission")
def score_submission_cmd(
    submission: Path = typer.Argument(..., help="Submission CSV: id + six probability columns."),
    labels: Path = typer.Option(..., "--labels", help="test_labels.csv (-1 = unscored row)."),
) -> None:
    """Print the official metric: mean column-wise ROC-AUC over scored rows."""
    from cleanspeech.evaluation.submission import score_submission

    with friendly_errors():
        result = score_submission(submission, labels)
    for label in LABELS:
        console.print(f"{label:>14}  {result['roc_auc'][label]:.5f}")
    console.print(f"[bold]mean column-wise ROC-AUC {result['score']:.5f}[/] over {result['n_scored']} rows")


def _moderation_table(texts: list[str], results, thresholds: np.ndarray) -> Table:
    table = Table(show_lines=False)
    table.add_column("comment", overflow="fold", max_width=48)
    for label in LABELS:
        table.add_column(label.replace("_", " "), justify="right")
    table.add_column("labels")
    for text, res in zip(texts, results):
        cells = [
            f"[bold red]{s:.2f}[/]" if s >= t else f"{s:.2f}"
            for s, t in zip(res.scores, thresholds)
        ]
        table.add_row(text[:200], *cells, ", ".join(res.labels) or "[green]—[/]")
    return table


@app.command("moderate")
def moderate_cmd(
    texts: Optional[list[str]] = typer.Argument(None, help="Comments (or one per line on stdin)."),
    model: str = typer.Option("default", "--model", help=MODEL_HELP),
    backend: Optional[str] = typer.Option(None, "--backend", help=BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines instead of a table."),
) -> None:
    """Score comments and print the labels at or over each label's threshold."""
    import json

    with friendly_errors():
        items = texts_from_args(texts)
        moderator = load_moderator(model, backend)
        results = moderator.moderate(items)
    if as_json:
        for text, res in zip(items, results):
            print(json.dumps({"text": text, **res.to_dict()}))
        return
    console.print(_moderation_table(items, results, moderator.thresholds))
