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
from cleanspeech.evaluation.report import write_report
from cleanspeech.evaluation.thresholds import prevalence, tune_thresholds
from cleanspeech.labels import LABELS
from cleanspeech.models.base import METRICS_FILE, write_json
from cleanspeech.models.card import write_card
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
    data_info = {"train_csv": str(Path(train_csv).name), "n_unique": len(df), "n_train": len(train),
                 "n_val": len(val), "val_fraction": val_fraction, "seed": seed,
                 "augment": list(augment)}
    metrics: dict[str, Any] = {}
    training = {"command": "make linear-model", "trained": _dt.date.today().isoformat(),
                "machine": platform.machine()}

    def extras(folder: Path) -> None:  # inside the temporary folder: all of it lands at once
        metrics.update(write_report(y_val, scores, model.thresholds, folder / "report",
                                    title="Linear model: validation", extra={"data": data_info}))
        write_json(folder / METRICS_FILE, {
            "title": "CleanSpeech linear model (TF-IDF + logistic regression)", "summary": SUMMARY,
            **metrics, "training": training, "notes": NOTES})
        write_card(folder)  # from the cleanspeech.json, thresholds.json and metrics.json above

    model.save_pretrained(out, tuned_on=tuned_on, prevalence=prevalence(y_val), extras=extras)
    return model, metrics


SUMMARY = ("Six independent logistic regressions (liblinear) over TF-IDF word and character "
           "n-grams (sublinear tf), pruned to the strongest features and refitted; the vectorisers "
           "only lowercase. Weights are float16 safetensors + JSON vocabularies; no pickle.")
NOTES = ["Bag of n-grams: no word order beyond bigrams, so negation and sarcasm are missed.",
         "The F1 figures are tuned and scored on the same validation split (optimistic)."]
