"""The training mixture: train parts of the ``train`` sources, de-duplicated and decontaminated.

A text is dropped from training when its normalised form (:func:`normalise_text`) appears in

1. the Jigsaw dev or test part of :func:`cleanspeech.data.project_split` (the project's own
   figures must stay clean),
2. the held-out part of any loaded source (the cross-source figures must stay clean),
3. any row of an ``eval`` source (they measure the retrained model; never train on them),

and repeated texts across or within sources are kept once (the first, in ``sources`` order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from cleanspeech.data.io import TEXT_COLUMN, read_jigsaw
from cleanspeech.data.sources.base import normalise_text
from cleanspeech.data.sources.registry import EVAL_SOURCES, TRAIN_SOURCES, load_source
from cleanspeech.data.split import split_part


@dataclass
class Mixture:
    """``train``: rows to fit on (``COLUMNS`` + ``key``); ``heldout``: every source's held-out part.

    ``shares``: each source's fraction of ``train``; ``dropped``: per source, rows removed as
    ``contaminated`` (rules 1-3 above) or ``duplicate``.
    """

    train: pd.DataFrame
    heldout: pd.DataFrame
    shares: dict[str, float]
    dropped: dict[str, dict[str, int]] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Per source: rows kept, share, rows dropped."""
        rows = [{"source": s, "rows": int((self.train["source"] == s).sum()), "share": share,
                 **self.dropped.get(s, {})} for s, share in self.shares.items()]
        return pd.DataFrame(rows)


def jigsaw_holdout_texts(path: str | Path) -> list[str]:
    """The texts of the Jigsaw dev + test parts of the project split of ``train.csv.gz``."""
    return split_part(read_jigsaw(path, require_labels=True), "holdout")[TEXT_COLUMN].tolist()


def build_mixture(
    data_dir: str | Path,
    sources: Sequence[str] = TRAIN_SOURCES,
    *,
    jigsaw_path: str | Path | None = None,
    exclude_texts: Iterable[str] = (),
    exclude_eval_sources: bool = True,
    max_per_source: int | None = None,
    seed: int = 0,
) -> Mixture:
    """The training mixture of ``sources`` (``train`` sources only) read from ``data_dir``.

    ``jigsaw_path`` defaults to ``data_dir/jigsaw/train.csv.gz`` when it exists; ``exclude_texts``
    adds more texts to keep out; ``max_per_source`` caps each source (deterministic sample).
    """
    data_dir = Path(data_dir)
    loaded = [load_source(name, data_dir) for name in sources]
    refused = [s.name for s in loaded if s.use != "train"]
    if refused:
        raise ValueError(f"eval-only sources cannot be trained on: {', '.join(refused)}")

    jigsaw = Path(jigsaw_path) if jigsaw_path is not None else data_dir / "jigsaw" / "train.csv.gz"
    protected = {normalise_text(t) for t in exclude_texts}
    if jigsaw.exists():
        protected |= {normalise_text(t) for t in jigsaw_holdout_texts(jigsaw)}
    elif jigsaw_path is not None:
        raise FileNotFoundError(jigsaw)
    heldout = pd.concat([s.part("heldout") for s in loaded], ignore_index=True)
    protected |= set(heldout["text"].map(normalise_text))
    if exclude_eval_sources:
        for name in EVAL_SOURCES:
            protected |= set(load_source(name, data_dir).frame["text"].map(normalise_text))

    parts, dropped = [], {}
    seen: set[str] = set()
    for src in loaded:
        part = src.part("train")
        part["key"] = part["text"].map(normalise_text)
        contaminated = part["key"].isin(protected) | (part["key"] == "")
        part = part[~contaminated]
        repeated = part["key"].duplicated() | part["key"].isin(seen)
        part = part[~repeated]
        seen |= set(part["key"])
        if max_per_source is not None and len(part) > max_per_source:
            part = part.sample(n=max_per_source, random_state=seed).sort_index()
        dropped[src.name] = {"contaminated": int(contaminated.sum()), "duplicate": int(repeated.sum())}
        parts.append(part)
    train = pd.concat(parts, ignore_index=True)
    counts = train["source"].value_counts()
    shares = {s.name: float(counts.get(s.name, 0) / max(len(train), 1)) for s in loaded}
    return Mixture(train, heldout, shares, dropped)
