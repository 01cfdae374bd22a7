"""De-duplication and the project's one split: train / dev / test from ``train.csv.gz``.

Every command, config and script uses :func:`project_split` (or :func:`train_val_split` with its
default fraction, which returns ``train`` and ``dev + test`` together for code that trains).

- ``train`` (90%): fits model weights.
- ``dev`` (5%): every choice — early stopping, thresholds, calibration, ensemble weights, cascade
  gates, augmentation on/off.
- ``test`` (5%): reported figures only, never a choice.

The 10% held out is exactly the validation split the shipped models were trained without
(``train_val_split(deduplicate(df), 0.1, seed 42)``); it is halved, stratified on ``toxic``, into
dev and test, so the shipped members never saw either.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd
from sklearn.model_selection import train_test_split

from cleanspeech.data.io import ID_COLUMN, TEXT_COLUMN

DEFAULT_SEED = 42
HOLDOUT_FRACTION = 0.1  # dev + test together
TEST_SHARE = 0.5  # of the holdout
SPLITS = ("train", "dev", "test")


class ProjectSplit(NamedTuple):
    train: pd.DataFrame
    dev: pd.DataFrame
    test: pd.DataFrame


def deduplicate(df: pd.DataFrame) -> pd.DataFrame:
    """Drop repeated ids and repeated texts, keeping the first occurrence.

    The Jigsaw subset we train on over-samples toxic rows by copying them; without this, copies
    land on both sides of the split and validation AUC is inflated.
    """
    out = df.drop_duplicates(subset=[ID_COLUMN], keep="first")
    out = out.drop_duplicates(subset=[TEXT_COLUMN], keep="first")
    return out.reset_index(drop=True)


def train_val_split(
    df: pd.DataFrame, val_fraction: float = HOLDOUT_FRACTION, seed: int = DEFAULT_SEED,
    stratify: str = "toxic",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split deterministically into ``(train, val)``, stratified on the ``stratify`` column."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    strat = df[stratify] if stratify in df.columns and df[stratify].nunique() > 1 else None
    train, val = train_test_split(df, test_size=val_fraction, random_state=seed, stratify=strat)
    return train.reset_index(drop=True), val.reset_index(drop=True)


def project_split(
    df: pd.DataFrame, holdout_fraction: float = HOLDOUT_FRACTION, seed: int = DEFAULT_SEED,
    dedup: bool = True,
) -> ProjectSplit:
    """The project's train / dev / test split (see the module docstring)."""
    if dedup:
        df = deduplicate(df)
    train, holdout = train_val_split(df, holdout_fraction, seed=seed)
    dev, test = train_val_split(holdout, TEST_SHARE, seed=seed)
    return ProjectSplit(train, dev, test)


def split_part(df: pd.DataFrame, name: str, **kwargs) -> pd.DataFrame:
    """One named part (``train``, ``dev``, ``test`` or ``holdout`` = dev + test) of the split."""
    parts = project_split(df, **kwargs)
    if name == "holdout":
        return pd.concat([parts.dev, parts.test], ignore_index=True)
    if name not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS + ('holdout',)}, got {name!r}")
    return getattr(parts, name)
