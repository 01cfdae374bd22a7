"""Write a trained classifier as a CleanSpeech model folder: weights, tokenizer, ``id2label``,
thresholds tuned on the validation split, metrics, the config used, val predictions, model card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.evaluation.metrics import macro, pr_auc_per_label, prf_at_thresholds, roc_auc_per_label
from cleanspeech.evaluation.thresholds import prevalence, tune_thresholds
from cleanspeech.labels import LABELS
from cleanspeech.models.base import CARD_FILE, METRICS_FILE, write_json
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
    tuned_on = f"validation split (train_val_split seed {config.split_seed}, {config.val_fraction:.0%})"
    metrics = {"validation": validation_metrics(val_labels, probs, ths),
               "best_epoch": epoch_row.get("epoch"), "epoch": epoch_row, "loss": config.loss,
               "loss_info": loss_info}

    def extras(folder: Path) -> None:  # inside the temporary folder: all of it lands at once
        write_json(folder / METRICS_FILE, metrics)
        config.to_yaml(folder / TRAIN_CONFIG)
        np.savez_compressed(folder / VAL_PREDICTIONS, probs=probs.astype(np.float32),
                            labels=val_labels.astype(np.int8))
        (folder / CARD_FILE).write_text(model_card(config, metrics), encoding="utf-8")

    model.save_pretrained(out, tuned_on=tuned_on, prevalence=prevalence(val_labels), extras=extras)
    return out


def model_card(config: TrainConfig, metrics: dict[str, Any]) -> str:
    """A short Markdown model card for a fine-tuned transformer."""
    val = metrics["validation"]
    rows = "\n".join(
        f"| {label} | {val['roc_auc'][label]:.4f} | {val['pr_auc'][label]:.4f} | "
        f"{val['at_thresholds'][label]['f1']:.3f} | {val['at_thresholds'][label]['support']} |"
        for label in LABELS)
    return f"""# CleanSpeech transformer: {config.model_name_or_path}

Fine-tuned for six-label toxicity (Jigsaw labels: {', '.join(LABELS)}).

- Data: `{config.train_path}`, de-duplicated = {config.deduplicate}, split with
  `train_val_split(val_fraction={config.val_fraction}, seed={config.split_seed})`.
- Recipe: loss `{config.loss}`, AdamW lr {config.learning_rate} (weight decay {config.weight_decay},
  none on bias/LayerNorm), warm-up {config.warmup_ratio:.0%} then linear decay, effective batch
  {config.effective_batch_size}, max {config.max_length} tokens, up to {config.epochs} epochs with
  early stopping (patience {config.patience}) on validation macro ROC-AUC; best epoch
  {metrics.get('best_epoch')}.
- Validation ({val['n']} rows): macro ROC-AUC **{val['macro_roc_auc']:.4f}**, macro PR-AUC
  {val['macro_pr_auc']:.4f}. Thresholds maximise F1 per label on this split (its prevalence is in
  `thresholds.json`); they do not transfer to data with other label rates.

| label | ROC-AUC | PR-AUC | F1 at threshold | positives |
|---|---|---|---|---|
{rows}

Limits: English Wikipedia talk-page comments from 2018; identity terms are known to raise scores
on benign text; comments longer than {config.max_length} tokens are scored per window (max).
"""
