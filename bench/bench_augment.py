"""Ablation of input normalisation and training augmentations for the linear model.

    nice -n 10 .venv/bin/python bench/bench_augment.py --stage norm   # none vs normalize-v1
    nice -n 10 .venv/bin/python bench/bench_augment.py --stage aug    # augmentations, normalize-v1

To fit many variants on 2 shared cores, each stage fits the TF-IDF vocabulary once (``norm``: on
the project split's train rows; ``aug``: on train + every augmentation's rows) and then only the
six regressions per variant, on that variant's rows; no feature pruning (``keep_features=None``).
So variants differ only in their rows (``aug``) or cleaning (``norm``); the shipped recipe
(pruned, vocabulary from its own rows) is rebuilt for the winner with ``train-linear``.
Thresholds are tuned on ``dev``; each variant is scored on ``dev`` (macro ROC-AUC) and on the
behavioural suite's eval templates, saved to runs/linear-<variant>/ and appended to
bench/results/augment.json / augment.md (machine, date, extra rows and fit seconds = cost).
``base`` is the shipped models/linear (same train rows) with thresholds re-tuned on dev.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from cleanspeech.data import read_jigsaw
from cleanspeech.data.clean import clean_texts
from cleanspeech.data.split import project_split
from cleanspeech.evaluation.behaviour import run_suite
from cleanspeech.evaluation.metrics import macro_roc_auc
from cleanspeech.evaluation.thresholds import prevalence, tune_thresholds
from cleanspeech.labels import LABELS
from cleanspeech.models import load_model
from cleanspeech.models.linear import LinearConfig, LinearModel, _make_vectorizers
from cleanspeech.training.augment import AUGMENTATIONS, augmentation_rows

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "results"
STAGES: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "norm": {"none": ("none", ()), "norm": ("normalize-v1", ())},
    "aug": {"aug-none": ("normalize-v1", ()), "templates": ("normalize-v1", ("templates",)),
            "cda": ("normalize-v1", ("cda",)), "paradetox": ("normalize-v1", ("paradetox",)),
            "spans": ("normalize-v1", ("spans",)), "all": ("normalize-v1", AUGMENTATIONS)},
}
VARIANTS = {name: spec for stage in STAGES.values() for name, spec in stage.items()}


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.processor() or 'cpu'}"


def _rows(augs: tuple[str, ...], train: pd.DataFrame, extra: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([train[["comment_text", *LABELS]], *(extra[a] for a in augs)], ignore_index=True)


def _suite_and_dev(model: LinearModel, dev: pd.DataFrame) -> tuple[float, dict]:
    y_dev = dev[list(LABELS)].to_numpy()
    dev_scores = model.predict_proba(dev["comment_text"].tolist())
    model.thresholds, _ = tune_thresholds(y_dev, dev_scores)
    suite = run_suite(model.predict_proba, model.thresholds, part="eval")
    return round(macro_roc_auc(y_dev, dev_scores), 5), suite


def _record(name: str, auc: float, suite: dict, extra_rows: int, fit_s, folder: str) -> dict:
    cleaning, augs = VARIANTS.get(name, ("none", ()))
    return {"variant": name, "cleaning": cleaning, "augmentations": list(augs),
            "dev_macro_roc_auc": auc, "suite": suite["overall"], "invariance": suite["invariance"],
            "directional": suite["directional"],
            "per_functionality": {f: r["pass_rate"] for f, r in suite["per_functionality"].items()},
            "extra_rows": extra_rows, "fit_seconds": fit_s, "folder": folder}


def run_stage(stage: str, split, data: Path, only: list[str] | None):
    """Yield one result per variant of the stage (fitting the shared vocabulary once per cleaning)."""
    variants = {k: v for k, v in STAGES[stage].items() if not only or k in only}
    extra = {a: augmentation_rows([a], split.train, data) for a in AUGMENTATIONS} if stage == "aug" else {}
    vocab_rows = _rows(AUGMENTATIONS if stage == "aug" else (), split.train, extra)
    for cleaning in dict.fromkeys(c for c, _ in variants.values()):
        model = LinearModel(LinearConfig(cleaning=cleaning, keep_features=None, seed=42))
        texts = clean_texts(vocab_rows["comment_text"].tolist(), cleaning)
        model.vectorizers = _make_vectorizers(model.config)  # one vocabulary for the stage
        X_all = sp.hstack([model.vectorizers.word.fit_transform(texts),
                           model.vectorizers.char.fit_transform(texts)]).tocsr()
        for name, (c, augs) in variants.items():
            if c != cleaning:
                continue
            n_rows = len(_rows(augs, split.train, extra))
            # vocab_rows = train then the augmentations in AUGMENTATIONS order: pick this variant's
            pick = np.r_[np.arange(len(split.train)), _aug_index(augs, split.train, extra)]
            t0 = time.perf_counter()
            model._fit_heads(X_all[pick], vocab_rows[list(LABELS)].to_numpy(dtype=float)[pick])
            fit_s = round(time.perf_counter() - t0, 1)
            assert len(pick) == n_rows
            auc, suite = _suite_and_dev(model, split.dev)
            folder = ROOT / "runs" / f"linear-{name}"
            model.save_pretrained(folder, tuned_on="dev part of project_split(train.csv.gz)",
                                  prevalence=prevalence(split.dev[list(LABELS)].to_numpy()))
            yield _record(name, auc, suite, n_rows - len(split.train), fit_s, f"runs/linear-{name}")


def _aug_index(augs: tuple[str, ...], train: pd.DataFrame, extra: dict[str, pd.DataFrame]) -> np.ndarray:
    """Row numbers in the stage's vocabulary rows of the given augmentations' rows."""
    start, out = len(train), []
    for a in AUGMENTATIONS:
        n = len(extra[a]) if a in extra else 0  # the norm stage has no extra rows
        if a in augs:
            out.append(np.arange(start, start + n))
        start += n
    return np.concatenate(out) if out else np.array([], dtype=int)


def base_result(dev: pd.DataFrame) -> dict:
    model = load_model("linear")
    auc, suite = _suite_and_dev(model, dev)
    return _record("base", auc, suite, 0, None, "models/linear")


def to_markdown(result: dict) -> str:
    lines = ["# Linear model: normalisation and augmentation ablation", "",
             f"{result['date']}, {result['machine']}. Fitted on project_split train, thresholds and "
             "AUC on dev; suite = behavioural eval templates (flagged = any label ≥ threshold).", "",
             "| variant | extra rows | fit s | dev macro AUC | hateful caught | non-hateful passed | "
             "accuracy | AUC max score | inv identity | inv obfuscation |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["variants"]:
        s, inv = r["suite"], r["invariance"]
        lines.append(f"| {r['variant']} | {r['extra_rows']} | {r['fit_seconds']} | "
                     f"{r['dev_macro_roc_auc']:.4f} | {s['hateful_caught']:.3f} | "
                     f"{s['non_hateful_passed']:.3f} | {s['accuracy']:.3f} | {s['auc_max_score']:.3f} | "
                     f"{inv['inv_identity']:.3f} | {inv['inv_obfuscation']:.3f} |")
    funcs = list(result["variants"][0]["per_functionality"]) if result["variants"] else []
    lines += ["", "Pass rate per functionality:", "",
              "| functionality | " + " | ".join(r["variant"] for r in result["variants"]) + " |",
              "|---|" + "---|" * len(result["variants"])]
    for f in funcs:
        lines.append(f"| {f} | " + " | ".join(f"{r['per_functionality'].get(f, float('nan')):.3f}"
                                             for r in result["variants"]) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--stage", choices=["base", *STAGES], required=True)
    ap.add_argument("--variants", nargs="*", default=None, help="only these variants of the stage")
    args = ap.parse_args()
    data = Path(args.data_dir)
    split = project_split(read_jigsaw(data / "jigsaw" / "train.csv.gz", require_labels=True))
    results = [base_result(split.dev)] if args.stage == "base" else run_stage(args.stage, split, data, args.variants)
    for r in results:
        save(r, len(split.dev))
        print(f"{r['variant']}: dev AUC {r['dev_macro_roc_auc']:.4f} suite acc {r['suite']['accuracy']:.3f}",
              flush=True)


def save(record: dict, n_dev: int) -> None:
    """Merge one variant's result into augment.json (re-read first: stages may run side by side)."""
    out_json = OUT / "augment.json"
    done = {r["variant"]: r for r in json.loads(out_json.read_text())["variants"]} if out_json.exists() else {}
    done[record["variant"]] = record
    order = ["base", *VARIANTS]
    result = {"date": dt.date.today().isoformat(), "machine": machine(), "n_dev": n_dev,
              "variants": [done[v] for v in order if v in done]}
    out_json.write_text(json.dumps(result, indent=2) + "\n")
    (OUT / "augment.md").write_text(to_markdown(result))


if __name__ == "__main__":
    main()
