"""The training configuration: one dataclass, read from / written to dicts and YAML.

Presets live in ``configs/*.yaml``; ``--set key=value`` overrides parse values as YAML scalars.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cleanspeech.labels import check_label_names

LOSSES = ("weighted_bce", "bce", "pos_weight")
PRECISIONS = ("no", "fp16", "bf16")
SPLITS = ("legacy", "project")
# "macro_roc_auc": Jigsaw dev macro ROC-AUC; "jigsaw_and_sources": its mean with the mean held-out
# source ROC-AUC (mixture runs), so neither the Jigsaw ranking nor the other sites are traded away.
STOPPING_METRICS = ("macro_roc_auc", "jigsaw_and_sources")
ORIGINS = ("jigsaw", "augment", "mixture")  # the blocks of a training frame (training.data)


MIXTURE_CACHE = "runs/mixture/mixture.parquet"  # the multi-source mixture, cached (building it reads 15 sets)


@dataclass
class TrainConfig:
    """Every setting of a fine-tuning run (defaults: the design's mDeBERTa-v3-base recipe)."""

    model_name_or_path: str = "microsoft/mdeberta-v3-base"  # hub id or local folder
    train_path: str = "../shared/data/jigsaw/train.csv.gz"
    val_fraction: float = 0.1
    split_seed: int = 42
    deduplicate: bool = True
    cleaning: str = "none"
    max_train_rows: int | None = None  # cap for smoke runs
    # "legacy": train_val_split(val_fraction) as the shipped member was trained; "project":
    # project_split's train part for training and its dev part for validation (test untouched).
    split: str = "legacy"
    jigsaw_rows: int | None = None  # random sample of the Jigsaw training rows (seeded); None = all
    jigsaw_clean_rows: int | None = None  # keep every row with a label, sample this many clean ones
    # Labels whose every positive Jigsaw row joins a ``jigsaw_rows`` sample: a 7,000-row sample
    # holds 36 of the train part's 226 threats, too few for a member to keep the label.
    jigsaw_keep_labels: list[str] | None = None
    # Clean comments that name an identity group, sampled from the whole train part and added to
    # the rows above: civil group mentions, so hate-heavy sources do not teach "group named -> hate".
    jigsaw_identity_clean_rows: int | None = None
    augment: list[str] = field(default_factory=list)  # training.augment names, e.g. hard, paradetox
    augment_max_rows: int | None = None  # a seeded sample of at most this many rows per augmentation
    data_dir: str = "../shared/data"  # where augmentations read ParaDetox / toxic spans
    # The multi-source mixture (cleanspeech.data.sources.build_mixture): its train rows are
    # appended to the Jigsaw rows (NaN = the source says nothing: masked by the loss) and its
    # held-out parts join the validation frame; eval-only sources are never read for training.
    mixture: bool = False
    mixture_sources: list[str] | None = None  # train sources to use; None = every one
    mixture_max_per_source: int | None = None  # seeded cap per source, so no source dominates
    mixture_cache: str | None = MIXTURE_CACHE
    val_rows_per_source: int | None = 300  # held-out rows per source in validation (seed 0)
    # Distillation (cleanspeech.training.distill): a fine-tuned teacher's model folder; its
    # probabilities are blended into the targets (alpha on a known label; it fills an unknown one
    # unless distill_fill_unknown is false). A list: an ensemble, the mean of their probabilities.
    # None = train on the human labels alone.
    teacher: str | list[str] | None = None
    distill_alpha: float = 0.5
    distill_fill_unknown: bool = True
    distill_origins: list[str] | None = None  # rows to distil by origin (jigsaw/augment/mixture); None = all
    # labels the first teacher gives; the other teachers' mean gives the rest (None = all teachers' mean)
    distill_labels: list[str] | None = None
    # Learning without forgetting: this model's probabilities (blended by distill_alpha) on the
    # Jigsaw rows the teachers leave alone (distill_origins without jigsaw), so a student started
    # from a model that saw all of Jigsaw keeps its ranking there. None = those rows keep their labels.
    jigsaw_teacher: str | None = None
    max_length: int = 256
    loss: str = "weighted_bce"
    learning_rate: float = 2e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    per_device_batch_size: int = 16
    effective_batch_size: int = 32  # reached by gradient accumulation over devices
    eval_batch_size: int = 64
    epochs: int = 6
    patience: int = 2
    early_stopping_metric: str = "macro_roc_auc"
    max_grad_norm: float = 1.0
    mixed_precision: str = "bf16"
    seed: int = 42
    length_bucketing: bool = True
    bucket_size_multiplier: int = 50  # buckets of batch_size * this many rows, sorted by length
    max_steps: int | None = None  # stop after this many optimizer steps (smoke tests)
    time_budget_s: float | None = None  # stop at the first epoch end past this (GPU leases)
    # Epochs to run in this invocation; the schedule still spans ``epochs`` and a later run resumes
    # from the checkpoint (a long CPU run spread over sessions). None = run to ``epochs``.
    run_epochs: int | None = None
    num_workers: int = 0
    progress_bar: bool = True
    notes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.mixed_precision is False:  # YAML 1.1 reads a bare `no` as false
            self.mixed_precision = "no"
        if self.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {self.loss!r}")
        if self.mixed_precision not in PRECISIONS:
            raise ValueError(f"mixed_precision must be one of {PRECISIONS}, got {self.mixed_precision!r}")
        if self.effective_batch_size % self.per_device_batch_size:
            raise ValueError("effective_batch_size must be a multiple of per_device_batch_size")
        if self.split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {self.split!r}")
        if self.early_stopping_metric not in STOPPING_METRICS:
            raise ValueError(f"early_stopping_metric must be one of {STOPPING_METRICS}, "
                             f"got {self.early_stopping_metric!r}")
        if self.early_stopping_metric == "jigsaw_and_sources" and not self.mixture:
            raise ValueError("early_stopping_metric jigsaw_and_sources needs mixture: true")
        if self.mixture and self.split != "project":
            raise ValueError("mixture needs split: project (its decontamination uses project_split)")
        if self.distill_origins is not None and not set(self.distill_origins) <= set(ORIGINS):
            raise ValueError(f"distill_origins must be among {ORIGINS}, got {self.distill_origins}")
        if isinstance(self.teacher, list) and not all(isinstance(t, str) and t for t in self.teacher):
            raise ValueError(f"teacher must be a model folder / hub id or a list of them, got {self.teacher}")
        if self.jigsaw_keep_labels is not None:
            check_label_names(self.jigsaw_keep_labels, "jigsaw_keep_labels")
            if self.jigsaw_rows is None:
                raise ValueError("jigsaw_keep_labels adds to a jigsaw_rows sample: set jigsaw_rows")
        if self.distill_labels is not None:
            check_label_names(self.distill_labels, "distill_labels")
            if len(self.teachers()) < 2:
                raise ValueError("distill_labels splits the labels between teachers: name at least two")
        if self.jigsaw_teacher is not None and (self.distill_origins is None or "jigsaw" in self.distill_origins) \
                and self.teachers():
            raise ValueError("jigsaw_teacher distils the Jigsaw rows: leave jigsaw out of distill_origins")
        if self.run_epochs is not None and self.run_epochs < 1:
            raise ValueError(f"run_epochs must be >= 1, got {self.run_epochs}")
        if not 0.0 <= self.distill_alpha <= 1.0:
            raise ValueError(f"distill_alpha must be in [0, 1], got {self.distill_alpha}")
        if not 0.0 <= self.warmup_ratio < 1.0:
            raise ValueError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio}")

    def teachers(self) -> list[str]:
        """The distillation teachers as a list (empty: no distillation)."""
        if not self.teacher:
            return []
        return [self.teacher] if isinstance(self.teacher, str) else list(self.teacher)

    def accumulation_steps(self, num_processes: int = 1) -> int:
        """Gradient accumulation steps so that batch x processes x steps = effective batch."""
        per_step = self.per_device_batch_size * num_processes
        return max(1, self.effective_batch_size // per_step)

    # --- (de)serialisation -------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown config key(s) {unknown}; known: {sorted(known)}")
        return cls(**data)

    def to_yaml(self, path: str | Path | None = None) -> str:
        text = yaml.safe_dump(self.to_dict(), sort_keys=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_yaml(cls, path: str | Path) -> TrainConfig:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping of config keys")
        return cls.from_dict(data)

    def with_overrides(self, overrides: list[str] | dict[str, Any]) -> TrainConfig:
        """A copy with ``key=value`` overrides applied (values parsed as YAML scalars)."""
        items = overrides.items() if isinstance(overrides, dict) else map(parse_override, overrides)
        data = self.to_dict()
        data.update(dict(items))
        return TrainConfig.from_dict(data)


def parse_override(text: str) -> tuple[str, Any]:
    """``"learning_rate=3e-5"`` -> ``("learning_rate", 3e-05)``."""
    if "=" not in text:
        raise ValueError(f"override {text!r} must look like key=value")
    key, raw = text.split("=", 1)
    value = yaml.safe_load(raw) if raw.strip() else None
    if isinstance(value, str):  # YAML reads 3e-5 as a string; accept floats written that way
        try:
            value = float(value) if any(c in value for c in ".eE") else value
        except ValueError:
            pass
    return key.strip(), value
