"""Leave-one-source-out: does the group-hate head generalise to a site it never saw?

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_hate_head_loso.py --leave-out hatexplain toxigen implicit_hate stormfront

For each left-out source S: a head is fitted exactly as ``cleanspeech build-hate-head`` fits the
shipped one, but on the training rows without S, and joins the shipped cascade with the shipped
weight and prior. On S's held-out part it is compared with the cascade without a head and with
the shipped head (which trained on S's train part): identity_hate ROC-AUC, recall and false-flag
rate at the shipped threshold. The gap between "left out" and "shipped" is what memorising S's
site was worth; the gap between "no head" and "left out" is what a new site can expect. Member
features come from the text-keyed cache ``--features-cache`` (built by ``build-hate-head``) and
are scored where missing. Writes bench/results/hate_head_loso.json and .md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import shlex
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

from cleanspeech.data.sources import load_source
from cleanspeech.labels import LABEL2ID, LABELS
from cleanspeech.models.hate_head import HateHead, HateHeadConfig
from cleanspeech.pipeline import Moderator
from cleanspeech.training.hate_head import HateHeadTraining, fit_head, member_features, training_rows

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
HATE = LABEL2ID["identity_hate"]


def figures(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float]:
    known = ~np.isnan(y)
    y, p = y[known], p[known]
    flag = p >= threshold
    return {"n": int(len(y)), "auc": float(roc_auc_score(y, p)), "recall": float(flag[y == 1].mean()),
            "false_flag": float(flag[y == 0].mean())}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="src/cleanspeech/shipped_models/default")
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--leave-out", nargs="+", default=["hatexplain", "toxigen", "implicit_hate", "stormfront"])
    ap.add_argument("--features-cache", type=Path, default=Path("runs/hate_head/member_features.npz"))
    ap.add_argument("--out", type=Path, default=OUT / "hate_head_loso")
    args = ap.parse_args(argv)

    moderator = Moderator.load(args.model)
    cascade = moderator.model
    shipped = cascade.hate_head
    if shipped is None:
        raise SystemExit(f"{args.model} has no hate head")
    threshold = float(moderator.thresholds[HATE])
    trained = shipped.config.trained.get("settings", {})
    cfg = HateHeadTraining(**{k: v for k, v in trained.items() if k in HateHeadTraining.__dataclass_fields__})
    rows = training_rows(args.data_dir, cfg)
    features = member_features(cascade.slow, rows["text"].tolist(), args.features_cache, print)
    y_all = rows[list(LABELS)].to_numpy(dtype=float)

    results = {}
    for name in args.leave_out:
        held = load_source(name, args.data_dir).part("heldout")
        texts = held["text"].astype(str).tolist()
        y = held["identity_hate"].to_numpy(dtype=float)
        cascade.hate_head = None
        served, routed = cascade.predict_proba_routed(texts)
        held_features = member_features(cascade.slow, [t for t, r in zip(texts, routed) if r], args.features_cache)
        keep = (rows["source"] != name).to_numpy()
        left_out = HateHead(fit_head(features[keep], y_all[keep], cfg),
                            HateHeadConfig(weight=shipped.config.weight, prior_logit=shipped.config.prior_logit))
        out = {}
        for label, head in (("no head", None), ("head without this source", left_out), ("shipped head", shipped)):
            p = served[:, HATE].copy()
            if head is not None:
                p[routed] = head.mix(served[routed, HATE], held_features)
            out[label] = figures(y, p, threshold)
        results[name] = out
        print(name, json.dumps(out), flush=True)
    cascade.hate_head = shipped

    meta = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
            "command": "HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_hate_head_loso.py " + shlex.join(sys.argv[1:]),
            "threshold": threshold, "weight": shipped.config.weight, "prior_logit": shipped.config.prior_logit}
    args.out.with_suffix(".json").write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    table = pd.DataFrame([{"left-out source": s, "head": h, **f} for s, r in results.items() for h, f in r.items()])
    md = ["# Group-hate head: leave one source out\n",
          f"{meta['date']}, {meta['machine']}. Command: `{meta['command']}`.\n",
          "Each row: the shipped cascade's identity_hate on the left-out source's held-out part, with no "
          "head, with a head fitted without that source (same settings, weight "
          f"{meta['weight']:g}, prior {meta['prior_logit']:g}), and with the shipped head (trained on the "
          f"source's train part). Recall and false-flag rate at the shipped threshold {threshold:.3f}.\n",
          table.round(4).to_markdown(index=False)]
    args.out.with_suffix(".md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
