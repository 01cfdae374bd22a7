"""The independent rewrite judges: a TF-IDF toxicity judge fitted on given rows, and the
fluency judge on a tiny random language model (no download)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cleanspeech.evaluation.rewrite_judges import FluencyJudge, ToxicityJudge

TOXIC = ["you are a stupid idiot", "shut up you moron", "what a dumb idiot", "idiot moron stupid",
         "you stupid fool", "go away moron", "dumb stupid post", "such an idiot"]
CIVIL = ["thank you for the edit", "i disagree with this change", "the article needs a source",
         "please see the talk page", "good point about the dates", "i added a reference",
         "the map is out of date", "thanks for the help"]


def rows(copies: int = 6) -> pd.DataFrame:
    # numbered copies so the hashed validation share holds both classes
    texts = [f"{t} {i}" for i in range(copies) for t in TOXIC + CIVIL]
    labels = [1] * len(TOXIC) + [0] * len(CIVIL)
    return pd.DataFrame({"text": texts, "toxic": labels * copies, "origin": "test"})


def test_toxicity_judge_separates_and_is_deterministic():
    judge = ToxicityJudge.fit(rows())
    again = ToxicityJudge.fit(rows())
    texts = ["you stupid idiot", "thanks for the reference"]
    assert judge.civil(texts).tolist() == [False, True]
    np.testing.assert_allclose(judge.proba(texts), again.proba(texts))
    assert judge.meta["rows_fit"] + judge.meta["rows_valid"] == len(rows())
    # it plugs into metrics.evaluate, which passes embeddings
    assert judge.civil(texts, embeddings=np.zeros((2, 3))).tolist() == [False, True]


def test_toxicity_judge_needs_both_classes():
    with pytest.raises(ValueError, match="both classes"):
        ToxicityJudge.fit(rows().assign(toxic=0))


@pytest.fixture(scope="module")
def tiny_lm():
    pytest.importorskip("transformers")
    from cleanspeech.training.rewriter import tiny_llama

    return tiny_llama()


def test_fluency_judge_scores_cache_and_compare(tiny_lm, tmp_path):
    model, tok = tiny_lm
    cache = tmp_path / "cache.json"
    judge = FluencyJudge(model, tok, cache, batch_size=2)
    texts = ["my neighbour is a stupid cow .", "my neighbour is a .", "", "ok"]
    lp = judge.mean_logprob(texts)
    assert np.isnan(lp[2]) and np.isfinite(lp[[0, 1, 3]]).all() and (lp[[0, 1, 3]] < 0).all()
    # batch composition and padding do not change a text's score
    alone = FluencyJudge(model, tok, batch_size=1).mean_logprob([texts[0]])
    np.testing.assert_allclose(alone[0], lp[0], atol=1e-4)
    # the cache is reread: a second judge scores nothing anew
    reread = FluencyJudge(None, tok, cache)
    np.testing.assert_allclose(reread.mean_logprob(texts[:2]), lp[:2])
    ok = judge.fluent([texts[0], texts[0]], [texts[0], ""], margin=0.0)
    assert ok.tolist() == [1.0, 0.0]  # the same text is as fluent as itself; nothing left is not


def test_fluency_margin_is_per_token(tiny_lm):
    model, tok = tiny_lm
    judge = FluencyJudge(model, tok)
    a, b = judge.mean_logprob(["a b c", "x"])
    lo, hi = sorted([a, b])
    src, out = (["a b c"], ["x"]) if b == lo else (["x"], ["a b c"])
    assert judge.fluent(src, out, margin=hi - lo + 1e-6).tolist() == [1.0]
    assert judge.fluent(src, out, margin=max(hi - lo - 1e-3, 0.0)).tolist() == [0.0]
