"""Comments/s of linear, transformer, full route and cascade on one natural-rate sample, idle
and beside a busy process, with macro ROC-AUC on the same rows.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_throughput.py --model default

The sample: the test part of the project split with toxic rows subsampled so that ~9.6% are
toxic (natural Jigsaw rate). "busy" runs a CPU-bound process on one core during the timing.
Each model is timed ``--repeats`` times per condition, rounds interleaved across models so a
slow spell of the shared machine hits all of them, and the fastest time is kept (one run moved
the cascade/linear ratio by ~10% between two back-to-back runs).
"cli" times whole `cleanspeech predict` processes on the same sample written as a CSV (idle): the
wall time the issue's acceptance compares, start-up and model load included.
Results: bench/results/throughput.json and .md (machine and date inside).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.data import project_split, read_jigsaw
from cleanspeech.evaluation.bootstrap import weighted_macro_auc
from cleanspeech.evaluation.calibration import NATURAL_PREVALENCE
from cleanspeech.labels import LABELS
from cleanspeech.models.registry import load_model
from load import machine  # bench/load.py: CPU model, cores, load average

RESULTS = Path(__file__).parent / "results"


def natural_rate(part: pd.DataFrame, seed: int, n: int | None = None) -> pd.DataFrame:
    """Rows of ``part`` at the natural toxic rate, shuffled: every non-toxic row and as many toxic
    ones as that rate asks for, or (``n``) ``n`` rows in all."""
    pos, neg = part[part["toxic"] == 1], part[part["toxic"] == 0]
    rate = NATURAL_PREVALENCE["toxic"]
    if n is None:
        n_pos = int(round(len(neg) * rate / (1 - rate)))
    else:
        n_pos = int(round(n * rate))
        neg = neg.sample(n=n - n_pos, random_state=seed)
    return pd.concat([neg, pos.sample(n=n_pos, random_state=seed)]).sample(frac=1, random_state=seed)


def natural_sample(split) -> tuple[list[str], np.ndarray]:
    """The test part at the natural toxic rate: texts and ``(n, 6)`` labels."""
    sample = natural_rate(split.test, seed=0)
    return sample["comment_text"].tolist(), sample[list(LABELS)].to_numpy().astype(np.int8)


def natural_train_texts(split, n: int) -> list[str]:
    """``n`` comments of the training part at the natural toxic rate: a stream as large as the
    issue's sealed one (14,950) for the whole-process timing; no labels are used."""
    return natural_rate(split.train, seed=1, n=n)["comment_text"].tolist()


def _spin(stop) -> None:
    x = 0
    while not stop.is_set():
        x = (x * 31 + 7) % 1000003


def timed(model, texts) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    probs = model.predict_proba(texts)
    return probs, time.perf_counter() - t0


def cli_seconds(model: str, csv: Path, out: Path) -> float:
    """Wall time of a whole ``cleanspeech predict`` process (start-up, load, read, score, write):
    what a user running the CLI waits for, and what the issue's acceptance compares."""
    cli = Path(sys.executable).with_name("cleanspeech")
    t0 = time.perf_counter()
    subprocess.run([str(cli), "predict", str(csv), "-o", str(out), "--model", model], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=os.environ | {"HF_HUB_OFFLINE": "1"})
    return time.perf_counter() - t0


