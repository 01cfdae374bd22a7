"""Calibration, prior shift, prevalence weights, operating points."""

from __future__ import annotations

import numpy as np
import pytest

from cleanspeech.evaluation.calibration import (
    NATURAL_PREVALENCE,
    PlattCalibrator,
    expected_calibration_error,
    prevalence_weights,
    prior_shift,
    resolve_prevalence,
)
from cleanspeech.evaluation.operating import OperatingPoint, choose_threshold, weighted_prf


def _data(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, 6)) < 0.2).astype(np.int8)
    # overconfident scores: logit = 3 * (true logit)
    z = np.where(y == 1, 1.0, -1.0) + rng.normal(0, 1.0, (n, 6))
    return y, 1 / (1 + np.exp(-3 * z))


def test_platt_reduces_calibration_error_and_keeps_ranking():
    y, p = _data()
    cal = PlattCalibrator.fit(p, y)
    q = cal.transform(p)
    assert expected_calibration_error(y[:, 0], q[:, 0]) < expected_calibration_error(y[:, 0], p[:, 0]) / 2
    assert np.array_equal(np.argsort(p[:, 0], kind="stable"), np.argsort(q[:, 0], kind="stable"))
    again = PlattCalibrator.from_dict(cal.to_dict())
    assert np.allclose(again.transform(p), q)


def test_prior_shift_lowers_probabilities_for_rarer_traffic():
    p = np.full((1, 6), 0.5)
    src, dst = {k: 0.2 for k in NATURAL_PREVALENCE}, {k: 0.05 for k in NATURAL_PREVALENCE}
    shifted = prior_shift(p, src, dst)
    odds = (0.05 / 0.95) / (0.2 / 0.8)
    assert shifted[0, 0] == pytest.approx(odds / (1 + odds), rel=1e-5)


def test_prevalence_weights_hit_the_target():
    y, _ = _data()
    w = prevalence_weights(y, {"toxic": 0.05})
    assert np.average(y[:, 0], weights=w) == pytest.approx(0.05)


def test_resolve_prevalence():
    assert resolve_prevalence("natural")["toxic"] == pytest.approx(0.0958, abs=1e-3)
    assert resolve_prevalence("0.2")["toxic"] == pytest.approx(0.2)
    assert resolve_prevalence(None, {"toxic": 0.3}) == {"toxic": 0.3}
    with pytest.raises(ValueError, match="prevalence"):
        resolve_prevalence("often")


def test_operating_points_reach_their_targets():
    y, p = _data()
    t_prec = choose_threshold(y[:, 0], p[:, 0], OperatingPoint.parse("precision=0.9"))
    t_rec = choose_threshold(y[:, 0], p[:, 0], OperatingPoint.parse("recall=0.9"))
    prf = weighted_prf(y, p, np.full(6, t_prec))["toxic"]
    assert prf["precision"] >= 0.9
    assert weighted_prf(y, p, np.full(6, t_rec))["toxic"]["recall"] >= 0.9
    with pytest.raises(ValueError):
        OperatingPoint.parse("precision")


def test_max_f1_threshold_rises_when_traffic_is_rarer():
    y, p = _data()
    t_obs = choose_threshold(y[:, 0], p[:, 0], OperatingPoint("f1"))
    w = prevalence_weights(y, {"toxic": 0.02})
    t_rare = choose_threshold(y[:, 0], p[:, 0], OperatingPoint("f1"), w)
    assert t_rare > t_obs
