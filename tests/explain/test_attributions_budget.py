"""Cheaper attributions: linear exact attributions through normalize-v1's offset map, and
occlusion of only the words a caller ranks highest."""

import numpy as np
import pytest

from cleanspeech.explain.attributions import mapped_method, top_words, word_attributions_many
from cleanspeech.explain.occlusion import occlusion_word_attributions_many
from cleanspeech.explain.words import split_words


class _CountModel:
    """Probability of every label rises with the number of 'bad' words (a toy occluded model)."""

    model_type = "toy"
    cleaning = "none"

    def attribution_method(self):
        return "occlusion"

    def predict_proba(self, texts):
        z = np.array([[t.split().count("bad") - 1.0] * 6 for t in texts])
        return 1 / (1 + np.exp(-z))


def test_occlusion_of_chosen_words_matches_full_occlusion_there_and_is_zero_elsewhere():
    texts = ["a bad day and bad luck", "nothing here"]
    words = [split_words(t) for t in texts]
    full = occlusion_word_attributions_many(_CountModel(), texts, words)
    only = occlusion_word_attributions_many(_CountModel(), texts, words, [[1, 4], []])
    np.testing.assert_allclose(only[0][[1, 4]], full[0][[1, 4]])
    assert not only[0][[0, 2, 3, 5]].any() and not only[1].any()
    assert only[0][1, 0] > 0


def test_priority_limits_occlusion_to_the_top_words():
    text = "one two bad three four five six seven eight"
    words = split_words(text)
    priority = np.zeros(len(words))
    priority[2] = 0.9
    picked = top_words(words, priority, k=1)
    assert picked == [2]
    attrs = word_attributions_many(_CountModel(), [text], [words], priority=[priority])[0]
    assert attrs[2, 0] > 0 and not np.delete(attrs, 2, axis=0).any()


@pytest.mark.slow
def test_linear_normalize_v1_attributions_are_exact_and_land_on_the_obfuscated_word(tiny_linear):
    from dataclasses import replace

    from cleanspeech.explain.linear_attr import char_contributions
    from cleanspeech.models.linear import LinearModel

    model = LinearModel.__new__(LinearModel)
    model.__dict__.update(tiny_linear.__dict__)
    model.config = replace(tiny_linear.config, cleaning="normalize-v1")
    model.cleaning = "normalize-v1"
    assert mapped_method(model) == "exact" and mapped_method(model, "occlusion") is None
    for text in ["you f u c k i n g idiot", "sh1t, what a m0r0n", "a perfectly nice comment"]:
        words = split_words(text)
        attrs = word_attributions_many(model, [text], [words])[0]
        _, bias = char_contributions(model, text)
        np.testing.assert_allclose(attrs.sum(axis=0) + bias, model.decision_function([text])[0], atol=1e-4)
    text = "you f u c k i n g idiot"
    attrs = word_attributions_many(model, [text], [split_words(text)])[0]
    # the spaced letters are one word to the model: their share lands on them, not on "you"
    assert np.abs(attrs[1:8]).sum() > 0
