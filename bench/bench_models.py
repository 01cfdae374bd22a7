"""Validation macro ROC-AUC and CPU throughput (comments/s) of each shipped model.

    .venv/bin/python bench/bench_models.py [--data ../shared/data/jigsaw/train.csv.gz]

Rebuilds the validation split the shipped models were tuned on (de-duplicated train, 10%,
stratified on toxic, seed 42), scores it with each shipped model, times 2,000 of its comments,
and writes bench/results/models.json and models.md (machine and date included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

from cleanspeech.data import deduplicate, read_jigsaw, train_val_split
from cleanspeech.evaluation.metrics import macro_roc_auc, roc_auc_per_label
from cleanspeech.labels import LABELS
from cleanspeech.models import load_model
from cleanspeech.models.registry import resolve_model_path, shipped_model_names

OUT = Path(__file__).parent / "results"


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.processor() or 'cpu'}"


def bench_model(name: str, texts: list[str], y, n_speed: int) -> dict:
    model = load_model(name)
    t0 = time.perf_counter()
    scores = model.predict_proba(texts)
    full = time.perf_counter() - t0
    model.predict_proba(texts[:64])  # warm caches before the timed run
    t0 = time.perf_counter()
    model.predict_proba(texts[:n_speed])
    speed = n_speed / (time.perf_counter() - t0)
    return {
        "model": name, "folder": resolve_model_path(name).name, "model_type": model.model_type,
        "val_macro_roc_auc": round(macro_roc_auc(y, scores), 5),
        "val_roc_auc": {k: round(v, 5) for k, v in roc_auc_per_label(y, scores).items()},
        "comments_per_s": round(speed, 1), "n_speed": n_speed, "full_val_seconds": round(full, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data/jigsaw/train.csv.gz")
    ap.add_argument("--n-speed", type=int, default=2000)
    ap.add_argument("--models", nargs="*", default=None)
    args = ap.parse_args()
    _, val = train_val_split(deduplicate(read_jigsaw(args.data)), val_fraction=0.1, seed=42)
    texts, y = val["comment_text"].tolist(), val[list(LABELS)].to_numpy()
    rows = [bench_model(n, texts, y, args.n_speed) for n in (args.models or shipped_model_names())]
    result = {"date": dt.date.today().isoformat(), "machine": machine(), "n_val": len(val),
              "split": "dedup train.csv.gz, val_fraction=0.1, seed=42, stratified on toxic",
              "results": rows}
    OUT.mkdir(exist_ok=True)
    (OUT / "models.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [f"# Shipped models — {result['date']}, {result['machine']}", "",
             f"Validation: {result['split']} ({len(val)} rows).", "",
             "| model | folder | type | val macro ROC-AUC | comments/s (2,000 val comments) |",
             "|---|---|---|---|---|"]
    lines += [f"| {r['model']} | {r['folder']} | {r['model_type']} | {r['val_macro_roc_auc']:.4f} | "
              f"{r['comments_per_s']:.0f} |" for r in rows]
    (OUT / "models.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
