"""Throughput and accuracy of ``--backend onnx`` vs ``--backend torch`` on the same comments.

    .venv/bin/python bench/bench_backends.py --model default --n 2000

Scores the first N comments of the validation split (train_val_split(deduplicate(train), 0.1,
seed 42)) with each backend, after loading the model and a warm-up batch (the one-off ONNX
export is cached and not timed), and writes ``bench/results/bench_backends.{json,md}`` with the
machine, date, comments/s, the speed-up and the macro ROC-AUC difference.
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

from cleanspeech.data.io import write_text_atomic
from cleanspeech.evaluation.metrics import macro_roc_auc
from cleanspeech.models.registry import load_model
from cleanspeech.training.data import label_matrix, load_split

RESULTS = Path(__file__).parent / "results"


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run_backend(model_name: str, backend: str, texts: list[str], y: np.ndarray) -> dict:
    t0 = time.perf_counter()
    model = load_model(model_name, backend=backend)
    model.predict_proba(texts[:16])  # warm-up (and the cached ONNX export on first use)
    load_s = time.perf_counter() - t0
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    probs = model.predict_proba(texts)
    secs = time.perf_counter() - t0
    return {"backend": backend, "seconds": round(secs, 2), "comments_per_s": round(len(texts) / secs, 2),
            "macro_roc_auc": macro_roc_auc(y, probs), "load_and_warmup_s": round(load_s, 1),
            "loadavg_1min_before": load_before, "probs": probs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="default")
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--train", default="../shared/data/jigsaw/train.csv.gz")
    ap.add_argument("--name", default="bench_backends")
    args = ap.parse_args()
    _, val = load_split(args.train, val_fraction=0.1, seed=42)
    val = val.iloc[: args.n]
    texts, y = val["comment_text"].tolist(), label_matrix(val)
    runs = {b: run_backend(args.model, b, texts, y) for b in ("onnx", "torch")}
    diff = float(np.abs(runs["onnx"]["probs"] - runs["torch"]["probs"]).max())
    for r in runs.values():
        r.pop("probs")
    result = {
        "model": args.model, "n_comments": len(texts), "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpu": cpu_name(), "cpus": os.cpu_count(), "python": platform.python_version(),
                    "note": "2 cores shared with other agents' jobs; load average recorded per run"},
        "runs": runs,
        "speedup_onnx_over_torch": round(runs["onnx"]["comments_per_s"] / runs["torch"]["comments_per_s"], 2),
        "macro_roc_auc_difference": runs["onnx"]["macro_roc_auc"] - runs["torch"]["macro_roc_auc"],
        "max_abs_probability_difference": diff,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_text_atomic(json.dumps(result, indent=2) + "\n", RESULTS / f"{args.name}.json")
    write_text_atomic(markdown(result), RESULTS / f"{args.name}.md")
    print(markdown(result))


def markdown(r: dict) -> str:
    rows = "\n".join(
        f"| {b} | {x['comments_per_s']:.1f} | {x['seconds']:.1f} | {x['macro_roc_auc']:.5f} | {x['loadavg_1min_before']:.1f} |"
        for b, x in r["runs"].items())
    return f"""# Backends: ONNX Runtime (int8) vs PyTorch (float32)

Model `{r['model']}`, the first {r['n_comments']} comments of the validation split, {r['date']},
CPU {r['machine']['cpu']} x {r['machine']['cpus']} ({r['machine']['note']}).
Command: `.venv/bin/python bench/bench_backends.py --model {r['model']} --n {r['n_comments']}`

| backend | comments/s | seconds | macro ROC-AUC | load avg before |
|---|---|---|---|---|
{rows}

Speed-up onnx / torch: **{r['speedup_onnx_over_torch']:.2f}x**; macro ROC-AUC difference (onnx - torch):
**{r['macro_roc_auc_difference']:+.5f}**; largest probability difference {r['max_abs_probability_difference']:.4f}.
"""


if __name__ == "__main__":
    main()
