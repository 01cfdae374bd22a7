"""Words with character offsets in the original text, and spans built from word decisions.

A *word* here is a run of word characters (letters, digits, ``_``) that may contain inner
apostrophes or asterisks (``don't``, ``f*ck``), or a run of punctuation. Every non-space
character belongs to exactly one word, so attributions computed per character can be summed
into words without loss. Offsets are ``[start, end)`` into the text exactly as given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WORD_RE = re.compile(r"\w+(?:['’*]+\w+)*|[^\w\s]+")
_ALNUM = re.compile(r"\w")


@dataclass(frozen=True)
class Word:
    """One word of a text: its characters and ``[start, end)`` offsets."""

    text: str
    start: int
    end: int

    @property
    def is_alnum(self) -> bool:
        """True for words that hold letters or digits (not pure punctuation)."""
        return bool(_ALNUM.search(self.text))


def split_words(text: str) -> list[Word]:
    """The words of ``text`` in order, with offsets into ``text``."""
    return [Word(m.group(), m.start(), m.end()) for m in WORD_RE.finditer(text)]


def char_to_word(text: str, words: Sequence[Word]) -> np.ndarray:
    """``(len(text),)`` int array: the word index of each character, ``-1`` for whitespace."""
    owner = np.full(len(text), -1, dtype=np.int64)
    for i, w in enumerate(words):
        owner[w.start:w.end] = i
    return owner


def sum_chars_to_words(char_values: np.ndarray, words: Sequence[Word]) -> np.ndarray:
    """Sum a per-character array ``(len(text), k)`` over each word → ``(n_words, k)``."""
    out = np.zeros((len(words), char_values.shape[1]), dtype=np.float64)
    for i, w in enumerate(words):
        out[i] = char_values[w.start:w.end].sum(axis=0)
    return out


def words_to_spans(
    text: str, words: Sequence[Word], flags: Sequence[bool], join_gaps: bool = True
) -> list[tuple[int, int]]:
    """Character ranges ``[(start, end)]`` covering the flagged words.

    ``join_gaps`` merges two flagged words separated only by whitespace into one range (the
    way annotators mark a phrase such as "stupid idiot"); punctuation between them splits.
    """
    spans: list[tuple[int, int]] = []
    for w, flag in zip(words, flags):
        if not flag:
            continue
        if spans and join_gaps and not text[spans[-1][1]:w.start].strip():
            spans[-1] = (spans[-1][0], w.end)
        else:
            spans.append((w.start, w.end))
    return spans


def spans_to_offsets(spans: Sequence[Sequence[int]]) -> set[int]:
    """The set of character offsets covered by ``[start, end)`` ranges."""
    return {i for s, e in spans for i in range(int(s), int(e))}


def offsets_to_spans(offsets: Sequence[int]) -> list[tuple[int, int]]:
    """Contiguous ``[start, end)`` ranges from a collection of character offsets."""
    spans: list[tuple[int, int]] = []
    for i in sorted(set(int(o) for o in offsets)):
        if spans and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1)
        else:
            spans.append((i, i + 1))
    return spans
