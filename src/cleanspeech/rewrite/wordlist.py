"""Word-level toxicity rates mined from the Jigsaw training split: for each word, in how many
comments it occurs and how many of those are labelled toxic. The offline rewriter falls back on
this list for words ParaDetox annotators saw too rarely to have a reliable edit rate
("imbeciles", "bonehead"). Jigsaw's training file over-samples toxic comments (20.7% toxic),
so only high rates (≥ 0.6) are used.

    python -m cleanspeech.rewrite.wordlist [train.csv.gz] [-o resources/toxic_words.json]
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from cleanspeech.data.word_counts import toxic_word_counts
from cleanspeech.rewrite.tokens import mining_tokens

RESOURCE = Path(__file__).resolve().parent / "resources" / "toxic_words.json"
DEFAULT_JIGSAW = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "jigsaw" / "train.csv.gz"


def mine_word_rates(texts: Iterable[str], toxic: Iterable[int], min_count: int = 5,
                    min_rate: float = 0.5) -> dict[str, tuple[int, int]]:
    """``{word: (comments containing it, toxic ones)}`` for alphabetic words seen in at least
    ``min_count`` comments with toxic share ≥ ``min_rate``."""
    seen, bad = toxic_word_counts(texts, toxic, lambda t: (w for w in mining_tokens(t) if w.isalpha() and len(w) > 1))
    return {w: (n, bad[w]) for w, n in sorted(seen.items())
            if n >= min_count and bad[w] / n >= min_rate}


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


def build(jigsaw: str | Path = DEFAULT_JIGSAW, out: str | Path = RESOURCE) -> int:
    """Mine the training split (``train_val_split``, seed 42) of the Jigsaw file into ``out``."""
    from cleanspeech.data.io import read_jigsaw, write_text_atomic
    from cleanspeech.data.split import deduplicate, train_val_split

    train, _ = train_val_split(deduplicate(read_jigsaw(jigsaw, require_labels=True)))
    rates = mine_word_rates(train["comment_text"], train["toxic"])
    meta = {"source": Path(jigsaw).name, "split": "train part of train_val_split (seed 42), deduplicated",
            "rows": len(train), "min_count": 5, "min_rate": 0.5}
    write_text_atomic(json.dumps({"meta": meta, "words": {w: list(v) for w, v in rates.items()}},
                                 separators=(",", ":")), out)
    return len(rates)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("jigsaw", nargs="?", default=str(DEFAULT_JIGSAW))
    ap.add_argument("-o", "--out", default=str(RESOURCE))
    args = ap.parse_args(argv)
    print(f"{build(args.jigsaw, args.out)} words -> {args.out}")


if __name__ == "__main__":
    main()
