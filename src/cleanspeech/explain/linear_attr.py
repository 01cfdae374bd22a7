"""Exact per-word attributions for the TF-IDF + logistic-regression model.

The logit of label ``k`` is ``b_k + Σ_f x_f w_kf`` over the text's TF-IDF features. Each feature's
contribution ``x_f w_kf`` is split equally over its occurrences (it has ``tf_f`` of them), each
occurrence's share is split equally over its tokens (a word bigram gives half to each word) and
spread evenly over their characters; characters sum into words. So the
words' attributions add up exactly to ``logit_k - b_k`` (up to float rounding), in logit units.

Occurrences are found by re-running sklearn's analyzers with offsets: words are ``\\b\\w+\\b``
tokens of the lowercased text (uni- and bi-grams), ``char_wb`` n-grams come from each
whitespace-separated chunk padded with one space each side (exactly as sklearn builds them).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import numpy as np

from cleanspeech.explain.words import Word, sum_chars_to_words

_NONSPACE = re.compile(r"\S+")


def _lowered(text: str) -> tuple[str, np.ndarray | None]:
    """The text as the vectorisers see it, and (only when lowercasing changed its length, as
    for 'İ') the original offset of each of its characters, plus one past the end."""
    low = text.lower()
    if len(low) == len(text):
        return low, None
    origin = [i for i, c in enumerate(text) for _ in c.lower()] + [len(text)]
    if len(origin) != len(low) + 1:  # context-dependent lowercasing: map proportionally
        origin = [int(j * len(text) / max(len(low), 1)) for j in range(len(low) + 1)]
    return low, np.asarray(origin)


def word_occurrences(vec: Any, low: str) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    """``(ngram, pieces)`` for every word n-gram the word vectoriser builds from ``low``; the
    pieces are the ``(start, end)`` of each of its tokens."""
    pattern = re.compile(vec.token_pattern)
    toks = [(m.group(), m.start(), m.end()) for m in pattern.finditer(low)]
    lo, hi = vec.ngram_range
    out = []
    for n in range(lo, hi + 1):
        for i in range(len(toks) - n + 1):
            # one (start, end) piece per token: a bigram's share goes half to each word
            out.append((" ".join(t for t, _, _ in toks[i:i + n]), tuple((s, e) for _, s, e in toks[i:i + n])))
    return out


def char_wb_occurrences(vec: Any, low: str) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    """``(ngram, ((start, end),))`` for every ``char_wb`` n-gram, clipped to the chunk's characters."""
    lo, hi = vec.ngram_range
    out = []
    for m in _NONSPACE.finditer(low):
        w = " " + m.group() + " "
        base = m.start() - 1  # padded index p is text offset base + p
        for n in range(lo, hi + 1):
            offset = 0
            starts = [0]
            while offset + n < len(w):
                offset += 1
                starts.append(offset)
            for p in starts:
                s, e = max(base + p, m.start()), min(base + p + n, m.end())
                if e <= s:  # a pure padding space: belongs to the chunk's nearest character
                    s, e = (m.start(), m.start() + 1) if p == 0 else (m.end() - 1, m.end())
                out.append((w[p:p + n], ((s, e),)))
            if offset == 0:  # sklearn counts a chunk shorter than n once, then stops
                break
    return out


def char_occurrences(vec: Any, low: str) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    """``(ngram, ((start, end),))`` for a plain ``char`` analyzer (whitespace runs collapsed)."""
    lo, hi = vec.ngram_range
    if re.search(r"\s\s", low):
        raise NotImplementedError("char analyzer with repeated whitespace: offsets would shift")
    return [(low[i:i + n], ((i, i + n),)) for n in range(lo, hi + 1) for i in range(len(low) - n + 1)]


def _occurrences(vec: Any, low: str) -> list[tuple[str, tuple[tuple[int, int], ...]]]:
    if vec.analyzer == "word":
        return word_occurrences(vec, low)
    if vec.analyzer == "char_wb":
        return char_wb_occurrences(vec, low)
    if vec.analyzer == "char":
        return char_occurrences(vec, low)
    raise NotImplementedError(f"analyzer {vec.analyzer!r}")


def char_contributions(model: Any, text: str, cleaned: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per-character contributions ``(len(text), 6)`` and the logit bias ``(6,)``.

    ``char.sum(0) + bias`` equals the model's logits for ``text`` (the feature values ``x_f`` come
    from the model's own vectorisers). ``cleaned``: ``text`` is already the model's cleaning of
    a comment (the vectorisers read it as it is), so the characters are the cleaned text's.
    """
    # (1, F) CSR, word columns then char columns
    x = model.vectorizers.transform([text]) if cleaned else model.features([text])
    coef = model.coef_  # (6, F)
    low, origin = _lowered(text)
    char = np.zeros((len(text) + 1, coef.shape[0]))
    offset = 0
    for vec in (model.vectorizers.word, model.vectorizers.char):
        vocab = vec.vocabulary_
        occ: dict[int, list[tuple[tuple[int, int], ...]]] = defaultdict(list)
        for gram, pieces in _occurrences(vec, low):
            col = vocab.get(gram)
            if col is not None:
                if origin is not None:
                    pieces = tuple((int(origin[s]), max(int(origin[e - 1]) + 1, int(origin[s]) + 1))
                                   for s, e in pieces)
                occ[col + offset].append(pieces)
        row = x[0]
        for col, val in zip(row.indices, row.data):
            places = occ.get(int(col))
            if not places:
                continue  # cannot happen for cleaning "none"; tests check the sums
            share = (val * coef[:, col]) / len(places)
            for pieces in places:
                for s, e in pieces:
                    char[s:e] += share / (len(pieces) * (e - s))
        offset += len(vocab)
    return char[:len(text)], np.asarray(model.intercept_, dtype=float)


def linear_word_attributions(model: Any, text: str, words: list[Word]) -> np.ndarray:
    """Exact logit contributions ``(n_words, 6)`` of each word for a linear model."""
    char, _ = char_contributions(model, text)
    return sum_chars_to_words(char, words)
