"""The decision rule that turns the span tagger's word probabilities into spans, chosen by CV.

A word is toxic when its score reaches ``word_threshold``, where the score blends the tagger's
probability with the word lexicon's ratio (``(1 - lexicon_weight) * p + lexicon_weight * ratio``;
how often annotators marked the word, :class:`SpanLexicon`); a post gets no spans at all unless
some word's score reaches ``post_threshold`` (annotators left 6% of TSD posts unmarked, and
clean comments should come back empty). Where the classifier's word attributions are at hand
(``explain`` computes them anyway), ``attribution_weight`` blends them in first, as
:func:`attribution_scores` (each word's attribution relative to the post's largest):
``(1 - a) * p + a * attribution``, then the lexicon as above.

:func:`choose_rule` picks the parameters on out-of-fold probabilities (``scripts/experiments/tagger_cv.py``) by mean
span F1 over the TSD posts; :func:`cross_validated_f1` re-runs that choice with each fold held
out and scores the fold, so the reported figure never judges a rule on the posts that chose it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from cleanspeech.explain.lexicon import SpanLexicon
from cleanspeech.explain.span_metric import span_f1
from cleanspeech.explain.words import Word, spans_to_offsets, split_words, words_to_spans

WORD_GRID = tuple(np.round(np.arange(0.2, 0.81, 0.05), 3))
POST_GRID = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9)
LEXICON_WEIGHTS = (0.0, 0.15, 0.3)


@dataclass(frozen=True)
class SpanRule:
    word_threshold: float = 0.5
    post_threshold: float = 0.0
    lexicon_weight: float = 0.0
    join_gaps: bool = True
    attribution_weight: float = 0.0

    def to_dict(self) -> dict[str, float | bool]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SpanRule:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})

    def scores(self, probs: np.ndarray, ratios: np.ndarray | None, attributions: np.ndarray | None = None) -> np.ndarray:
        """Blended word scores ``(n_words,)``; ``attributions``: :func:`attribution_scores`."""
        if self.attribution_weight and attributions is not None:
            probs = (1 - self.attribution_weight) * probs + self.attribution_weight * attributions
        if not self.lexicon_weight or ratios is None:
            return probs
        return (1 - self.lexicon_weight) * probs + self.lexicon_weight * ratios

    def spans(self, text: str, words: Sequence[Word], probs: np.ndarray,
              ratios: np.ndarray | None = None, attributions: np.ndarray | None = None) -> list[tuple[int, int]]:
        """Character spans of ``text`` under this rule."""
        s = self.scores(np.asarray(probs, dtype=float), ratios, attributions)
        alnum = np.array([w.is_alnum for w in words], dtype=bool)
        if not len(s) or not (alnum & (s >= self.post_threshold)).any():
            return []
        return words_to_spans(text, words, list(alnum & (s >= self.word_threshold)), self.join_gaps)


def attribution_scores(attrs: np.ndarray) -> np.ndarray:
    """``(n_words,)`` in [0, 1] from ``(n_words, 6)`` classifier attributions: each word's largest
    attribution over the labels, relative to the post's largest (negative ones count as 0).
    Relative, because attribution scales differ between models and between a cascade's routes."""
    if not len(attrs):
        return np.zeros(0)
    top = np.asarray(attrs, dtype=float).max(axis=1)
    peak = np.abs(top).max()
    return np.clip(top / peak, 0.0, 1.0) if peak > 0 else np.zeros(len(top))


def lexicon_ratios(lexicon: SpanLexicon | None, words: Sequence[Word]) -> np.ndarray | None:
    if lexicon is None:
        return None
    return np.array([lexicon.ratio.get(w.text.lower(), 0.0) for w in words])


def rule_f1(rule: SpanRule, texts: Sequence[str], probs: Sequence[np.ndarray], golds: Sequence[Sequence[int]],
            ratios: Sequence[np.ndarray | None], words: Sequence[Sequence[Word]] | None = None) -> float:
    """Mean span F1 of ``rule`` (``words``: each text's :func:`split_words`, computed if None)."""
    words = words if words is not None else [split_words(t) for t in texts]
    preds = [spans_to_offsets(rule.spans(t, w, p, r)) for t, w, p, r in zip(texts, words, probs, ratios)]
    return span_f1(preds, golds)


def candidate_rules() -> list[SpanRule]:
    return [SpanRule(float(w), float(p), float(lw), j)
            for lw, w, p, j in itertools.product(LEXICON_WEIGHTS, WORD_GRID, POST_GRID, (True, False))
            if p == 0.0 or p >= w]


