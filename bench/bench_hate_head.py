"""Choose how the group-hate head joins identity_hate, on dev only.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_hate_head.py --model src/cleanspeech/shipped_models/default

Dev rows: Jigsaw dev (``project_split``'s dev part, natural prevalence) and, per train source, at
most ``--max-rows`` rows of the cross-source dev pool (``--rows pool``, the default since stop 44:
rows no model trained on and no cross-source figure reads) or of its held-out part (``--rows
heldout``: what every choice before stop 44 read, the rows ``bench_sources.py`` reports on). Eval-only sources and Jigsaw test are not
read. For each (weight, prior_logit, toxic cap) the cascade's identity_hate is recomputed from one
pass of the model: the served scores without head and cap, which comments took the full route,
and the slow member's features on those. Reported: Jigsaw dev macro and identity_hate ROC-AUC,
identity_hate F1 at the shipped threshold, and on the held-out sources identity_hate ROC-AUC,
recall (sources with positives) and false-flag rate (sources with negatives, counter-speech with
no hate at all included), means over sources.

Choice rule (stated before looking): among settings whose Jigsaw dev identity_hate F1 and macro
ROC-AUC are no worse than the setting before the head (no head, identity_hate capped at 0.5 x
toxic; AUC within 0.0005), the one with the highest held-out recall minus false-flag rate. Writes
bench/results/hate_head.json and .md.

For a candidate cascade that setting before the head is the candidate's own, so the rule may spend
Jigsaw dev down to it. ``--floor-model`` (stop 48) also keeps the natural-rate weighted Jigsaw dev
macro ROC-AUC, the figure ``bench_compare.py`` and the candidates' rules read, within 0.0005 of
another model's (the shipped one) on the same rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import shlex
import sys
from itertools import product
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, roc_auc_score

from cleanspeech.data.io import read_jigsaw
from cleanspeech.data.sources import TRAIN_SOURCES, load_source
from cleanspeech.data.split import split_part
from cleanspeech.evaluation.bootstrap import weighted_macro_auc
from cleanspeech.evaluation.calibration import prevalence_weights, resolve_prevalence
from cleanspeech.labels import LABEL2ID, LABELS
from cleanspeech.models.cascade import cap_by_toxic
from cleanspeech.pipeline import Moderator

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
HATE = LABEL2ID["identity_hate"]
WEIGHTS = (0.0, 0.35, 0.5, 0.65, 0.8)
PRIORS = (-2.0, -1.5, -1.0, -0.5, 0.0)


def dev_rows(data_dir: Path, max_rows: int, target: bool = False, rows: str = "heldout") -> pd.DataFrame:
    """Source rows and Jigsaw dev; with ``target``, also each source's own target (NaN for
    Jigsaw). ``rows``: ``heldout``, the held-out part of each train source (at most ``max_rows``,
    seed 0: the rows ``bench_sources.py`` reports on, so a choice made here is measured on its
    own rows), or ``pool``, the cross-source dev pool (``training.operating.dev_pool``: rows no
    model trained on and no figure reads, at most ``max_rows`` per source)."""
    cols = ["source", "text", *(["target"] if target else []), *LABELS]
    parts = []
    if rows == "pool":
        from cleanspeech.training.operating import JIGSAW_GROUP, dev_pool

        pool = dev_pool(str(data_dir), per_source=max_rows)
        parts.append(pool[pool["source"] != JIGSAW_GROUP][cols])
    for name in TRAIN_SOURCES if rows == "heldout" else ():
        h = load_source(name, data_dir).part("heldout")
        if len(h) > max_rows:
            h = h.sample(n=max_rows, random_state=0).sort_index()
        parts.append(h[cols])
    jig = split_part(read_jigsaw(data_dir / "jigsaw" / "train.csv.gz", require_labels=True), "dev")
    parts.append(jig.rename(columns={"comment_text": "text"}).assign(source="jigsaw", target=np.nan)[cols])
    return pd.concat(parts, ignore_index=True)


def _auc(y: np.ndarray, s: np.ndarray) -> float:
    known = ~np.isnan(y)
    y, s = y[known], s[known]
    return float(roc_auc_score(y, s)) if len(np.unique(y)) == 2 else float("nan")


def natural_macro_auc(y: np.ndarray, p: np.ndarray) -> float:
    """Jigsaw macro ROC-AUC at natural prevalence: the figure bench_compare.py and the candidates'
    rule (a) read."""
    y = np.asarray(y).astype(np.int8)
    return weighted_macro_auc(y, p, prevalence_weights(y, resolve_prevalence("natural")))


def measure(rows: pd.DataFrame, p: np.ndarray, threshold: float) -> dict[str, float]:
    y = rows[list(LABELS)].to_numpy(dtype=float)
    jig = (rows["source"] == "jigsaw").to_numpy()
    out = {"jigsaw_macro_auc": float(np.nanmean([_auc(y[jig, j], p[jig, j]) for j in range(len(LABELS))])),
           "jigsaw_macro_auc_natural": natural_macro_auc(y[jig], p[jig]),
           "jigsaw_ih_auc": _auc(y[jig, HATE], p[jig, HATE]),
           "jigsaw_ih_f1": float(f1_score(y[jig, HATE], p[jig, HATE] >= threshold))}
    auc, recall, false_flag = heldout_means(rows, y[:, HATE], p[:, HATE], p[:, HATE] >= threshold)
    out.update(heldout_ih_auc=auc, heldout_ih_recall=recall, heldout_ih_false_flag=false_flag)
    return out


def heldout_means(rows: pd.DataFrame, y: np.ndarray, score: np.ndarray,
                  flagged: np.ndarray) -> tuple[float, float, float]:
    """Means over the train sources' held-out rows (``y`` NaN = unknown) of ROC-AUC (sources with
    both classes), recall (with positives) and false-flag rate (with negatives, one-class sets
    included: counter-speech has no hate to catch); at least 5 rows of a class count."""
    aucs, recalls, false_flags = [], [], []
    for name in TRAIN_SOURCES:
        r = (rows["source"] == name).to_numpy() & ~np.isnan(y)
        yy, flag = y[r], flagged[r]
        if yy.sum() >= 5 and (1 - yy).sum() >= 5:
            aucs.append(_auc(yy, score[r]))
        if yy.sum() >= 5:
            recalls.append(flag[yy == 1].mean())
        if (1 - yy).sum() >= 5:
            false_flags.append(flag[yy == 0].mean())
    return float(np.mean(aucs)), float(np.mean(recalls)), float(np.mean(false_flags))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="src/cleanspeech/shipped_models/default")
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--max-rows", type=int, default=1000)
    ap.add_argument("--rows", choices=("pool", "heldout"), default="pool",
                    help="source rows to choose on: the cross-source dev pool (default since stop 44) or the "
                         "held-out parts bench_sources.py reports on (every choice before stop 44)")
    ap.add_argument("--out", type=Path, default=OUT / "hate_head")
    ap.add_argument("--baseline-cap", type=float, default=0.5,
                    help="identity_hate <= this x toxic in the capped settings when the folder has no "
                         "cap (the cap the cascade shipped with before the head)")
    ap.add_argument("--floor-model", default=None, metavar="MODEL",
                    help="also keep Jigsaw dev natural-rate weighted macro AUC (bench_compare's) within 0.0005 of "
                         "this model's on the same rows (a candidate's floor is the shipped model, not its own "
                         "setting before the head)")
    args = ap.parse_args(argv)

    moderator = Moderator.load(args.model)
    cascade = moderator.model
    head, folder_caps = cascade.hate_head, dict(cascade.capped_by_toxic)
    shipped_caps = folder_caps or {"identity_hate": args.baseline_cap}
    if head is None:
        raise SystemExit(f"{args.model} has no hate head: run `cleanspeech build-hate-head` first")
    rows = dev_rows(args.data_dir, args.max_rows, rows=args.rows)
    texts = rows["text"].astype(str).tolist()
    cascade.hate_head, cascade.capped_by_toxic = None, {}
    served, routed = cascade.predict_proba_routed(texts)  # no head, no cap
    cascade.hate_head, cascade.capped_by_toxic = head, folder_caps
    _, features = cascade.slow.predict_proba_pooled([t for t, r in zip(texts, routed) if r])
    threshold = float(moderator.thresholds[HATE])

    results = []
    for weight, prior, capped in product(WEIGHTS, PRIORS, (True, False)):
        if weight == 0.0 and prior != PRIORS[0]:
            continue  # the prior does nothing without the head
        head.config.weight, head.config.prior_logit = weight, prior
        p = served.copy()
        p[routed, HATE] = head.mix(served[routed, HATE], features)
        if capped:
            p = cap_by_toxic(p, shipped_caps)
        results.append({"weight": weight, "prior_logit": prior, "capped": capped, **measure(rows, p, threshold)})
    table = pd.DataFrame(results)
    base = table[(table.weight == 0.0) & table.capped].iloc[0]  # the setting before the head
    ok = table[(table.jigsaw_ih_f1 >= base.jigsaw_ih_f1) & (table.jigsaw_macro_auc >= base.jigsaw_macro_auc - 0.0005)]
    floor = None
    if args.floor_model:  # also the floor model's natural-rate weighted figure (rule (a)'s), on the same Jigsaw rows
        jig = rows[rows["source"] == "jigsaw"]
        p_floor = Moderator.load(args.floor_model).model.predict_proba(jig["text"].astype(str).tolist())
        floor = natural_macro_auc(jig[list(LABELS)].to_numpy(), p_floor)
        ok = ok[ok.jigsaw_macro_auc_natural >= floor - 0.0005]
    if ok.empty:
        raise SystemExit("no setting keeps the Jigsaw dev floors (see the table)")
    best = ok.loc[(ok.heldout_ih_recall - ok.heldout_ih_false_flag).idxmax()]
    meta = {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}",
            "command": "HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_hate_head.py " + shlex.join(sys.argv[1:]),
            "rows": rows["source"].value_counts().to_dict(), "source_rows": args.rows, "routed_share": float(routed.mean()),
            "threshold": threshold, "chosen": best.to_dict(), "shipped": base.to_dict(),
            "floor_model": args.floor_model, "floor_natural_macro": floor}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps({"meta": meta, "results": results}, indent=1, default=float))
    md = ["# Group-hate head: how it joins identity_hate (dev only)\n",
          f"{meta['date']}, {meta['machine']}. Command: `{meta['command']}`.\n",
          f"Rows: Jigsaw dev {meta['rows'].get('jigsaw', 0)} (natural prevalence) and "
          + ("the cross-source dev pool's rows of " if args.rows == "pool" else "the held-out parts of ")
          + f"the train sources (at most {args.max_rows} each); {meta['routed_share']:.1%} took the full route "
          f"(the head only reads those). identity_hate threshold {threshold:.3f} (shipped).\n",
          f"Choice rule: Jigsaw dev identity_hate F1 and macro AUC no worse than before the head (no head, "
          f"cap {shipped_caps})" + (f", and natural-rate weighted macro AUC within 0.0005 of `{args.floor_model}`'s "
                                     f"({floor:.5f})" if args.floor_model else "")
          + ", then the highest held-out recall - false-flag rate. "
          f"**Chosen: weight {best.weight}, prior_logit {best.prior_logit}, cap {'kept' if best.capped else 'retired'}.**\n",
          table.round(4).to_markdown(index=False)]
    args.out.with_suffix(".md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
