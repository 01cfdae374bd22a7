"""Operating points: sensitivity scaling and per-label threshold overrides."""

import numpy as np
import pytest

from cleanspeech.labels import LABELS
from cleanspeech.operating import (
    apply_sensitivity, check_overrides, operating_thresholds, parse_threshold_overrides,
)

BASE = np.array([0.5, 0.2, 0.4, 0.1, 0.3, 0.9])


def test_default_keeps_the_model_thresholds():
    assert np.array_equal(apply_sensitivity(BASE, "default"), BASE)
    assert np.array_equal(apply_sensitivity(BASE, None), BASE)


def test_high_flags_more_low_flags_less_and_stays_in_0_1():
    high, low = apply_sensitivity(BASE, "high"), apply_sensitivity(BASE, "low")
    assert (high < BASE).all() and (low > BASE).all()
    assert (high > 0).all() and (low < 1).all()
    assert high[0] == pytest.approx(1 / 3) and low[0] == pytest.approx(2 / 3)
    # order across labels is kept
    assert np.array_equal(np.argsort(high), np.argsort(BASE))


def test_unknown_sensitivity_is_refused():
    with pytest.raises(ValueError, match="low, default, high"):
        apply_sensitivity(BASE, "extreme")


def test_parse_overrides():
    assert parse_threshold_overrides(["toxic=0.4", " insult = 1 "]) == {"toxic": 0.4, "insult": 1.0}
    for bad, msg in [("toxic", "LABEL=VALUE"), ("rude=0.3", "unknown label"),
                     ("toxic=high", "must be a number"), ("toxic=1.5", "between 0 and 1"),
                     ("toxic=nan", "between 0 and 1"), ("toxic=-0.1", "between 0 and 1")]:
        with pytest.raises(ValueError, match=msg):
            parse_threshold_overrides([bad])


def test_overrides_win_over_sensitivity():
    th = operating_thresholds(BASE, "high", {"toxic": 0.7})
    assert th[0] == 0.7 and th[1] < BASE[1]
    assert check_overrides({label: 0.5 for label in LABELS}) == {label: 0.5 for label in LABELS}
