"""De-duplication and the deterministic train/validation split (stratified on ``toxic``)."""

from __future__ import annotations

import pandas as pd
from sklearn.model_selection import train_test_split

from cleanspeech.data.io import ID_COLUMN, TEXT_COLUMN

DEFAULT_SEED = 42


def deduplicate(df: pd.DataFrame) -> pd.DataFrame:
    """Drop repeated ids and repeated texts, keeping the first occurrence.

    The Jigsaw subset we train on over-samples toxic rows by copying them; without this, copies
    land on both sides of the split and validation AUC is inflated.
    """
    out = df.drop_duplicates(subset=[ID_COLUMN], keep="first")
    out = out.drop_duplicates(subset=[TEXT_COLUMN], keep="first")
    return out.reset_index(drop=True)


def train_val_split(
    df: pd.DataFrame, val_fraction: float = 0.2, seed: int = DEFAULT_SEED, stratify: str = "toxic"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split deterministically into ``(train, val)``, stratified on the ``stratify`` column."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    strat = df[stratify] if stratify in df.columns and df[stratify].nunique() > 1 else None
    train, val = train_test_split(df, test_size=val_fraction, random_state=seed, stratify=strat)
    return train.reset_index(drop=True), val.reset_index(drop=True)
