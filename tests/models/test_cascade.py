"""CascadeModel: routing by the gate, one calibrated scale, save/load, explain plan."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cleanspeech.evaluation.calibration import NATURAL_PREVALENCE
from cleanspeech.models.calibration import PlattCalibrator
from cleanspeech.models.base import ToxicityModel
from cleanspeech.models.cascade import CascadeModel


class _Lookup(ToxicityModel):
    """Scores from a dict text -> probability (same for all six labels); counts calls."""

    model_type = "lookup"

    def __init__(self, table: dict[str, float]) -> None:
        super().__init__()
        self.table, self.seen = table, []

    def predict_proba(self, texts):
        self.seen.extend(texts)
        return np.array([[self.table[t]] * 6 for t in texts], dtype=np.float32)


def _cascade(gate: float = 0.5, route_all: bool = False) -> CascadeModel:
    fast = _Lookup({"clean": 0.01, "edgy": 0.6, "toxic": 0.95})
    slow = _Lookup({"clean": 0.02, "edgy": 0.1, "toxic": 0.99})
    return CascadeModel(fast, slow, np.full(6, 0.5), gate, PlattCalibrator(), PlattCalibrator(),
                        prevalence={}, route_all=route_all)


def test_only_comments_over_the_gate_reach_the_slow_model():
    model = _cascade(gate=0.5)
    probs, routed = model.predict_proba_routed(["clean", "edgy", "toxic", "clean"])
    assert model.slow.seen == ["edgy", "toxic"]
    assert routed.tolist() == [False, True, True, False]
    np.testing.assert_array_equal(model.predict_proba(["clean", "edgy", "toxic", "clean"]), probs)
    assert probs[0, 0] == pytest.approx(0.01, abs=1e-6)  # fast route: linear alone
    # full route: logit mean of 0.6 and 0.1
    z = 0.5 * np.log(0.6 / 0.4) + 0.5 * np.log(0.1 / 0.9)
    assert probs[1, 0] == pytest.approx(1 / (1 + np.exp(-z)), abs=1e-5)


def test_routing_is_returned_not_kept_on_the_model():
    """One model serves many request threads: a call's routing comes back with its scores and
    leaves nothing behind for another call to read or race on."""
    model = _cascade(gate=0.5)
    before = dict(vars(model))
    _, first = model.predict_proba_routed(["toxic"])
    _, second = model.predict_proba_routed(["clean", "clean"])
    assert first.tolist() == [True] and second.tolist() == [False, False]
    assert vars(model).keys() == before.keys() and model.routes


def test_attribution_mix_follows_the_route_and_the_toxic_cap():
    model = _cascade(gate=0.5)
    assert model.attribution_method() == "cascade"
    assert [m for m, _ in model.attribution_mix("clean").terms] == [model.fast]
    mix = model.attribution_mix("toxic")
    assert [m for m, _ in mix.terms] == [model.fast, model.slow] and mix.follow_toxic == []
    model.capped_by_toxic = {"identity_hate": 1.0}
    # identity_hate at toxic's score: the cap decides it, so it follows toxic's words
    assert model.attribution_mix("toxic", np.full(6, 0.9)).follow_toxic == [5]
    assert model.attribution_mix("toxic", np.array([0.9, 0, 0, 0, 0, 0.1])).follow_toxic == []


def test_route_all_sends_everything_to_the_full_route():
    model = _cascade(gate=0.5, route_all=True)
    model.predict_proba(["clean", "edgy"])
    assert model.slow.seen == ["clean", "edgy"]


def test_explanation_plan_follows_the_route():
    model = _cascade(gate=0.5)
    assert [m for m, _ in model.explanation_plan("clean")] == [model.fast]
    plan = model.explanation_plan("toxic")
    assert [m for m, _ in plan] == [model.fast, model.slow]
    assert np.allclose(plan[0][1] + plan[1][1], 1.0)


def test_prior_shift_moves_scores_but_keeps_order():
    model = _cascade(gate=0.99)
    model.calib_fast = PlattCalibrator(prevalence={k: 0.2 for k in NATURAL_PREVALENCE})
    model.prevalence = dict(NATURAL_PREVALENCE)
    probs = model.predict_proba(["clean", "edgy", "toxic"])
    assert probs[1, 0] < 0.6 and probs[0, 0] < probs[1, 0] < probs[2, 0]


def test_save_and_load_round_trip(tiny_linear, tmp_path):
    from cleanspeech.models.registry import load_model

    calib = PlattCalibrator(a=np.full(6, 1.2), b=np.full(6, -0.3), prevalence={k: 0.1 for k in NATURAL_PREVALENCE})
    model = CascadeModel(tiny_linear, tiny_linear, np.linspace(0, 1, 6), 0.4, calib, calib,
                         prevalence=dict(NATURAL_PREVALENCE), specs={"fast": {"path": "fast"}, "slow": {"path": "slow"}})
    folder = model.save_pretrained(tmp_path / "casc")
    config = json.loads((folder / "cleanspeech.json").read_text())
    assert config["model_type"] == "cascade" and config["gate"] == pytest.approx(0.4)
    loaded = load_model(folder)
    texts = ["you idiot", "thank you for the edit", "go away you fool"]
    assert np.allclose(loaded.predict_proba(texts), model.predict_proba(texts), atol=1e-6)
    assert np.allclose(loaded.weights, np.linspace(0, 1, 6))
    assert load_model(folder, route_all=True).route_all


def test_identity_mentions_take_the_full_route_when_asked():
    """A comment naming a group reaches the transformer however low its linear score."""
    table = {"clean": 0.01, "Muslims are welcome here": 0.01, "women can't be trusted": 0.01}
    fast, slow = _Lookup(dict(table)), _Lookup({k: 0.5 for k in table})
    model = CascadeModel(fast, slow, np.full(6, 0.5), 0.5, PlattCalibrator(), PlattCalibrator(),
                         prevalence={}, route_identity=True)
    model.predict_proba(list(table))
    assert model.slow.seen == ["Muslims are welcome here", "women can't be trusted"]
    assert [m for m, _ in model.explanation_plan("women can't be trusted")] == [model.fast, model.slow]
    model.route_identity = False
    model.slow.seen.clear()
    model.predict_proba(list(table))
    assert model.slow.seen == []


def test_route_identity_is_in_the_saved_config():

    model = _cascade(gate=0.5)
    model.route_identity = True
    config = model.config_dict()
    assert config["route_identity"] is True
    assert json.loads(json.dumps(config))["route_identity"] is True


def test_route_words_send_a_diluted_slur_to_the_slow_model_and_survive_save(tmp_path):
    """A long polite comment with one slur scores low on the fast model; a route word sends it on."""
    table = {"clean": 0.01, "Welcome, thanks for the edits, you FAGGOT!": 0.02, "faggots-free zone": 0.01}
    fast, slow = _Lookup(dict(table)), _Lookup({k: 0.5 for k in table})
    model = CascadeModel(fast, slow, np.full(6, 0.5), 0.5, PlattCalibrator(), PlattCalibrator(),
                         prevalence={}, route_words=["faggot", "Wanker"])
    model.predict_proba(list(table))
    assert model.slow.seen == ["Welcome, thanks for the edits, you FAGGOT!"]  # whole words only
    config = json.loads(json.dumps(model.config_dict()))
    assert config["route_words"] == ["faggot", "wanker"]
    assert config["route_identity"] is False


def test_capped_labels_never_exceed_toxic_on_either_route():
    fast = _Lookup({"clean": 0.01, "edgy": 0.6})
    slow = _Lookup({"clean": 0.02, "edgy": 0.1})
    model = CascadeModel(fast, slow, np.full(6, 0.5), 0.95, PlattCalibrator(), PlattCalibrator(),
                         prevalence={}, capped_by_toxic=["identity_hate"])
    # the lookup gives all six labels one score: lift identity_hate above toxic on both routes
    model.fast.predict_proba = lambda texts: np.array([[0.01, 0.0, 0.0, 0.0, 0.0, 0.9]
                                                       if t == "clean" else [0.6, 0, 0, 0, 0, 0.95]
                                                       for t in texts])
    probs, routed = model.predict_proba_routed(["clean", "edgy"])
    assert routed.tolist() == [False, True]
    assert (probs[:, 5] <= probs[:, 0] + 1e-7).all()
    assert np.allclose(probs[:, 5], probs[:, 0])
    assert model.config_dict()["capped_by_toxic"] == {"identity_hate": 1.0}
    model.capped_by_toxic = {"identity_hate": 0.5}
    probs = model.predict_proba(["clean", "edgy"])
    assert np.allclose(probs[:, 5], 0.5 * probs[:, 0])
    with pytest.raises(ValueError, match="not labels other than toxic"):
        CascadeModel(fast, slow, np.full(6, 0.5), 0.5, PlattCalibrator(), PlattCalibrator(),
                     capped_by_toxic=["toxic"])
    with pytest.raises(ValueError, match=r"scales must be in \(0, 1\]"):
        CascadeModel(fast, slow, np.full(6, 0.5), 0.5, PlattCalibrator(), PlattCalibrator(),
                     capped_by_toxic={"identity_hate": 2.0})


def test_untargeted_scale_lowers_the_label_only_where_no_group_is_named(tmp_path):
    texts = ["Shut up you stupid loser", "Those immigrants are vermin", "You fucking faggot"]
    fast = _Lookup({t: 0.9 for t in texts})
    model = CascadeModel(fast, _Lookup({t: 0.9 for t in texts}), np.full(6, 0.5), 0.95,
                         PlattCalibrator(), PlattCalibrator(), prevalence={},
                         untargeted_scale={"identity_hate": 0.5})
    probs = model.predict_proba(texts)
    assert np.allclose(probs[0, 5], 0.5 * probs[0, 0])  # no group named: halved
    assert np.allclose(probs[1:, 5], probs[1:, 0])  # a group or a slur: untouched
    assert np.allclose(probs[:, :5], probs[:, [0]])
    assert json.loads(json.dumps(model.config_dict()))["untargeted_scale"] == {"identity_hate": 0.5}
    with pytest.raises(ValueError, match=r"untargeted_scale: scales must be in \(0, 1\]"):
        CascadeModel(fast, fast, np.full(6, 0.5), 0.5, PlattCalibrator(), PlattCalibrator(),
                     untargeted_scale={"identity_hate": 0.0})


def test_card_states_the_untargeted_scale_and_its_dev_gain():
    from types import SimpleNamespace

    from cleanspeech.models.cascade_card import _target_clause

    metrics = {"dev_choices": {"target_gains": {"identity_hate": {"1": 0.0, "0.5": 0.0012}}},
               "test": {"identity_hate_naming_a_group": {"positives": 0.9, "negatives": 0.13}}}
    text = _target_clause(SimpleNamespace(untargeted_scale={"identity_hate": 0.5}), metrics)
    assert "`identity_hate` is multiplied by 0.5 (dev ROC-AUC gain +0.0012)" in text
    assert "90% of identity-hate comments name a group, against 13%" in text
    assert _target_clause(SimpleNamespace(untargeted_scale={}), metrics) == ""
