"""Is a rewrite variant's change larger than the noise of the pairs it was measured on?

    python bench/compare_rewrite_rows.py BASE.jsonl VARIANT.jsonl [--out bench/results/NAME]

Both files come from ``bench/bench_rewrite.py --rows`` on the same pairs (same order). For the
judge's STA, J and n-gram fluency the report gives each side's mean, the paired difference and
its 95% bootstrap interval (resampling pairs, seeded), and how many outputs changed at all. On
300 dev pairs a variant usually changes a few dozen outputs, so a difference of 0.01 is often
inside its interval: a rule that asks for a gain should ask for one the interval can see.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from cleanspeech.data.io import write_text_atomic

MEASURES = (("judge_civil", "STA (judge)"), ("J", "J (judge)"), ("fluent_ngram", "fluent (n-gram)"))
RESAMPLES = 5000
SEED = 0


def read_rows(path: str | Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def compare(base: list[dict], variant: list[dict], resamples: int = RESAMPLES, seed: int = SEED) -> dict:
    """Means, paired differences and 95% bootstrap intervals of :data:`MEASURES`."""
    if [r["input"] for r in base] != [r["input"] for r in variant]:
        raise ValueError("the two row files are not the same pairs in the same order")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(base), size=(resamples, len(base)))
    out = {"pairs": len(base), "changed": sum(a["rewrite"] != b["rewrite"] for a, b in zip(base, variant)),
           "measures": {}}
    for key, name in MEASURES:
        if key not in base[0] or key not in variant[0]:
            continue
        a = np.array([float(r[key]) for r in base])
        b = np.array([float(r[key]) for r in variant])
        d = b - a
        lo, hi = np.percentile(d[idx].mean(axis=1), [2.5, 97.5])
        out["measures"][name] = {"base": round(float(a.mean()), 4), "variant": round(float(b.mean()), 4),
                                 "difference": round(float(d.mean()), 4), "ci95": [round(float(lo), 4),
                                                                                   round(float(hi), 4)]}
    return out


def to_markdown(res: dict, base: str, variant: str) -> str:
    lines = ["# Paired comparison of two rewrite runs", "",
             f"Base `{base}`, variant `{variant}`: {res['pairs']} pairs, {res['changed']} outputs changed. "
             f"95% intervals from {RESAMPLES} bootstrap resamples of the pairs (seed {SEED}).", "",
             "| measure | base | variant | difference | 95% interval |", "|---|---|---|---|---|"]
    for name, m in res["measures"].items():
        lines.append(f"| {name} | {m['base']:.3f} | {m['variant']:.3f} | {m['difference']:+.4f} | "
                     f"[{m['ci95'][0]:+.4f}, {m['ci95'][1]:+.4f}] |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("variant")
    ap.add_argument("--out", default=None, help="write OUT.json and OUT.md too")
    args = ap.parse_args()
    res = compare(read_rows(args.base), read_rows(args.variant))
    md = to_markdown(res, args.base, args.variant)
    if args.out:
        write_text_atomic(json.dumps(res, indent=2) + "\n", f"{args.out}.json")
        write_text_atomic(md, f"{args.out}.md")
    print(md)


if __name__ == "__main__":
    main()
