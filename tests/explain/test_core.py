import json

import numpy as np
import pytest

from cleanspeech.explain import Explanation, explain_texts
from cleanspeech.explain.core import attribution_spans, default_tagger_path
from cleanspeech.labels import LABELS

HAS_TAGGER = (default_tagger_path() / "tagger.json").exists()


@pytest.mark.slow
def test_contract_of_explain_texts(tiny_linear):
    texts = ["You  are a STUPID idiot!!", "", "Thanks for the edit."]
    exps = explain_texts(tiny_linear, texts, spans="attribution")
    assert len(exps) == len(texts) and all(isinstance(e, Explanation) for e in exps)
    for text, exp in zip(texts, exps):
        assert exp.text == text and exp.scores.shape == (6,)
        np.testing.assert_allclose(exp.scores, tiny_linear.predict_proba([text])[0])
        assert all(text[t.start:t.end] == t.text and t.attributions.shape == (6,) for t in exp.tokens)
        assert all(0 <= s < e <= len(text) for s, e in exp.spans)
        d = exp.to_dict()
        assert list(d) == ["scores", "labels", "spans", "tokens"]
        assert list(d["scores"]) == list(LABELS)
        assert all(set(t) == {"text", "start", "end", "attributions"} for t in d["tokens"])
        json.dumps(d)  # plain JSON types only
    assert exps[1].tokens == [] and exps[1].spans == []
    assert explain_texts(tiny_linear, []) == []


@pytest.mark.slow
def test_labels_follow_model_thresholds(tiny_linear):
    exp = explain_texts(tiny_linear, ["fuck you, you stupid idiot"], spans="attribution")[0]
    expected = [lab for lab, p, t in zip(LABELS, exp.scores, tiny_linear.thresholds) if p >= t]
    assert exp.labels == expected


def test_attribution_spans_pick_words_over_threshold():
    from cleanspeech.explain.words import split_words

    text = "you stupid idiot, hi"
    words = split_words(text)
    attrs = np.zeros((len(words), 6))
    attrs[1, 0] = attrs[2, 0] = 1.0
    assert attribution_spans(text, words, attrs, threshold=0.5, join_gaps=True) == [(4, 16)]
    assert attribution_spans(text, words, attrs, threshold=0.5, join_gaps=False) == [(4, 10), (11, 16)]


@pytest.mark.slow
@pytest.mark.skipif(not HAS_TAGGER, reason="no shipped span tagger")
def test_shipped_tagger_spans_are_default(tiny_linear):
    exp = explain_texts(tiny_linear, ["What a bunch of stupid idiots, go away."])[0]
    assert exp.span_method == "tagger"
    assert "idiots" in " ".join(exp.span_texts())


@pytest.mark.slow
@pytest.mark.skipif(not HAS_TAGGER, reason="no shipped span tagger")
def test_other_languages_get_their_insult_list_not_the_english_tagger(tiny_linear):
    texts = ["Tu es un connard et un imbécile.", "Danke für die hilfreiche Bearbeitung.",
             "What a bunch of stupid idiots, go away."]
    fr, de, en = explain_texts(tiny_linear, texts)
    assert fr.span_method == "insult-list:fr" and fr.span_texts() == ["connard", "imbécile"]
    assert de.span_method == "insult-list:de" and de.spans == []  # a thank-you: nothing to mark
    assert en.span_method == "tagger"


@pytest.mark.slow
def test_spans_are_gated_on_the_model_labels(tiny_linear):
    texts = ["Thanks for the helpful edit!", "fuck you, you stupid idiot"]
    ungated = explain_texts(tiny_linear, texts, spans="attribution", gate_spans=False)
    gated = explain_texts(tiny_linear, texts, spans="attribution", gate_spans=True)
    for u, g in zip(ungated, gated):
        assert g.spans == (u.spans if g.labels else [])


def test_unknown_span_method_is_refused(tiny_linear):
    with pytest.raises(ValueError, match="span method"):
        explain_texts(tiny_linear, ["x"], spans="magic")


