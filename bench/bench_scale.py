"""Scale bench: peak memory and comments/s of `cleanspeech predict` at 10k, 100k and 1M rows.

Synthetic input files are built by sampling (with replacement, seed 0) the comments of
``train.csv.gz`` and written to a temporary folder (never committed). Each case runs the real CLI
in a fresh subprocess; peak RSS is the highest sum of RSS over that process and all its
descendants (Ray's raylet, GCS and workers included), sampled every 0.2 s. Ray outputs are
compared byte for byte with the local output of the same file.

    nice -n 10 python bench/bench_scale.py                      # all cases (long on 2 cores)
    python bench/bench_scale.py --sizes 10000 --engines local   # one quick case

Results are merged into bench/results/scale.json case by case (a rerun skips finished cases
unless --force) and summarised in bench/results/scale.md.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import hashlib
import json
import os
import platform
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
CLUSTER = False  # --cluster: keep RAY_ADDRESS so that Ray cases run on that cluster
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "jigsaw" / "train.csv.gz"


def machine() -> dict:
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next((ln.split(":", 1)[1].strip() for ln in out.splitlines()
                      if ln.startswith("Model name")), "")
    except OSError:
        pass
    return {"cpu": model or platform.processor(), "cores": os.cpu_count(),
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "note": "CPU shared with other jobs"}


def train_comments(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return [row["comment_text"] for row in reader]


def make_input(comments: list[str], rows: int, folder: Path) -> Path:
    path = folder / f"synthetic_{rows}.csv"
    if path.exists():
        return path
    rng = np.random.default_rng(0)
    tmp = path.with_suffix(".part")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "comment_text"])
        for start in range(0, rows, 100_000):
            picks = rng.integers(0, len(comments), size=min(100_000, rows - start))
            writer.writerows((f"s{start + k:08d}", comments[p]) for k, p in enumerate(picks))
    tmp.rename(path)
    return path


def tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def rows_from_progress(log: str) -> int:
    """The row count of the last progress line ("predict: 12,288 rows, ...")."""
    found = re.findall(r"predict: ([\d,]+) rows", log)
    return int(found[-1].replace(",", "")) if found else 0


def run_case(input_path: Path, output: Path, engine: str, workers: int, model: str,
             max_seconds: float | None = None) -> dict:
    cmd = [sys.executable, "-c", "from cleanspeech.cli import app; app()", "predict", "--model", model, str(input_path),
           "-o", str(output), "--engine", engine, "--progress-every", "10"]
    if engine == "ray":
        cmd += ["--workers", str(workers)]
    env = dict(os.environ)
    if not CLUSTER:
        env.pop("RAY_ADDRESS", None)  # a local Ray, started by the command itself
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ps, peak = psutil.Process(proc.pid), 0
    stopped = False
    while proc.poll() is None:
        peak = max(peak, tree_rss(ps))
        if max_seconds and not stopped and time.perf_counter() - start > max_seconds:
            proc.send_signal(signal.SIGINT)  # as Ctrl-C: the CLI must remove its temporary output
            stopped = True
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    log = proc.stdout.read()
    if stopped:
        rows = rows_from_progress(log)
        leftovers = [p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}.")]
        return {"completed": False, "stopped_after_s": round(elapsed, 1), "rows_scored": rows,
                "comments_per_s": round(rows / elapsed, 1), "peak_rss_mb": round(peak / 2**20),
                "output_written": output.exists(), "temporary_files_left": leftovers,
                "command": " ".join(["cleanspeech", *cmd[3:]])}
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{log[-3000:]}")
    rows = sum(1 for _ in open(output, encoding="utf-8")) - 1
    return {"completed": True, "seconds": round(elapsed, 1), "rows_out": rows, "comments_per_s": round(rows / elapsed, 1),
            "peak_rss_mb": round(peak / 2**20), "sha256": hashlib.sha256(output.read_bytes()).hexdigest(),
            "command": " ".join(["cleanspeech", *cmd[3:]])}


def write_markdown(results: dict) -> None:
    m = results["machine"]
    lines = [f"# Scale bench ({results['date']})", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GB RAM ({m['note']}). "
             f"Model: `{results['model']}`. Command: `python bench/bench_scale.py`.", "",
             "Peak RSS = highest sampled sum over the CLI process and all its descendants "
             "(for Ray: driver, GCS, raylet and workers). Time includes start-up (model load; "
             "for Ray also starting the local cluster).", "",
             "| rows | engine | workers | seconds | comments/s | peak RSS (MB) | output = local |",
             "|---:|---|---:|---:|---:|---:|---|"]
    for key in sorted(results["cases"], key=lambda k: (int(k.split("/")[0]), k)):
        c = results["cases"][key]
        rows, engine, workers = key.split("/")
        local = results["cases"].get(f"{rows}/local/1")
        same = ("—" if engine == "local" or not local or "sha256" not in local
                else "yes" if local["sha256"] == c["sha256"] else "NO")
        seconds = c["seconds"] if c.get("completed", True) else (
            f"stopped at {c['stopped_after_s']} after {c['rows_scored']:,} rows")
        lines.append(f"| {int(rows):,} | {engine} | {workers if engine == 'ray' else '—'} | "
                     f"{seconds} | {c['comments_per_s']:,.0f} | {c['peak_rss_mb']:,} | {same} |")
    lines += ["", *results.get("notes", [])]
    stopped = [k for k, c in results["cases"].items() if not c.get("completed", True)]
    for key in stopped:
        c = results["cases"][key]
        lines.append(f"- {key}: stopped with SIGINT after --max-seconds; rows and rate from its last "
                     f"progress line; peak RSS over those rows. Output written: "
                     f"{c['output_written']}, temporary files left: {c['temporary_files_left'] or 'none'}"
                     " (the atomic writer's clean-up on Ctrl-C).")
    (RESULTS / "scale.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--engines", nargs="+", default=["local", "ray1", "ray2"])
    ap.add_argument("--ray-max-rows", type=int, default=100_000,
                    help="skip Ray above this size (1M rows on Ray takes too long on 2 shared cores)")
    ap.add_argument("--model", default="linear")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "cleanspeech_scale")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--max-seconds", type=float, default=None,
                    help="stop a case after this long (SIGINT) and record a partial result")
    ap.add_argument("--cluster", action="store_true",
                    help="keep RAY_ADDRESS: Ray cases join that cluster instead of a local Ray")
    args = ap.parse_args()
    global CLUSTER
    CLUSTER = args.cluster

    RESULTS.mkdir(parents=True, exist_ok=True)
    out_json = RESULTS / "scale.json"
    results = json.loads(out_json.read_text()) if out_json.exists() else {"cases": {}}
    results.update({"machine": machine(), "date": dt.date.today().isoformat(), "model": args.model,
                    "data": "comments sampled with replacement (seed 0) from train.csv.gz"})
    results["notes"] = [f"- Ray runs only up to {args.ray_max_rows:,} rows: the 1M-row Ray cases take "
                        "too long on 2 shared cores."] if args.ray_max_rows < max(args.sizes) else []
    args.workdir.mkdir(parents=True, exist_ok=True)
    comments = train_comments(args.data)
    for rows in args.sizes:
        input_path = make_input(comments, rows, args.workdir)
        for name in args.engines:
            engine, workers = ("ray", int(name[3:] or 2)) if name.startswith("ray") else ("local", 1)
            key = f"{rows}/{engine}/{workers}"
            if (engine == "ray" and rows > args.ray_max_rows) or (key in results["cases"] and not args.force):
                continue
            print(f"{key} ...", flush=True)
            results["cases"][key] = run_case(input_path, args.workdir / f"out_{key.replace('/', '_')}.csv",
                                             engine, workers, args.model, args.max_seconds)
            print(json.dumps(results["cases"][key]), flush=True)
            out_json.write_text(json.dumps(results, indent=2) + "\n")
            write_markdown(results)


if __name__ == "__main__":
    main()
