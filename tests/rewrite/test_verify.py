import numpy as np

from cleanspeech.rewrite.verify import MEANING_MARGIN, Candidate, attach_meaning, choose, guided_removals, similarity


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


class _FakeMeaning:
    """Embedding cosine stand-in: 1.0 for texts holding "mess", else 0.5; records its calls."""

    def __init__(self):
        self.calls = []

    def similarity(self, sources, outputs):
        self.calls.append(list(outputs))
        return np.array([1.0 if "mess" in o else 0.5 for o in outputs])


def test_meaning_breaks_a_near_tie_in_characters():
    src = "the way the shit clings to the air"
    cands = [Candidate("the way the clings to the air", "offline:lexicon-delete", 1, 0.1, True),
             Candidate("the way the mess clings to the air", "offline:lexicon", 1, 0.1, True)]
    assert choose(src, 0.9, cands).rewrite == "the way the clings to the air"  # characters alone
    fake = _FakeMeaning()
    attach_meaning(fake, [(src, 0.9, cands)])
    assert [c.meaning for c in cands] == [0.5, 1.0]
    assert choose(src, 0.9, cands).rewrite == "the way the mess clings to the air"


def test_meaning_skips_inputs_without_a_choice_and_far_candidates():
    fake = _FakeMeaning()
    one = [Candidate("you are wrong", "offline:lexicon", 1, 0.1, True),
           Candidate("you are a mess", "offline:lexicon", 1, 0.9, False)]  # not civil: no choice
    src = "well then you are a total idiot"
    far = [Candidate("well then you are a total", "offline:lexicon-delete", 1, 0.1, True),
           Candidate("well then you are a", "offline:lexicon-delete", 1, 0.1, True),
           Candidate("a mess", "offline:lexicon", 1, 0.1, True)]  # under MEANING_MARGIN
    attach_meaning(fake, [("you are a idiot", 0.9, one), (src, 0.9, far)])
    assert fake.calls == [["well then you are a total", "well then you are a"]]
    assert one[0].meaning is None and far[2].meaning is None
    assert similarity(far[2].text, src) < MEANING_MARGIN * similarity(far[0].text, src)
    # a candidate without an embedding cannot win on characters alone against ones with it
    assert choose(src, 0.9, far).rewrite == "well then you are a total"
