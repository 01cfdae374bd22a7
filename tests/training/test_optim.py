"""AdamW groups (no decay on bias / LayerNorm) and the linear warm-up + decay schedule."""

import pytest
import torch
from transformers import BertConfig, BertForSequenceClassification

from cleanspeech.training.optim import build_optimizer, build_scheduler, parameter_groups


def tiny_bert():
    return BertForSequenceClassification(BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1,
                                                    num_attention_heads=2, intermediate_size=16, num_labels=6))


def test_no_decay_on_bias_and_layernorm():
    model = tiny_bert()
    decay, no_decay = parameter_groups(model, 0.01)
    names = {id(p): n for n, p in model.named_parameters()}
    assert decay["weight_decay"] == 0.01 and no_decay["weight_decay"] == 0.0
    assert all("bias" in names[id(p)] or "LayerNorm" in names[id(p)] for p in no_decay["params"])
    assert not any("bias" in names[id(p)] or "LayerNorm" in names[id(p)] for p in decay["params"])
    assert len(decay["params"]) + len(no_decay["params"]) == len(list(model.parameters()))


def test_linear_warmup_then_linear_decay():
    opt = build_optimizer(tiny_bert(), lr=2e-5, weight_decay=0.01)
    sched = build_scheduler(opt, total_steps=100, warmup_ratio=0.1)
    lrs = []
    for _ in range(100):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    assert lrs[0] == 0.0 and lrs[5] == pytest.approx(1e-5) and lrs[10] == pytest.approx(2e-5)
    assert lrs[55] == pytest.approx(1e-5) and lrs[-1] < lrs[50] < lrs[10]
    assert isinstance(opt, torch.optim.AdamW)
