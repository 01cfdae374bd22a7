"""Choices inside the ONNX backend, measured on the same validation comments:

* which ops are int8 (MatMul/Gemm only, or the fused Attention's Q/K/V projection too),
* ONNX Runtime threads spinning between calls or not,
* one window per call vs batches of 8: speed, and how far a comment's probabilities move with
  its batch neighbours (dynamic int8 scales activations per input tensor).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_onnx_variants.py --n 1000

Only the transformer member of the model is timed (tokenisation included). Variants alternate
over ``--rounds`` passes, each scoring all N comments in one call. Writes
``bench/results/onnx_variants.{json,md}``.
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

from cleanspeech.data.io import write_text_atomic
from cleanspeech.evaluation.metrics import macro_roc_auc
from cleanspeech.models.onnx_backend import OnnxRunner, export_onnx, fuse_transformer, quantize_int8
from cleanspeech.models.registry import load_model
from cleanspeech.models.transformer import load_torch_module
from cleanspeech.training.data import label_matrix, load_split

EXPORTS = {"matmul-only": ("MatMul", "Gemm"), "matmul+attention": ("MatMul", "Gemm", "Attention")}


def build_exports(folder: Path, out: Path) -> dict[str, Path]:
    """The fused float32 export of ``folder`` quantised once per op set in :data:`EXPORTS`."""
    config = json.loads((folder / "cleanspeech.json").read_text())
    module = load_torch_module(folder, config)
    module.set_attn_implementation("eager")
    export_onnx(module, out / "fp32.onnx")
    cfg = module.config
    fused = fuse_transformer(out / "fp32.onnx", out / "fused.onnx", cfg.model_type,
                             cfg.num_attention_heads, cfg.hidden_size)
    files = {}
    for name, ops in EXPORTS.items():
        files[name] = out / f"{name}.onnx"
        quantize_int8(fused, files[name], ops)
    return files


def variants(folder: Path, files: dict[str, Path]) -> dict[str, object]:
    """Model objects sharing the tokenizer, one per variant (runner, spin, batch size)."""
    out = {}
    for name, spin, batch in [("matmul-only", "1", 1), ("matmul+attention", "1", 1),
                              ("matmul+attention", "0", 1), ("matmul+attention", "1", 8)]:
        os.environ["CLEANSPEECH_ORT_SPIN"] = spin
        model = load_model(folder, backend="onnx", batch_size=batch)
        model.runner = OnnxRunner(files[name])
        out[f"{name}, spin {spin}, batch {batch}"] = model
    os.environ.pop("CLEANSPEECH_ORT_SPIN")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="src/cleanspeech/shipped_models/default/transformer")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--train", default="../shared/data/jigsaw/train.csv.gz")
    args = ap.parse_args()
    _, val = load_split(args.train, val_fraction=0.1, seed=42)
    texts, y = val["comment_text"].tolist()[: args.n], label_matrix(val)[: args.n]
    folder = Path(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        models = variants(folder, build_exports(folder, Path(tmp)))
        secs = {k: [] for k in models}
        probs = {}
        for _ in range(args.rounds):
            for k, m in models.items():
                m.predict_proba(texts[:8])  # warm-up
                t0 = time.perf_counter()
                probs[k] = m.predict_proba(texts)
                secs[k].append(time.perf_counter() - t0)
        batched = models["matmul+attention, spin 1, batch 8"]
        n_dep = min(200, len(texts))
        alone = probs["matmul+attention, spin 1, batch 1"][:n_dep]  # one window per call
        dep = float(np.abs(batched.predict_proba(texts[:n_dep]) - alone).max())
    runs = {k: {"comments_per_s": round(len(texts) / float(np.mean(v)), 1),
                "seconds_per_round": [round(t, 2) for t in v], "macro_roc_auc": macro_roc_auc(y, probs[k])}
            for k, v in secs.items()}
    res = {"model": args.model, "n_comments": len(texts), "rounds": args.rounds,
           "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
           "machine": {"cpu": cpu_name(), "cpus": os.cpu_count(), "loadavg_1min_end": os.getloadavg()[0]},
           "runs": runs, "max_probability_shift_batch8_vs_alone": round(dep, 4), "batch_dependence_n": n_dep}
    RESULTS.mkdir(parents=True, exist_ok=True)
    write_text_atomic(json.dumps(res, indent=2) + "\n", RESULTS / "onnx_variants.json")
    write_text_atomic(markdown(res), RESULTS / "onnx_variants.md")
    print(markdown(res))


def markdown(r: dict) -> str:
    rows = "\n".join(f"| {k} | {v['comments_per_s']:.1f} | {v['macro_roc_auc']:.5f} |" for k, v in r["runs"].items())
    return f"""# ONNX backend variants

`{r['model']}` (transformer member only), the first {r['n_comments']} validation comments,
{r['rounds']} alternating rounds, {r['date']}, CPU {r['machine']['cpu']} x {r['machine']['cpus']}.
Command: `HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_onnx_variants.py --n {r['n_comments']}`

| variant (int8 ops, ORT spinning, windows per call) | comments/s | macro ROC-AUC |
|---|---|---|
{rows}

Batch dependence: with batches of 8, a comment's probabilities differ from its scores alone by
up to **{r['max_probability_shift_batch8_vs_alone']}** (first {r['batch_dependence_n']} comments);
with one window per call they are identical (tests/models/test_transformer.py).
"""


if __name__ == "__main__":
    main()
