"""A word-level trigram language model with interpolated modified Kneser-Ney smoothing
(Chen & Goodman 1998), in numpy: counts are sorted int64 keys looked up with ``searchsorted``.

Texts are lowercased and split into words, clitics (``'t``, ``'s``: "don't" and "don 't" give the
same tokens) and single punctuation marks; each text is one sequence ``<s> <s> w1 .. wn </s>``.
Words seen fewer than ``min_count`` times become ``<unk>``. Saved as ``ngram_lm.npz`` (arrays,
read without pickle) beside ``ngram_lm.json`` (vocabulary and settings).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
TOKEN_RE = re.compile(r"[^\W_]+|'[^\W_]+|[^\w\s]|_")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\s*\n\s*")
ARRAYS = ("lu1", "p1", "k2", "c2", "ctx2", "tot2", "gam2", "k3", "c3", "ctx3", "tot3", "gam3", "d2", "d3")


def tokenize(text: str) -> list[str]:
    """Lowercase words, clitics and punctuation marks."""
    return TOKEN_RE.findall(text.lower().replace("\u2019", "'").replace("`", "'"))


def split_sentences(text: str) -> list[str]:
    """Lines and sentences (after ``.``, ``!`` or ``?`` and a space) of a text, empty ones dropped."""
    return [s for s in (p.strip() for p in SENTENCE_RE.split(text)) if s]


def _discounts(counts: np.ndarray) -> np.ndarray:
    """``[0, D1, D2, D3+]`` from the count-of-counts; where those are too few to give three
    discounts in ``(0, k]`` (tiny corpora), one ``D = n1 / (n1 + 2 n2)`` for all."""
    n1, n2, n3, n4 = (int(np.sum(counts == k)) for k in (1, 2, 3, 4))
    y = n1 / (n1 + 2 * n2) if n1 else 0.5
    if min(n1, n2, n3, n4) > 0:
        d = np.array([0.0, 1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3])
        if (d[1:] > 0).all() and (d[1:] <= [1, 2, 3]).all():
            return d
    return np.array([0.0, y, y, y])


def _level(keys: np.ndarray, counts: np.ndarray, width: int) -> tuple[np.ndarray, ...]:
    """Per context (``keys // width``): its key, total count and back-off weight, plus the discounts."""
    d = _discounts(counts)
    ctx, start = np.unique(keys // width, return_index=True)
    tot = np.add.reduceat(counts, start).astype(float)
    lost = np.add.reduceat(d[np.minimum(counts, 3)], start)
    return ctx, tot, lost / tot, d


class NgramLM:
    """``NgramLM.fit(texts)``, then ``logprob_per_token`` / ``slor_per_token`` / ``token_scores``;
    ``save(folder)`` and ``NgramLM.load(folder)``."""

    def __init__(self, vocab: Sequence[str], arrays: dict[str, np.ndarray], min_count: int = 2,
                 meta: dict | None = None) -> None:
        self.vocab = list(vocab)
        self.index = {w: i for i, w in enumerate(self.vocab)}
        self.min_count = min_count
        self.a = arrays
        self.meta = dict(meta or {})  # free-form, saved with the model (what it was fitted on)

    @classmethod
    def fit(cls, texts: Iterable[str], min_count: int = 2) -> NgramLM:
        """Count the trigrams of ``texts`` (each one sequence); words seen fewer than ``min_count``
        times are ``<unk>``."""
        tokens = [tokenize(t) for t in texts]
        freq = Counter(w for toks in tokens for w in toks)
        words = sorted((w for w, c in freq.items() if c >= min_count and w not in (BOS, EOS, UNK)),
                       key=lambda w: (-freq[w], w))
        lm = cls([BOS, EOS, UNK, *words], {}, min_count)
        v = len(lm.vocab)
        u3, v3, w3 = lm._trigrams(tokens)
        # plain unigram (add-one) log-probabilities, for SLOR
        lu1 = np.log(np.bincount(w3, minlength=v) + 1.0) - np.log(len(w3) + v - 1.0)
        lu1[0] = -np.inf
        k3, c3 = np.unique((u3 * v + v3) * v + w3, return_counts=True)
        # lower orders count contexts, not occurrences: N1+(. v w) and N1+(. w)
        k2, c2 = np.unique(k3 % (v * v), return_counts=True)
        c1 = np.bincount(k2 % v, minlength=v).astype(float)
        d1 = _discounts(c1[c1 > 0])[1]
        p1 = (np.maximum(c1 - d1, 0) + d1 * np.count_nonzero(c1) / (v - 1)) / c1.sum()
        p1[0] = 0.0  # <s> is never predicted
        ctx3, tot3, gam3, d3 = _level(k3, c3, v)
        ctx2, tot2, gam2, d2 = _level(k2, c2, v)
        lm.a = {"lu1": lu1, "p1": p1, "k2": k2, "c2": c2.astype(np.int32), "ctx2": ctx2, "tot2": tot2, "gam2": gam2,
                "k3": k3, "c3": c3.astype(np.int32), "ctx3": ctx3, "tot3": tot3, "gam3": gam3, "d2": d2, "d3": d3}
        return lm

    def ids(self, tokens: Sequence[str]) -> list[int]:
        unk = self.index[UNK]
        return [self.index.get(w, unk) for w in tokens]

    def _trigrams(self, tokens: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        seqs = [[0, 0, *self.ids(t), 1] for t in tokens]
        flat = np.fromiter((i for s in seqs for i in s), dtype=np.int64)
        lens = np.array([len(s) for s in seqs], dtype=np.int64)
        keep = np.ones(len(flat), dtype=bool)
        starts = np.cumsum(lens) - lens
        keep[starts] = keep[starts + 1] = False  # the two <s> are context only
        pos = np.flatnonzero(keep)
        return flat[pos - 2], flat[pos - 1], flat[pos]

    def prob(self, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """``P(w | u v)`` for arrays of word ids."""
        a, n = self.a, len(self.vocab)
        p = a["p1"][w]
        for keys, cnt, ctx, tot, gam, d, ck, k in (
                ("k2", "c2", "ctx2", "tot2", "gam2", "d2", v, v * n + w),
                ("k3", "c3", "ctx3", "tot3", "gam3", "d3", u * n + v, (u * n + v) * n + w)):
            i = np.minimum(np.searchsorted(a[ctx], ck), len(a[ctx]) - 1)
            seen = a[ctx][i] == ck
            j = np.minimum(np.searchsorted(a[keys], k), len(a[keys]) - 1)
            c = np.where(a[keys][j] == k, a[cnt][j], 0)
            higher = (c - a[d][np.minimum(c, 3)]) / a[tot][i] + a[gam][i] * p
            p = np.where(seen, higher, p)
        return p

    def token_scores(self, texts: Sequence[str], slor: bool = False) -> list[np.ndarray]:
        """Per text, the natural-log probability of each token and of the end marker; ``slor``:
        minus the token's unigram log-probability (its surprise beyond the word's own rarity)."""
        tokens = [tokenize(t) for t in texts]
        if not tokens:
            return []
        u, v, w = self._trigrams(tokens)
        lp = np.log(self.prob(u, v, w))
        if slor:
            lp = lp - self.a["lu1"][w]
        return np.split(lp, np.cumsum([len(t) + 1 for t in tokens])[:-1])

    def logprob_per_token(self, texts: Sequence[str]) -> np.ndarray:
        """``(n,)`` mean natural-log probability per token of each text, the end marker included."""
        return np.array([x.mean() for x in self.token_scores(texts)])

    def slor_per_token(self, texts: Sequence[str]) -> np.ndarray:
        """``(n,)`` SLOR (Kann et al. 2018): the mean per token of ``log P(w | u v) - log P_unigram(w)``,
        the end marker included. Unlike :meth:`logprob_per_token` it does not reward a text for
        losing a rare word, only for words that follow well from what precedes them."""
        return np.array([x.mean() for x in self.token_scores(texts, slor=True)])

    @staticmethod
    def trigrams(text: str) -> list[tuple[str, str, str]]:
        """The ``(u, v, w)`` of each scored position of ``text`` (as :meth:`token_scores` orders them)."""
        t = [BOS, BOS, *tokenize(text), EOS]
        return list(zip(t, t[1:], t[2:]))

    def token_logprobs(self, text: str) -> list[tuple[str, float]]:
        """Each token of ``text`` (and the end marker) with its log-probability: to see where it stumbles."""
        toks = tokenize(text)
        lp = np.log(self.prob(*self._trigrams([toks])))
        return [(w if w in self.index else f"{w}({UNK})", float(x)) for w, x in zip([*toks, EOS], lp)]

    def next_word_probs(self, context: Sequence[str]) -> np.ndarray:
        """``(len(vocab),)`` probabilities of every next word after the last two of ``context``."""
        u, v = ([0, 0] + self.ids(list(context)))[-2:]
        w = np.arange(len(self.vocab), dtype=np.int64)
        return np.where(w == 0, 0.0, self.prob(np.full_like(w, u), np.full_like(w, v), w))

    def save(self, folder: str | Path) -> Path:
        """``ngram_lm.npz`` then ``ngram_lm.json`` (written last: a folder without it is incomplete)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ngram_lm.json").unlink(missing_ok=True)
        np.savez_compressed(folder / "ngram_lm.npz", **self.a)
        text = json.dumps({"min_count": self.min_count, "meta": self.meta, "vocab": self.vocab})
        tmp = folder / "ngram_lm.json.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(folder / "ngram_lm.json")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> NgramLM:
        folder = Path(folder)
        meta = json.loads((folder / "ngram_lm.json").read_text(encoding="utf-8"))
        with np.load(folder / "ngram_lm.npz", allow_pickle=False) as z:
            arrays = {k: z[k] for k in ARRAYS}
        return cls(meta["vocab"], arrays, meta["min_count"], meta.get("meta"))