def cli_rows(texts: list[str], models: dict[str, str], repeats: int, condition: str = "cli") -> list[dict]:
    """Fastest of ``repeats`` interleaved ``predict`` runs per model, idle."""
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "sample.csv"
        pd.DataFrame({"id": range(len(texts)), "comment_text": texts}).to_csv(csv, index=False)
        best: dict[str, float] = {}
        for _ in range(repeats):
            for name, model in models.items():
                secs = cli_seconds(model, csv, Path(tmp) / f"{name}.csv")
                best[name] = min(secs, best.get(name, secs))
    rows = [{"condition": condition, "model": name, "n": len(texts), "seconds": secs, "repeats": repeats,
             "comments_per_s": len(texts) / secs} for name, secs in best.items()]
    for row in rows:
        print(json.dumps(row), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", default="../shared/data/jigsaw/train.csv.gz")
    ap.add_argument("--model", default="default", help="a cascade model folder or name")
    ap.add_argument("--out", default=str(RESULTS / "throughput"))
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--linear", default="linear", help="the linear model the CLI run compares with")
    ap.add_argument("--cli-n", type=int, default=14950,
                    help="also time whole predict runs on this many training-part comments (0: skip)")
    args = ap.parse_args()
    split = project_split(read_jigsaw(args.train, require_labels=True))
    texts, y = natural_sample(split)
    t0 = time.perf_counter()
    cascade = load_model(args.model)
    load_s = time.perf_counter() - t0
    full = load_model(args.model, route_all=True)
    models = {"linear": cascade.fast, "transformer": cascade.slow, "full_route": full,
              "cascade": cascade}
    rows = []
    for condition in ("idle", "busy"):
        stop = mp.Event()
        busy = mp.Process(target=_spin, args=(stop,)) if condition == "busy" else None
        if busy:
            busy.start()
        try:
            best: dict[str, tuple[np.ndarray, float]] = {}
            for _ in range(args.repeats):
                for name, model in models.items():
                    probs, secs = timed(model, texts)
                    if name not in best or secs < best[name][1]:
                        best[name] = (probs, secs)
            for name, model in models.items():
                probs, secs = best[name]
                row = {"condition": condition, "model": name, "n": len(texts), "seconds": secs,
                       "repeats": args.repeats,
                       "comments_per_s": len(texts) / secs,
                       "macro_roc_auc": weighted_macro_auc(y, probs)}
                if name == "cascade":  # routing is returned, not kept on the model: one more call
                    row["routed_share"] = float(model.predict_proba_routed(texts)[1].mean())
                rows.append(row)
                print(json.dumps(row), flush=True)
        finally:
            stop.set()
            if busy:
                busy.join()
    rows += cli_rows(texts, {"linear": args.linear, "cascade": args.model}, args.repeats)
    if args.cli_n:
        rows += cli_rows(natural_train_texts(split, args.cli_n), {"linear": args.linear, "cascade": args.model},
                         2, condition=f"cli {args.cli_n:,}")
    meta = machine() | {"date": dt.date.today().isoformat(), "cascade_load_seconds": load_s,
                        "toxic_rate": float(y[:, 0].mean())}
    write(rows, args.out, meta)


def _share(row: dict) -> str:
    return f"{row['routed_share']:.1%}" if "routed_share" in row else "—"


def write(rows: list[dict], out: str, meta: dict) -> None:
    by = {(r["condition"], r["model"]): r for r in rows}
    conditions = dict.fromkeys(r["condition"] for r in rows)
    ratios = {c: by[(c, "cascade")]["seconds"] / by[(c, "linear")]["seconds"]
              for c in conditions if (c, "cascade") in by and (c, "linear") in by}
    speedup = {c: by[(c, "full_route")]["seconds"] / by[(c, "cascade")]["seconds"] for c in ("idle", "busy")}
    data = {"machine": meta, "rows": rows, "cascade_time_over_linear": ratios,
            "cascade_speedup_over_full_route": speedup}
    Path(out).with_suffix(".json").write_text(json.dumps(data, indent=2) + "\n")
    lines = [f"# Throughput on a natural-rate sample ({rows[0]['n']} test comments, "
             f"toxic {meta['toxic_rate']:.3f})", "",
             f"{meta['cpu']}, {meta['cpu_count']} cores, {meta['date']}, load average at start "
             f"{meta['load_average_at_start'][0]:.1f}. Model load (cascade): {meta['cascade_load_seconds']:.1f} s.", "",
             f"Fastest of {rows[0].get('repeats', 1)} interleaved runs per model and condition.", "",
             "| condition | model | comments/s | seconds | macro ROC-AUC | routed |", "|---|---|---|---|---|---|"]
    for r in rows:
        auc = f"{r['macro_roc_auc']:.4f}" if "macro_roc_auc" in r else "—"
        lines.append(f"| {r['condition']} | {r['model']} | {r['comments_per_s']:.1f} | {r['seconds']:.1f} | "
                     f"{auc} | {_share(r)} |")
    big = [c for c in ratios if c.startswith("cli ")]
    cli = (f" `predict` CLI, whole process (start-up, load, read, score, write; 'cli' rows): "
           f"{ratios['cli']:.1f}x" if "cli" in ratios else "")
    cli += "".join(f"; on {c[4:]} training-part comments at the natural rate (the size of the issue's "
                   f"sealed stream): {ratios[c]:.1f}x" for c in big) + ("." if cli or big else "")
    lines += ["", f"Cascade time / linear time, scoring only: idle {ratios['idle']:.1f}x, "
              f"busy {ratios['busy']:.1f}x.{cli} "
              f"Cascade speed-up over the full route: idle {speedup['idle']:.2f}x, busy {speedup['busy']:.2f}x.",
              "", "Reproduce: `HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_throughput.py --model default`."]
    Path(out).with_suffix(".md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
