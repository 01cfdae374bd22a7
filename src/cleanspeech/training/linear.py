"""Train the TF-IDF + logistic-regression model: read → de-duplicate → split → fit → tune
thresholds on validation → save the model folder with metrics, report and model card."""

from __future__ import annotations

import datetime as _dt
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanspeech.data import deduplicate, read_jigsaw, train_val_split
from cleanspeech.data.split import HOLDOUT_FRACTION, TEST_SHARE
from cleanspeech.evaluation.bootstrap import bootstrap_ci, weighted_macro_auc
from cleanspeech.evaluation.calibration import NATURAL_PREVALENCE, prevalence_weights
from cleanspeech.evaluation.operating import OperatingPoint, choose_thresholds
from cleanspeech.evaluation.report import write_report
from cleanspeech.labels import LABELS, check_label_names
from cleanspeech.models.base import METRICS_FILE, write_json
from cleanspeech.models.card import write_card
from cleanspeech.models.linear import LinearConfig, LinearModel
from cleanspeech.training.augment import augmentation_rows
from cleanspeech.training.config import MIXTURE_CACHE, TrainConfig


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
    mixture_max_per_source: int | None = None,
    mixture_cache: str | None = MIXTURE_CACHE,
    mixture_labels: tuple[str, ...] | None = None,
) -> tuple[LinearModel, dict[str, Any]]:
    """Fit on the train part (+ the ``augment`` rows of :mod:`.augment`, made from the train part
    only; with ``mixture_max_per_source``, + that many train rows per multi-source mixture source,
    their unknown labels left out of each label's regression; ``mixture_labels``: the labels those
    rows teach, the others left out too, so a label keeps Jigsaw's own meaning), choose max-F1 thresholds at natural prevalence on the dev half of the held-out part
    and report on its test half (the project split: ``data.split.project_split``), save all."""
    if mixture_labels is not None:
        if not mixture_labels:
            raise ValueError("mixture labels must name at least one label")
        check_label_names(mixture_labels, "mixture labels")
        if mixture_max_per_source is None:  # else silently ignored: no mixture rows to restrict
            raise ValueError("mixture labels need the mixture (mixture_max_per_source)")
    out = Path(out_dir)
    df = deduplicate(read_jigsaw(train_csv, require_labels=True))
    train, val = train_val_split(df, val_fraction=val_fraction, seed=seed)
    say = progress or (lambda msg: None)
    say(f"{len(df)} unique rows: {len(train)} train / {len(val)} validation")
    if augment:
        extra = augmentation_rows(augment, train, data_dir, seed=seed)
        say(f"+{len(extra)} augmentation rows ({', '.join(augment)})")
        train = pd.concat([train[["comment_text", *LABELS]], extra], ignore_index=True)
    mix_cfg = None if mixture_max_per_source is None else TrainConfig(
        train_path=str(train_csv), data_dir=str(data_dir), split="project", mixture=True,
        mixture_max_per_source=mixture_max_per_source, mixture_cache=mixture_cache, seed=seed)
    if mix_cfg is not None:
        from cleanspeech.training.data import mixture_frames

        mix, _ = mixture_frames(mix_cfg)
        say(f"+{len(mix)} multi-source mixture rows (at most {mixture_max_per_source} per source)")
        if mixture_labels is not None:
            unknown_labels = [label for label in LABELS if label not in mixture_labels]
            mix = mix.assign(**{label: np.nan for label in unknown_labels})
            say(f"mixture rows teach {', '.join(mixture_labels)} only")
        train = pd.concat([train[["comment_text", *LABELS]], mix], ignore_index=True)
    model = LinearModel(config or LinearConfig(seed=seed))
    model.fit(train["comment_text"].tolist(), train[list(LABELS)].to_numpy(dtype=float),
              progress=lambda label: say(f"fitted {label}"))
    dev, test = train_val_split(val, TEST_SHARE, seed=seed)
    y_dev, y_test = dev[list(LABELS)].to_numpy(), test[list(LABELS)].to_numpy()
    dev_scores = model.predict_proba(dev["comment_text"].tolist())
    scores = model.predict_proba(test["comment_text"].tolist())
    natural = dict(NATURAL_PREVALENCE)
    model.thresholds = choose_thresholds(y_dev, dev_scores, OperatingPoint("f1"),
                                         prevalence_weights(y_dev, natural))
    tuned_on = (f"dev half of the held-out {val_fraction:.0%} of {Path(train_csv).name} (seed {seed}), "
                "max F1 at natural prevalence")
    data_info = {"train_csv": str(Path(train_csv).name), "n_unique": len(df), "n_train": len(train),
                 "n_dev": len(dev), "n_test": len(test), "val_fraction": val_fraction, "seed": seed,
                 "augment": list(augment), "mixture_max_per_source": mixture_max_per_source,
                 "mixture_labels": None if mixture_labels is None else list(mixture_labels)}
    metrics: dict[str, Any] = {}
    training = {"command": "make linear-model" if mixture_max_per_source is None and not augment
                else "cleanspeech train-linear (options: `augment`, `mixture_*` in the test report's data)",
                "trained": _dt.date.today().isoformat(), "machine": platform.machine()}
    sources = None
    if mix_cfg is not None:
        from cleanspeech.training.export import mixture_note, mixture_sources

        sources = mixture_sources(mix_cfg)
        training["mixture"] = (f"{mixture_note(mixture_max_per_source, seed)}; teaching "
                               f"{', '.join(mixture_labels or LABELS)}")

    def extras(folder: Path) -> None:  # inside the temporary folder: all of it lands at once
        metrics.update(write_report(y_test, scores, model.thresholds, folder / "report",
                                    title="Linear model: test split", extra={"data": data_info},
                                    prevalence="natural"))
        ci = {"macro_roc_auc": list(bootstrap_ci(weighted_macro_auc, y_test, scores))}
        write_json(folder / METRICS_FILE, {
            "title": "CleanSpeech linear model (TF-IDF + logistic regression)", "summary": SUMMARY,
            "test": {**metrics, "ci": ci}, "training": training, "notes": NOTES,
            **({"training_data": sources} if sources else {})})
        write_card(folder)  # from the cleanspeech.json, thresholds.json and metrics.json above

    model.save_pretrained(out, tuned_on=tuned_on, prevalence=natural, extras=extras)
    return model, metrics


SUMMARY = ("Six independent logistic regressions (liblinear) over TF-IDF word and character "
           "n-grams (sublinear tf), pruned to the strongest features and refitted; the vectorisers "
           "only lowercase. Weights are float16 safetensors + JSON vocabularies; no pickle.")
NOTES = ["Bag of n-grams: no word order beyond bigrams, so negation and sarcasm are missed.",
         "Thresholds are chosen on the dev split; every figure is on the test split, where "
         "precision/recall 'at natural prevalence' re-weight its rows on toxic."]
