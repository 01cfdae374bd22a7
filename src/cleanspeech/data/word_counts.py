"""How often each word occurs in labelled comments, and in toxic ones: the counts behind the
cascade's route words and the rewriter's Jigsaw word rates (each splits words its own way)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable


def toxic_word_counts(texts: Iterable[str], toxic: Iterable[int],
                      words: Callable[[str], Iterable[str]]) -> tuple[Counter, Counter]:
    """``(seen, bad)``: per word, the comments containing it and the toxic ones among them; a
    word repeated within one comment counts once."""
    seen, bad = Counter(), Counter()
    for text, y in zip(texts, toxic):
        present = set(words(text or ""))
        seen.update(present)
        if y:
            bad.update(present)
    return seen, bad
