"""Do the cascade's routing rules still pay? Jigsaw dev / test macro ROC-AUC at natural
prevalence and routed share, with route words and identity routing on and off:

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/experiments/route_rules.py [MODEL]

MODEL: a model name or folder (default: the shipped ``default``).
"""

from __future__ import annotations

import sys

import numpy as np

from cleanspeech.data.io import read_jigsaw
from cleanspeech.data.split import split_part
from cleanspeech.evaluation.bootstrap import weighted_macro_auc
from cleanspeech.evaluation.calibration import NATURAL_PREVALENCE, prevalence_weights
from cleanspeech.labels import LABELS
from cleanspeech.models.registry import load_model

model = load_model(sys.argv[1] if len(sys.argv) > 1 else "default")
words = model.route_words
jigsaw = read_jigsaw("../shared/data/jigsaw/train.csv.gz", require_labels=True)
for part in ("dev", "test"):
    rows = split_part(jigsaw, part)
    y = rows[list(LABELS)].to_numpy()
    w = prevalence_weights(y, dict(NATURAL_PREVALENCE))
    for name, route_words, route_identity in (("shipped", words, True), ("no route words", frozenset(), True),
                                              ("no route words, no identity", frozenset(), False)):
        model.route_words, model.route_identity = route_words, route_identity
        p, routed = model.predict_proba_routed(rows.comment_text.tolist())
        print(f"{part} {name}: macro ROC-AUC {weighted_macro_auc(y, p, w):.4f}, "
              f"routed {np.average(routed, weights=w):.3f}", flush=True)
