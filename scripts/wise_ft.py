"""Choose the WiSE-FT mix of the shipped member and its hard-example fine-tune on the dev split.

    .venv/bin/python scripts/wise_ft.py --base src/cleanspeech/shipped_models/default/transformer \
        --tuned runs/judgement/best --out runs/wise --mixes 0.3 0.5 0.7 1.0 --max-dev-loss 0.002

For each mix, writes ``OUT_<mix>`` (``cleanspeech.training.wise``) and its dev macro ROC-AUC
(torch backend, observed rates); the chosen mix is the largest whose dev AUC is within
``--max-dev-loss`` of the base model's. The behavioural suite is not consulted: its train
templates were training data and its eval templates are for reporting only. Results go to
``OUT.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from cleanspeech.data import project_split, read_jigsaw
from cleanspeech.evaluation.metrics import macro, roc_auc_per_label
from cleanspeech.labels import LABELS
from cleanspeech.models.registry import load_model
from cleanspeech.training.wise import interpolate_folders


def dev_auc(folder, texts, y) -> float:
    return macro(roc_auc_per_label(y, load_model(folder, backend="torch").predict_proba(texts)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True)
    ap.add_argument("--tuned", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--mixes", type=float, nargs="+", default=[0.3, 0.5, 0.7, 1.0])
    ap.add_argument("--max-dev-loss", type=float, default=0.002)
    ap.add_argument("--train", default="../shared/data/jigsaw/train.csv.gz")
    args = ap.parse_args()

    dev = project_split(read_jigsaw(args.train, require_labels=True)).dev
    texts, y = dev["comment_text"].tolist(), dev[list(LABELS)].to_numpy()
    base = dev_auc(args.base, texts, y)
    rows = []
    for mix in sorted(args.mixes):
        folder = interpolate_folders(args.base, args.tuned, mix, f"{args.out}_{mix}")
        rows.append({"mix": mix, "folder": str(folder), "dev_macro_roc_auc": dev_auc(folder, texts, y)})
        print(rows[-1], flush=True)
    ok = [r for r in rows if r["dev_macro_roc_auc"] >= base - args.max_dev_loss]
    chosen = max(ok, key=lambda r: r["mix"]) if ok else None
    result = {"base_dev_macro_roc_auc": base, "max_dev_loss": args.max_dev_loss, "mixes": rows,
              "chosen": chosen}
    Path(f"{args.out}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({"base": base, "chosen": chosen}, indent=2))


if __name__ == "__main__":
    main()
