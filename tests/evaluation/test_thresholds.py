import json

import numpy as np

from cleanspeech.evaluation.thresholds import best_f1_threshold, load_thresholds, save_thresholds, tune_thresholds


def test_best_threshold_separates_classes():
    y = np.array([0, 0, 0, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.7, 0.8])
    t, f1 = best_f1_threshold(y, s)
    assert 0.3 < t <= 0.7 and f1 == 1.0


def test_no_positive_label_keeps_default():
    t, f1 = best_f1_threshold(np.zeros(5), np.linspace(0, 1, 5))
    assert t == 0.5 and np.isnan(f1)


def test_tuned_thresholds_roundtrip_with_provenance(tmp_path):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, (100, 6))
    ths, f1s = tune_thresholds(y, y * 0.5 + rng.random((100, 6)) * 0.6)
    save_thresholds(tmp_path / "t.json", ths, tuned_on="val", prevalence={"toxic": 0.5})
    np.testing.assert_allclose(load_thresholds(tmp_path / "t.json"), ths)
    assert json.loads((tmp_path / "t.json").read_text())["tuned_on"] == "val"
    assert len(f1s) == 6


def test_missing_file_means_half():
    np.testing.assert_array_equal(load_thresholds("/nonexistent/t.json"), np.full(6, 0.5))
