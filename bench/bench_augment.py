"""Ablation of input normalisation and training augmentations for the linear model.

    nice -n 10 .venv/bin/python bench/bench_augment.py [--variants norm norm+all ...]

Each variant is fitted on the project split's ``train`` (+ its extra rows), thresholds tuned on
``dev``, saved to runs/linear-<variant>/ (skipped when already there: the script resumes), then
scored on ``dev`` (macro ROC-AUC) and on the behavioural suite's eval templates. ``base`` is the
shipped models/linear (same train rows) with thresholds re-tuned on dev. Results accumulate in
bench/results/augment.json and augment.md with machine, date and the cost of each variant.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.data import read_jigsaw
from cleanspeech.data.split import project_split
from cleanspeech.evaluation.behaviour import run_suite
from cleanspeech.evaluation.metrics import macro_roc_auc
from cleanspeech.evaluation.thresholds import prevalence, tune_thresholds
from cleanspeech.labels import LABELS
from cleanspeech.models import load_model
from cleanspeech.models.linear import LinearConfig, LinearModel
from cleanspeech.training.augment import AUGMENTATIONS, augmentation_rows

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
VARIANTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "base": ("none", ()),
    "norm": ("normalize-v1", ()),
    "norm+all": ("normalize-v1", AUGMENTATIONS),
    "norm+templates": ("normalize-v1", ("templates",)),
    "norm+cda": ("normalize-v1", ("cda",)),
    "norm+paradetox": ("normalize-v1", ("paradetox",)),
    "norm+spans": ("normalize-v1", ("spans",)),
}


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.processor() or 'cpu'}"


def fit_variant(name: str, train: pd.DataFrame, dev: pd.DataFrame, data_dir: Path, run_dir: Path) -> dict:
    cleaning, augs = VARIANTS[name]
    extra = augmentation_rows(augs, train, data_dir)
    rows = pd.concat([train[["comment_text", *LABELS]], extra], ignore_index=True)
    t0 = time.perf_counter()
    model = LinearModel(LinearConfig(cleaning=cleaning, seed=42))
    model.fit(rows["comment_text"].tolist(), rows[list(LABELS)].to_numpy(dtype=np.float64))
    fit_s = time.perf_counter() - t0
    y_dev = dev[list(LABELS)].to_numpy()
    model.thresholds, _ = tune_thresholds(y_dev, model.predict_proba(dev["comment_text"].tolist()))
    model.save_pretrained(run_dir, tuned_on="dev part of project_split(train.csv.gz)",
                          prevalence=prevalence(y_dev))
    cost = {"extra_rows": len(extra), "fit_seconds": round(fit_s, 1),
            "command": f"python bench/bench_augment.py --variants {name}"}
    (run_dir / "augment.json").write_text(json.dumps({"variant": name, "cleaning": cleaning,
                                                      "augmentations": list(augs), **cost}, indent=2))
    return cost


def evaluate(name: str, dev: pd.DataFrame, data: Path, train: pd.DataFrame) -> dict:
    run_dir = ROOT / "runs" / f"linear-{name}"
    if name == "base":
        model, cost = load_model("linear"), {"extra_rows": 0, "fit_seconds": None}
    else:
        if not (run_dir / "cleanspeech.json").exists():
            fit_variant(name, train, dev, data, run_dir)
        cost = json.loads((run_dir / "augment.json").read_text())
        model = load_model(run_dir)
    y_dev = dev[list(LABELS)].to_numpy()
    dev_scores = model.predict_proba(dev["comment_text"].tolist())
    if name == "base":
        model.thresholds, _ = tune_thresholds(y_dev, dev_scores)
    suite = run_suite(model.predict_proba, model.thresholds, part="eval")
    return {"variant": name, "cleaning": VARIANTS[name][0], "augmentations": list(VARIANTS[name][1]),
            "dev_macro_roc_auc": round(macro_roc_auc(y_dev, dev_scores), 5),
            "suite": suite["overall"], "invariance": suite["invariance"],
            "directional": suite["directional"],
            "per_functionality": {f: r["pass_rate"] for f, r in suite["per_functionality"].items()},
            "extra_rows": cost["extra_rows"], "fit_seconds": cost["fit_seconds"],
            "folder": f"runs/linear-{name}" if name != "base" else "models/linear"}


def to_markdown(result: dict) -> str:
    lines = ["# Linear model: normalisation and augmentation ablation", "",
             f"{result['date']}, {result['machine']}. Fitted on project_split train, thresholds and "
             "AUC on dev; suite = behavioural eval templates (flagged = any label ≥ threshold).", "",
             "| variant | extra rows | fit s | dev macro AUC | hateful caught | non-hateful passed | "
             "accuracy | AUC max score | inv identity | inv obfuscation |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["variants"]:
        s, inv = r["suite"], r["invariance"]
        lines.append(f"| {r['variant']} | {r['extra_rows']} | {r['fit_seconds']} | "
                     f"{r['dev_macro_roc_auc']:.4f} | {s['hateful_caught']:.3f} | "
                     f"{s['non_hateful_passed']:.3f} | {s['accuracy']:.3f} | {s['auc_max_score']:.3f} | "
                     f"{inv['inv_identity']:.3f} | {inv['inv_obfuscation']:.3f} |")
    funcs = list(result["variants"][0]["per_functionality"]) if result["variants"] else []
    lines += ["", "Pass rate per functionality:", "",
              "| functionality | " + " | ".join(r["variant"] for r in result["variants"]) + " |",
              "|---|" + "---|" * len(result["variants"])]
    for f in funcs:
        lines.append(f"| {f} | " + " | ".join(f"{r['per_functionality'].get(f, float('nan')):.3f}"
                                             for r in result["variants"]) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--variants", nargs="*", default=list(VARIANTS))
    args = ap.parse_args()
    data = Path(args.data_dir)
    split = project_split(read_jigsaw(data / "jigsaw" / "train.csv.gz", require_labels=True))
    out_json = OUT / "augment.json"
    done = {r["variant"]: r for r in json.loads(out_json.read_text())["variants"]} if out_json.exists() else {}
    for name in args.variants:
        done[name] = evaluate(name, split.dev, data, split.train)
        ordered = [done[v] for v in VARIANTS if v in done]
        result = {"date": dt.date.today().isoformat(), "machine": machine(),
                  "n_dev": len(split.dev), "variants": ordered}
        out_json.write_text(json.dumps(result, indent=2) + "\n")
        (OUT / "augment.md").write_text(to_markdown(result))
        print(f"{name}: dev AUC {done[name]['dev_macro_roc_auc']:.4f} suite acc "
              f"{done[name]['suite']['accuracy']:.3f}", flush=True)


if __name__ == "__main__":
    main()
