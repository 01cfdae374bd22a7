"""ParaDetox pairs (``toxic, neutral1..3``) and the deterministic held-out split used for every
model-selection decision of the rewriter (10%, seed 42)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cleanspeech.data.io import DataError

DEFAULT_PARADETOX = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "paradetox" / "paradetox_train.tsv"
HELDOUT_FRACTION = 0.1
SEED = 42


@dataclass(frozen=True)
class Pair:
    """A toxic sentence and its (1–3) human civil paraphrases."""

    toxic: str
    references: tuple[str, ...]


def read_pairs(path: str | Path) -> list[Pair]:
    """Read a ParaDetox TSV: column ``toxic`` and any ``neutral*`` columns (empty cells skipped).

    A file with only a ``toxic`` column (or a headerless single column) gives pairs with no
    references; ChrF then cannot be computed for them.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows:
        raise DataError(f"{path}: the file is empty (expected a 'toxic' header)")
    header = [h.strip() for h in rows[0]]
    if "toxic" not in header:
        raise DataError(f"{path}: no 'toxic' column in the header {header}; expected ParaDetox TSV "
                        "columns toxic, neutral1, neutral2, neutral3")
    ti = header.index("toxic")
    ref_cols = [i for i, h in enumerate(header) if h.startswith("neutral")]
    pairs = []
    for row in rows[1:]:
        cells = row + [""] * (len(header) - len(row))
        refs = tuple(cells[i].strip() for i in ref_cols if i < len(cells) and cells[i].strip())
        pairs.append(Pair(cells[ti].strip(), refs))
    return pairs


def split_pairs(pairs: list[Pair], fraction: float = HELDOUT_FRACTION, seed: int = SEED
                ) -> tuple[list[Pair], list[Pair]]:
    """``(train, heldout)``: a seeded permutation; ``heldout`` holds ``round(fraction * n)`` pairs."""
    order = np.random.default_rng(seed).permutation(len(pairs))
    n_held = int(round(fraction * len(pairs)))
    held = set(order[:n_held].tolist())
    train = [p for i, p in enumerate(pairs) if i not in held]
    heldout = [pairs[i] for i in sorted(held)]
    return train, heldout
