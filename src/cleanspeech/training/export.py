"""Write a trained classifier as a CleanSpeech model folder: weights, tokenizer, ``id2label``,
thresholds tuned on the validation split, metrics, the config used, val predictions, model card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.evaluation.metrics import macro, pr_auc_per_label, prf_at_thresholds, roc_auc_per_label
from cleanspeech.evaluation.thresholds import prevalence, tune_thresholds
from cleanspeech.models.base import METRICS_FILE, write_json
from cleanspeech.models.card import write_card
from cleanspeech.training.config import TrainConfig

VAL_PREDICTIONS = "val_predictions.npz"
TRAIN_CONFIG = "training_config.yaml"


def validation_metrics(y: np.ndarray, probs: np.ndarray, thresholds: np.ndarray) -> dict[str, Any]:
    """Macro/per-label ROC-AUC and PR-AUC, and P/R/F1 at ``thresholds``, on ``(n, 6)`` arrays."""
    roc, pr = roc_auc_per_label(y, probs), pr_auc_per_label(y, probs)
    return {"n": int(len(y)), "macro_roc_auc": macro(roc), "macro_pr_auc": macro(pr),
            "roc_auc": roc, "pr_auc": pr, "at_thresholds": prf_at_thresholds(y, probs, thresholds)}


def save_trained_model(out: str | Path, module, tokenizer, config: TrainConfig, val_labels: np.ndarray,
                       probs: np.ndarray, epoch_row: dict[str, Any], loss_info: dict[str, Any],
                       weights_format: str = "hf") -> Path:
    """Save the best epoch's model folder (main process only)."""
    from cleanspeech.models.transformer import TransformerModel

    out = Path(out)
    ths, _ = tune_thresholds(val_labels, probs)
    model = TransformerModel(tokenizer, module, max_length=config.max_length, cleaning=config.cleaning,
                             thresholds=ths, weights_format=weights_format,
                             base_model=config.model_name_or_path)
    tuned_on = split_description(config)
    metrics = {"title": f"CleanSpeech transformer: {config.model_name_or_path}",
               "validation": validation_metrics(val_labels, probs, ths),
               "best_epoch": epoch_row.get("epoch"), "epoch": epoch_row, "loss": config.loss,
               "loss_info": loss_info, "training": training_record(config, epoch_row.get("epoch"))}
    if config.mixture:
        metrics["training_data"] = mixture_sources(config)

    def extras(folder: Path) -> None:  # inside the temporary folder: all of it lands at once
        write_json(folder / METRICS_FILE, metrics)
        config.to_yaml(folder / TRAIN_CONFIG)
        np.savez_compressed(folder / VAL_PREDICTIONS, probs=probs.astype(np.float32),
                            labels=val_labels.astype(np.int8))
        write_card(folder)

    model.save_pretrained(out, tuned_on=tuned_on, prevalence=prevalence(val_labels), extras=extras)
    return out


def split_description(config: TrainConfig) -> str:
    """Which rows trained and validated the run (as the card and thresholds.json say it)."""
    if config.split == "project":
        extra = f"; Jigsaw rows sampled: {config.jigsaw_rows}" if config.jigsaw_rows else ""
        if config.jigsaw_keep_labels:
            extra += f" + every row positive for {', '.join(config.jigsaw_keep_labels)}"
        if config.jigsaw_clean_rows is not None:
            extra += f"; every toxic Jigsaw row + {config.jigsaw_clean_rows} clean ones"
        if config.jigsaw_identity_clean_rows:
            extra += f"; + {config.jigsaw_identity_clean_rows} clean rows that name an identity group"
        aug = f"; augmentations: {', '.join(config.augment)}" if config.augment else ""
        return f"dev part of project_split (seed {config.split_seed}){extra}{aug}"
    return f"validation split (train_val_split seed {config.split_seed}, {config.val_fraction:.0%})"


def _teacher_name(path: str) -> str:
    """``path (base model)``: a teacher folder named with the encoder it was fine-tuned from."""
    meta = Path(path) / "cleanspeech.json"
    base = json.loads(meta.read_text()).get("base_model") if meta.is_file() else None
    return f"{path} ({Path(str(base)).name} fine-tuned)" if base else str(path)


def training_record(config: TrainConfig, best_epoch: Any) -> dict[str, Any]:
    """The recipe as the model card shows it (the full config is ``training_config.yaml``)."""
    extra: dict[str, Any] = {}
    if config.mixture:
        extra["mixture"] = mixture_note(config.mixture_max_per_source, config.seed)
    if config.teacher:
        teachers = [config.teacher] if isinstance(config.teacher, str) else config.teacher
        extra["distillation"] = (f"soft labels ({', '.join(config.distill_labels or ['all'])}) from "
                                 f"{', '.join(map(_teacher_name, teachers))}, weight {config.distill_alpha}, on "
                                 f"{', '.join(config.distill_origins or ['all'])} rows")
    return {"base model": config.model_name_or_path, "data": config.train_path,
            "split": split_description(config), **extra,
            "loss": config.loss, "learning rate": config.learning_rate,
            "weight decay": config.weight_decay, "warm-up": config.warmup_ratio,
            "effective batch": config.effective_batch_size, "max tokens": config.max_length,
            "epochs": config.epochs, "patience": config.patience, "best epoch": best_epoch}


def mixture_sources(config: TrainConfig) -> list[dict[str, Any]]:
    """The mixture rows a run trained on, per source, with licence (the card's credit table; the
    Jigsaw rows and augmentations are in ``split``)."""
    from cleanspeech.data.sources.registry import source_licence
    from cleanspeech.training.data import mixture_train_rows

    counts = mixture_train_rows(config)["source"].value_counts()
    return [{"name": name, "rows": int(n), "share": float(n / counts.sum()),
             "licence": source_licence(name, config.data_dir) or "not a registered source"}
            for name, n in counts.items()]


def mixture_note(max_per_source: int | None, seed: int) -> str:
    """How a run drew its mixture rows, as its card's ``training`` table says it."""
    return (f"train parts of the open-licence sources, at most {max_per_source} rows each (seed {seed}; "
            "table below), labels a source is silent on masked")


def refresh_card(folder: str | Path) -> Path:
    """Re-derive a trained folder's ``training`` record and mixture table from its
    ``training_config.yaml`` and re-render its card (for folders trained before the card said it)."""
    folder = Path(folder)
    config = TrainConfig.from_yaml(folder / TRAIN_CONFIG)
    metrics = json.loads((folder / METRICS_FILE).read_text())
    metrics["training"] = training_record(config, metrics.get("best_epoch"))
    if config.mixture:
        metrics["training_data"] = mixture_sources(config)
    write_json(folder / METRICS_FILE, metrics)
    return write_card(folder)


if __name__ == "__main__":  # python -m cleanspeech.training.export FOLDER...
    import sys

    for arg in sys.argv[1:]:
        print(refresh_card(arg))
