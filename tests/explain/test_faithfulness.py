"""Deleting the top-attributed words lowers a label's score more than deleting random words."""

import numpy as np
import pytest

from cleanspeech.explain import explain_texts
from cleanspeech.explain.occlusion import delete_words, logit
from cleanspeech.explain.words import split_words


def deletion_gap(model, texts, k=3, label=0, draws=5, seed=0, **kw):
    """Mean drop in ``label``'s logit from deleting the top-k attributed words, and from
    deleting k random words (averaged over ``draws``), over ``texts``."""
    rng = np.random.default_rng(seed)
    exps = explain_texts(model, texts, spans="attribution", **kw)
    top_drops, rand_drops = [], []
    for exp in exps:
        words = split_words(exp.text)
        alnum = [i for i, w in enumerate(words) if w.is_alnum]
        if len(alnum) <= k:
            continue
        a = exp.attributions()[:, label]
        top = set(sorted(alnum, key=lambda i: -a[i])[:k])
        variants = [exp.text, delete_words(exp.text, words, top)]
        variants += [delete_words(exp.text, words, set(rng.choice(alnum, k, replace=False))) for _ in range(draws)]
        z = logit(model.predict_proba(variants))[:, label]
        top_drops.append(z[0] - z[1])
        rand_drops.append(np.mean(z[0] - z[2:]))
    return np.mean(top_drops), np.mean(rand_drops), len(top_drops)


@pytest.mark.slow
def test_linear_top_words_beat_random_words(tiny_linear, toxic_comments):
    top, rand, n = deletion_gap(tiny_linear, toxic_comments)
    assert n >= 20
    assert top > rand + 0.5, (top, rand)


@pytest.mark.slow
def test_occlusion_top_words_beat_random_words(tiny_linear, toxic_comments):
    top, rand, _ = deletion_gap(tiny_linear, toxic_comments[:15], method="occlusion")
    assert top > rand + 0.5, (top, rand)


@pytest.mark.slow
def test_transformer_ig_top_words_beat_random_words(tiny_transformer, toxic_comments):
    """Even for a random network, IG finds the words that move its output."""
    short = [t for t in toxic_comments if len(t) < 200][:10]
    top, rand, _ = deletion_gap(tiny_transformer, short, label=0, n_steps=4)
    assert top > rand, (top, rand)
