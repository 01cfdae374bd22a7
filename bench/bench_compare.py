"""Paired comparison of two models on the project split's dev and test parts (natural prevalence).

    git worktree add /tmp/cs-old 8bd1da7   # the commit holding the old model
    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_compare.py \
        --old /tmp/cs-old/src/cleanspeech/shipped_models/default --new default --name default_stop16_vs_now

For each part: both models' macro ROC-AUC at natural prevalence and the paired bootstrap of
``new - old`` (``evaluation.heldout.compare``). Writes ``bench/results/compare_<name>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

import numpy as np

from cleanspeech.data import project_split, read_jigsaw
from cleanspeech.evaluation.bootstrap import weighted_macro_auc
from cleanspeech.evaluation.calibration import prevalence_weights, resolve_prevalence
from cleanspeech.evaluation.heldout import compare
from cleanspeech.labels import LABELS
from cleanspeech.models.registry import load_model

RESULTS = Path(__file__).parent / "results"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", required=True)
    ap.add_argument("--new", required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--train", default="../shared/data/jigsaw/train.csv.gz")
    args = ap.parse_args()
    parts = project_split(read_jigsaw(args.train, require_labels=True))
    prev = resolve_prevalence("natural")
    old, new = load_model(args.old), load_model(args.new)
    out = {"old": args.old, "new": args.new, "date": dt.date.today().isoformat(), "prevalence": "natural"}
    for part in ("dev", "test"):
        df = getattr(parts, part)
        y = df[list(LABELS)].to_numpy().astype(np.int8)
        texts = df["comment_text"].tolist()
        p_old, p_new = old.predict_proba(texts), new.predict_proba(texts)
        w = prevalence_weights(y, prev)
        out[part] = {"n": len(y), "old_macro_roc_auc": weighted_macro_auc(y, p_old, w),
                     "new_macro_roc_auc": weighted_macro_auc(y, p_new, w),
                     "new_minus_old": compare(y, p_old, p_new, prev)}
        print(part, json.dumps(out[part]), flush=True)
    (RESULTS / f"compare_{args.name}.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
