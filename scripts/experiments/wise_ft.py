"""Choose the WiSE-FT mix of the shipped member and its hard-example fine-tune on the dev split.

    .venv/bin/python scripts/experiments/wise_ft.py --base src/cleanspeech/shipped_models/default/transformer \
        --tuned runs/judgement/best --out runs/wise --mixes 0.3 0.5 0.7 1.0 --max-dev-loss 0.002

For each mix, writes ``OUT_<mix>`` (:func:`interpolate_folders`) and its dev macro ROC-AUC
(torch backend, observed rates); the chosen mix is the largest whose dev AUC is within
``--max-dev-loss`` of the base model's. The behavioural suite is not consulted: its train
templates were training data and its eval templates are for reporting only. Results go to
``OUT.json``.

WiSE-FT (Wortsman et al. 2022) interpolates the weights of a classifier and its fine-tuned copy,
``θ = (1 - mix) · θ_base + mix · θ_tuned``: fine-tuning the shipped member on hard examples taught
it counter-speech and negation but cost Jigsaw ranking, and the mix keeps some of each at no
inference cost. An experiment: nothing it wrote is shipped.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

from cleanspeech.data import project_split, read_jigsaw
from cleanspeech.evaluation.metrics import macro, roc_auc_per_label
from cleanspeech.labels import LABELS
from cleanspeech.models.registry import load_model
from cleanspeech.models.torch_loading import load_torch_module


def _module(folder: Path):
    return load_torch_module(folder, json.loads((folder / "cleanspeech.json").read_text()))


def interpolate(base, tuned, mix: float):
    """``tuned`` with its floating-point parameters moved to ``(1 - mix)·base + mix·tuned``."""
    if not 0.0 <= mix <= 1.0:
        raise ValueError(f"mix must be in [0, 1], got {mix}")
    base_state, state = base.state_dict(), tuned.state_dict()
    if base_state.keys() != state.keys():
        raise ValueError("base and tuned models have different parameters")
    for name, t in state.items():
        if t.is_floating_point():
            state[name] = (1.0 - mix) * base_state[name].to(t.dtype) + mix * t
    tuned.load_state_dict(state)
    return tuned


def interpolate_folders(base: str | Path, tuned: str | Path, mix: float, out: str | Path) -> Path:
    """Write ``out``: ``tuned``'s folder (tokenizer, cleaning, config) with interpolated HF weights."""
    base, tuned, out = Path(base), Path(tuned), Path(out)
    module = interpolate(_module(base), _module(tuned), mix)
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(tuned, tmp, ignore=shutil.ignore_patterns("*.safetensors", "*.bin", "val_predictions.npz"))
    module.save_pretrained(tmp)
    config = json.loads((tmp / "cleanspeech.json").read_text())
    config.update(weights_format="hf")
    config["wise_ft"] = {"base": str(base), "tuned": str(tuned), "mix": mix}
    (tmp / "cleanspeech.json").write_text(json.dumps(config, indent=2) + "\n")
    if out.exists():
        shutil.rmtree(out)
    tmp.rename(out)
    return out


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
