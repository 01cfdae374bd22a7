"""ONNX export variants and batching, measured on the same dev comments:

* ``dynamic-int8``: int8 weights, activations quantised at run time per input tensor (the
  MatMul/Gemm and fused Attention ops) -- a comment's scores then depend on its batch neighbours;
* ``static-int8``: int8 weights, activation scales fixed by calibration on training comments;
* ``fp32``: the fused float32 graph (the shipped int8 weights dequantised), no activation
  quantisation;

each at one window per call and in length-sorted batches. For every variant: comments/s, dev
macro ROC-AUC, and how far a comment's probabilities move between scoring it alone and in its
batch (the first ``--n-dep`` comments).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_onnx_variants.py --n 500

Only the transformer member is timed (tokenisation included); ORT spinning off (the default).
Dev = ``cleanspeech.data.project_split`` dev (first ``--n`` rows); calibration = the first
``--n-calib`` training comments. Writes ``bench/results/onnx_variants.{json,md}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_backends import RESULTS, cpu_name

from cleanspeech.data import project_split
from cleanspeech.data.io import read_jigsaw, write_text_atomic
from cleanspeech.evaluation.metrics import macro_roc_auc
from cleanspeech.models.onnx_backend import (OnnxRunner, calibration_feeds, export_onnx, fuse_transformer,
                                             quantize_int8, quantize_static_int8)
from cleanspeech.models.registry import load_model
from cleanspeech.models.torch_loading import load_torch_module
from cleanspeech.training.data import label_matrix

RUNS = [("dynamic-int8", 1), ("dynamic-int8", 16), ("fp32", 1), ("fp32", 16), ("fp32", 32),
        ("static-int8", 1), ("static-int8", 16), ("static-int8", 32)]


def build_exports(folder: Path, out: Path, calib_texts: list[str]) -> dict[str, Path]:
    """The fused float32 export of ``folder``, and its dynamic and static int8 quantisations."""
    config = json.loads((folder / "cleanspeech.json").read_text())
    module = load_torch_module(folder, config)
    module.set_attn_implementation("eager")
    export_onnx(module, out / "raw.onnx")
    cfg = module.config
    fused = fuse_transformer(out / "raw.onnx", out / "fp32.onnx", cfg.model_type,
                             cfg.num_attention_heads, cfg.hidden_size)
    quantize_int8(fused, out / "dynamic-int8.onnx")
    model = load_model(folder, backend="torch")
    quantize_static_int8(out / "raw.onnx", out / "static-int8.onnx", calibration_feeds(model, calib_texts))
    return {"fp32": fused, "dynamic-int8": out / "dynamic-int8.onnx", "static-int8": out / "static-int8.onnx"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="src/cleanspeech/shipped_models/default/transformer")
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--n-dep", type=int, default=200)
    ap.add_argument("--n-calib", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--train", default="../shared/data/jigsaw/train.csv.gz")
    args = ap.parse_args()
    split = project_split(read_jigsaw(args.train, require_labels=True))
    texts, y = split.dev["comment_text"].tolist()[: args.n], label_matrix(split.dev)[: args.n]
    folder = Path(args.model)
    os.environ["CLEANSPEECH_ORT_SPIN"] = "0"
    with tempfile.TemporaryDirectory() as tmp:
        files = build_exports(folder, Path(tmp), split.train["comment_text"].tolist()[: args.n_calib])
        models = {}
        for name, batch in RUNS:
            m = load_model(folder, backend="onnx", batch_size=batch)
            m.runner = OnnxRunner(files[name])
            models[f"{name}, batch {batch}"] = m
        secs = {k: [] for k in models}
        probs = {}
        for _ in range(args.rounds):
            for k, m in models.items():
                m.predict_proba(texts[:8])  # warm-up
                t0 = time.perf_counter()
                probs[k] = m.predict_proba(texts)
                secs[k].append(time.perf_counter() - t0)
        n_dep = min(args.n_dep, len(texts))
        alone = {name: np.vstack([models[f"{name}, batch 1"].predict_proba([t]) for t in texts[:n_dep]])
                 for name in files}
    runs = {}
    for (name, batch), (k, v) in zip(RUNS, secs.items()):
        runs[k] = {"export": name, "batch": batch, "comments_per_s": round(len(texts) / float(np.mean(v)), 1),
                   "seconds_per_round": [round(t, 2) for t in v],
                   "macro_roc_auc": round(macro_roc_auc(y, probs[k]), 5),
                   "max_shift_vs_alone": float(np.abs(probs[k][:n_dep] - alone[name]).max())}
    res = {"model": args.model, "n_comments": len(texts), "rounds": args.rounds, "n_dep": n_dep,
           "n_calib": args.n_calib, "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "machine": {"cpu": cpu_name(), "cpus": os.cpu_count(), "loadavg_1min_end": os.getloadavg()[0]},
           "runs": runs}
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_text_atomic(json.dumps(res, indent=2) + "\n", RESULTS / "onnx_variants.json")
    write_text_atomic(markdown(res), RESULTS / "onnx_variants.md")
    print(markdown(res))


def markdown(r: dict) -> str:
    rows = "\n".join(f"| {k} | {v['comments_per_s']:.1f} | {v['macro_roc_auc']:.5f} | {v['max_shift_vs_alone']:.2e} |"
                     for k, v in r["runs"].items())
    return f"""# ONNX backend variants

`{r['model']}` (transformer member only), the first {r['n_comments']} dev comments
(`project_split`), {r['rounds']} alternating rounds, ORT spinning off, {r['date']},
CPU {r['machine']['cpu']} x {r['machine']['cpus']} (shared with other jobs: 1-min load
{r['machine']['loadavg_1min_end']:.1f} at the end). Static int8 calibrated on {r['n_calib']} training comments.
Command: `HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_onnx_variants.py --n {r['n_comments']}`

| export, windows per call (length-sorted) | comments/s | dev macro ROC-AUC | max probability change, batch vs alone (first {r['n_dep']}) |
|---|---|---|---|
{rows}
"""


if __name__ == "__main__":
    main()