def test_a_misspelt_option_is_an_error_naming_it(tiny_linear):
    with pytest.raises(TypeError, match="gate_span"):
        explain_texts(tiny_linear, ["x"], gate_span=True)


def _ensemble(members, weights):
    """A probability-mean ensemble of loaded models (weighted mean of their scores)."""
    from cleanspeech.models.ensemble import EnsembleModel

    return EnsembleModel(members, weights, [{"ref": f"m{i}"} for i in range(len(members))])


@pytest.mark.slow
def test_ensemble_of_one_equals_its_member(tiny_linear):
    text = "you are a stupid idiot"
    a = explain_texts(_ensemble([tiny_linear], [1.0]), [text], spans="attribution")[0].attributions()
    b = explain_texts(tiny_linear, [text], spans="attribution")[0].attributions()
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_ensemble_mixes_linear_and_transformer(tiny_linear, tiny_transformer):
    ens = _ensemble([tiny_linear, tiny_transformer], [0.7, 0.3])
    exp = explain_texts(ens, ["you are a stupid idiot"], spans="attribution", n_steps=4)[0]
    assert exp.method == "ensemble" and exp.attributions().shape == (5, 6)
    assert np.isfinite(exp.attributions()).all()


@pytest.mark.slow
def test_real_ensemble_model_logit_combine_is_exact_sum(tiny_linear):
    from cleanspeech.models.ensemble import EnsembleModel

    text = "you are a stupid idiot"
    ens = EnsembleModel([tiny_linear, tiny_linear], [0.5, 0.5], [{"ref": "a"}, {"ref": "b"}], combine="logit")
    a = explain_texts(ens, [text], spans="attribution")[0].attributions()
    b = explain_texts(tiny_linear, [text], spans="attribution")[0].attributions()
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_without_identity_terms_keeps_the_other_words_of_a_span():
    from cleanspeech.explain.core import without_identity_terms
    from cleanspeech.explain.words import split_words

    text = "stupid gay idiot and a Muslim"
    words = split_words(text)
    spans = [(0, len("stupid gay idiot")), (text.index("Muslim"), len(text))]
    assert [text[a:b] for a, b in without_identity_terms(text, words, spans)] == ["stupid", "idiot"]
    assert without_identity_terms(text, words, []) == []


@pytest.mark.slow
@pytest.mark.skipif(not HAS_TAGGER, reason="no shipped span tagger")
def test_identity_terms_are_not_toxic_spans_in_a_comment_the_model_finds_civil(tiny_linear):
    texts = ["I love my gay brother", "Thanks for the great article about Muslim history",
             "You are a stupid gay idiot, fuck you"]
    exps = explain_texts(tiny_linear, texts)
    for exp in exps:
        marked = {w.lower() for w in " ".join(exp.span_texts()).split()}
        if not exp.labels:  # civil: the group's name is never the toxic part
            assert not marked & {"gay", "muslim"}, exp.span_texts()
    assert exps[2].labels and "idiot" in " ".join(exps[2].span_texts())


@pytest.mark.slow
def test_a_tagger_whose_base_encoder_is_missing_falls_back_to_attribution_spans(tiny_linear, monkeypatch):
    """Offline without a member's base encoder (the all-mpnet-base-v2 wheels, say), the tagger
    cannot load: ``explain`` warns and marks words from attributions instead of failing; asked
    for the tagger explicitly, it raises."""
    import cleanspeech.explain.tagger_ensemble as tagger_module

    def missing(path):
        raise OSError("sentence-transformers/all-mpnet-base-v2 is not a local folder")

    monkeypatch.setattr(tagger_module, "load_tagger", missing)
    if not HAS_TAGGER:
        pytest.skip("no shipped span tagger")
    with pytest.warns(UserWarning, match="span tagger unavailable.*make setup"):
        exp = explain_texts(tiny_linear, ["fuck you, you stupid idiot"])[0]
    assert exp.span_method == "attribution" and exp.spans
    with pytest.raises(OSError, match="all-mpnet-base-v2"):
        explain_texts(tiny_linear, ["fuck you, you stupid idiot"], spans="tagger")
