"""An operating point that holds across sources: one logit offset on every label's threshold.

The cascade's thresholds are chosen per label for max F1 on Jigsaw dev at its natural
prevalence (:mod:`cleanspeech.training.cascade`). On other sites they flag too much or too
little: the low ``threat`` and ``identity_hate`` thresholds fire on civil text about groups,
and the decision a moderator sees is "any label raised". So the thresholds keep their per-label
shape and move together by one offset ``delta`` on the logit scale,
``t_j' = sigmoid(logit(t_j) + delta)``, chosen to maximise the *mean over sources* of the
balanced accuracy (mean of hateful caught and non-hateful passed) of "any label raised" against
each source's own target. One number fitted on thousands of rows from ten sites cannot learn
any one site; balanced accuracy is what the bars of a hate-speech suite ask for (caught and
passed), and it does not depend on a source's positive rate.

The dev pool (:func:`operating_pool`) holds rows no model was trained on and no cross-source
figure is measured on: a source's own ``dev`` split where it ships one beside ``test``, else
the train-part rows of the mixture cache that none of the training samples drew
(``exclude_samples``: the ``(max_per_source, seed)`` of each mixture sample a member or the
hate head was fitted on), plus the Jigsaw dev part of the project split.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanspeech.data.io import TEXT_COLUMN, read_jigsaw
from cleanspeech.data.sources import load_source
from cleanspeech.data.sources.registry import TRAIN_SOURCES
from cleanspeech.data.split import split_part
from cleanspeech.labels import LABELS
from cleanspeech.models.calibration import logit, sigmoid
from cleanspeech.training.config import MIXTURE_CACHE
from cleanspeech.training.data import cached_mixture, per_source_sample

JIGSAW_GROUP = "jigsaw_dev"
# The mixture samples the members and heads trained on: the transformer member (1,000 per
# source, seed 42), the linear member (2,500, seed 42) and the group-hate head (2,500, seed 0).
TRAINED_SAMPLES: tuple[tuple[int, int], ...] = ((1000, 42), (2500, 42), (2500, 0))
OFFSET_GRID = np.round(np.arange(-2.0, 2.0001, 0.1), 2)


def offset_thresholds(thresholds: np.ndarray, delta: float, moves: np.ndarray | None = None) -> np.ndarray:
    """``thresholds`` moved by ``delta`` on the logit scale (``delta > 0`` flags less); ``moves``
    (``(6,)`` bool) limits the move to those labels, the others keep their thresholds."""
    base = np.asarray(thresholds, dtype=np.float64)
    moved = sigmoid(logit(base) + float(delta))
    return moved if moves is None else np.where(np.asarray(moves, dtype=bool), moved, base)


def label_positives(pool: pd.DataFrame) -> dict[str, int]:
    """Known positives of each label in ``pool`` (NaN, a source's silence, is not one)."""
    return {lab: int((pool[lab] == 1).sum()) for lab in LABELS}


def labels_to_move(pool: pd.DataFrame, min_positives: int) -> np.ndarray:
    """``(6,)`` bool: the labels with at least ``min_positives`` known positives in ``pool``.

    The offset is chosen on "any label raised" over the pool's groups; a label the pool holds
    only a handful of positives of (``threat``: 21 in the stop-49 pool) is not judged by that
    choice, so it keeps the threshold its own dev F1 gave it rather than being moved blind."""
    return np.array([n >= min_positives for n in label_positives(pool).values()])


def balanced_accuracy(y: np.ndarray, flagged: np.ndarray) -> dict[str, float]:
    """Caught (recall on positives), passed (1 - false-flag rate) and their mean."""
    y, flagged = np.asarray(y).astype(bool), np.asarray(flagged).astype(bool)
    caught = float(flagged[y].mean()) if y.any() else float("nan")
    passed = float((~flagged[~y]).mean()) if (~y).any() else float("nan")
    return {"caught": caught, "passed": passed, "balanced": float(np.nanmean([caught, passed]))}


@dataclass
class OffsetChoice:
    """The chosen offset, the thresholds it gives, and the curve it was read from."""

    delta: float
    thresholds: list[float]
    objective: float
    curve: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Groups = Mapping[str, tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]]


def mean_rates(groups: Groups, thresholds: np.ndarray) -> dict[str, Any]:
    """Per group caught / passed / balanced at ``thresholds``, and their means over groups."""
    per = {name: balanced_accuracy(y, decide(thresholds)) for name, (y, decide) in groups.items()}
    return {key: float(np.mean([p[key] for p in per.values()])) for key in ("caught", "passed", "balanced")} \
        | {"groups": per}


