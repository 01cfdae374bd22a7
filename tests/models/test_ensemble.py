"""EnsembleModel: weighted combination, members by reference or sub-folder, backend passed on."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cleanspeech.models.base import ToxicityModel
from cleanspeech.models.ensemble import EnsembleModel, combine_probas


def test_combine_probas():
    a, b = np.full((2, 6), 0.2), np.full((2, 6), 0.8)
    assert np.allclose(combine_probas([a, b], [0.25, 0.75]), 0.65)
    assert np.allclose(combine_probas([a, b], [1, 1], "logit"), 0.5, atol=1e-6)
    with pytest.raises(ValueError):
        combine_probas([a], [1], "rank")


class _Const(ToxicityModel):
    model_type = "const"

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def predict_proba(self, texts):
        return np.full((len(texts), 6), self.value, dtype=np.float32)


def test_predict_is_the_weighted_mean():
    ens = EnsembleModel([_Const(0.1), _Const(0.9)], [3, 1], [{"ref": "a"}, {"path": "b"}])
    assert np.allclose(ens.predict_proba(["x", "y"]), 0.3)
    assert ens.predict(["x"], thresholds=np.full(6, 0.25)).tolist() == [[1] * 6]


def test_attribution_mix_follows_the_combine_rule():
    ens = EnsembleModel([_Const(0.1), _Const(0.9)], [3, 1], [{"ref": "a"}, {"path": "b"}], combine="logit")
    assert ens.attribution_method() == "ensemble"
    mix = ens.attribution_mix("x")
    assert [w.tolist() for _, w in mix.terms] == [[0.75] * 6, [0.25] * 6] and mix.divisor is None
    ens.combine = "proba"  # chain rule: w_m p_m(1-p_m) / p(1-p)
    mix = ens.attribution_mix("x")
    assert np.allclose(mix.terms[0][1], 0.75 * 0.1 * 0.9) and np.allclose(mix.divisor, 0.3 * 0.7)


def test_save_and_load_with_a_shipped_reference(tiny_linear_dir, tmp_path, monkeypatch):
    import shutil

    from cleanspeech.models.registry import load_model

    shipped = tmp_path / "shipped"
    shutil.copytree(tiny_linear_dir, shipped / "lin")
    monkeypatch.setenv("CLEANSPEECH_MODELS_DIR", str(shipped))
    lin = load_model("lin")
    ens = EnsembleModel([lin, lin], [0.4, 0.6], [{"ref": "lin"}, {"path": "copy"}], combine="logit")
    folder = ens.save_pretrained(tmp_path / "ens")
    config = json.loads((folder / "cleanspeech.json").read_text())
    assert config["model_type"] == "ensemble" and config["combine"] == "logit"
    assert [m.get("ref") for m in config["members"]] == ["lin", None]
    assert (folder / "copy" / "cleanspeech.json").exists()
    loaded = load_model(folder, backend="torch")
    texts = ["you idiot", "thank you"]
    assert np.allclose(loaded.predict_proba(texts), lin.predict_proba(texts), atol=1e-5)
    assert loaded.weights == pytest.approx([0.4, 0.6])
