"""Train the TF-IDF + logistic-regression model: read → de-duplicate → split → fit → tune
thresholds on validation → save the model folder with metrics, report and model card."""

from __future__ import annotations

import datetime as _dt
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from cleanspeech.data import deduplicate, read_jigsaw, train_val_split
from cleanspeech.data.split import HOLDOUT_FRACTION
from cleanspeech.data.io import write_text_atomic
from cleanspeech.evaluation.report import write_report
from cleanspeech.evaluation.thresholds import prevalence, tune_thresholds
from cleanspeech.labels import LABELS
from cleanspeech.models.base import CARD_FILE, METRICS_FILE, write_json
from cleanspeech.models.linear import LinearConfig, LinearModel
from cleanspeech.training.augment import augmentation_rows


def train_linear(
    train_csv: str | Path,
    out_dir: str | Path,
    *,
    val_fraction: float = HOLDOUT_FRACTION,
    seed: int = 42,
    config: LinearConfig | None = None,
    progress: Callable[[str], None] | None = None,
    augment: tuple[str, ...] = (),
    data_dir: str | Path = "../shared/data",
) -> tuple[LinearModel, dict[str, Any]]:
    """Fit on the train part (+ the ``augment`` rows of :mod:`.augment`, made from the train part
    only), tune per-label F1 thresholds on the validation part, save all."""
    out = Path(out_dir)
    df = deduplicate(read_jigsaw(train_csv, require_labels=True))
    train, val = train_val_split(df, val_fraction=val_fraction, seed=seed)
    say = progress or (lambda msg: None)
    say(f"{len(df)} unique rows: {len(train)} train / {len(val)} validation")
    if augment:
        extra = augmentation_rows(augment, train, data_dir, seed=seed)
        say(f"+{len(extra)} augmentation rows ({', '.join(augment)})")
        train = pd.concat([train[["comment_text", *LABELS]], extra], ignore_index=True)
    model = LinearModel(config or LinearConfig(seed=seed))
    model.fit(train["comment_text"].tolist(), train[list(LABELS)].to_numpy(dtype=float),
              progress=lambda label: say(f"fitted {label}"))
    y_val = val[list(LABELS)].to_numpy()
    scores = model.predict_proba(val["comment_text"].tolist())
    model.thresholds, _ = tune_thresholds(y_val, scores)
    tuned_on = f"validation split of {Path(train_csv).name} (val_fraction={val_fraction}, seed={seed})"
    model.save_pretrained(out, tuned_on=tuned_on, prevalence=prevalence(y_val))
    data_info = {"train_csv": str(Path(train_csv).name), "n_unique": len(df), "n_train": len(train),
                 "n_val": len(val), "val_fraction": val_fraction, "seed": seed,
                 "augment": list(augment)}
    metrics = write_report(y_val, scores, model.thresholds, out / "report",
                           title="Linear model: validation", extra={"data": data_info})
    write_json(out / METRICS_FILE, metrics)
    write_text_atomic(model_card(model, metrics, data_info), out / CARD_FILE)
    return model, metrics


def model_card(model: LinearModel, metrics: dict[str, Any], data: dict[str, Any]) -> str:
    cfg = model.config
    rows = "\n".join(
        f"| {label} | {metrics['roc_auc'][label]:.4f} | {metrics['pr_auc'][label]:.4f} | "
        f"{metrics['thresholds'][label]:.3f} | {metrics['at_thresholds'][label]['f1']:.3f} |"
        for label in LABELS
    )
    return f"""# CleanSpeech linear model (TF-IDF + logistic regression)

Six independent logistic regressions (C={cfg.C}, liblinear) over TF-IDF features: word
{cfg.word_ngram_range[0]}–{cfg.word_ngram_range[1]}-grams and {cfg.char_analyzer}
{cfg.char_ngram_range[0]}–{cfg.char_ngram_range[1]}-grams (sublinear tf, min_df={cfg.min_df}),
pruned to the {cfg.keep_features} strongest features and refitted. Cleaning: `{cfg.cleaning}`
(the vectorisers only lowercase). Weights are float16 safetensors + JSON vocabularies; no pickle.

## Data
Kaggle Jigsaw Toxic Comment Classification (`{data['train_csv']}`: {data['n_unique']} unique rows,
a subset of the official train set that over-represents toxic comments, ~21% toxic).
De-duplicated, then split {1 - data['val_fraction']:.0%}/{data['val_fraction']:.0%} stratified on `toxic`
(seed {data['seed']}): {data['n_train']} train / {data['n_val']} validation rows.

## Validation metrics
Macro ROC-AUC **{metrics['macro_roc_auc']:.4f}**, macro PR-AUC {metrics['macro_pr_auc']:.4f},
macro F1 {metrics['macro_f1']:.4f} at the thresholds below.

| label | ROC-AUC | PR-AUC | threshold | F1 |
|---|---|---|---|---|
{rows}

Thresholds maximise per-label F1 on the validation split, at that split's prevalence
(toxic {metrics['prevalence']['toxic']:.1%}). They do not transfer to data with other label rates
(the natural Jigsaw rate is ~9.6% toxic): re-tune them on data like yours.

## Limits
- English Wikipedia talk-page comments; other domains, languages and dialects score worse, and
  identity terms can raise scores on their own (a known Jigsaw bias).
- Bag of n-grams: no word order beyond bigrams, so negation and sarcasm are missed.
- The F1 figures above are tuned and scored on the same validation split (optimistic).

Trained {_dt.date.today().isoformat()} on {platform.machine()} with `make models/linear`.
"""
