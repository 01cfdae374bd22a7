"""Should the group-hate head's ``toxic`` output join the cascade's ``toxic`` too? (issue 32, dev only)

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_head_labels.py

The head is trained on all six labels over the multi-source mixture, but only its
``identity_hate`` is served. Here its ``toxic`` logit (plus a prior) is mixed, in logit space
with weight ``w``, into the full route's ``toxic``, identity_hate left as shipped. One pass of the
shipped cascade gives the served scores, the routes and the slow member's features; each setting
is recomputed from those.

Dev rows: Jigsaw dev (natural prevalence) and the held-out part of each train source (at most
``--max-rows``, seed 0). Reported: Jigsaw dev macro ROC-AUC, toxic ROC-AUC and toxic F1 at the
shipped threshold; on the held-out sources "any" (the source's own target against any label at
or over its threshold, AUC by the highest score): ROC-AUC, recall and false-flag rate, means over
sources.

Choice rule (written before the run): among settings with Jigsaw dev macro ROC-AUC >= w=0's -
0.0005 and toxic F1 >= w=0's - 0.005, the highest held-out recall - false-flag rate. Writes
``bench/results/head_labels.{md,json}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import sys
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, roc_auc_score

from cleanspeech.labels import LABEL2ID, LABELS
from cleanspeech.pipeline import Moderator

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_hate_head import dev_rows, heldout_means  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results" / "head_labels"
TOXIC = LABEL2ID["toxic"]
WEIGHTS = (0.0, 0.2, 0.35, 0.5, 0.65)
PRIORS = (-2.0, -1.5, -1.0, -0.5, 0.0)


def measure(rows: pd.DataFrame, p: np.ndarray, thr: np.ndarray) -> dict[str, float]:
    y = rows[list(LABELS)].to_numpy(dtype=float)
    jig = (rows["source"] == "jigsaw").to_numpy()
    out = {"jigsaw_macro_auc": float(np.mean([roc_auc_score(y[jig, j], p[jig, j]) for j in range(len(LABELS))])),
           "jigsaw_toxic_auc": float(roc_auc_score(y[jig, TOXIC], p[jig, TOXIC])),
           "jigsaw_toxic_f1": float(f1_score(y[jig, TOXIC], p[jig, TOXIC] >= thr[TOXIC]))}
    auc, recall, false_flag = heldout_means(rows, rows["target"].to_numpy(dtype=float), p.max(axis=1),
                                            (p >= thr[None, :]).any(axis=1))
    out.update(heldout_any_auc=auc, heldout_any_recall=recall, heldout_any_false_flag=false_flag)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="src/cleanspeech/shipped_models/default")
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--max-rows", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)

    moderator = Moderator.load(args.model)
    cascade = moderator.model
    head = cascade.hate_head
    rows = dev_rows(args.data_dir, args.max_rows, target=True)
    texts = rows["text"].astype(str).tolist()
    served, routed = cascade.predict_proba_routed(texts)
    _, features = cascade.slow.predict_proba_pooled([t for t, r in zip(texts, routed) if r])
    head_toxic = head.logits(head.select(features))[:, TOXIC]
    thr = np.asarray(moderator.thresholds, dtype=float)

    results = []
    for w, b in product(WEIGHTS, PRIORS):
        if w == 0.0 and b != PRIORS[0]:
            continue
        p = served.copy()
        q = np.clip(p[routed, TOXIC].astype(float), 1e-6, 1 - 1e-6)
        z = (1 - w) * np.log(q / (1 - q)) + w * (head_toxic + b)
        p[routed, TOXIC] = 1 / (1 + np.exp(-z))
        results.append({"weight": w, "prior_logit": b, **measure(rows, p, thr)})
    table = pd.DataFrame(results)
    base = table.iloc[0]
    ok = table[(table.jigsaw_macro_auc >= base.jigsaw_macro_auc - 0.0005)
               & (table.jigsaw_toxic_f1 >= base.jigsaw_toxic_f1 - 0.005)]
    best = ok.loc[(ok.heldout_any_recall - ok.heldout_any_false_flag).idxmax()]
    meta = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
            "rows": rows["source"].value_counts().to_dict(), "routed_share": float(routed.mean()),
            "chosen": best.to_dict(), "base": base.to_dict()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps({"meta": meta, "results": results}, indent=1, default=float))
    md = ["# The head's toxic output in the cascade's toxic (dev only)\n",
          f"{meta['date']}, {meta['machine']}. Command: `HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_head_labels.py`.\n",
          f"Rows: Jigsaw dev {meta['rows'].get('jigsaw', 0)} and the held-out parts of the ten train sources (at "
          f"most {args.max_rows} each); {meta['routed_share']:.1%} took the full route (the head reads only those).\n",
          "Choice rule: Jigsaw dev macro ROC-AUC >= w=0's - 0.0005 and toxic F1 >= w=0's - 0.005, then the "
          f"highest held-out recall - false-flag rate. **Chosen: weight {best.weight}, prior_logit {best.prior_logit}.**\n",
          table.round(4).to_markdown(index=False)]
    args.out.with_suffix(".md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
