"""Write the `default` model card's Limitations section from the committed bench results.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/card_limitations.py

Reads bench/results/behaviour_default.json (our behavioural suite's eval templates, never
trained on) and bench/results/sources.json (the cross-source table), stores the weakest
phenomena and the per-source figures under ``limitations`` in the folder's metrics.json, and
re-renders its README.md (``models/cascade_card.py`` draws the section). Rerun after either
bench changes, so the card never quotes a stale figure.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cleanspeech.data.io import write_text_atomic
from cleanspeech.models.base import METRICS_FILE, write_json
from cleanspeech.models.cascade_card import cascade_card
from cleanspeech.models.registry import load_model

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def limitations(behaviour: dict, sources: dict, model: str = "default", weakest: int = 8) -> dict:
    per = behaviour["per_functionality"]
    worst = sorted(per.items(), key=lambda kv: kv[1]["pass_rate"])[:weakest]
    rows = sources["results"][model]
    return {
        "behaviour": {"command": behaviour["command"], "date": behaviour["date"], "overall": behaviour["overall"],
                      "weakest": [{"phenomenon": k, "gold": "hateful" if v["hateful"] else "non-hateful",
                                   "n": v["n"], "pass_rate": v["pass_rate"]} for k, v in worst]},
        "sources": {"command": sources["meta"].get("command", "python bench/bench_sources.py"),
                    "rows": [{"source": name, "use": r["use"], "any_auc": r["any"].get("auc"),
                              "any_recall": r["any"].get("recall"), "any_false_flag": r["any"].get("false_flag_rate"),
                              "ih_auc": r["identity_hate"].get("auc"), "ih_recall": r["identity_hate"].get("recall")}
                             for name, r in rows.items()]},
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--folder", type=Path, default=ROOT / "src/cleanspeech/shipped_models/default")
    args = ap.parse_args(argv)
    behaviour = json.loads((RESULTS / "behaviour_default.json").read_text())
    sources = json.loads((RESULTS / "sources.json").read_text())
    metrics_file = args.folder / METRICS_FILE
    metrics = json.loads(metrics_file.read_text())
    metrics["limitations"] = limitations(behaviour, sources)
    write_json(metrics_file, metrics)
    write_text_atomic(cascade_card(load_model(args.folder), metrics), args.folder / "README.md")
    print(f"wrote {metrics_file} and the card")


if __name__ == "__main__":
    main()
