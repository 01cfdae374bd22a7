"""Attach the shipped group-hate head (same member, same rows: the same head) to a cascade folder
with the given weight / prior, pinned; records the Jigsaw test effect as build-hate-head does.

    .venv/bin/python scripts/experiments/attach_hate_head.py runs/default_l1 0.8 -1.0
"""
import sys
from dataclasses import replace
from pathlib import Path

from cleanspeech.models.hate_head import HateHead
from cleanspeech.models.registry import load_model
from cleanspeech.training.hate_head import record_test_effect

folder, weight, prior = Path(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
head = HateHead.load("src/cleanspeech/shipped_models/default/hate_head")
head = HateHead(head.weights, replace(head.config, weight=weight, prior_logit=prior))
cascade = load_model(folder)
cascade.attach_hate_head(folder, head)
cascade = load_model(folder)
record_test_effect(cascade, folder, "../shared/data", print)
