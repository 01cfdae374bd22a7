"""Extra training rows against identity bias and over-flagging, each a Jigsaw-schema DataFrame
(``comment_text`` + the six labels) where ``NaN`` means "label unknown": the linear model then
leaves that row out of that label's regression instead of guessing a 0.

- :func:`counterfactual_rows` — non-toxic Jigsaw rows that name an identity group, with the group
  swapped for another of the same kind; labels kept (Dixon et al. 2018).
- :func:`paradetox_rows` — ParaDetox civil paraphrases as all-zero rows beside their toxic
  sources (``toxic`` = 1, the other labels unknown: annotators only judged "toxic or not").
- :func:`toxic_span_rows` — SemEval-2021 posts with marked spans: ``toxic`` = 1, others unknown.
- :func:`template_rows` — cases from the behavioural suite's *train* templates only.
- ``hard`` — :func:`cleanspeech.training.hard_templates.hard_example_rows`: training-only
  templates of hate beside counter-speech, negation, reports and plain identity mentions.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.data.io import TEXT_COLUMN
from cleanspeech.evaluation.behaviour import build_suite
from cleanspeech.labels import LABELS

AUGMENTATIONS = ("cda", "paradetox", "spans", "templates", "hard", "contrast")

# Interchangeable identity terms by grammatical kind, so a swap keeps the sentence grammatical.
IDENTITY_TERMS: dict[str, tuple[str, ...]] = {
    "plural": ("muslims", "christians", "jews", "hindus", "buddhists", "catholics", "atheists",
               "immigrants", "mexicans", "asians", "africans", "arabs", "gays", "lesbians",
               "women", "blacks", "whites", "latinos", "refugees"),
    "adjective": ("muslim", "christian", "jewish", "hindu", "buddhist", "catholic", "atheist",
                  "black", "white", "asian", "african", "arab", "mexican", "gay", "lesbian",
                  "transgender", "trans", "homosexual", "female", "latino", "immigrant"),
}
_KIND = {t: k for k, terms in IDENTITY_TERMS.items() for t in terms}
_TERM_RE = re.compile(r"\b(" + "|".join(sorted(_KIND, key=len, reverse=True)) + r")\b", re.IGNORECASE)

# The rewriter's held-out ParaDetox pairs (rewrite.paradetox.split_pairs: 10%, seed 42) stay out
# of classifier training, so its STA on them is not measured on seen sentences.
PARADETOX_HELDOUT_FRACTION, PARADETOX_SEED = 0.1, 42


def _frame(texts: list[str], labels: dict[str, float]) -> pd.DataFrame:
    df = pd.DataFrame({TEXT_COLUMN: texts})
    for label in LABELS:
        df[label] = float(labels.get(label, np.nan))
    return df


def swap_identity(text: str, rng: np.random.Generator) -> str:
    """``text`` with every identity term replaced by another of its kind (one mapping per text;
    the first letter's case is kept)."""
    mapping: dict[str, str] = {}

    def repl(m: re.Match) -> str:
        word = m.group(0)
        low = word.lower()
        if low not in mapping:
            others = [t for t in IDENTITY_TERMS[_KIND[low]] if t != low]
            mapping[low] = others[int(rng.integers(len(others)))]
        new = mapping[low]
        return new.capitalize() if word[0].isupper() else new
    return _TERM_RE.sub(repl, text)


def counterfactual_rows(train: pd.DataFrame, copies: int = 1, seed: int = 42) -> pd.DataFrame:
    """For each non-toxic row (all six labels 0) naming an identity term, ``copies`` rows with
    the terms swapped; labels stay all 0."""
    clean = train[(train[list(LABELS)] == 0).all(axis=1)]
    texts = [t for t in clean[TEXT_COLUMN].astype(str) if _TERM_RE.search(t)]
    rng = np.random.default_rng(seed)
    out = [swap_identity(t, rng) for t in texts for _ in range(copies)]
    return _frame(out, {label: 0.0 for label in LABELS})


def _paradetox_train_rows(path: Path) -> pd.DataFrame:
    df = pd.read_csv(path, sep="\t", quoting=3, dtype=str, keep_default_na=False)
    order = np.random.default_rng(PARADETOX_SEED).permutation(len(df))
    held = set(order[: int(round(PARADETOX_HELDOUT_FRACTION * len(df)))].tolist())
    return df.iloc[[i for i in range(len(df)) if i not in held]]


def paradetox_rows(path: str | Path) -> pd.DataFrame:
    """First civil paraphrases (all labels 0) and their toxic sources (``toxic`` = 1, others unknown),
    from the pairs outside the rewriter's held-out split."""
    df = _paradetox_train_rows(Path(path))
    # One paraphrase per source (the first): a civil twin for each toxic sentence, and a third
    # of the rows of taking all three.
    keep = (df["toxic"].str.strip() != "") & (df["neutral1"].str.strip() != "")
    neutrals = df.loc[keep, "neutral1"].str.strip().tolist()
    toxic = df.loc[keep, "toxic"].str.strip().tolist()
    return pd.concat([_frame(neutrals, {label: 0.0 for label in LABELS}),
                      _frame(toxic, {"toxic": 1.0})], ignore_index=True)


def toxic_span_rows(path: str | Path) -> pd.DataFrame:
    """Posts with at least one marked toxic span: ``toxic`` = 1, the other labels unknown (the
    task marked spans in toxic posts, not which kind of toxicity). Posts without spans are left
    out: they come from the same toxic pool, so calling them clean would be wrong."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    has_span = df["spans"].str.strip().ne("[]") & df["spans"].str.strip().ne("")
    return _frame(df.loc[has_span, "text"].tolist(), {"toxic": 1.0})


def _case_labels(case) -> dict[str, float]:
    """Jigsaw-style labels of a suite case: hate → toxic + identity_hate (+ threat); a toxic
    non-hateful case (abuse of a person, swearing) → toxic, no identity_hate or threat, the
    rest unknown; anything else → all 0."""
    if case.hateful:
        labels = {"toxic": 1.0, "identity_hate": 1.0}
        labels["threat"] = 1.0 if case.phenomenon.startswith("threat") else 0.0
        return labels
    if case.toxic:
        return {"toxic": 1.0, "identity_hate": 0.0, "threat": 0.0}
    return {label: 0.0 for label in LABELS}


def template_rows(copies: int = 1) -> pd.DataFrame:
    """Cases generated from the suite's ``train`` templates only, labelled by :func:`_case_labels`."""
    parts = []
    for case in build_suite("train"):
        frame = _frame([case.text] * copies, _case_labels(case))
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def augmentation_rows(names: list[str] | tuple[str, ...], train: pd.DataFrame, data_dir: str | Path,
                      seed: int = 42, max_rows: int | None = None) -> pd.DataFrame:
    """The rows of the named augmentations (see :data:`AUGMENTATIONS`), concatenated; with
    ``max_rows``, a seeded sample of at most that many rows of each."""
    from cleanspeech.training.hard_templates import CONTRAST_PHENOMENA, hard_example_rows

    data_dir = Path(data_dir)
    makers = {
        "cda": lambda: counterfactual_rows(train, seed=seed),
        "paradetox": lambda: paradetox_rows(data_dir / "paradetox" / "paradetox_train.tsv"),
        "spans": lambda: toxic_span_rows(data_dir / "toxic_spans" / "tsd_train.csv"),
        "templates": lambda: template_rows(),
        "hard": lambda: hard_example_rows(max_per_template=8, seed=seed),
        "contrast": lambda: hard_example_rows(max_per_template=12, seed=seed, phenomena=CONTRAST_PHENOMENA),
    }
    unknown = [n for n in names if n not in makers]
    if unknown:
        raise ValueError(f"unknown augmentation(s) {unknown}; choose from {AUGMENTATIONS}")
    frames = [makers[n]() for n in names]
    if max_rows is not None:
        frames = [f.sample(n=max_rows, random_state=seed) if len(f) > max_rows else f for f in frames]
    if not frames:
        return _frame([], {})
    return pd.concat(frames, ignore_index=True)
