import numpy as np
import pytest

from cleanspeech.explain.gradients import torch_module, transformer_word_attributions, window_ig
from cleanspeech.explain.words import split_words
from cleanspeech.models.windows import special_ids


@pytest.mark.slow
def test_ig_is_complete(tiny_transformer):
    """Token attributions sum to logit(x) - logit(baseline) (completeness of IG)."""
    import torch

    model = tiny_transformer
    ids = model.tokenizer("you are a stupid idiot", add_special_tokens=False)["input_ids"]
    special = special_ids(model.tokenizer)
    attrs, logits = window_ig(model.module, ids, special, n_steps=64)
    head, tail, pad = special
    with torch.no_grad():
        base = model.module(input_ids=torch.tensor([[head, *[pad] * len(ids), tail]])).logits[0].numpy()
    np.testing.assert_allclose(attrs.sum(axis=0), logits - base, atol=2e-3)


@pytest.mark.slow
def test_ig_matches_captum_layer_ig(tiny_transformer):
    captum_attr = pytest.importorskip("captum.attr")
    import torch

    model = tiny_transformer
    ids = model.tokenizer("what a bunch of morons", add_special_tokens=False)["input_ids"]
    head, tail, pad = special_ids(model.tokenizer)
    attrs, _ = window_ig(model.module, ids, (head, tail, pad), n_steps=32)
    full = torch.tensor([[head, *ids, tail]])
    base = torch.tensor([[head, *[pad] * len(ids), tail]])
    lig = captum_attr.LayerIntegratedGradients(
        lambda x: model.module(input_ids=x).logits, model.module.get_input_embeddings())
    for k in (0, 4):
        ref = lig.attribute(full, baselines=base, target=k, n_steps=32, method="riemann_middle")
        np.testing.assert_allclose(attrs[:, k], ref.sum(-1)[0, 1:-1].detach().numpy(), atol=1e-4)


@pytest.mark.slow
def test_long_text_is_windowed_and_mapped_to_words(tiny_transformer):
    from cleanspeech.models.transformer import TransformerModel

    short = TransformerModel(tiny_transformer.tokenizer, tiny_transformer.module, max_length=24, overlap=8)
    text = " ".join(["you are a stupid idiot and"] * 6)  # longer than max_length=24 tokens
    words = split_words(text)
    attrs = transformer_word_attributions(short, text, words, n_steps=2)
    assert attrs.shape == (len(words), 6)
    assert np.isfinite(attrs).all() and np.abs(attrs).sum() > 0


def test_torch_module_needs_a_module_or_folder():
    class Bare:
        module = None
        path = None

    with pytest.raises(ValueError, match="torch module"):
        torch_module(Bare())


def test_batched_windows_match_one_window_at_a_time(tiny_transformer):
    """Padding is masked: a window batched with longer ones gets the attributions and logits it
    gets alone (up to float rounding), and results come back in input order."""
    from cleanspeech.explain.gradients import windows_ig

    model = tiny_transformer
    texts = ["you are a stupid idiot and everyone knows it", "idiot", "", "what a bunch of morons, really"]
    windows = [model.tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
    special = special_ids(model.tokenizer)
    for steps in (1, 3):
        batched = windows_ig(model.module, windows, special, steps, batch_size=3)
        for ids, (attrs, logits) in zip(windows, batched):
            alone_attrs, alone_logits = window_ig(model.module, ids, special, steps)
            assert attrs.shape == (len(ids), 6)
            np.testing.assert_allclose(attrs, alone_attrs, atol=1e-5)
            np.testing.assert_allclose(logits, alone_logits, atol=1e-5)


def test_attributions_of_a_batch_match_text_by_text(tiny_linear, tiny_transformer):
    from cleanspeech.explain.attributions import word_attributions, word_attributions_many
    from cleanspeech.models.ensemble import EnsembleModel
    from cleanspeech.models.transformer import TransformerModel

    short = TransformerModel(tiny_transformer.tokenizer, tiny_transformer.module, max_length=24, overlap=8)
    ens = EnsembleModel([tiny_linear, short], [0.6, 0.4], [{"ref": "a"}, {"ref": "b"}])
    texts = ["you are a stupid idiot", "", " ".join(["what a bunch of morons"] * 8), "thanks!"]
    words = [split_words(t) for t in texts]
    for model, method in ((short, "auto"), (ens, "auto"), (tiny_linear, "occlusion"), (ens, "occlusion")):
        many = word_attributions_many(model, texts, words, method)
        for t, w, got in zip(texts, words, many):
            np.testing.assert_allclose(got, word_attributions(model, t, w, method), atol=1e-5)
