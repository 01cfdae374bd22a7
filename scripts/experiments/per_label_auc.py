"""Per-label Jigsaw ROC-AUC (natural prevalence) of several models on the project split's dev and test.

    HF_HUB_OFFLINE=1 .venv/bin/python scripts/experiments/per_label_auc.py \
        src/cleanspeech/shipped_models/default runs/default_md6 runs/default_md7

bench_compare.py gives the macro figure and its paired interval; this says which label moves it
(issue 32, stop 47: the distilled candidates lose Jigsaw dev on identity_hate alone).
"""

from __future__ import annotations

import sys

import numpy as np
from sklearn.metrics import roc_auc_score

from cleanspeech.data import project_split, read_jigsaw
from cleanspeech.evaluation.calibration import prevalence_weights, resolve_prevalence
from cleanspeech.labels import LABELS
from cleanspeech.models.registry import load_model


def main(models: list[str]) -> None:
    parts = project_split(read_jigsaw("../shared/data/jigsaw/train.csv.gz", require_labels=True))
    prev = resolve_prevalence("natural")
    print("part model " + " ".join(LABELS) + " macro")
    for part in ("dev", "test"):
        df = getattr(parts, part)
        y = df[list(LABELS)].to_numpy().astype(np.int8)
        w = prevalence_weights(y, prev)
        for name in models:
            p = load_model(name).predict_proba(df["comment_text"].tolist())
            aucs = [roc_auc_score(y[:, j], p[:, j], sample_weight=w) for j in range(len(LABELS))]
            print(part, name, " ".join(f"{a:.4f}" for a in aucs), f"{np.mean(aucs):.5f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
