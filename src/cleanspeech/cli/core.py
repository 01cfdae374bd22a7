"""Core commands: train-linear, evaluate, predict, score-submission, moderate, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np
import typer
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from cleanspeech.cli.app import app
from cleanspeech.cli.common import (
    BACKEND_HELP, ID_COLUMN_HELP, MODEL_HELP, SENSITIVITY_HELP, TEXT_COLUMN_HELP, THRESHOLD_HELP,
    CliError, batched, check_text_bytes, console, err_console, friendly_errors, load_moderator,
    parse_operating, texts_from_args,
)
from cleanspeech.data.io import ID_COLUMN, TEXT_COLUMN, read_jigsaw
from cleanspeech.labels import LABELS
from cleanspeech.models.transformer import LONG_TEXT_POLICY

BATCH = 512


@app.command("train-linear")
def train_linear_cmd(
    train: Path = typer.Option(..., "--train", metavar="TRAIN.csv", help="Jigsaw train CSV (plain or .gz)."),
    out: Path = typer.Option(..., "-o", "--output", metavar="MODEL_DIR", help="Model folder to write."),
    val_fraction: float = typer.Option(0.1, "--val-fraction", metavar="FRACTION", help="Share held out (dev + test) from training; the project default is 0.1."),
    seed: int = typer.Option(42, "--seed", metavar="N", help="Random seed for the split and the model."),
    c: Optional[float] = typer.Option(None, "--C", metavar="C", help="Inverse regularisation strength."),
    keep_features: Optional[int] = typer.Option(None, "--keep-features", metavar="N", help="Prune to N features."),
    cleaning: Optional[str] = typer.Option(None, "--cleaning", metavar="NAME", help="Cleaning step, e.g. normalize-v1."),
    augment: list[str] = typer.Option([], "--augment", metavar="KIND", help="Extra rows: cda, paradetox, spans, templates (repeatable)."),
    data_dir: Path = typer.Option(Path("../shared/data"), "--data-dir", metavar="DIR", help="Folder with paradetox/ and toxic_spans/ (for --augment)."),
    mixture_max_per_source: Optional[int] = typer.Option(None, "--mixture-max-per-source", metavar="N", help="Also train on the multi-source mixture: at most N rows per train source (labels a source is silent on are left out)."),
    mixture_labels: list[str] = typer.Option([], "--mixture-label", metavar="LABEL", help="With --mixture-max-per-source: a label the mixture rows teach (repeatable; the others are left out of their rows). Default: every label a source gives."),
) -> None:
    """Train the TF-IDF + logistic-regression model and write a model folder."""
    from cleanspeech.models.linear import LinearConfig
    from cleanspeech.training.linear import train_linear

    overrides = {k: v for k, v in {"C": c, "keep_features": keep_features, "cleaning": cleaning}.items()
                 if v is not None}
    with friendly_errors():
        _, metrics = train_linear(train, out, val_fraction=val_fraction, seed=seed,
                                  config=LinearConfig(seed=seed, **overrides), progress=console.log,
                                  augment=tuple(augment), data_dir=data_dir,
                                  mixture_max_per_source=mixture_max_per_source,
                                  mixture_labels=tuple(mixture_labels) or None)
    console.print(f"test-split macro ROC-AUC [bold]{metrics['macro_roc_auc']:.4f}[/], "
                  f"macro F1 (observed prevalence) {metrics['macro_f1']:.4f} → {out}")


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
    model: str = typer.Option("default", "--model", "-m", metavar="MODEL", help=MODEL_HELP),
    data: Path = typer.Option(..., "--data", metavar="LABELLED.csv", help="Labelled CSV in Jigsaw format."),
    out: Path = typer.Option(..., "-o", "--output", metavar="REPORT_DIR", help="Report folder to write."),
    text_column: str = typer.Option(TEXT_COLUMN, "--text-column", metavar="NAME", help=TEXT_COLUMN_HELP),
    id_column: str = typer.Option(ID_COLUMN, "--id-column", metavar="NAME", help=ID_COLUMN_HELP),
    backend: Optional[str] = typer.Option(None, "--backend", metavar="onnx|torch", help=BACKEND_HELP),
    prevalence: Optional[str] = typer.Option(None, "--prevalence", metavar="natural|RATE", help="Report calibration (ECE, reliability) and precision/recall at the model's thresholds at this prevalence: 'natural' (full Jigsaw label rates) or a toxic rate like 0.1; rows are re-weighted on toxic. Default: as observed."),
) -> None:
    """Score a labelled CSV; write metrics.json, summary.md, ROC/PR/F1/reliability plots."""
    from cleanspeech.evaluation.report import write_report

    with friendly_errors():
        df = read_jigsaw(data, text_column=text_column, id_column=id_column, require_labels=True)
        moderator = load_moderator(model, backend)
        scores = _score_frame(moderator, df[TEXT_COLUMN].tolist(), "scoring")
        metrics = write_report(df[list(LABELS)].to_numpy(), scores, moderator.thresholds, out,
                               title=f"{moderator.name} on {data.name}",
                               extra={"model": moderator.name, "data": str(data)},
                               prevalence=prevalence)
    console.print(f"macro ROC-AUC [bold]{metrics['macro_roc_auc']:.4f}[/], macro PR-AUC "
                  f"{metrics['macro_pr_auc']:.4f}, macro F1 {metrics['macro_f1']:.4f} → {out}")


PREDICT_HELP = (
    "Write one row per input row, in order: id + the six label probabilities.\n\n"
    "--labels adds `flagged` (any label raised) and one `<label>_flagged` column per label (true / "
    "false) at the model's thresholds, moved by --sensitivity / --threshold.\n\n"
    "Streams: memory stays bounded whatever the file's size, and the output appears (atomically) "
    "only once every row is written. For Jigsaw's test.csv the output is a Kaggle submission.\n\n"
    "Cascade models (the shipped default): the linear model scores every comment and only those it "
    "cannot settle go to the transformer; the share routed is printed at the end (--no-cascade "
    "routes all).\n\n" + LONG_TEXT_POLICY
)


@app.command("predict", help=PREDICT_HELP)
def predict_cmd(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="Comments: .csv/.tsv (plain or .gz), .jsonl or .parquet; read in chunks."),
    out: Path = typer.Option(..., "-o", "--output", metavar="OUTPUT", help="Output (.csv/.tsv/.jsonl/.parquet, by name): id + six probabilities."),
    model: str = typer.Option("default", "--model", "-m", metavar="MODEL", help=MODEL_HELP),
    text_column: str = typer.Option(TEXT_COLUMN, "--text-column", metavar="NAME", help=TEXT_COLUMN_HELP),
    id_column: str = typer.Option(ID_COLUMN, "--id-column", metavar="NAME", help=ID_COLUMN_HELP),
    backend: Optional[str] = typer.Option(None, "--backend", metavar="onnx|torch", help=BACKEND_HELP),
    sep: Optional[str] = typer.Option(None, "--sep", metavar="CHAR", help="CSV delimiter (default: tab for .tsv, else comma; '\t' = tab); also used for the output."),
    engine: str = typer.Option("local", "--engine", metavar="local|ray", help="local (one process, streaming) or ray (Ray Data; joins RAY_ADDRESS when set)."),
    workers: int = typer.Option(2, "--workers", min=1, metavar="N", help="Ray actors, each with its own model copy (--engine ray)."),
    progress_every: float = typer.Option(5.0, "--progress-every", metavar="SECONDS", help="Seconds between progress lines on stderr."),
    no_cascade: bool = typer.Option(False, "--no-cascade", help="Cascade models: send every comment to the transformer (the full route) instead of only those the linear model cannot settle."),
    labels: bool = typer.Option(False, "--labels", help="Also write `flagged` and one true/false column per label."),
    threshold: Optional[list[str]] = typer.Option(None, "--threshold", metavar="LABEL=VALUE", help=THRESHOLD_HELP + " Needs --labels."),
    sensitivity: Optional[str] = typer.Option(None, "--sensitivity", metavar="low|default|high", help=SENSITIVITY_HELP + " Needs --labels."),
) -> None:
    from cleanspeech.cli.batch import cap_texts
    from cleanspeech.data.progress import ProgressLog
    from cleanspeech.data.stream import ChunkReader, ScoreWriter, score_stream
    from cleanspeech.operating import operating_thresholds

    if engine not in {"local", "ray"}:
        raise typer.BadParameter(f"--engine must be local or ray, got {engine!r}")
    if engine == "ray" and no_cascade:
        raise typer.BadParameter("--no-cascade is for --engine local; pass a non-cascade model folder to Ray")
    progress = ProgressLog("predict", every=progress_every)
    moderator = None
    capped = 0

    def score(texts: list[str]) -> np.ndarray:
        # Bounded cost per row: a comment over the 1 MB budget is scored on its first megabyte.
        nonlocal capped
        texts, n = cap_texts(texts)
        capped += n
        return moderator.scores(texts)

    with friendly_errors():
        overrides, level = parse_operating(threshold, sensitivity)
        if (overrides or level) and not labels:
            raise CliError("--threshold / --sensitivity set the flags of --labels; add --labels")
        if engine == "ray" and labels:
            raise CliError("--labels is for --engine local; Ray writes the six probabilities")
        if engine == "ray":
            from cleanspeech.engines.ray_engine import predict_ray

            rows = predict_ray(input_path, out, model=model, backend=backend,
                               text_column=text_column, id_column=id_column, sep=sep,
                               workers=workers, progress=progress)
        else:
            reader = ChunkReader(input_path, text_column=text_column, id_column=id_column, sep=sep)
            moderator = load_moderator(model, backend, route_all=no_cascade)
            ths = operating_thresholds(moderator.thresholds, level, overrides) if labels else None
            judge = (lambda texts, scores: moderator.flags(texts, scores, ths)) if labels else None
            with ScoreWriter(out, sep=sep, flags=labels) as writer:
                rows = score_stream(reader, writer, score, progress, flags_of=judge)
            if reader.bad_utf8_lines:
                err_console.print(f"[yellow]warning:[/] {input_path}: {reader.bad_utf8_lines} row(s) "
                                  "held non-UTF-8 bytes; they were replaced with U+FFFD")
            if capped:
                err_console.print(f"[yellow]warning:[/] {input_path}: {capped} row(s) over the "
                                  "1 MB budget per comment were scored on their first megabyte")
    console.print(f"wrote {rows} row{'' if rows == 1 else 's'} → {out}")
    routed = moderator.routed_fraction() if moderator is not None else None
    if routed is not None:
        console.print(f"routed to the transformer: {routed:.1%} of non-empty comments")


@app.command("score-submission")
def score_submission_cmd(
    submission: Path = typer.Argument(..., metavar="SUB.csv", help="Submission CSV: id + six probability columns."),
    labels: Path = typer.Option(..., "--labels", metavar="LABELS.csv", help="test_labels.csv (-1 = unscored row)."),
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
        # under the labels, why they differ from the scores shown (the JSON has the same facts)
        notes = "".join(f"\n[dim]{escape(n)}[/]" for n in res.notes(text, thresholds))
        table.add_row(text[:200], *cells, (", ".join(res.labels) or "[green]—[/]") + notes)
    return table


@app.command("moderate")
def moderate_cmd(
    texts: Optional[list[str]] = typer.Argument(None, metavar="TEXT...", help="Comments (or one per line on stdin)."),
    model: str = typer.Option("default", "--model", "-m", metavar="MODEL", help=MODEL_HELP),
    backend: Optional[str] = typer.Option(None, "--backend", metavar="onnx|torch", help=BACKEND_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines (text, scores, labels, flagged, model, version) instead of a table."),
    threshold: Optional[list[str]] = typer.Option(None, "--threshold", metavar="LABEL=VALUE", help=THRESHOLD_HELP),
    sensitivity: Optional[str] = typer.Option(None, "--sensitivity", metavar="low|default|high", help=SENSITIVITY_HELP),
) -> None:
    """Score comments and print the labels at or over each label's threshold.

    Takes long text: up to 1 MB (UTF-8) per comment."""
    import json

    from cleanspeech import __version__
    from cleanspeech.operating import operating_thresholds

    with friendly_errors():
        overrides, level = parse_operating(threshold, sensitivity)
        items = texts_from_args(texts)
        for k, item in enumerate(items):
            check_text_bytes(item, "TEXT" if len(items) == 1 else f"TEXT {k + 1}")
        moderator = load_moderator(model, backend)
        ths = operating_thresholds(moderator.thresholds, level, overrides)
        results = moderator.moderate(items, thresholds=ths)
    if as_json:
        for text, res in zip(items, results):
            print(json.dumps({"text": text, **res.to_dict(), "flagged": res.flagged,
                              "model": moderator.name, "version": __version__}))
        return
    console.print(_moderation_table(items, results, ths))
