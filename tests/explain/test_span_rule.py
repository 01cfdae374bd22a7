"""The span decision rule: word threshold, post gate, lexicon blend, and its cross-validated choice."""

import numpy as np
import pytest

from cleanspeech.explain.lexicon import SpanLexicon
from cleanspeech.explain.span_rule import (
    SpanRule, attribution_scores, candidate_rules, choose_rule, cross_validated_f1, lexicon_ratios, rule_f1,
)
from cleanspeech.explain.words import split_words

TEXT = "you are a stupid idiot"


def test_word_threshold_and_joining():
    words = split_words(TEXT)
    probs = np.array([0.1, 0.1, 0.1, 0.8, 0.9])
    assert SpanRule(0.5).spans(TEXT, words, probs) == [(10, 22)]
    assert SpanRule(0.5, join_gaps=False).spans(TEXT, words, probs) == [(10, 16), (17, 22)]


def test_post_gate_returns_nothing_when_no_word_is_sure_enough():
    words = split_words(TEXT)
    probs = np.array([0.1, 0.1, 0.1, 0.45, 0.6])
    assert SpanRule(0.4, post_threshold=0.7).spans(TEXT, words, probs) == []
    assert SpanRule(0.4, post_threshold=0.5).spans(TEXT, words, probs) == [(10, 22)]
    assert SpanRule(0.4).spans("", [], np.zeros(0)) == []


def test_lexicon_blend_lifts_words_annotators_mark():
    words = split_words(TEXT)
    lex = SpanLexicon({"idiot": 1.0})
    ratios = lexicon_ratios(lex, words)
    probs = np.array([0.0, 0.0, 0.0, 0.0, 0.4])
    assert SpanRule(0.5).spans(TEXT, words, probs, ratios) == []
    assert SpanRule(0.5, lexicon_weight=0.3).spans(TEXT, words, probs, ratios) == [(17, 22)]  # 0.7*0.4+0.3
    assert lexicon_ratios(None, words) is None


def test_attribution_scores_are_relative_to_the_posts_strongest_word():
    attrs = np.array([[0.1, -2.0, 0, 0, 0, 0], [2.0, 0.5, 0, 0, 0, 0], [-1.0, -1.0, 0, 0, 0, 0]])
    # max over labels, over the post's largest magnitude; a word pulling towards civil counts as 0
    np.testing.assert_allclose(attribution_scores(attrs), [0.05, 1.0, 0.0])
    np.testing.assert_allclose(attribution_scores(-np.ones((2, 6))), [0.0, 0.0])
    assert attribution_scores(np.zeros((0, 6))).shape == (0,)
    assert not attribution_scores(np.zeros((3, 6))).any()


def test_attribution_blend_comes_before_the_lexicon():
    words = split_words(TEXT)
    ratios = lexicon_ratios(SpanLexicon({"idiot": 1.0}), words)
    probs = np.array([0.0, 0.0, 0.0, 0.2, 0.4])
    attrs = np.array([0.0, 0.0, 0.0, 1.0, 0.5])
    rule = SpanRule(0.5, lexicon_weight=0.5, attribution_weight=0.5)
    # stupid: 0.5 * (0.5*0.2 + 0.5*1.0) = 0.3; idiot: 0.5 * (0.5*0.4 + 0.5*0.5) + 0.5 = 0.725
    np.testing.assert_allclose(rule.scores(probs, ratios, attrs), [0, 0, 0, 0.3, 0.725])
    assert rule.spans(TEXT, words, probs, ratios, attrs) == [(17, 22)]
    np.testing.assert_allclose(rule.scores(probs, ratios), 0.5 * probs + 0.5 * ratios)  # none given: skipped
    assert SpanRule.from_dict(rule.to_dict()) == rule


def test_round_trip_and_grid():
    rule = SpanRule(0.35, 0.6, 0.15, False)
    assert SpanRule.from_dict({**rule.to_dict(), "unknown": 1}) == rule
    assert all(r.post_threshold == 0 or r.post_threshold >= r.word_threshold for r in candidate_rules())


