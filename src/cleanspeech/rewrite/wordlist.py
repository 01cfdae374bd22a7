"""Word-level toxicity rates mined from the Jigsaw training split: for each word, in how many
comments it occurs and how many of those are labelled toxic. The offline rewriter falls back on
this list for words ParaDetox annotators saw too rarely to have a reliable edit rate
("imbeciles", "bonehead"). Jigsaw's training file over-samples toxic comments (20.7% toxic),
so only high rates (≥ 0.6) are used.

The list is built by ``cleanspeech build-rewrite-lexicon words``
(:func:`cleanspeech.training.rewrite_lexicon.build_word_rates`); this module only reads it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

RESOURCE = Path(__file__).resolve().parent / "resources" / "toxic_words.json"


class WordRates:
    """Look-up of the mined rates: ``rate(word)`` is 0.0 for unknown words."""

    def __init__(self, rates: dict[str, tuple[int, int]] | None = None, meta: dict | None = None) -> None:
        self.rates = rates or {}
        self.meta = meta or {}

    def rate(self, word: str, prior: float = 1.0) -> float:
        n, k = self.rates.get(word, (0, 0))
        return k / (n + prior) if n else 0.0

    @classmethod
    def load(cls, path: str | Path = RESOURCE) -> WordRates:
        path = Path(path)
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({w: tuple(v) for w, v in data["words"].items()}, data.get("meta", {}))


@lru_cache(maxsize=2)
def load_word_rates(path: str | None = None) -> WordRates:
    return WordRates.load(path or RESOURCE)

