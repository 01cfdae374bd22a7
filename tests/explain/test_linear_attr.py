import numpy as np
import pytest

from cleanspeech.explain.linear_attr import char_contributions
from cleanspeech.explain.attributions import word_attributions
from cleanspeech.explain.words import split_words


@pytest.mark.slow
def test_contributions_add_up_to_the_logits_exactly(tiny_linear, fixture_frame):
    texts = fixture_frame["comment_text"].head(40).tolist() + [
        "İstanbul  idiot\t\tyou   MORON!!", "", "   ", "a", "über—dumb 😡 f*ck",
    ]
    logits = tiny_linear.decision_function(texts)
    for text, z in zip(texts, logits):
        chars, bias = char_contributions(tiny_linear, text)
        assert chars.shape == (len(text), 6)
        np.testing.assert_allclose(chars.sum(axis=0) + bias, z, atol=1e-4)
        words = split_words(text)
        by_word = word_attributions(tiny_linear, text, words)
        # every non-space character belongs to a word, so nothing is lost in aggregation
        np.testing.assert_allclose(by_word.sum(axis=0) + bias, z, atol=1e-4)


@pytest.mark.slow
def test_toxic_word_gets_the_largest_toxic_attribution(tiny_linear):
    text = "thanks for the edit, you fucking idiot"
    words = split_words(text)
    attrs = word_attributions(tiny_linear, text, words)
    top = words[int(np.argmax(attrs[:, 0]))].text
    assert top in {"fucking", "idiot"}
