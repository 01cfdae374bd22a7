import numpy as np

from cleanspeech.rewrite.verify import Candidate, choose, guided_removals, similarity


def test_choose_prefers_first_tier_then_similarity():
    cands = [Candidate("you are wrong", "openai", 0, 0.1, True),
             Candidate("you are a person", "offline:lexicon", 1, 0.1, True),
             Candidate("you are a", "offline:lexicon-delete", 1, 0.2, True)]
    assert choose("you are a idiot", 0.9, cands).method == "openai"
    r = choose("you are a idiot", 0.9, cands[1:])
    assert r.civil and r.rewrite == "you are a"  # the most similar civil candidate


def test_choose_least_toxic_when_none_civil_and_never_worse():
    cands = [Candidate("a", "x", 1, 0.7, False), Candidate("b", "y", 1, 0.6, False)]
    r = choose("orig", 0.8, cands)
    assert (r.rewrite, r.civil, r.toxicity_after) == ("b", False, 0.6)
    r = choose("orig", 0.5, cands)
    assert (r.rewrite, r.method, r.toxicity_after) == ("orig", "none", 0.5)


def test_guided_removal_deletes_the_word_the_classifier_blames(keyword_model):
    start = Candidate("well you moron , go away", "offline:lexicon", 1, 0.9, False)
    chain = guided_removals(keyword_model.predict_proba, np.full(6, 0.5), start)
    assert chain[-1].civil and "moron" not in chain[-1].text and "go away" in chain[-1].text
    assert chain[-1].method == "offline:lexicon+guided"


def test_similarity_bounds():
    assert similarity("abc", "ABC") == 1.0 and similarity("abc", "xyz") == 0.0
