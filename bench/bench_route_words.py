"""How the cascade's route words were chosen: dev-only sweep of the mining rule.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_route_words.py --cache runs/cascade_scores

For each (min_rate, min_count) the words are mined from the project split's train part, the
cascade is fitted on dev exactly as ``cleanspeech build-cascade --route-identity
--route-words-rate R --route-words-min-count C`` fits it, and the dev figures are reported:
routed share at natural prevalence, cascade and full-route macro ROC-AUC. Test is not scored
here. Members' dev scores come from (or go to) the same cache as ``build_cascade.py``.
Results: bench/results/route_words.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np

from cleanspeech.data import project_split, read_jigsaw
from cleanspeech.evaluation.bootstrap import weighted_macro_auc
from cleanspeech.evaluation.calibration import prevalence_weights, resolve_prevalence
from cleanspeech.labels import LABELS
from cleanspeech.models.cascade import forced_routes
from cleanspeech.models.registry import load_model
from cleanspeech.training.cascade import cascade_scores, fit_cascade, mine_route_words
from load import machine  # bench/load.py: CPU model, cores, load average

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from cleanspeech.training.cascade_build import member_arguments, member_scores  # noqa: E402  the build's scorer and cache

RESULTS = Path(__file__).parent / "results"
RULES = [(None, None), (0.9, 10), (0.8, 10), (0.7, 5), (0.7, 10), (0.7, 20), (0.6, 10), (0.5, 10)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    member_arguments(ap, linear="src/cleanspeech/shipped_models/default/linear")
    ap.add_argument("--out", default=str(RESULTS / "route_words"))
    args = ap.parse_args()

    parts = project_split(read_jigsaw(args.train, require_labels=True))
    texts = parts.dev["comment_text"].tolist()
    scores = member_scores(args, "dev", texts)
    y = parts.dev[list(LABELS)].to_numpy().astype(np.int8)
    prev = resolve_prevalence("natural")
    w = prevalence_weights(y, prev)
    fast, slow = load_model(args.linear), load_model(args.transformer, backend=args.backend)
    rows = []
    for rate, count in RULES:
        words = frozenset() if rate is None else frozenset(mine_route_words(
            parts.train["comment_text"], parts.train["toxic"], min_count=count, min_rate=rate))
        forced = forced_routes(texts, True, words)
        model, choices = fit_cascade(fast, slow, scores["linear"], scores["transformer"], y, prev,
                                     forced=forced, route_identity=True, route_words=sorted(words))
        routed = model.route(scores["linear"], forced)
        casc = cascade_scores(model, scores["linear"], scores["transformer"], forced)
        rows.append({"min_rate": rate, "min_count": count, "n_words": len(words),
                     "gate": model.gate, "dev_routed_share": float(w[routed].sum() / w.sum()),
                     "dev_cascade_auc": weighted_macro_auc(y, casc, w),
                     "dev_full_auc": choices.full_auc})
        print(json.dumps(rows[-1]), flush=True)
    meta = {"date": dt.date.today().isoformat(), "machine": machine(), "dev_rows": len(texts),
            "command": "python bench/bench_route_words.py"}
    Path(args.out + ".json").write_text(json.dumps({**meta, "rows": rows}, indent=2) + "\n")
    lines = ["# Cascade route words: dev-only sweep of the mining rule\n",
             f"{meta['date']}, {meta['machine']['cpu']}, {meta['machine']['cpu_count']} cores. Command: `{meta['command']}`. {len(texts)} dev "
             "rows at natural prevalence; words mined from the train part; every comment naming an "
             "identity group routed too; the rest of the fit (identity_hate cap included) as the build "
             "does it. Test is not scored here.\n",
             "| min rate | min comments | words | gate | dev routed share | dev cascade AUC | dev full route AUC |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        rule = ("none", "-") if r["min_rate"] is None else (f"{r['min_rate']:.1f}", str(r["min_count"]))
        lines.append(f"| {rule[0]} | {rule[1]} | {r['n_words']} | {r['gate']:.4f} | "
                     f"{r['dev_routed_share']:.3f} | {r['dev_cascade_auc']:.5f} | {r['dev_full_auc']:.5f} |")
    Path(args.out + ".md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
