"""Mean caught / passed / balanced accuracy of "any label flagged" over a use's sets, from a
``bench_sources.py`` JSON (the sets where both classes are present):

    .venv/bin/python bench/sources_rates.py runs/mlm/sources_heldout.json [--use train]
"""

from __future__ import annotations

import argparse
import json

import numpy as np


def rates(per: dict, use: str = "train") -> dict[str, float]:
    """Means over ``per``'s sets of ``use`` (``results[model]`` of a bench_sources JSON)."""
    caught, passed = [], []
    for r in per.values():
        a = r["any"]
        if r["use"] != use or a.get("recall") is None or a.get("false_flag_rate") is None:
            continue
        caught.append(a["recall"])
        passed.append(1.0 - a["false_flag_rate"])
    return {"sets": len(caught), "caught": float(np.mean(caught)), "passed": float(np.mean(passed)),
            "balanced": float(np.mean([(c + p) / 2 for c, p in zip(caught, passed)]))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("json", nargs="+")
    ap.add_argument("--use", default="train", choices=("train", "eval"))
    args = ap.parse_args()
    for path in args.json:
        for model, per in json.load(open(path))["results"].items():
            r = rates(per, args.use)
            print(f"{path} {model}: {r['sets']} sets, caught {r['caught']:.3f}, passed {r['passed']:.3f}, "
                  f"balanced {r['balanced']:.3f}")


if __name__ == "__main__":
    main()
