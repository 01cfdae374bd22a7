"""Issue 32's candidate rule (stops 45-47), read from the files a chain wrote, for one or more tags.

    .venv/bin/python scripts/experiments/verdict.py md6 md7 md8 md6s md6j

For each TAG: bench/results/compare_TAG.json (Jigsaw dev / test against shipped),
bench/results/behaviour_TAG.json (our suite) and bench/results/sources_heldout_TAG.json (the
held-out parts of the train sources), as ``cascade_chain.sh`` leaves them. The bars are the rule written
before stop 45's first candidate; shipped's figures are the ones it was written from.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
from sources_rates import rates  # noqa: E402

SHIPPED = {"any": 0.788, "ih": 0.822, "passed": 0.816}
BARS = {  # name: (description, test)
    "a": ("Jigsaw dev paired >= -0.0005", lambda f: f["dev"] >= -0.0005),
    "d": ("Jigsaw test >= 0.9855", lambda f: f["test"] >= 0.9855),
    "b": ("held-out any >= shipped + 0.008, ih >= shipped - 0.005",
          lambda f: f["any"] >= SHIPPED["any"] + 0.008 and f["ih"] >= SHIPPED["ih"] - 0.005),
    "c1": ("held-out balanced >= 0.745, passed >= shipped - 0.01",
           lambda f: f["balanced"] >= 0.745 and f["passed"] >= SHIPPED["passed"] - 0.01),
    "c2": ("suite caught >= 0.78, passed >= 0.70", lambda f: f["s_caught"] >= 0.78 and f["s_passed"] >= 0.70),
}


def figures(tag: str) -> dict[str, float]:
    compare = json.loads((ROOT / "bench/results" / f"compare_{tag}.json").read_text())
    suite = json.loads((ROOT / "bench/results" / f"behaviour_{tag}.json").read_text())["overall"]
    sources = json.loads((ROOT / "bench/results" / f"sources_heldout_{tag}.json").read_text())
    (model, summary), = sources["summary"].items()
    r = rates(sources["results"][model], "train")
    return {"dev": compare["dev"]["new_minus_old"]["delta"], "test": compare["test"]["new_macro_roc_auc"],
            "any": summary["train/any"]["mean_auc"], "ih": summary["train/identity_hate"]["mean_auc"],
            "caught": r["caught"], "passed": r["passed"], "balanced": r["balanced"],
            "s_caught": suite["hateful_caught"], "s_passed": suite["non_hateful_passed"], "s_acc": suite["accuracy"]}


def main(tags: list[str]) -> None:
    print("| candidate | (a) dev | (d) test | (b) any / ih | (c1) caught / passed (bal.) | (c2) suite caught / passed (acc.) | fails |")
    print("|---|---|---|---|---|---|---|")
    for tag in tags:
        f = figures(tag)
        fails = [name for name, (_, test) in BARS.items() if not test(f)]
        print(f"| {tag} | {f['dev']:+.5f} | {f['test']:.5f} | {f['any']:.3f} / {f['ih']:.3f} | "
              f"{f['caught']:.3f} / {f['passed']:.3f} ({f['balanced']:.3f}) | "
              f"{f['s_caught']:.3f} / {f['s_passed']:.3f} ({f['s_acc']:.3f}) | {', '.join(fails) or 'none'} |")
    for name, (text, _) in BARS.items():
        print(f"- ({name}) {text}")


if __name__ == "__main__":
    main(sys.argv[1:])
