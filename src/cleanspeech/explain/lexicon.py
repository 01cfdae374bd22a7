"""The word-lexicon span baseline: a word is toxic when annotators marked it often enough.

Each lowercased word of the training posts gets the fraction of its occurrences that fall inside
gold spans (``ratio``); at prediction, words whose ratio reaches a threshold tuned on the
validation split are highlighted. Used only as the baseline the tagger must beat.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from cleanspeech.explain.words import Word, split_words


class SpanLexicon:
    """``ratio[word]``: how often the word was inside a gold span when it appeared."""

    def __init__(self, ratio: dict[str, float]) -> None:
        self.ratio = ratio

    @classmethod
    def fit(cls, texts: Sequence[str], golds: Sequence[Sequence[int]], min_count: int = 2) -> SpanLexicon:
        seen, inside = Counter(), Counter()
        for text, gold in zip(texts, golds):
            gold = set(gold)
            for w in split_words(text):
                if not w.is_alnum:
                    continue
                key = w.text.lower()
                seen[key] += 1
                inside[key] += any(i in gold for i in range(w.start, w.end))
        return cls({k: inside[k] / n for k, n in seen.items() if n >= min_count and inside[k]})

    def word_scores(self, texts: Sequence[str]) -> list[tuple[list[Word], np.ndarray]]:
        """Per text, its words and each word's ratio ``(n_words,)`` (0 for unseen words)."""
        out = []
        for text in texts:
            words = split_words(text)
            out.append((words, np.array([self.ratio.get(w.text.lower(), 0.0) for w in words])))
        return out
