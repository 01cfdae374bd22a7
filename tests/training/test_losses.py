"""Weighted BCE (inverse frequency, weights sum to 6), plain BCE and pos_weight."""

import numpy as np
import torch
import torch.nn.functional as F

from cleanspeech.training.losses import inverse_frequency_weights, make_loss, positive_weights

Y = np.array([[1, 0, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0, 0, 1, 0, 0, 1], [0, 0, 0, 1, 1, 0]] * 5,
             dtype=np.float32)


def test_inverse_frequency_weights_sum_to_six_and_favour_rare_labels():
    w = inverse_frequency_weights(Y)
    assert np.isclose(w.sum(), 6.0)
    freq = Y.mean(axis=0)
    assert np.allclose(w * freq, (w * freq)[0])  # proportional to 1 / frequency


def test_weighted_bce_is_bce_times_label_weights():
    logits, y = torch.randn(20, 6), torch.from_numpy(Y)
    fn, info = make_loss("weighted_bce", Y)
    per = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    expected = (per * torch.tensor(info["label_weights"])).mean()
    assert torch.allclose(fn(logits, y), expected)


def test_plain_and_pos_weight_losses():
    logits, y = torch.randn(20, 6), torch.from_numpy(Y)
    bce, _ = make_loss("bce", Y)
    assert torch.allclose(bce(logits, y), F.binary_cross_entropy_with_logits(logits, y))
    pw, info = make_loss("pos_weight", Y)
    assert np.allclose(info["pos_weight"], positive_weights(Y))
    assert pw(logits, y) > bce(logits, y) * 0.99  # rare positives weigh more


def test_unknown_targets_are_left_out_of_every_loss():
    """A NaN target (an augmentation row that only knows ``toxic``) adds nothing to the loss."""
    logits = torch.randn(20, 6)
    y = torch.from_numpy(Y.copy())
    y_nan = y.clone()
    y_nan[:10, 1:] = float("nan")
    known = ~torch.isnan(y_nan)
    for name in ("bce", "weighted_bce", "pos_weight"):
        fn, _ = make_loss(name, Y)
        loss = fn(logits, y_nan)
        assert torch.isfinite(loss)
        # changing the logits of unknown entries must not change the loss
        moved = logits.clone()
        moved[~known] += 5.0
        assert torch.allclose(fn(moved, y_nan), loss)
    bce, _ = make_loss("bce", Y)
    per = F.binary_cross_entropy_with_logits(logits, torch.nan_to_num(y_nan), reduction="none")
    assert torch.allclose(bce(logits, y_nan), per[known].mean())
