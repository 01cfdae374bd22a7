"""The toxic-span tagger: a token tagger (:mod:`cleanspeech.models.tagger`) → word probabilities
→ character spans, by the folder's decision rule (:mod:`cleanspeech.explain.span_rule`).

Besides the token tagger's files, a folder holds ``lexicon.json`` when its rule blends in the
word lexicon. :func:`cleanspeech.explain.tagger_ensemble.load_tagger` loads any span-tagger
folder, ensembles included.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.explain.lexicon import SpanLexicon
from cleanspeech.explain.span_rule import EmptyRule, SpanRule, attribution_scores, lexicon_ratios, post_features
from cleanspeech.explain.words import Word, split_words
from cleanspeech.models.tagger import TaggerSettings, TokenTagger, load_parts

LEXICON_NAME = "lexicon.json"


def needs_lexicon(settings: TaggerSettings) -> bool:
    return bool(settings.lexicon_weight or settings.attribution_rule.get("lexicon_weight"))


def write_lexicon(lexicon: SpanLexicon | None, folder: Path) -> None:
    """``lexicon.json`` in ``folder`` (word → ratio, 4 decimals), when there is a lexicon."""
    if lexicon is not None:
        ratio = {k: round(v, 4) for k, v in sorted(lexicon.ratio.items())}
        (folder / LEXICON_NAME).write_text(json.dumps(ratio) + "\n", encoding="utf-8")


def read_lexicon(folder: Path) -> SpanLexicon | None:
    lex_file = folder / LEXICON_NAME
    return SpanLexicon(json.loads(lex_file.read_text(encoding="utf-8"))) if lex_file.exists() else None


class SpanDecoder:
    """Word probabilities (``word_probs``, from a subclass) → spans by the folder's rule."""

    settings: TaggerSettings
    lexicon: SpanLexicon | None

    @property
    def rule(self) -> SpanRule:
        st = self.settings
        return SpanRule(st.threshold, st.post_threshold, st.lexicon_weight, st.join_gaps)

    def word_probs(self, texts: Sequence[str]) -> list[tuple[list[Word], np.ndarray]]:
        raise NotImplementedError

    def spans_with_attributions(self, text: str, words: Sequence[Word], probs: np.ndarray,
                                attrs: np.ndarray | None) -> list[tuple[int, int]]:
        """Spans of ``text`` from this tagger's word probabilities and the classifier's ``(n, 6)``
        word attributions, by the folder's ``attribution_rule``; with no attributions (the caller
        passes none for a comment the classifier finds civil) or no such rule, by its own rule."""
        ratios = lexicon_ratios(self.lexicon, words)
        if attrs is None or not self.settings.attribution_rule:
            return self.rule.spans(text, words, probs, ratios)
        rule = SpanRule.from_dict(self.settings.attribution_rule)
        return rule.spans(text, words, probs, ratios, attribution_scores(attrs))

    def post_is_empty(self, words: Sequence[Word], probs: np.ndarray, scores: np.ndarray) -> bool:
        """True when the folder's ``empty_rule`` says this post gets no span at all (``scores``:
        the classifier's ``(6,)`` probabilities); False when it has none."""
        rule = EmptyRule.from_dict(self.settings.empty_rule)
        if rule is None or not len(words):
            return False
        return rule.is_empty(post_features(words, probs, scores, lexicon_ratios(self.lexicon, words)))

    def word_scores(self, texts: Sequence[str]) -> list[tuple[list[Word], np.ndarray]]:
        """Per text, its words and the scores the rule thresholds (probabilities blended with the
        lexicon, when the rule uses one)."""
        rule = self.rule
        return [(words, rule.scores(probs, lexicon_ratios(self.lexicon, words)))
                for words, probs in self.word_probs(texts)]

    def predict_spans(self, texts: Sequence[str], threshold: float | None = None) -> list[list[tuple[int, int]]]:
        """Character ranges ``[(start, end)]`` per text (end exclusive), by the folder's rule
        (``threshold`` overrides its word threshold)."""
        rule = self.rule if threshold is None else replace(self.rule, word_threshold=threshold)
        return [
            rule.spans(text, words, probs, lexicon_ratios(self.lexicon, words))
            for text, (words, probs) in zip(texts, self.word_probs(texts))
        ]


class SpanTagger(SpanDecoder, TokenTagger):
    """Predicts toxic character spans; ``word_probs`` gives per-word probabilities."""

    def __init__(self, model: Any, tokenizer: Any, settings: TaggerSettings,
                 lexicon: SpanLexicon | None = None) -> None:
        TokenTagger.__init__(self, model, tokenizer, settings)
        self.lexicon = lexicon
        if needs_lexicon(settings) and lexicon is None:
            raise ValueError("the tagger's rule blends in a word lexicon, but none was given")

    def save(self, path: str | Path) -> Path:
        path = TokenTagger.save(self, path)
        write_lexicon(self.lexicon, path)
        return path

    @classmethod
    def load(cls, path: str | Path, base_path: str | None = None) -> SpanTagger:
        return cls(*load_parts(path, base_path), read_lexicon(Path(path)))

    def word_probs(self, texts: Sequence[str]) -> list[tuple[list[Word], np.ndarray]]:
        """Per text, its words and ``(n_words,)`` toxic probabilities (max over sub-words)."""
        results = []
        for text, toks in zip(texts, self.token_probs(texts)):
            words = split_words(text)
            results.append((words, tokens_to_word_probs(text, words, toks)))
        return results


def tokens_to_word_probs(text: str, words: Sequence[Word], toks: Sequence[tuple[int, int, float]]) -> np.ndarray:
    """Max token probability over the characters of each word ``(n_words,)`` (0 if none)."""
    char_p = np.zeros(len(text) + 1)
    for s, e, p in toks:
        np.maximum(char_p[s:e], p, out=char_p[s:e])
    return np.array([char_p[w.start:w.end].max() if w.end > w.start else 0.0 for w in words])