def _posts():
    # toxic posts whose gold is the high-probability word, and unmarked posts whose best word is
    # only middling: the best rule must gate posts, and words, between the two levels
    texts, probs, golds = [], [], []
    for _ in range(12):
        texts.append(TEXT)
        probs.append(np.array([0.05, 0.05, 0.05, 0.3, 0.95]))
        golds.append(list(range(17, 22)))
        texts.append("this edit is fine")
        probs.append(np.array([0.05, 0.55, 0.05, 0.05]))
        golds.append([])
    return texts, probs, golds, [None] * len(texts)


def test_choose_rule_learns_the_post_gate():
    texts, probs, golds, ratios = _posts()
    rule, f1 = choose_rule(texts, probs, golds, ratios)
    assert f1 == 1.0 and rule.post_threshold > 0.55 and 0.3 < rule.word_threshold <= 0.95
    assert rule_f1(SpanRule(0.5), texts, probs, golds, ratios) == 0.5  # no gate: unmarked posts fail


def test_cross_validated_f1_scores_each_fold_with_a_rule_chosen_elsewhere():
    texts, probs, golds, ratios = _posts()
    folds = np.arange(len(texts)) % 3
    out = cross_validated_f1(texts, probs, golds, ratios, folds)
    assert [f["fold"] for f in out["folds"]] == [0, 1, 2]
    assert out["f1"] == 1.0 and sum(f["posts"] for f in out["folds"]) == len(texts)


def test_empty_rule_round_trips_and_decides_on_its_threshold():
    from cleanspeech.explain.span_rule import EMPTY_FEATURES, EmptyRule, fit_empty_model, post_features
    from cleanspeech.explain.words import split_words

    words = split_words("you are an idiot")
    feats = post_features(words, np.array([0.1, 0.1, 0.1, 0.9]), np.array([0.9, 0.1, 0.2, 0.01, 0.8, 0.01]))
    assert feats.shape == (len(EMPTY_FEATURES),) and feats[0] == pytest.approx(0.9)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, len(EMPTY_FEATURES)))
    y = (x[:, 0] < 0).astype(float)  # empty when the tagger's top probability is low
    coef, intercept = fit_empty_model(x, y)
    rule = EmptyRule(coef, intercept, 0.5)
    again = EmptyRule.from_dict(rule.to_dict())
    assert again.threshold == 0.5 and np.allclose(again.coef, rule.coef, atol=1e-5)
    assert again.is_empty(np.r_[-3.0, np.zeros(len(EMPTY_FEATURES) - 1)])
    assert not again.is_empty(np.r_[3.0, np.zeros(len(EMPTY_FEATURES) - 1)])
    assert EmptyRule.from_dict({}) is None
    with pytest.raises(ValueError, match="features"):
        EmptyRule.from_dict({**rule.to_dict(), "features": ["max_prob"]})


def test_explain_returns_no_span_where_the_folder_empty_rule_says_so(tiny_linear, monkeypatch):
    """A post the post-level rule calls empty keeps its words and attributions but no span."""
    from dataclasses import replace

    import cleanspeech.explain.core as core
    from cleanspeech.explain.span_rule import EMPTY_FEATURES, EmptyRule
    from cleanspeech.explain.tagger import SpanDecoder
    from cleanspeech.explain.words import split_words
    from cleanspeech.models.tagger import TaggerSettings

    class Fixed(SpanDecoder):
        def __init__(self, empty_rule):
            self.settings = replace(TaggerSettings(threshold=0.5), empty_rule=empty_rule)
            self.lexicon = None

        def word_probs(self, texts):
            return [(split_words(t), np.array([0.9 if w.text == "idiot" else 0.0 for w in split_words(t)]))
                    for t in texts]

    text = "you are an idiot"
    never = EmptyRule(tuple([0.0] * len(EMPTY_FEATURES)), -10.0, 0.5).to_dict()
    always = EmptyRule(tuple([0.0] * len(EMPTY_FEATURES)), 10.0, 0.5).to_dict()
    monkeypatch.setattr(core, "_tagger_or_none", lambda path, required: Fixed(never))
    assert core.explain_texts(tiny_linear, [text])[0].spans == [(11, 16)]
    monkeypatch.setattr(core, "_tagger_or_none", lambda path, required: Fixed(always))
    exp = core.explain_texts(tiny_linear, [text])[0]
    assert exp.spans == [] and len(exp.tokens) == 4
