"""Toxic-span posts from more than one site, as ``text, offsets, source`` frames with fixed held-out parts.

* ``tsd``: SemEval-2021 TSD ``tsd_train`` (the 80/20 split of :func:`~cleanspeech.training.tagger.load_split`;
  ``val20`` held out) and ``tsd_trial`` (held out).
* ``acl``: the ACL-2022 per-annotator release (Civil Comments, the site of the SemEval test), the
  posts that are in neither TSD file (``acl_new``). Their gold is aggregated from the annotators
  by :func:`acl_gold`: a character is toxic when at least ``min_votes(n)`` of the post's ``n``
  annotators marked it. The threshold is the one whose aggregation best reproduces the SemEval
  gold on the 8,770 posts in both releases (``runs``: 3 annotators: 1 vote, F1 0.83 against
  the SemEval gold vs 0.56 for a majority; 7 annotators: 2 votes, 0.75 vs 0.40), so the new
  posts are labelled as the task's test posts were. 20% held out (seed 42, stratified on
  "has a span").
* ``hatexplain``: HateXplain posts (Twitter, Gab) with their agreed token rationales, tokens
  joined by single spaces; ``normal`` posts have no rationale (empty spans). The official test
  split is held out.

Every held-out part is disjoint from every training part by text.
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.data.split import train_val_split
from cleanspeech.explain.span_metric import read_tsd

SEED = 42


def min_votes(n_annotators: int) -> int:
    """Votes a character needs to be gold (see the module docstring)."""
    return 2 if n_annotators >= 7 else 1


def acl_gold(folder: str | Path) -> pd.DataFrame:
    """``text, offsets, annotators`` of every ACL-2022 post, gold aggregated by :func:`min_votes`."""
    folder = Path(folder)
    comments = pd.read_csv(folder / "acl2022_comments.csv")
    annotations = pd.read_csv(folder / "acl2022_annotations.csv")
    spans = pd.read_csv(folder / "acl2022_spans.csv")
    by_annotation: dict[int, list[tuple[int, int]]] = {}
    for ann, start, end in zip(spans["annotation"], spans["start"], spans["end"]):
        by_annotation.setdefault(int(ann), []).append((int(start), int(end)))
    text = dict(zip(comments["comment_id"], comments["comment_text"]))
    rows = []
    for cid, group in annotations.groupby("comment_id", sort=True):
        t = text.get(cid)
        if not isinstance(t, str):
            continue
        votes = np.zeros(len(t), dtype=np.int32)
        for ann in group["annotation"]:
            marked = np.zeros(len(t), dtype=bool)
            for s, e in by_annotation.get(int(ann), []):
                marked[max(s, 0):min(e, len(t))] = True
            votes += marked
        n = len(group)
        rows.append((t, [int(i) for i in np.flatnonzero(votes >= min_votes(n))], n))
    return pd.DataFrame(rows, columns=["text", "offsets", "annotators"])


def _split(df: pd.DataFrame, source: str, val_fraction: float = 0.2) -> tuple[pd.DataFrame, pd.DataFrame]:
    df = df.assign(has_span=df["offsets"].map(lambda o: int(len(o) > 0)), source=source)
    return train_val_split(df, val_fraction=val_fraction, seed=SEED, stratify="has_span")


def hatexplain_posts(csv: str | Path) -> pd.DataFrame:
    """``text, offsets`` of a HateXplain rationale file (tokens joined by single spaces)."""
    df = pd.read_csv(csv)
    rows = []
    for tokens, mask in zip(df["post_tokens"], df["toxic_tokens"]):
        tokens, mask = ast.literal_eval(tokens), ast.literal_eval(mask)
        pos, offsets = 0, []
        for tok, m in zip(tokens, mask):
            if m:
                offsets.extend(range(pos, pos + len(tok)))
            pos += len(tok) + 1
        rows.append((" ".join(tokens), offsets))
    return pd.DataFrame(rows, columns=["text", "offsets"]).drop_duplicates(subset=["text"])


def span_sources(data_dir: str | Path) -> dict[str, tuple[pd.DataFrame, pd.DataFrame | None]]:
    """``{source: (train, held_out)}`` for ``tsd`` (held out: val20), ``tsd_trial`` (held out
    only), ``acl_new`` and ``hatexplain``; frames have ``text, offsets, source``."""
    data_dir = Path(data_dir)
    spans_dir = data_dir / "toxic_spans"
    tsd = read_tsd(spans_dir / "tsd_train.csv").drop_duplicates(subset=["text"]).reset_index(drop=True)
    tsd["has_span"] = tsd["offsets"].map(lambda o: int(len(o) > 0))
    tsd_train, val20 = train_val_split(tsd, val_fraction=0.2, seed=SEED, stratify="has_span")
    trial = read_tsd(spans_dir / "tsd_trial.csv").drop_duplicates(subset=["text"]).reset_index(drop=True)
    known = set(tsd["text"]) | set(trial["text"])
    acl = acl_gold(spans_dir)
    acl_train, acl_held = _split(acl[~acl["text"].isin(known)].reset_index(drop=True), "acl_new")
    hx_dir = data_dir / "hatexplain"
    hx_train = hatexplain_posts(hx_dir / "hatexplain_tokens_rationale_train.csv").assign(source="hatexplain")
    hx_test = hatexplain_posts(hx_dir / "hatexplain_tokens_rationale_test.csv").assign(source="hatexplain")
    hx_test = hx_test[~hx_test["text"].isin(set(hx_train["text"]))]
    cols = ["text", "offsets", "source"]
    return {
        "tsd": (tsd_train.assign(source="tsd")[cols], val20.assign(source="tsd")[cols]),
        "tsd_trial": (trial.iloc[:0].assign(source="tsd_trial")[cols], trial.assign(source="tsd_trial")[cols]),
        "acl_new": (acl_train[cols], acl_held[cols]),
        "hatexplain": (hx_train.reset_index(drop=True)[cols], hx_test.reset_index(drop=True)[cols]),
    }
