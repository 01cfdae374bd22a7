"""Does reading a comment's worst sentence alone (``cleanspeech.models.parts``) stop abuse from
hiding in length, and what does it cost on ordinary traffic?

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_parts.py --model default

Scores stay the whole comment's (ROC-AUC cannot move); the decision raises a label when the whole
comment or its worst sentence reaches the threshold. On the project split's dev part (choices)
and test part (report), at natural prevalence, flagged = any label raised: precision and recall
of the verdict against the comment's `toxic`-or-any label, decided on the whole comment vs with
the worst part, and the seconds the part costs. Then the dilution check: one-sentence comments
the model flags, each set between ``k`` clean one-sentence comments on each side (k = 1, 5, 25):
the share of the labels raised alone that are still raised, and the share of all-clean
sandwiches flagged. Writes ``bench/results/parts.md|json``.
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

from cleanspeech.data import project_split, read_jigsaw
from cleanspeech.decision import raised
from cleanspeech.evaluation.calibration import prevalence_weights, resolve_prevalence
from cleanspeech.labels import LABELS
from cleanspeech.models.parts import sentences, worst_parts
from cleanspeech.models.registry import load_model

RESULTS = Path(__file__).parent / "results"


def verdicts(model, texts: list[str], whole: np.ndarray, parts: bool) -> np.ndarray:
    part_scores = worst_parts(model.strong_terms(), model.predict_proba, texts)[1] if parts else None
    return raised(texts, whole, model.thresholds, part_scores)[0]


def pr(flagged: np.ndarray, truth: np.ndarray, w: np.ndarray) -> dict[str, float]:
    tp = float((w * (flagged & truth)).sum())
    return {"precision": tp / max(float((w * flagged).sum()), 1e-9),
            "recall": tp / max(float((w * truth).sum()), 1e-9), "flag_rate": float((w * flagged).sum() / w.sum())}


def sandwiches(model, toxic: list[str], clean: list[str], k: int, rng) -> dict[str, float]:
    alone = verdicts(model, toxic, model.predict_proba(toxic), parts=False)
    built = [" ".join(list(rng.choice(clean, k)) + [t] + list(rng.choice(clean, k))) for t in toxic]
    clean_built = [" ".join(rng.choice(clean, 2 * k + 1)) for _ in toxic]
    p_built, p_clean = model.predict_proba(built), model.predict_proba(clean_built)
    out = {}
    for name, parts in (("whole", False), ("parts", True)):
        flags = verdicts(model, built, p_built, parts)
        false = verdicts(model, clean_built, p_clean, parts)
        out[f"{name}_label_recall"] = float((flags & alone).sum() / max(1, alone.sum()))
        out[f"{name}_clean_flagged"] = float(false.any(axis=1).mean())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="default")
    ap.add_argument("--train", default="../shared/data/jigsaw/train.csv.gz")
    ap.add_argument("--n-sandwich", type=int, default=150)
    args = ap.parse_args()
    model = load_model(args.model)
    split = project_split(read_jigsaw(args.train, require_labels=True))
    prev = resolve_prevalence("natural")
    out: dict = {"model": args.model, "date": dt.date.today().isoformat(), "machine": platform.platform(),
                 "cpus": os.cpu_count(), "strong_terms": len(model.strong_terms())}
    rng = np.random.default_rng(0)
    for part in ("dev", "test"):
        df = getattr(split, part)
        y = df[list(LABELS)].to_numpy().astype(bool)
        texts = df["comment_text"].tolist()
        t0 = time.perf_counter()
        whole = model.predict_proba(texts)
        t_whole = time.perf_counter() - t0
        w = prevalence_weights(y.astype(np.int8), prev)
        f_whole = verdicts(model, texts, whole, parts=False).any(axis=1)
        t0 = time.perf_counter()
        f_parts = verdicts(model, texts, whole, parts=True).any(axis=1)
        t_parts = time.perf_counter() - t0
        truth = y.any(axis=1)
        out[part] = {"n": len(texts), "whole": pr(f_whole, truth, w), "with_parts": pr(f_parts, truth, w),
                     "seconds_whole": t_whole, "seconds_parts_extra": t_parts,
                     "verdicts_changed": float((f_whole != f_parts).mean())}
        single = [t.strip() for t in texts if len(sentences(t)) == 1 and 20 <= len(t.strip()) <= 200]
        alone = verdicts(model, single, model.predict_proba(single), parts=False).any(axis=1)
        toxic = [t for t, f in zip(single, alone) if f]
        clean = [t for t, f in zip(single, alone) if not f]
        toxic = list(rng.choice(toxic, min(args.n_sandwich, len(toxic)), replace=False))
        out[part]["sandwich"] = {k: sandwiches(model, toxic, clean, k, rng) for k in (1, 5, 25)}
        print(part, json.dumps(out[part]), flush=True)
    (RESULTS / "parts.json").write_text(json.dumps(out, indent=2) + "\n")
    write_markdown(out)


def write_markdown(out: dict) -> None:
    lines = [f"# Worst sentence read alone — {out['date']}, {out['machine']}, {out['cpus']} CPUs", "",
             f"`HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_parts.py --model {out['model']}` "
             f"({out['strong_terms']} strong terms). Scores are unchanged (ROC-AUC cannot move); "
             "the verdict (any label raised) at natural prevalence:", "",
             "| part | n | precision whole | with parts | recall whole | with parts | flag rate whole | with parts | verdicts changed | s scoring | s parts |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for part in ("dev", "test"):
        r = out[part]
        a, b = r["whole"], r["with_parts"]
        lines.append(f"| {part} | {r['n']} | {a['precision']:.3f} | {b['precision']:.3f} | {a['recall']:.3f} | "
                     f"{b['recall']:.3f} | {a['flag_rate']:.3f} | {b['flag_rate']:.3f} | {r['verdicts_changed']:.3f} | "
                     f"{r['seconds_whole']:.1f} | {r['seconds_parts_extra']:.1f} |")
    lines += ["", "Dilution: a one-sentence comment the model flags, between k clean one-sentence comments "
              "on each side: recall of the labels it raises alone, and the share of all-clean sandwiches "
              "flagged.", "",
              "| part | k | label recall whole | with parts | clean flagged whole | with parts |",
              "|---|---|---|---|---|---|"]
    for part in ("dev", "test"):
        for k, r in out[part]["sandwich"].items():
            lines.append(f"| {part} | {k} | {r['whole_label_recall']:.3f} | {r['parts_label_recall']:.3f} | "
                         f"{r['whole_clean_flagged']:.3f} | {r['parts_clean_flagged']:.3f} |")
    (RESULTS / "parts.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
