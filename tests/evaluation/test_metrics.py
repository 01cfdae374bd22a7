import numpy as np

from cleanspeech.evaluation.metrics import macro_roc_auc, pr_auc_per_label, prf_at_thresholds, roc_auc_per_label
from cleanspeech.labels import LABELS


def _data(seed=0, n=200):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, size=(n, 6))
    return y, np.clip(y * 0.6 + rng.random((n, 6)) * 0.5, 0, 1)


def test_perfect_scores_give_auc_one():
    y, _ = _data()
    assert macro_roc_auc(y, y.astype(float)) == 1.0
    assert all(v == 1.0 for v in pr_auc_per_label(y, y.astype(float)).values())


def test_single_class_label_is_skipped_not_zero():
    y, s = _data()
    y[:, 3] = 0
    auc = roc_auc_per_label(y, s)
    assert np.isnan(auc["threat"])
    assert np.isclose(macro_roc_auc(y, s), np.mean([v for k, v in auc.items() if k != "threat"]))


def test_prf_counts_by_hand():
    y = np.zeros((4, 6), int)
    y[:2, 0] = 1
    s = np.zeros((4, 6))
    s[[0, 2], 0] = 0.9
    out = prf_at_thresholds(y, s, np.full(6, 0.5))
    assert out["toxic"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert set(out) == set(LABELS)
