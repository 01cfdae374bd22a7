"""The group-hate head: its maths, its persistence, and how the cascade mixes it in."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cleanspeech.labels import LABEL2ID
from cleanspeech.models.calibration import PlattCalibrator
from cleanspeech.models.cascade import CascadeModel
from cleanspeech.models.hate_head import HateHead, HateHeadConfig, gelu

HATE = LABEL2ID["identity_hate"]


def _head(weight: float = 0.5, prior: float = 0.0, dim: int = 4, seed: int = 0) -> HateHead:
    rng = np.random.default_rng(seed)
    w = {"mean": rng.normal(size=dim), "scale": np.abs(rng.normal(size=dim)) + 0.5,
         "w1": rng.normal(size=(8, dim)), "b1": rng.normal(size=8),
         "w2": rng.normal(size=(6, 8)), "b2": rng.normal(size=6)}
    return HateHead(w, HateHeadConfig(hidden=8, weight=weight, prior_logit=prior))


def test_logits_match_a_torch_network_with_the_same_weights():
    torch = pytest.importorskip("torch")
    head = _head()
    x = np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)
    w = {k: torch.tensor(v) for k, v in head.weights.items()}
    z = (torch.tensor(x) - w["mean"]) / w["scale"]
    expected = torch.nn.functional.gelu(z @ w["w1"].T + w["b1"], approximate="tanh") @ w["w2"].T + w["b2"]
    assert np.allclose(head.logits(x), expected.numpy(), atol=1e-5)
    assert np.allclose(gelu(np.array([0.0])), [0.0])


def test_mix_is_a_logit_average_with_the_prior_added():
    head = _head(weight=0.25, prior=-1.0)
    x = np.random.default_rng(2).normal(size=(3, 4))
    p = np.array([0.1, 0.5, 0.9])
    z = 0.75 * np.log(p / (1 - p)) + 0.25 * (head.logits(x)[:, HATE] - 1.0)
    assert np.allclose(head.mix(p, x), 1 / (1 + np.exp(-z)), atol=1e-6)
    assert np.allclose(_head(weight=0.0).mix(p, x), p, atol=1e-6)  # weight 0: the head is silent


def test_bad_shapes_and_weights_are_refused():
    with pytest.raises(ValueError, match="shape"):
        _head().logits(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        _head(weight=1.5)
    with pytest.raises(ValueError, match="lack"):
        HateHead({"mean": np.zeros(2)})


def test_save_and_load_round_trip(tmp_path):
    head = _head(weight=0.4, prior=-0.5)
    head.save(tmp_path / "head")
    loaded = HateHead.load(tmp_path / "head")
    x = np.random.default_rng(3).normal(size=(4, 4))
    assert np.allclose(loaded.served_logit(x), head.served_logit(x), atol=1e-5)
    assert loaded.config.weight == pytest.approx(0.4)
    assert json.loads((tmp_path / "head" / "head.json").read_text())["prior_logit"] == pytest.approx(-0.5)
    with pytest.raises(FileNotFoundError):
        HateHead.load(tmp_path / "nothing")


class _Pooled:
    """A slow member with sentence features: text -> (probability for all labels, features)."""

    model_type = "lookup"

    def __init__(self, table):
        self.table, self.thresholds, self.cleaning = table, None, "none"

    def predict_proba(self, texts):
        return np.array([[self.table[t][0]] * 6 for t in texts], dtype=np.float32)

    def predict_proba_pooled(self, texts):
        return self.predict_proba(texts), np.array([self.table[t][1] for t in texts], dtype=np.float32)


def test_cascade_mixes_the_head_into_identity_hate_on_the_full_route_only():
    from tests.models.test_cascade import _Lookup

    fast = _Lookup({"clean": 0.01, "hateful": 0.6})
    slow = _Pooled({"clean": (0.02, [0, 0, 0, 0]), "hateful": (0.3, [3, 3, 3, 3])})
    head = _head(weight=0.5)
    plain = CascadeModel(fast, slow, np.full(6, 0.5), 0.5, PlattCalibrator(), PlattCalibrator(), prevalence={})
    mixed = CascadeModel(fast, slow, np.full(6, 0.5), 0.5, PlattCalibrator(), PlattCalibrator(), prevalence={},
                         hate_head=head)
    texts = ["clean", "hateful"]
    p0, p1 = plain.predict_proba(texts), mixed.predict_proba(texts)
    assert np.allclose(p1[0], p0[0])  # the fast route never reads the head
    others = [j for j in range(6) if j != HATE]
    assert np.allclose(p1[1, others], p0[1, others])
    assert p1[1, HATE] == pytest.approx(float(head.mix(p0[1:, HATE], np.full((1, 4), 3.0))[0]), abs=1e-5)


def test_cascade_folder_keeps_and_pins_the_head(tiny_linear, tmp_path):
    from cleanspeech.models.ensemble import MemberChangedError
    from cleanspeech.models.registry import load_model

    model = CascadeModel(tiny_linear, tiny_linear, np.full(6, 0.5), 0.4, PlattCalibrator(), PlattCalibrator(),
                         prevalence={}, specs={"fast": {"path": "fast"}, "slow": {"path": "slow"}},
                         hate_head=_head(weight=0.3))
    folder = model.save_pretrained(tmp_path / "casc")
    spec = json.loads((folder / "cleanspeech.json").read_text())["hate_head"]
    assert spec["path"] == "hate_head" and spec["fingerprint"].startswith("sha256:")
    loaded = load_model(folder)
    assert loaded.hate_head is not None and loaded.hate_head.config.weight == pytest.approx(0.3)
    (folder / "hate_head" / "head.json").write_text(json.dumps({"weight": 0.9}))
    with pytest.raises(MemberChangedError):
        load_model(folder)


def test_a_head_attached_to_a_saved_cascade_is_written_and_pinned(tiny_linear, tmp_path):
    from cleanspeech.models.registry import load_model

    model = CascadeModel(tiny_linear, tiny_linear, np.full(6, 0.5), 0.4, PlattCalibrator(), PlattCalibrator(),
                         prevalence={}, specs={"fast": {"path": "fast"}, "slow": {"path": "slow"}})
    folder = model.save_pretrained(tmp_path / "casc")
    assert load_model(folder).hate_head is None
    model.attach_hate_head(folder, _head(weight=0.7))
    loaded = load_model(folder)
    assert loaded.hate_head is not None and loaded.hate_head.config.weight == pytest.approx(0.7)
    assert json.loads((folder / "cleanspeech.json").read_text())["hate_head"]["fingerprint"].startswith("sha256:")


def test_attaching_a_head_can_retire_the_identity_hate_cap(tiny_linear, tmp_path):
    from cleanspeech.models.registry import load_model

    model = CascadeModel(tiny_linear, tiny_linear, np.full(6, 0.5), 0.4, PlattCalibrator(), PlattCalibrator(),
                         prevalence={}, specs={"fast": {"path": "fast"}, "slow": {"path": "slow"}},
                         capped_by_toxic={"identity_hate": 0.5, "threat": 1.0})
    folder = model.save_pretrained(tmp_path / "casc")
    model.attach_hate_head(folder, _head(weight=0.7))  # the default keeps every cap
    assert load_model(folder).capped_by_toxic == {"identity_hate": 0.5, "threat": 1.0}
    model.attach_hate_head(folder, _head(weight=0.7), retire_cap=True)
    loaded = load_model(folder)
    assert loaded.capped_by_toxic == {"threat": 1.0}  # only identity_hate's cap goes
    assert loaded.hate_head is not None and loaded.hate_head.config.weight == pytest.approx(0.7)


def test_apply_mixes_only_identity_hate_and_copies():
    head = _head(weight=0.5)
    probs = np.full((2, 6), 0.3, dtype=np.float32)
    x = np.random.default_rng(4).normal(size=(2, 4))
    out = head.apply(probs, x)
    assert np.allclose(np.delete(out, HATE, axis=1), 0.3) and np.allclose(probs, 0.3)
    assert np.allclose(out[:, HATE], head.mix(probs[:, HATE], x))


def test_a_head_reads_its_layers_from_per_layer_features():
    from cleanspeech.models.hate_head import layer_columns

    pooled = np.arange(2 * 12, dtype=np.float32).reshape(2, 12)  # 3 layers of width 4
    rng = np.random.default_rng(5)
    w = {"mean": np.zeros(8), "scale": np.ones(8), "w1": rng.normal(size=(8, 8)), "b1": np.zeros(8),
         "w2": rng.normal(size=(6, 8)), "b2": np.zeros(6)}
    head = HateHead(w, HateHeadConfig(hidden=8, layers=[1, 3]))
    picked = np.hstack([pooled[:, 0:4], pooled[:, 8:12]])
    np.testing.assert_array_equal(head.select(pooled), picked)
    np.testing.assert_array_equal(layer_columns(pooled, (1, 3), width=4), picked)
    assert np.allclose(head.served_logit(pooled), head.logits(picked)[:, HATE])
    last = _head(dim=4)  # a head without layers reads the last layer (heads before layers existed)
    np.testing.assert_array_equal(last.select(pooled), pooled[:, 8:])
    with pytest.raises(ValueError, match="layers"):
        HateHead(w, HateHeadConfig(hidden=8, layers=[1, 4])).select(pooled)
    with pytest.raises(ValueError, match="layers"):
        layer_columns(pooled, (4,), width=4)
