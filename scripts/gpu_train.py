"""Train MiniLM-L6 runs concurrently on one GPU within a time budget; return the best compactly.

Run by ``scripts/gpu_train.sh`` on the device machine (or on CPU with ``--smoke`` to check it).
Each run is a subprocess (``--one NAME``) training ``configs/minilm-l6.yaml`` with its overrides
into ``WORK/NAME``. Afterwards the driver writes to ``OUT``:

- ``results.json``: GPU, timings, per-epoch metrics of every run, the winner, the HF config;
- ``val_preds.npz``: validation labels and each run's best-epoch probabilities;
- ``weights_NN.safetensors``: the winner's weights in float16, tensors over 7 MB split by rows,
  files under 15 MB (the device tool's limits); ``scripts/gpu_fetch.py`` reassembles them.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

RUNS = {  # name -> config overrides
    "bce_lr5e-5": {"loss": "bce", "learning_rate": 5e-5},
    "wbce_lr5e-5": {"loss": "weighted_bce", "learning_rate": 5e-5},
    "bce_lr1e-4": {"loss": "bce", "learning_rate": 1e-4},
    # second call (longer schedule after the first showed AUC still rising at epoch 3)
    "bce_lr1e-4_e5": {"loss": "bce", "learning_rate": 1e-4, "epochs": 5, "patience": 5},
    "wbce_lr1e-4_e5": {"loss": "weighted_bce", "learning_rate": 1e-4, "epochs": 5, "patience": 5},
    "bce_lr2e-4_e5": {"loss": "bce", "learning_rate": 2e-4, "epochs": 5, "patience": 5},
}
PART_BYTES, FILE_BYTES = 7_000_000, 15_000_000


def run_one(name: str, args: argparse.Namespace) -> None:
    from cleanspeech.training.config import TrainConfig
    from cleanspeech.training.trainer import train

    over = {**RUNS[name], "model_name_or_path": args.base, "train_path": args.data,
            "time_budget_s": args.budget, "progress_bar": False}
    if args.smoke:
        over.update(max_train_rows=64, max_steps=3, epochs=2, mixed_precision="no", eval_batch_size=16)
    cfg = TrainConfig.from_yaml(args.config).with_overrides(over)
    train(cfg, Path(args.work) / name, resume=True)


def split_state(state: dict) -> list[dict]:
    """Float16 tensors, big ones cut by rows into ``name@@k@@n`` parts, packed into files."""
    parts: dict = {}
    for name, t in state.items():
        t = t.half().contiguous() if t.is_floating_point() else t.contiguous()
        n = max(1, -(-t.numel() * t.element_size() // PART_BYTES))
        if n == 1:
            parts[name] = t
        else:
            for k, chunk in enumerate(t.chunk(n, dim=0)):
                parts[f"{name}@@{k}@@{n}"] = chunk.contiguous()
    files, cur, size = [], {}, 0
    for name, t in parts.items():
        nb = t.numel() * t.element_size()
        if cur and size + nb > FILE_BYTES:
            files.append(cur)
            cur, size = {}, 0
        cur[name], size = t, size + nb
    return files + [cur]


def collect(args: argparse.Namespace, started: float, codes: dict) -> None:
    import torch
    from safetensors.torch import load_file, save_file

    out, work = Path(args.out), Path(args.work)
    results = {"device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
               "torch": torch.__version__, "wall_seconds": round(time.time() - started, 1),
               "exit_codes": codes, "runs": {}}
    preds = {}
    for name in args.runs.split(","):
        summ = work / name / "summary.json"
        best = work / name / "best"
        if summ.exists():
            results["runs"][name] = json.loads(summ.read_text())
        elif (work / name / "checkpoint" / "trainer_state.json").exists():
            results["runs"][name] = json.loads((work / name / "checkpoint" / "trainer_state.json").read_text())
        if (best / "val_predictions.npz").exists():
            z = np.load(best / "val_predictions.npz")
            preds[name], preds["labels"] = z["probs"], z["labels"]
    scored = {n: r["best_metric"] for n, r in results["runs"].items() if n in preds}
    if scored:
        winner = max(scored, key=scored.get)
        results["winner"], results["scores"] = winner, scored
        best = work / winner / "best"
        results["hf_config"] = json.loads((best / "config.json").read_text())
        results["metrics"] = json.loads((best / "metrics.json").read_text())
        for i, part in enumerate(split_state(load_file(str(best / "model.safetensors")))):
            save_file(part, str(out / f"weights_{i:02d}.safetensors"))
        np.savez_compressed(out / "val_preds.npz", **preds)
    (out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps({"winner": results.get("winner"), "scores": scored}, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="configs/minilm-l6.yaml")
    ap.add_argument("--base", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--work", default="/tmp/cs_runs")
    ap.add_argument("--budget", type=float, default=300.0, help="seconds of training per run")
    ap.add_argument("--runs", default=",".join(RUNS))
    ap.add_argument("--one")
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    if args.one:
        return run_one(args.one, args)
    started = time.time()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    procs = {}
    for name in args.runs.split(","):
        log = open(Path(args.out) / f"log_{name}.txt", "w") if args.smoke else open(f"/tmp/log_{name}.txt", "w")
        cmd = [sys.executable, __file__, "--one", name, "--base", args.base, "--data", args.data,
               "--out", args.out, "--work", args.work, "--budget", str(args.budget), "--config", args.config]
        procs[name] = subprocess.Popen(cmd + (["--smoke"] if args.smoke else []), stdout=log,
                                       stderr=subprocess.STDOUT, env=os.environ.copy())
    codes = {}
    for name, p in procs.items():
        try:
            codes[name] = p.wait(timeout=max(1.0, args.budget + 110 - (time.time() - started)))
        except subprocess.TimeoutExpired:
            p.kill()
            codes[name] = "killed"
    for name in procs:  # the tail of each log, for the caller
        log = Path(f"/tmp/log_{name}.txt")
        if log.exists():
            print(f"--- {name}\n" + "\n".join(log.read_text().splitlines()[-6:]))
    collect(args, started, codes)


if __name__ == "__main__":
    main()
