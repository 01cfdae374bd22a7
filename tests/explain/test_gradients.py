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
