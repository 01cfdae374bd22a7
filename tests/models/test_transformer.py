"""TransformerModel: long comments windowed (not truncated), int8 storage, both backends."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def tiny_folder(tmp_path_factory) -> Path:
    from cleanspeech.training.tiny import tiny_deberta

    return tiny_deberta(tmp_path_factory.mktemp("tiny") / "hf")


@pytest.fixture(scope="module")
def tiny_model(tiny_folder):
    from transformers import AutoTokenizer

    from cleanspeech.models.transformer import TransformerModel, load_torch_module

    module = load_torch_module(tiny_folder, {"weights_format": "hf"})
    return TransformerModel(AutoTokenizer.from_pretrained(tiny_folder), module, max_length=32,
                            overlap=8, batch_size=4)


def test_long_comments_are_windowed_not_truncated(tiny_model):
    long_text = " ".join(["word"] * 200)
    wins, owner = tiny_model.windows(["short one", long_text, ""])
    assert owner[0] == 0 and owner[-1] == 2 and (owner == 1).sum() > 5
    assert max(len(w) for w in wins) <= 32
    cls, sep = tiny_model.tokenizer.cls_token_id, tiny_model.tokenizer.sep_token_id
    assert all(w[0] == cls and w[-1] == sep for w in wins)
    body = [t for w, o in zip(wins, owner) if o == 1 for t in w[1:-1]]
    n_tokens = len(tiny_model.tokenizer(long_text, add_special_tokens=False)["input_ids"])
    assert len(body) >= n_tokens  # every token is scored (windows overlap)


def test_long_comment_score_is_the_max_over_its_windows(tiny_model):
    toxic_tail = " ".join(["fine"] * 100) + " you stupid idiot"
    probs = tiny_model.predict_proba([toxic_tail])
    wins, _ = tiny_model.windows([toxic_tail])
    per_window = np.vstack([tiny_model.predict_proba([tiny_model.tokenizer.decode(w[1:-1])]) for w in wins[-1:]])
    assert probs.shape == (1, 6) and np.all(probs >= per_window.max(axis=0) - 0.05)


def test_order_and_batching_do_not_change_scores(tiny_model):
    texts = ["a", "some longer comment here " * 5, "", "mid length text"]
    full = tiny_model.predict_proba(texts)
    one_by_one = np.vstack([tiny_model.predict_proba([t]) for t in texts])
    assert np.allclose(full, one_by_one, atol=1e-5)
    assert tiny_model.predict_proba([]).shape == (0, 6)


def test_int8_folder_loads_in_both_backends_and_agrees(tiny_model, tmp_path, monkeypatch):
    from cleanspeech.models.registry import load_model

    monkeypatch.setenv("CLEANSPEECH_CACHE", str(tmp_path / "cache"))
    tiny_model.weights_format = "int8"
    folder = tiny_model.save_pretrained(tmp_path / "m")
    assert (folder / "model.int8.safetensors").exists() and not (folder / "model.safetensors").exists()
    texts = ["you are an idiot", "thanks for the edit", "x " * 80]
    ref = tiny_model.predict_proba(texts)
    torch_model = load_model(folder, backend="torch")
    onnx_model = load_model(folder, backend="onnx")
    assert torch_model.backend == "torch" and onnx_model.backend == "onnx"
    assert np.abs(torch_model.predict_proba(texts) - ref).max() < 0.02  # int8 storage
    assert np.abs(onnx_model.predict_proba(texts) - ref).max() < 0.05  # + int8 activations
    assert list((tmp_path / "cache" / "onnx").glob("*/model.int8.onnx"))  # exported once, cached
    # int8 activations are scaled per input tensor: a comment scores the same whatever it is
    # sent with (the default ONNX batch is one window)
    alone = np.vstack([onnx_model.predict_proba([t]) for t in texts])
    assert np.array_equal(onnx_model.predict_proba(texts), alone)
    assert np.array_equal(onnx_model.predict_proba(texts[::-1])[::-1], alone)


def test_unknown_backend_is_refused(tiny_model, tmp_path):
    from cleanspeech.models.registry import load_model

    tiny_model.weights_format = "hf"
    folder = tiny_model.save_pretrained(tmp_path / "m")
    with pytest.raises(ValueError, match="backend"):
        load_model(folder, backend="tpu")
