"""Data for fine-tuning: the deterministic split, tokenisation once, dynamic padding, length buckets.

Token ids are kept as Python lists of varying length; each batch is padded only to its own
longest row (dynamic padding), and training batches are drawn from length-sorted buckets so a
batch holds rows of similar length (less padding, same randomness across epochs by seed).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from cleanspeech.data import deduplicate, read_jigsaw, train_val_split
from cleanspeech.data.clean import clean_texts
from cleanspeech.labels import LABELS


def load_split(
    path: str, val_fraction: float = 0.1, seed: int = 42, dedup: bool = True,
    max_rows: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(train, val)`` frames: the project's split (``train_val_split`` on de-duplicated rows)."""
    df = read_jigsaw(path, require_labels=True)
    if dedup:
        df = deduplicate(df)
    train, val = train_val_split(df, val_fraction=val_fraction, seed=seed)
    if max_rows is not None:
        train = train.iloc[:max_rows].reset_index(drop=True)
        val = val.iloc[: max(8, max_rows // 4)].reset_index(drop=True)
    return train, val


def training_frames(cfg) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(train, val)`` for a :class:`~cleanspeech.training.config.TrainConfig`.

    ``split="project"`` trains on ``project_split``'s train part and validates on its dev part
    (the test part is never read here); ``"legacy"`` is :func:`load_split`. The Jigsaw rows may be
    sampled (``jigsaw_rows``) or keep every toxic row and sample clean ones (``jigsaw_clean_rows``), then augmentation rows (``augment``; ``NaN`` = label unknown) are
    appended to the training frame only.
    """
    if cfg.split == "project":
        from cleanspeech.data.split import project_split

        parts = project_split(read_jigsaw(cfg.train_path, require_labels=True), seed=cfg.split_seed,
                              dedup=cfg.deduplicate)
        train, val = parts.train.reset_index(drop=True), parts.dev.reset_index(drop=True)
    else:
        train, val = load_split(cfg.train_path, cfg.val_fraction, cfg.split_seed, cfg.deduplicate)
    # Row labels are train's own until the end of this block, so a civil mention already sampled
    # is never added twice.
    civil_mentions = _civil_identity_rows(train, cfg.jigsaw_identity_clean_rows, cfg.seed)
    if cfg.jigsaw_rows is not None and len(train) > cfg.jigsaw_rows:
        sample = train.sample(n=cfg.jigsaw_rows, random_state=cfg.seed)
        if cfg.jigsaw_keep_labels:
            kept = (train[list(cfg.jigsaw_keep_labels)].to_numpy() > 0).any(axis=1)
            sample = pd.concat([sample, train[kept & ~train.index.isin(sample.index)]])
        train = sample
    if cfg.jigsaw_clean_rows is not None:
        labelled = _labelled(train)
        clean = train[~labelled]
        clean = clean.sample(n=min(cfg.jigsaw_clean_rows, len(clean)), random_state=cfg.seed)
        train = train[labelled | train.index.isin(clean.index)]  # in train's order, as before
    if civil_mentions is not None:
        train = pd.concat([train, civil_mentions.loc[~civil_mentions.index.isin(train.index)]])
    # ``origin`` (jigsaw / augment / mixture) lets a step treat the blocks apart (distillation)
    train = train.reset_index(drop=True).assign(origin="jigsaw")
    if cfg.augment:
        from cleanspeech.training.augment import augmentation_rows

        extra = augmentation_rows(cfg.augment, train, cfg.data_dir, seed=cfg.seed,
                                  max_rows=cfg.augment_max_rows)
        train = pd.concat([train[["comment_text", *LABELS, "origin"]], extra.assign(origin="augment")],
                          ignore_index=True)
    if cfg.mixture:
        mix_train, heldout = mixture_frames(cfg)
        train = pd.concat([train[["comment_text", *LABELS, "origin"]], mix_train.assign(origin="mixture")],
                          ignore_index=True)
        val = pd.concat([val.assign(source=JIGSAW_SOURCE), heldout], ignore_index=True)
    if cfg.max_train_rows is not None:
        train = train.sample(frac=1.0, random_state=cfg.seed).iloc[:cfg.max_train_rows].reset_index(drop=True)
        val = val.iloc[: max(8, cfg.max_train_rows // 4)].reset_index(drop=True)
    return train, val


def _labelled(frame: pd.DataFrame) -> np.ndarray:
    """Boolean ``(n,)``: rows with at least one of the six labels."""
    return frame[list(LABELS)].to_numpy().max(axis=1) > 0


def _civil_identity_rows(train: pd.DataFrame, n: int | None, seed: int) -> pd.DataFrame | None:
    """A seeded sample of ``n`` label-free rows of ``train`` that name an identity group."""
    if n is None:
        return None
    from cleanspeech.identity import mentions_identity

    clean = train[~_labelled(train)]
    named = clean[mentions_identity(clean["comment_text"].astype(str).tolist())]
    return named.sample(n=min(n, len(named)), random_state=seed + 1)


JIGSAW_SOURCE = "jigsaw"  # the ``source`` of the Jigsaw dev rows in a mixture run's validation frame


def cached_mixture(data_dir: str, jigsaw_path: str, cache: str | None) -> pd.DataFrame:
    """Every train source's rows from ``build_mixture`` (``part`` = train / heldout), read from the
    parquet ``cache`` when it exists: building the mixture reads fifteen sets (minutes)."""
    if cache and Path(cache).is_file():
        return pd.read_parquet(cache)
    from cleanspeech.data.sources import build_mixture

    mix = build_mixture(data_dir, jigsaw_path=jigsaw_path)
    cols = ["source", "text", "target", *LABELS]
    frame = pd.concat([mix.train[cols].assign(part="train"), mix.heldout[cols].assign(part="heldout")],
                      ignore_index=True)
    if cache:
        Path(cache).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(str(cache) + ".tmp")
        frame.to_parquet(tmp, index=False)
        tmp.replace(cache)  # a half-written cache is never read
    return frame


def per_source_sample(part: pd.DataFrame, cap: int, seed: int) -> pd.DataFrame:
    """At most ``cap`` rows of each ``source`` of ``part``, drawn with ``seed``, in ``part``'s
    order with its index kept. The draw a mixture run's per-source cap makes (and
    :func:`cleanspeech.data.sources.build_mixture`'s, which samples each source's rows in the
    same order): :mod:`cleanspeech.training.operating` re-draws it to keep trained rows out."""
    kept = [g.sample(n=min(cap, len(g)), random_state=seed) for _, g in part.groupby("source", sort=False)]
    return pd.concat(kept).sort_index()


def mixture_frames(cfg) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(train rows, validation rows)`` from the multi-source mixture for a mixture run.

    Training: the mixture's train rows of ``cfg.mixture_sources`` (all train sources when unset),
    at most ``mixture_max_per_source`` per source (seeded), so the large Twitter sets do not
    dominate; labels keep ``NaN`` (masked by the loss). Validation: each source's held-out part,
    at most ``val_rows_per_source`` rows (seed 0), with ``source`` and ``target`` columns.
    """
    frame = _mixture_of(cfg)
    train = _capped(frame[frame["part"] == "train"], cfg.mixture_max_per_source, cfg.seed)
    val = _capped(frame[frame["part"] == "heldout"], cfg.val_rows_per_source, 0)
    return train[["comment_text", *LABELS]], val[["comment_text", "source", "target", *LABELS]]


def mixture_train_rows(cfg) -> pd.DataFrame:
    """The mixture train rows :func:`mixture_frames` trains on, with their ``source`` (the card's
    credit table counts them)."""
    frame = _mixture_of(cfg)
    return _capped(frame[frame["part"] == "train"], cfg.mixture_max_per_source, cfg.seed)


def _mixture_of(cfg) -> pd.DataFrame:
    """The cached mixture, limited to ``cfg.mixture_sources``, text as ``comment_text``."""
    frame = cached_mixture(cfg.data_dir, cfg.train_path, cfg.mixture_cache)
    if cfg.mixture_sources:
        unknown = sorted(set(cfg.mixture_sources) - set(frame["source"]))
        if unknown:
            raise ValueError(f"unknown mixture source(s) {unknown}")
        frame = frame[frame["source"].isin(cfg.mixture_sources)]
    return frame.rename(columns={"text": "comment_text"})


def _capped(part: pd.DataFrame, cap: int | None, seed: int) -> pd.DataFrame:
    return (part if cap is None else per_source_sample(part, cap, seed)).reset_index(drop=True)


def tokenize(tokenizer, texts: Sequence[str], max_length: int, cleaning: str = "none") -> list[list[int]]:
    """Token ids per text (special tokens included), truncated to ``max_length`` for training."""
    enc = tokenizer(clean_texts(texts, cleaning), truncation=True, max_length=max_length)
    return [list(ids) for ids in enc["input_ids"]]


class TokenizedDataset(Dataset):
    """Rows of ``{"input_ids": list[int], "labels": (6,) float32}``."""

    def __init__(self, input_ids: list[list[int]], labels: np.ndarray | None = None) -> None:
        self.input_ids = input_ids
        self.labels = None if labels is None else np.asarray(labels, dtype=np.float32)

    def __len__(self) -> int:
        return len(self.input_ids)

    def __getitem__(self, i: int) -> dict:
        row = {"input_ids": self.input_ids[i], "index": i}
        if self.labels is not None:
            row["labels"] = self.labels[i]
        return row

    def lengths(self) -> list[int]:
        return [len(ids) for ids in self.input_ids]


@dataclass
class PadCollator:
    """Pads a list of rows to the batch's longest row: ``input_ids``/``attention_mask`` ``(b, t)``."""

    pad_token_id: int = 0

    def __call__(self, rows: list[dict]) -> dict[str, torch.Tensor]:
        width = max(len(r["input_ids"]) for r in rows)
        ids = torch.full((len(rows), width), self.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, r in enumerate(rows):
            ids[i, : len(r["input_ids"])] = torch.tensor(r["input_ids"], dtype=torch.long)
            mask[i, : len(r["input_ids"])] = 1
        batch = {"input_ids": ids, "attention_mask": mask,
                 "index": torch.tensor([r["index"] for r in rows], dtype=torch.long)}
        if "labels" in rows[0]:
            batch["labels"] = torch.tensor(np.stack([r["labels"] for r in rows]))
        return batch


class BucketBatchSampler(Sampler[list[int]]):
    """Shuffled batches of similar-length rows.

    Each epoch: shuffle indices, cut them into buckets of ``batch_size * multiplier``, sort each
    bucket by length, cut into batches, shuffle the batches. The epoch counter advances on every
    ``__iter__`` (identically on every process); ``set_epoch`` sets it when resuming.
    """

    def __init__(self, lengths: Sequence[int], batch_size: int, seed: int = 42,
                 multiplier: int = 50, bucketing: bool = True) -> None:
        self.lengths, self.batch_size, self.seed = list(lengths), batch_size, seed
        self.multiplier, self.bucketing, self.epoch = multiplier, bucketing, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def batches(self, epoch: int) -> list[list[int]]:
        rng = random.Random(self.seed + epoch)
        idx = list(range(len(self.lengths)))
        rng.shuffle(idx)
        if self.bucketing:
            size = self.batch_size * self.multiplier
            idx = [i for s in range(0, len(idx), size)
                   for i in sorted(idx[s:s + size], key=self.lengths.__getitem__)]
        out = [idx[s:s + self.batch_size] for s in range(0, len(idx), self.batch_size)]
        rng.shuffle(out)
        return out

    def __iter__(self) -> Iterator[list[int]]:
        batches = self.batches(self.epoch)
        self.epoch += 1
        return iter(batches)

    def __len__(self) -> int:
        return (len(self.lengths) + self.batch_size - 1) // self.batch_size


def train_loader(ds: TokenizedDataset, batch_size: int, pad_id: int, seed: int,
                 bucketing: bool = True, multiplier: int = 50, num_workers: int = 0) -> DataLoader:
    sampler = BucketBatchSampler(ds.lengths(), batch_size, seed, multiplier, bucketing)
    return DataLoader(ds, batch_sampler=sampler, collate_fn=PadCollator(pad_id), num_workers=num_workers)


def eval_loader(ds: TokenizedDataset, batch_size: int, pad_id: int) -> DataLoader:
    """Batches sorted by length (rows carry their ``index`` so predictions can be re-ordered)."""
    order = sorted(range(len(ds)), key=ds.lengths().__getitem__)
    return DataLoader(ds, batch_size=batch_size, sampler=order, collate_fn=PadCollator(pad_id))


def label_matrix(df: pd.DataFrame) -> np.ndarray:
    return df[list(LABELS)].to_numpy(dtype=np.float32)
