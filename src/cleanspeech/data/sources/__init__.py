"""Human-labelled sources behind one interface, their de-duplicated mixture for training.

    from cleanspeech.data.sources import load_source, build_mixture, SOURCES
    src = load_source("davidson", "/work/shared/data")   # SourceFrame: .frame, .use, .licence
    mix = build_mixture("/work/shared/data")              # train parts of the train sources

See ``docs/sources.md`` for each source's licence, size and label mapping.
"""

from cleanspeech.data.sources.base import COLUMNS, Rule, SourceFrame, hashed_split, mapping_markdown, normalise_text
from cleanspeech.data.sources.mixture import Mixture, build_mixture
from cleanspeech.data.sources.registry import EVAL_SOURCES, SOURCES, TRAIN_SOURCES, load_source

__all__ = [
    "COLUMNS", "EVAL_SOURCES", "Mixture", "Rule", "SOURCES", "SourceFrame", "TRAIN_SOURCES",
    "build_mixture", "hashed_split", "load_source", "mapping_markdown", "normalise_text",
]
