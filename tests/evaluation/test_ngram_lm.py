"""The word trigram Kneser-Ney model behind the n-gram fluency judge, on a tiny corpus."""

from __future__ import annotations

import numpy as np
import pytest

from cleanspeech.evaluation.ngram_lm import UNK, NgramLM, split_sentences, tokenize
from cleanspeech.evaluation.rewrite_judges import NgramFluencyJudge

SUBJECTS = ["the cat", "the dog", "my neighbour", "the editor", "a person", "the council"]
VERBS = ["sat on the mat", "cleans up the kitchen", "wrote this article", "makes a decision",
         "never cleans up", "reads the talk page"]
CORPUS = [f"{s} {v} ." for s in SUBJECTS for v in VERBS] + [
    "they always complain about every decision .", "they always talk about the weather .",
    "i don't agree with this edit .", "i do n't think so .", "who wrote this article ?",
    "a singleton appears once .",
]


@pytest.fixture(scope="module")
def lm() -> NgramLM:
    return NgramLM.fit(CORPUS)


def test_tokenize_and_sentences():
    assert tokenize("Don't   do THAT, ok?") == ["don", "'t", "do", "that", ",", "ok", "?"]
    assert tokenize("don 't") == tokenize("don't") == tokenize("don\u2019t")
    assert split_sentences("One. Two!  Three\n\nfour") == ["One.", "Two!", "Three", "four"]


def test_seen_order_beats_scrambled(lm):
    good, scrambled = lm.logprob_per_token(["the cat sat on the mat .", "mat the on sat cat the ."])
    assert good > scrambled + 1.0
    s_good, s_bad = lm.slor_per_token(["the cat sat on the mat .", "mat the on sat cat the ."])
    assert s_good > s_bad
    # a deletion that leaves "a who" is less fluent than the sentence with the word in place
    assert lm.slor_per_token(["my neighbour never cleans up ."])[0] > lm.slor_per_token(["my neighbour a up ."])[0]


def test_unknown_words(lm):
    assert UNK in lm.vocab and "singleton" not in lm.vocab  # seen once: not in the vocabulary
    assert "zyzzyva" not in lm.vocab
    lp = lm.logprob_per_token(["the zyzzyva sat on the mat .", "zyzzyva", "", "!!"])
    assert np.isfinite(lp).all() and (lp < 0).all()
    assert [w for w, _ in lm.token_logprobs("the zyzzyva")] == ["the", f"zyzzyva({UNK})", "</s>"]


@pytest.mark.parametrize("context", [[], ["the"], ["they", "always"], ["is", "a"], ["zyzzyva", "cat"]])
def test_next_word_distribution_sums_to_one(lm, context):
    p = lm.next_word_probs(context)
    assert p.shape == (len(lm.vocab),) and p[0] == 0.0  # <s> is never predicted
    assert (p[1:] > 0).all()
    assert p.sum() == pytest.approx(1.0, abs=1e-9)


def test_prob_matches_per_token_mean(lm):
    text = "the dog wrote this article ."
    per = [lp for _, lp in lm.token_logprobs(text)]
    assert lm.logprob_per_token([text])[0] == pytest.approx(np.mean(per))
    assert len(per) == len(tokenize(text)) + 1  # the end marker counts


def test_save_load_round_trip(lm, tmp_path):
    lm.meta = {"data": "test"}
    again = NgramLM.load(lm.save(tmp_path / "lm"))
    texts = ["the cat sat on the mat .", "who wrote this zyzzyva ?"]
    np.testing.assert_array_equal(again.logprob_per_token(texts), lm.logprob_per_token(texts))
    np.testing.assert_array_equal(again.slor_per_token(texts), lm.slor_per_token(texts))
    assert again.vocab == lm.vocab and again.meta == {"data": "test"}


@pytest.mark.parametrize("statistic", ["changed", "sentence"])
def test_judge_rule(lm, statistic):
    judge = NgramFluencyJudge(lm, statistic, margin=0.0)
    src = "the cat sat on the mat ."
    ok = judge.fluent([src] * 4, [src, "", "mat the on sat cat the .", "the cat on the mat ."])
    assert ok.tolist() == [1.0, 0.0, 0.0, 0.0]  # itself; nothing; scrambled; a broken deletion
    s, o = judge.pair_scores([src], ["mat the on sat cat the ."])
    gap = float(s[0] - o[0])
    assert gap > 0
    assert judge.fluent([src], ["mat the on sat cat the ."], margin=gap + 1e-6).tolist() == [1.0]
    assert judge.fluent([""], [src]).tolist() == [0.0]  # no source score to compare with


def test_changed_statistic_scores_only_the_edit(lm):
    judge = NgramFluencyJudge(lm)  # "changed", the default
    assert judge.margin == 0.5 and judge.meta["statistic"].endswith("changed")
    src = "my neighbour never cleans up the kitchen ."
    # the same deletion junction in a longer sentence weighs the same: the shared words do not count
    _, short = judge.pair_scores([src], ["my neighbour cleans up the kitchen ."])
    _, long = judge.pair_scores([src + " the cat sat on the mat ."], ["my neighbour cleans up the kitchen . the cat sat on the mat ."])
    assert short[0] == pytest.approx(long[0])
    with pytest.raises(ValueError):
        NgramFluencyJudge(lm, statistic="perplexity")
