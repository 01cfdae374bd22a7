"""Precision, recall and flagged share per label at a model's served thresholds, on the Jigsaw test
part of the project split, rows re-weighted on ``toxic`` to natural prevalence (the README's
"at the operating point" rows; the card's test table is `build-cascade`'s, before the group-hate
head and the cross-source offset).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_operating_point.py [--model default]

Writes bench/results/operating_point.md (machine and date included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
from pathlib import Path

import numpy as np

from cleanspeech.data.io import read_jigsaw
from cleanspeech.data.split import split_part
from cleanspeech.evaluation.calibration import NATURAL_PREVALENCE, prevalence_weights
from cleanspeech.evaluation.operating import weighted_prf
from cleanspeech.labels import LABELS
from cleanspeech.models import load_model

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="default")
    ap.add_argument("--train", default=str(ROOT.parent / "shared" / "data" / "jigsaw" / "train.csv.gz"))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "operating_point.md"))
    args = ap.parse_args()
    test = split_part(read_jigsaw(args.train, require_labels=True), "test")
    model = load_model(args.model)
    y = test[list(LABELS)].to_numpy()
    scores = model.predict_proba(test["comment_text"].astype(str).tolist())
    thr = np.asarray(model.thresholds)
    prf = weighted_prf(y, scores, thr, prevalence_weights(y, NATURAL_PREVALENCE))
    lines = [f"# `{args.model}` at its served thresholds, Jigsaw test ({len(test)} rows), natural prevalence", "",
             f"{dt.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} CPU cores. "
             f"Command: `python bench/bench_operating_point.py --model {args.model}`.", "",
             "| label | threshold | precision | recall | F1 | flagged | prevalence |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {lab} | {t:.3f} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['flagged']:.4f} | "
              f"{m['prevalence']:.4f} |" for lab, t, m in zip(LABELS, thr, prf.values())]
    Path(args.out).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
