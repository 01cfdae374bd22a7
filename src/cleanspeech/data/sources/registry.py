"""The registry: every source by name, in a fixed order (``train`` sources first)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cleanspeech.data.sources.abuse import load_convabuse, load_counterspeech_yu, load_toxic_spans_acl2022
from cleanspeech.data.sources.base import SourceFrame
from cleanspeech.data.sources.evalsets import load_cad, load_dynacounter, load_gab_hate, load_hateval, load_olid
from cleanspeech.data.sources.hate import (
    load_davidson,
    load_ethos,
    load_hatexplain,
    load_implicit_hate,
    load_sbic,
    load_stormfront,
    load_toxigen,
)

DEFAULT_DATA_DIR = Path("/work/shared/data")

LOADERS: dict[str, Callable[[Path], SourceFrame]] = {
    "hatexplain": load_hatexplain,
    "toxigen": load_toxigen,
    "implicit_hate": load_implicit_hate,
    "sbic": load_sbic,
    "davidson": load_davidson,
    "convabuse": load_convabuse,
    "ethos": load_ethos,
    "stormfront": load_stormfront,
    "counterspeech_yu": load_counterspeech_yu,
    "toxic_spans_acl2022": load_toxic_spans_acl2022,
    "cad": load_cad,
    "olid": load_olid,
    "hateval": load_hateval,
    "gab_hate": load_gab_hate,
    "dynacounter": load_dynacounter,
}
SOURCES: tuple[str, ...] = tuple(LOADERS)
# Which sources may train shipped models is fixed by their licence, not by the caller.
TRAIN_SOURCES: tuple[str, ...] = SOURCES[:10]
EVAL_SOURCES: tuple[str, ...] = SOURCES[10:]


def load_source(name: str, data_dir: str | Path = DEFAULT_DATA_DIR) -> SourceFrame:
    """Read one source from ``data_dir`` (the layout of ``/work/shared/data``)."""
    if name not in LOADERS:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(SOURCES)}")
    src = LOADERS[name](Path(data_dir))
    expected = "train" if name in TRAIN_SOURCES else "eval"
    if src.use != expected:  # a loader must not promote an eval-only set to training
        raise AssertionError(f"{name}: use {src.use!r}, registry says {expected!r}")
    return src


def source_licence(name: str, data_dir: str | Path = DEFAULT_DATA_DIR) -> str | None:
    """A registered source's licence, as its loader states it (``None`` for any other name).
    The loader reads the source's files: the licence lives beside the mapping, not in a table."""
    return load_source(name, data_dir).licence if name in LOADERS else None
