"""The fine-tuning loop: Accelerate's order of work as small, overridable steps (skorch-like).

``Trainer.fit`` = ``setup`` (tokenizer, model, data, loss, optimizer, schedule, ``prepare``) then,
per epoch, ``train_epoch`` (``train_step`` under ``accumulate``; ``get_loss``) and ``evaluate``
(``eval_step`` + ``gather_for_metrics``), early stopping on validation macro ROC-AUC, a resumable
checkpoint (``save_state``) and the best epoch written as a ``save_pretrained`` folder by the main
process only. Works on one CPU, one GPU, or many under ``accelerate launch``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from accelerate import Accelerator
from accelerate.utils import set_seed
from tqdm.auto import tqdm

from cleanspeech.evaluation.metrics import macro, roc_auc_per_label
from cleanspeech.labels import LABEL2ID, N_LABELS
from cleanspeech.training import data as tdata
from cleanspeech.training.backbone import load_backbone, resolve_source
from cleanspeech.training.config import TrainConfig
from cleanspeech.training.losses import make_loss
from cleanspeech.training.optim import apply_gradients, build_optimizer, build_scheduler, new_best_state, record_best

CHECKPOINT_DIR = "checkpoint"
BEST_DIR = "best"
STATE_FILE = "trainer_state.json"


class Trainer:
    """One fine-tuning run; override ``get_loss`` / ``train_step`` / ``eval_step`` to vary it."""

    def __init__(self, config: TrainConfig, output_dir: str | Path,
                 accelerator: Accelerator | None = None, resume: bool = True) -> None:
        self.config, self.output_dir, self.resume = config, Path(output_dir), resume
        mp = config.mixed_precision if torch.cuda.is_available() else "no"
        # several CPU processes (torchrun / accelerate launch without GPUs) need cpu=True for gloo
        cpu = not torch.cuda.is_available() and int(os.environ.get("WORLD_SIZE", "1")) > 1
        self.accelerator = accelerator or Accelerator(mixed_precision=mp, cpu=cpu)
        self.accelerator.gradient_accumulation_steps = config.accumulation_steps(
            self.accelerator.num_processes)
        self.state: dict[str, Any] = {"epoch": -1, **new_best_state(), "global_step": 0, "history": []}

    # --- setup -------------------------------------------------------------------------------
    def setup(self) -> None:
        cfg, acc = self.config, self.accelerator
        set_seed(cfg.seed)
        self.tokenizer, model = load_backbone(cfg.model_name_or_path)
        train_df, val_df = tdata.training_frames(cfg)
        # a mixture run validates on Jigsaw dev and on the sources' held-out rows; thresholds and
        # the best folder's metrics stay on the Jigsaw rows alone (the design's operating point)
        self.val_sources = val_df["source"].to_numpy() if "source" in val_df else None
        self.val_target = val_df["target"].to_numpy(dtype=float) if "target" in val_df else None
        self.jigsaw_val = (np.ones(len(val_df), dtype=bool) if self.val_sources is None
                           else self.val_sources == tdata.JIGSAW_SOURCE)
        self.val_labels = tdata.label_matrix(val_df)
        train_y = tdata.label_matrix(train_df)
        self.loss_fn, self.loss_info = make_loss(cfg.loss, train_y)  # weights from the human labels
        if cfg.teacher or cfg.jigsaw_teacher:
            train_y = self.distill_targets(train_df, train_y)
        pad = self.tokenizer.pad_token_id or 0
        tok = lambda df: tdata.tokenize(self.tokenizer, df["comment_text"].tolist(),  # noqa: E731
                                        cfg.max_length, cfg.cleaning)
        train_ds = tdata.TokenizedDataset(tok(train_df), train_y)
        self.val_ds = tdata.TokenizedDataset(tok(val_df), self.val_labels)
        train_dl = tdata.train_loader(train_ds, cfg.per_device_batch_size, pad, cfg.seed,
                                      cfg.length_bucketing, cfg.bucket_size_multiplier, cfg.num_workers)
        val_dl = tdata.eval_loader(self.val_ds, cfg.eval_batch_size, pad)
        accum = acc.gradient_accumulation_steps
        steps_per_epoch = math.ceil(len(train_dl) / accum)
        total = steps_per_epoch * cfg.epochs
        if cfg.max_steps is not None:
            total = min(total, cfg.max_steps * acc.num_processes)
        optimizer = build_optimizer(model, cfg.learning_rate, cfg.weight_decay)
        scheduler = build_scheduler(optimizer, total, cfg.warmup_ratio)
        (self.model, self.optimizer, self.train_dl, self.val_dl, self.scheduler) = acc.prepare(
            model, optimizer, train_dl, val_dl, scheduler)
        self.sampler = train_dl.batch_sampler
        acc.print(f"train rows {len(train_df)}, val rows {len(val_df)}, processes "
                  f"{acc.num_processes}, accumulation {accum}, scheduler steps {total}, "
                  f"precision {acc.mixed_precision}, device {acc.device}")

    def distill_targets(self, train_df, labels: np.ndarray) -> np.ndarray:
        """The teachers' probabilities blended into ``labels`` (cached in the run folder; scored on
        the main process before ``prepare``, so every process reads the same targets): the
        teachers' on ``distill_origins``, the ``jigsaw_teacher``'s on the Jigsaw rows."""
        from cleanspeech.training.distill import JIGSAW_CACHE_FILE, blend_targets, ensemble_probs, teacher_probs

        cfg, acc = self.config, self.accelerator
        texts = train_df["comment_text"].astype(str).tolist()
        jig = (train_df["origin"] == "jigsaw").to_numpy()

        def score():
            probs = jig_probs = None
            if cfg.teacher:
                probs = ensemble_probs([resolve_source(t) for t in cfg.teachers()], texts, cfg.max_length,
                                       cfg.cleaning, self.output_dir, cfg.distill_labels)
            if cfg.jigsaw_teacher:
                jig_probs = teacher_probs(resolve_source(cfg.jigsaw_teacher), [t for t, j in zip(texts, jig) if j],
                                          cfg.max_length, cfg.cleaning, self.output_dir, JIGSAW_CACHE_FILE)
            return probs, jig_probs

        scored = score() if acc.is_main_process else None
        acc.wait_for_everyone()
        if scored is None:  # the other processes read what the main one cached
            scored = score()
        probs, jig_probs = scored
        acc.print(f"distillation: teacher {cfg.teacher}, alpha {cfg.distill_alpha}, "
                  f"fill unknown {cfg.distill_fill_unknown}, rows {cfg.distill_origins or 'all'}, "
                  f"first teacher's labels {cfg.distill_labels or 'all'}, Jigsaw rows' teacher {cfg.jigsaw_teacher}")
        out = np.array(labels, dtype=float)  # a copy: the Jigsaw rows are written in place below
        if probs is not None:
            rows = None if cfg.distill_origins is None else train_df["origin"].isin(cfg.distill_origins).to_numpy()
            out = blend_targets(out, probs, cfg.distill_alpha, cfg.distill_fill_unknown, rows)
        if jig_probs is not None:
            out[jig] = blend_targets(out[jig], jig_probs, cfg.distill_alpha, cfg.distill_fill_unknown)
        return out.astype(np.float32)

    # --- steps -------------------------------------------------------------------------------
    def get_loss(self, logits: torch.Tensor, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.loss_fn(logits.float(), batch["labels"])

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Logits ``(b, 6)``."""
        return self.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits

    def train_step(self, batch: dict[str, torch.Tensor]) -> float:
        """One micro-batch under ``accumulate``: forward, loss, backward, clip, step on sync."""
        acc = self.accelerator
        self.model.train()
        with acc.accumulate(self.model):
            loss = self.get_loss(self.forward(batch), batch)
            acc.backward(loss)
            apply_gradients(self.optimizer, self.scheduler, self.model.parameters(),
                            self.config.max_grad_norm if acc.sync_gradients else 0, clip=acc.clip_grad_norm_)
        return float(loss.detach())

    @torch.no_grad()
    def eval_step(self, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """``(probs (b, 6), index (b,))`` gathered from every process, padding dropped."""
        self.model.eval()
        probs = torch.sigmoid(self.forward(batch).float())
        return self.accelerator.gather_for_metrics((probs, batch["index"]))

    # --- loops -------------------------------------------------------------------------------
    def train_epoch(self, epoch: int, deadline: float | None) -> dict[str, float]:
        acc, cfg = self.accelerator, self.config
        self.sampler.set_epoch(epoch)
        bar = tqdm(self.train_dl, desc=f"epoch {epoch}", disable=not (cfg.progress_bar and acc.is_local_main_process))
        losses = []
        for batch in bar:
            losses.append(self.train_step(batch))
            if acc.sync_gradients:
                self.state["global_step"] += 1
            bar.set_postfix(loss=f"{np.mean(losses[-50:]):.4f}")
            if cfg.max_steps is not None and self.state["global_step"] >= cfg.max_steps:
                break
            if deadline is not None and time.time() > deadline:
                acc.print("time budget reached: stopping this epoch early")
                break
        return {"train_loss": float(np.mean(losses)) if losses else float("nan")}

    def predict_val(self) -> np.ndarray:
        """Validation probabilities ``(n_val, 6)`` in split order."""
        out = np.zeros((len(self.val_ds), N_LABELS), dtype=np.float32)
        for batch in self.val_dl:
            probs, index = self.eval_step(batch)
            out[index.cpu().numpy()] = probs.cpu().numpy()
        return out

    def evaluate(self) -> tuple[dict[str, Any], np.ndarray]:
        """Jigsaw dev metrics (and, for a mixture run, held-out source ROC-AUCs); the probs
        returned are the Jigsaw rows' only."""
        probs = self.predict_val()
        jig = self.jigsaw_val
        per_label = roc_auc_per_label(self.val_labels[jig], probs[jig])
        metrics: dict[str, Any] = {"macro_roc_auc": macro(per_label), "roc_auc": per_label}
        if self.val_sources is not None:
            per_source = source_aucs(self.val_sources[~jig], self.val_target[~jig],
                                     self.val_labels[~jig], probs[~jig])
            metrics["sources_roc_auc"] = per_source
            metrics["mean_sources_roc_auc"] = (float(np.mean(list(per_source.values())))
                                               if per_source else float("nan"))
            metrics["jigsaw_and_sources"] = (metrics["macro_roc_auc"] + metrics["mean_sources_roc_auc"]) / 2
        return metrics, probs[jig]

    def fit(self) -> dict[str, Any]:
        """Train with early stopping; returns the summary also written to ``summary.json``."""
        cfg, acc = self.config, self.accelerator
        start = time.time()
        deadline = start + cfg.time_budget_s if cfg.time_budget_s else None
        self.setup()
        self._maybe_resume()
        first = self.state["epoch"] + 1
        for epoch in range(first, cfg.epochs):
            t0 = time.time()
            row = {"epoch": epoch, **self.train_epoch(epoch, deadline)}
            metrics, probs = self.evaluate()
            row.update(metrics, seconds=round(time.time() - t0, 1))
            self._record_epoch(row, probs)
            extra = (f", held-out sources {metrics['mean_sources_roc_auc']:.5f}"
                     if "mean_sources_roc_auc" in metrics else "")
            acc.print(f"epoch {epoch}: val macro ROC-AUC {metrics['macro_roc_auc']:.5f}{extra}")
            stop = (self.state["bad_epochs"] >= cfg.patience
                    or (cfg.max_steps is not None and self.state["global_step"] >= cfg.max_steps)
                    or (deadline is not None and time.time() > deadline)
                    or (cfg.run_epochs is not None and epoch + 1 - first >= cfg.run_epochs))
            self._save_checkpoint(epoch)
            if stop:
                break
        acc.wait_for_everyone()
        summary = {**self.state, "config": cfg.to_dict(), "loss_info": self.loss_info,
                   "seconds": round(time.time() - start, 1), "num_processes": acc.num_processes,
                   "device": str(acc.device), "mixed_precision": acc.mixed_precision}
        if acc.is_main_process:
            (self.output_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        return summary

    # --- bookkeeping -------------------------------------------------------------------------
    def _record_epoch(self, row: dict[str, Any], probs: np.ndarray) -> None:
        st = self.state
        st["epoch"] = row["epoch"]
        st["history"].append(row)
        if record_best(st, row["epoch"], row[self.config.early_stopping_metric]):
            self.save_best(probs, row)

    def save_best(self, probs: np.ndarray, row: dict[str, Any]) -> None:
        """Write the best epoch as a model folder (main process only) with its val predictions."""
        acc = self.accelerator
        acc.wait_for_everyone()
        if not acc.is_main_process:
            return
        from cleanspeech.training.export import save_trained_model

        save_trained_model(self.output_dir / BEST_DIR, acc.unwrap_model(self.model), self.tokenizer,
                           self.config, self.val_labels[self.jigsaw_val], probs, row, self.loss_info)

    def _save_checkpoint(self, epoch: int) -> None:
        acc = self.accelerator
        ckpt = self.output_dir / CHECKPOINT_DIR
        tmp = self.output_dir / (CHECKPOINT_DIR + ".tmp")
        acc.wait_for_everyone()
        acc.save_state(str(tmp))  # writes on the main process only
        if acc.is_main_process:
            (tmp / STATE_FILE).write_text(json.dumps(self.state, indent=2) + "\n")
            if ckpt.exists():
                shutil.rmtree(ckpt)
            tmp.rename(ckpt)
        acc.wait_for_everyone()

    def _maybe_resume(self) -> None:
        state_file = self.output_dir / CHECKPOINT_DIR / STATE_FILE
        if not (self.resume and state_file.exists()):
            return
        self.accelerator.load_state(str(state_file.parent))
        self.state = json.loads(state_file.read_text())
        self.accelerator.print(f"resumed after epoch {self.state['epoch']} "
                               f"(best {self.state['best_metric']:.5f} at epoch {self.state['best_epoch']})")


def source_aucs(sources: np.ndarray, target: np.ndarray, labels: np.ndarray,
                probs: np.ndarray) -> dict[str, float]:
    """Per held-out source, as ``bench/bench_sources.py`` scores it: ``SOURCE/any`` = its own
    target against the highest of the six scores, ``SOURCE/identity_hate`` = its identity_hate
    against that score; rows where the source says nothing and one-class sets are left out."""
    from sklearn.metrics import roc_auc_score

    out: dict[str, float] = {}
    ident = LABEL2ID["identity_hate"]
    for name in dict.fromkeys(sources):
        rows = sources == name
        for task, y, score in (("any", target[rows], probs[rows].max(axis=1)),
                               ("identity_hate", labels[rows, ident], probs[rows, ident])):
            known = ~np.isnan(y)
            if len(np.unique(y[known])) == 2:
                out[f"{name}/{task}"] = float(roc_auc_score(y[known], score[known]))
    return out


def train(config: TrainConfig, output_dir: str | Path, resume: bool = True) -> dict[str, Any]:
    """Fine-tune per ``config`` into ``output_dir`` (best model in ``output_dir/best``)."""
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    return Trainer(config, output_dir, resume=resume).fit()