def choose_rule(texts: Sequence[str], probs: Sequence[np.ndarray], golds: Sequence[Sequence[int]],
                ratios: Sequence[np.ndarray | None], rules: Sequence[SpanRule] | None = None) -> tuple[SpanRule, float]:
    """The rule with the best mean span F1 (ties: the first in grid order) and that F1."""
    best, best_f1 = SpanRule(), -1.0
    words = [split_words(t) for t in texts]
    for rule in rules or candidate_rules():
        if rule.lexicon_weight and any(r is None for r in ratios):
            continue
        f1 = rule_f1(rule, texts, probs, golds, ratios, words)
        if f1 > best_f1 + 1e-12:
            best, best_f1 = rule, f1
    return best, best_f1


def cross_validated_f1(texts: Sequence[str], probs: Sequence[np.ndarray], golds: Sequence[Sequence[int]],
                       ratios: Sequence[np.ndarray | None], folds: np.ndarray,
                       rules: Sequence[SpanRule] | None = None) -> dict:
    """Per fold: the rule chosen on the other folds and its F1 on the fold; their mean."""
    per_fold = []
    folds = np.asarray(folds)
    for f in sorted(set(folds.tolist())):
        tr, te = np.flatnonzero(folds != f), np.flatnonzero(folds == f)
        pick = lambda idx, xs: [xs[i] for i in idx]  # noqa: E731
        rule, _ = choose_rule(pick(tr, texts), pick(tr, probs), pick(tr, golds), pick(tr, ratios), rules)
        f1 = rule_f1(rule, pick(te, texts), pick(te, probs), pick(te, golds), pick(te, ratios))
        per_fold.append({"fold": f, "rule": rule.to_dict(), "f1": f1, "posts": len(te)})
    weights = np.array([p["posts"] for p in per_fold], dtype=float)
    return {"f1": float(np.average([p["f1"] for p in per_fold], weights=weights)), "folds": per_fold}


EMPTY_FEATURES = ("max_prob", "top3_prob", "log_words", "max_lexicon",
                  "toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate")


def post_features(words: Sequence[Word], probs: np.ndarray, scores: np.ndarray,
                  ratios: np.ndarray | None = None) -> np.ndarray:
    """``(len(EMPTY_FEATURES),)`` of one post: the tagger's largest and top-3 mean word
    probability (letters or digits only), log word count, the largest lexicon ratio and the
    classifier's six label logits (``scores``: ``(6,)`` probabilities)."""
    alnum = np.array([w.is_alnum for w in words], dtype=bool)
    p = np.sort(np.asarray(probs, dtype=float)[alnum])[::-1] if len(words) else np.zeros(0)
    lex = float(np.asarray(ratios)[alnum].max()) if ratios is not None and alnum.any() else 0.0
    s = np.clip(np.asarray(scores, dtype=float), 1e-6, 1 - 1e-6)
    return np.concatenate([[p[0] if len(p) else 0.0, p[:3].mean() if len(p) else 0.0,
                            np.log1p(int(alnum.sum())), lex], np.log(s / (1 - s))])


@dataclass(frozen=True)
class EmptyRule:
    """The post-level decision to return no span at all: a logistic model of "annotators marked
    no word of this post" (over :func:`post_features`); the post gets no span when its
    probability reaches ``threshold``. The SemEval metric scores an empty prediction 1 on such
    a post and any span 0, so this is worth it wherever toxicity sits in no word (annotators
    left 6% of TSD posts and 21% of the new ACL-2022 posts without a span)."""

    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def to_dict(self) -> dict:
        return {"features": list(EMPTY_FEATURES), "coef": [round(float(c), 6) for c in self.coef],
                "intercept": round(float(self.intercept), 6), "threshold": float(self.threshold)}

    @classmethod
    def from_dict(cls, data: dict) -> EmptyRule | None:
        if not data:
            return None
        if tuple(data["features"]) != EMPTY_FEATURES:
            raise ValueError(f"empty_rule features {data['features']} are not {list(EMPTY_FEATURES)}")
        return cls(tuple(data["coef"]), float(data["intercept"]), float(data["threshold"]))

    def p_empty(self, features: np.ndarray) -> np.ndarray:
        """P(no gold span) for ``(n, k)`` (or ``(k,)``) features."""
        z = np.asarray(features, dtype=float) @ np.asarray(self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def is_empty(self, features: np.ndarray) -> bool:
        return bool(self.p_empty(features) >= self.threshold)


def fit_empty_model(features: np.ndarray, empty: np.ndarray, c: float = 1.0) -> tuple[tuple[float, ...], float]:
    """Logistic regression of ``empty`` ``(n,)`` on ``features`` ``(n, k)`` (standardised while
    fitting, then folded back), as ``(coef, intercept)`` on the raw features."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = features.mean(axis=0), features.std(axis=0) + 1e-9
    lr = LogisticRegression(C=c, max_iter=2000).fit((features - mu) / sd, empty.astype(int))
    coef = lr.coef_[0] / sd
    return tuple(float(x) for x in coef), float(lr.intercept_[0] - (coef * mu).sum())
