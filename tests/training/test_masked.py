"""Masked BCE: NaN targets give neither loss nor gradient; known ones match torch's own BCE."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from cleanspeech.training.masked import masked_bce_with_logits

NAN = float("nan")


@pytest.fixture
def batch() -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    logits = torch.randn(4, 6, dtype=torch.float64)
    targets = torch.tensor([
        [1, NAN, NAN, NAN, NAN, 1],   # a hate-speech row: toxic and identity_hate only
        [NAN, NAN, NAN, NAN, NAN, 0],  # "not hate": says nothing about toxic
        [0, 0, 0, 0, 0, 0],            # clean
        [1, 0, 1, NAN, 1, NAN],
    ], dtype=torch.float64)
    return logits, targets


def test_equals_mean_bce_over_known_entries(batch):
    logits, targets = batch
    known = ~torch.isnan(targets)
    expected = F.binary_cross_entropy_with_logits(logits[known], targets[known])
    assert torch.allclose(masked_bce_with_logits(logits, targets), expected)


def test_no_mask_equals_plain_bce_with_pos_weight(batch):
    logits, _ = batch
    targets = (torch.rand(4, 6, dtype=torch.float64) > 0.5).double()
    pw = torch.arange(1, 7, dtype=torch.float64)
    expected = F.binary_cross_entropy_with_logits(logits, targets, pos_weight=pw)
    assert torch.allclose(masked_bce_with_logits(logits, targets, pos_weight=pw), expected)


def test_masked_entries_get_zero_gradient_and_known_ones_do_not(batch):
    logits, targets = batch
    logits = logits.clone().requires_grad_(True)
    masked_bce_with_logits(logits, targets, pos_weight=torch.full((6,), 2.0, dtype=torch.float64)).backward()
    grad = logits.grad
    assert torch.isfinite(grad).all()
    assert (grad[torch.isnan(targets)] == 0).all()
    assert (grad[~torch.isnan(targets)] != 0).all()


def test_masked_values_do_not_change_the_loss(batch):
    logits, targets = batch
    moved = logits.clone()
    moved[torch.isnan(targets)] += 100.0  # whatever the model says where the source is silent
    assert torch.allclose(masked_bce_with_logits(logits, targets), masked_bce_with_logits(moved, targets))


def test_gradcheck_on_known_entries(batch):
    logits, targets = batch
    logits = logits.clone().requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x: masked_bce_with_logits(x, targets), (logits,))


def test_all_masked_is_zero_not_nan():
    logits = torch.randn(2, 6, requires_grad=True)
    loss = masked_bce_with_logits(logits, torch.full((2, 6), NAN))
    assert loss.item() == 0.0 and not math.isnan(loss.item())
    loss.backward()
    assert (logits.grad == 0).all()


def test_shape_mismatch_fails():
    with pytest.raises(ValueError):
        masked_bce_with_logits(torch.zeros(2, 6), torch.zeros(2, 5))
