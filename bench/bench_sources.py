"""Cross-source evaluation: how a model does on human-labelled data from other sites.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_sources.py --model default --model linear

For each source (``cleanspeech.data.sources``): the ``test`` split of each eval-only set (all its
rows where it has none) and the held-out part of each train set, subsampled to at most
``--max-rows`` rows (seed 0). Two questions per set, each at the shipped operating point
(flagged = score at or over ``moderator.thresholds``):

- **any**: the source's own target (abusive / offensive / hateful) against "any label flagged";
  ROC-AUC ranks by the highest of the six scores;
- **identity_hate**: the source's identity_hate (where it says anything) against the
  identity_hate score and flag.

Reported per set: n, positive rate, ROC-AUC (n/a with one class), accuracy, recall (flag rate on
positives), false-flag rate (on negatives). Writes bench/results/sources.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from cleanspeech.data.sources import SOURCES, SourceFrame, load_source
from cleanspeech.labels import LABEL2ID
from cleanspeech.pipeline import Moderator

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
IDENTITY = LABEL2ID["identity_hate"]


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.processor() or 'cpu'}"


def sampled_index(rows, max_rows: int, seed: int):
    """The index of the rows :func:`eval_rows` keeps of ``rows`` (all, or a seeded draw)."""
    return rows.index if len(rows) <= max_rows else rows.sample(n=max_rows, random_state=seed).index


def eval_rows(src: SourceFrame, max_rows: int, seed: int):
    rows = src.eval_rows()
    if len(rows) > max_rows:
        rows = rows.loc[sampled_index(rows, max_rows, seed)].sort_index().reset_index(drop=True)
    return rows


def binary_metrics(y: np.ndarray, score: np.ndarray, flagged: np.ndarray) -> dict:
    """Metrics over the rows where ``y`` is known (not NaN); ``score`` ranks, ``flagged`` decides."""
    known = ~np.isnan(y)
    y, score, flagged = y[known].astype(int), score[known], flagged[known]
    out: dict = {"n": int(len(y))}
    if not len(y):
        return out
    pos, neg = y == 1, y == 0
    out["positive_rate"] = float(pos.mean())
    out["auc"] = float(roc_auc_score(y, score)) if pos.any() and neg.any() else None
    out["accuracy"] = float((flagged == pos).mean())
    out["recall"] = float(flagged[pos].mean()) if pos.any() else None
    out["false_flag_rate"] = float(flagged[neg].mean()) if neg.any() else None
    return out


def measure(moderator: Moderator, src: SourceFrame, max_rows: int, seed: int) -> dict:
    rows = eval_rows(src, max_rows, seed)
    t0 = time.perf_counter()
    scores = moderator.scores(rows["text"].tolist())
    seconds = time.perf_counter() - t0
    thr = np.asarray(moderator.thresholds)
    flags = scores >= thr[None, :]
    return {
        "use": src.use, "part": "test" if src.use == "eval" and (src.frame["split"] == "test").any()
        else ("all" if src.use == "eval" else "held-out"),
        "rows_available": int(len(src.eval_rows())), "seconds": round(seconds, 1),
        "any": binary_metrics(rows["target"].to_numpy(float), scores.max(axis=1), flags.any(axis=1)),
        "identity_hate": binary_metrics(rows["identity_hate"].to_numpy(float), scores[:, IDENTITY],
                                        flags[:, IDENTITY]),
    }


def _f(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def summary(per: dict) -> dict:
    """Unweighted mean ROC-AUC over the sets where it is defined, per task and per use."""
    out = {}
    for use in ("eval", "train"):
        for task in ("any", "identity_hate"):
            aucs = [r[task]["auc"] for r in per.values() if r["use"] == use and r[task].get("auc") is not None]
            out[f"{use}/{task}"] = {"mean_auc": float(sum(aucs) / len(aucs)) if aucs else None, "sets": len(aucs)}
    return out


def to_markdown(results: dict, meta: dict) -> str:
    lines = ["# Cross-source evaluation", "",
             f"{meta['date']}, {meta['machine']}. Command: `{meta['command']}`.", "",
             "Each eval-only set's test split (all rows where it has none) and each train set's "
             f"held-out part, at most {meta['max_rows']} rows per set (seed {meta['seed']}). Flagged = "
             "any label at or over the model's thresholds; AUC ranks by the highest score. "
             "`identity_hate` rows: the source's own identity_hate, where it says anything. "
             "Mappings: docs/sources.md.", "",
             "Mean ROC-AUC over sets (unweighted; sets with one class left out):", "",
             "| model | eval sets: any | eval sets: identity_hate | held-out train sets: any | "
             "held-out train sets: identity_hate |", "|---|---|---|---|---|"]
    for model, per in results.items():
        s = summary(per)
        cells = [f"{_f(s[k]['mean_auc'])} ({s[k]['sets']})" for k in
                 ("eval/any", "eval/identity_hate", "train/any", "train/identity_hate")]
        lines.append(f"| `{model}` | " + " | ".join(cells) + " |")
    lines.append("")
    for model, per in results.items():
        lines += [f"## `{model}`", "",
                  "| source | use | part | task | n | pos. rate | ROC-AUC | accuracy | recall | false-flag rate |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for name, r in per.items():
            for task in ("any", "identity_hate"):
                m = r[task]
                if not m.get("n"):
                    continue
                lines.append(f"| {name} | {r['use']} | {r['part']} | {task} | {m['n']} | "
                             f"{_f(m['positive_rate'])} | {_f(m['auc'])} | {_f(m['accuracy'])} | "
                             f"{_f(m['recall'])} | {_f(m['false_flag_rate'])} |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", action="append", help="shipped name or model folder (repeatable)")
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--sources", nargs="*", default=list(SOURCES))
    ap.add_argument("--max-rows", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(OUT / "sources"), help="path stem for .json and .md")
    args = ap.parse_args(argv)
    models = args.model or ["default"]
    sources = {name: load_source(name, args.data_dir) for name in args.sources}
    results: dict = {}
    for model in models:
        moderator = Moderator.load(model)
        results[model] = {}
        for name, src in sources.items():
            results[model][name] = measure(moderator, src, args.max_rows, args.seed)
            print(model, name, json.dumps(results[model][name]), flush=True)
    meta = {"date": dt.date.today().isoformat(), "machine": machine(), "max_rows": args.max_rows,
            "seed": args.seed, "command": " ".join([".venv/bin/python", "bench/bench_sources.py",
                                                     *map(shlex.quote, sys.argv[1:] if argv is None else argv)])}
    out = Path(args.out)
    write(out, results, meta)


def write(out: Path, results: dict, meta: dict) -> None:
    summaries = {model: summary(per) for model, per in results.items()}
    out.with_suffix(".json").write_text(json.dumps({"meta": meta, "summary": summaries, "results": results},
                                                   indent=1) + "\n")
    out.with_suffix(".md").write_text(to_markdown(results, meta) + "\n")
    print(f"wrote {out.with_suffix('.md')}")


if __name__ == "__main__":
    main()