def choose_offset(base: np.ndarray, groups: Groups, grid: Sequence[float] = tuple(OFFSET_GRID),
                  min_passed: float | None = None, moves: np.ndarray | None = None) -> OffsetChoice:
    """The offset on ``grid`` maximising the mean over ``groups`` of balanced accuracy.

    ``groups``: name -> ``(y, decide)``, ``y`` ``(n,)`` the group's binary target and ``decide``
    mapping ``(6,)`` thresholds to ``(n,)`` bool "any label raised". ``min_passed``: only
    offsets whose mean passed rate (1 - false flags) reaches it are eligible, e.g. another
    model's at its own thresholds, so a better-ranking model spends its gain on catching more,
    not on flagging more civil text. ``moves``: see :func:`offset_thresholds`. Ties go to the
    offset nearest 0 (the thresholds as fitted)."""
    if not groups:
        raise ValueError("choose_offset: no groups")
    curve = []
    for delta in grid:
        rates = mean_rates(groups, offset_thresholds(base, delta, moves))
        curve.append({"delta": float(delta), "mean_balanced": rates["balanced"], "mean_passed": rates["passed"],
                      "mean_caught": rates["caught"], "groups": rates["groups"]})
    eligible = [c for c in curve if min_passed is None or c["mean_passed"] >= min_passed]
    if not eligible:
        raise ValueError(f"choose_offset: no offset on the grid keeps mean passed >= {min_passed:.3f}")
    best = max(eligible, key=lambda c: (round(c["mean_balanced"], 6), -abs(c["delta"])))
    return OffsetChoice(best["delta"], offset_thresholds(base, best["delta"], moves).tolist(),
                        best["mean_balanced"], curve)


def operating_pool(mixture: pd.DataFrame, sources: Mapping[str, pd.DataFrame], *, per_source: int = 500,
                   exclude_samples: Sequence[tuple[int, int]] = TRAINED_SAMPLES, seed: int = 0) -> pd.DataFrame:
    """Dev rows per source (``source``, ``text``, ``target``, six labels), at most ``per_source``.

    ``mixture``: the mixture cache (``part`` = train / heldout); ``sources``: name -> the source's
    frame (its own ``split`` column). A source with both ``dev`` and ``test`` splits gives its dev
    rows (evaluation reads its test split); any other gives the train-part rows none of
    ``exclude_samples`` drew."""
    train = mixture[mixture["part"] == "train"]
    used = pd.Index([])
    for cap, s in exclude_samples:
        used = used.union(per_source_sample(train, cap, s).index)
    unused = train.drop(index=used)
    out = []
    for name, frame in sources.items():
        splits = set(frame["split"])
        rows = frame[frame["split"] == "dev"] if {"dev", "test"} <= splits else unused[unused["source"] == name]
        if len(rows) > per_source:
            rows = rows.sample(n=per_source, random_state=seed).sort_index()
        out.append(rows.assign(source=name)[["source", "text", "target", *LABELS]])
    pool = pd.concat(out, ignore_index=True)
    pool = pool[pool["target"].notna()]
    # a source with one class (every acl2022 span post is toxic) measures no trade-off
    two_class = pool.groupby("source")["target"].transform(lambda t: t.nunique() == 2)
    return pool[two_class].reset_index(drop=True)


def dev_pool(data_dir: str, cache: str | None = MIXTURE_CACHE, per_source: int = 500) -> pd.DataFrame:
    """:func:`operating_pool` over every train source read from ``data_dir``, plus the Jigsaw dev
    part of the project split (``source`` = ``jigsaw_dev``, target = any label)."""
    jigsaw = str(Path(data_dir) / "jigsaw" / "train.csv.gz")
    mixture = cached_mixture(data_dir, jigsaw, cache)
    sources = {name: load_source(name, data_dir).frame for name in TRAIN_SOURCES}
    pool = operating_pool(mixture, sources, per_source=per_source)
    dev = split_part(read_jigsaw(jigsaw, require_labels=True), "dev")
    jig = pd.DataFrame({"source": JIGSAW_GROUP, "text": dev[TEXT_COLUMN].astype(str),
                        "target": (dev[list(LABELS)].to_numpy().max(axis=1) > 0).astype(float),
                        **{lab: dev[lab].astype(float) for lab in LABELS}})
    return pd.concat([pool, jig], ignore_index=True)
