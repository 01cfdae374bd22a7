"""Latency of one rewrite with the default settings, and batch throughput: what a moderator
waits for after pressing "rewrite" (issue: median single-comment rewrite <= 1.5 s on 2 cores).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_rewrite_speed.py [--n 60] [--threads 2]

The inputs are the first ``--n`` toxic sentences of the ParaDetox dev split (10%, seed 43, of
the training 90%; the held-out 10% is never read). Everything loads and one comment is
rewritten before the clock starts (the server and UI warm up at start-up the same way). Then
each comment is rewritten alone, ``Moderator.rewrite(text)``, as the UI and the HTTP API do;
then all of them in one call (the CLI's batch path). Both runs with the generator (the default
where it is installed) and without it (``generator=None``: the offline edits alone).
Writes bench/results/rewrite_speed.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from cleanspeech.data.io import write_text_atomic
from cleanspeech.pipeline import Moderator
from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX, read_pairs, split_pairs

OUT = Path(__file__).resolve().parent / "results"


def dev_sentences(n: int) -> list[str]:
    train, _held = split_pairs(read_pairs(DEFAULT_PARADETOX))
    _fit, dev = split_pairs(train, seed=43)
    return [p.toxic for p in dev[:n]]


def timed(mod: Moderator, texts: list[str], generator: str | None) -> dict:
    mod.rewrite(texts[:1], generator=generator)  # warm: loads happen before the clock
    single = []
    for t in texts:
        t0 = time.perf_counter()
        mod.rewrite(t, generator=generator)
        single.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    res = mod.rewrite(texts, generator=generator)
    batch = time.perf_counter() - t0
    s = np.array(single)
    return {"median_s": round(float(np.median(s)), 3), "p90_s": round(float(np.percentile(s, 90)), 3),
            "max_s": round(float(s.max()), 3), "batch_s": round(batch, 2),
            "batch_per_s": round(len(texts) / batch, 2),
            "generator_won": sum(r.method.startswith("generator") for r in res)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=str(OUT / "rewrite_speed"))
    args = ap.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    texts = dev_sentences(args.n)
    mod = Moderator.load("default")
    runs = {"default (generator)": timed(mod, texts, "auto"), "offline edits only": timed(mod, texts, None)}
    res = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "machine": f"{platform.machine()} ({platform.system()}), {args.threads} torch threads, CPU",
           "python": sys.version.split()[0], "command": "bench/bench_rewrite_speed.py " + " ".join(sys.argv[1:]),
           "n": len(texts), "runs": runs}
    lines = [f"# Rewrite latency ({res['date']})", "", f"{res['machine']}; {len(texts)} ParaDetox dev toxic "
             f"sentences, each rewritten alone (warm process), then all in one call.", "",
             f"Command: `HF_HUB_OFFLINE=1 .venv/bin/python {res['command']}`", "",
             "| settings | median (s) | p90 (s) | max (s) | batch (comments/s) | generator's rewrite chosen |",
             "|---|---|---|---|---|---|"]
    for name, r in runs.items():
        lines.append(f"| {name} | {r['median_s']} | {r['p90_s']} | {r['max_s']} | {r['batch_per_s']} | "
                     f"{r['generator_won']}/{len(texts)} |")
    write_text_atomic(json.dumps(res, indent=2) + "\n", f"{args.out}.json")
    write_text_atomic("\n".join(lines) + "\n", f"{args.out}.md")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
