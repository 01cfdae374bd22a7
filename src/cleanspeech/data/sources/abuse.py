"""Loaders for the abuse, counter-speech and toxic-spans sources licensed for training.

These rate more than hate: ConvAbuse and the Reddit counter-speech set say whether a message is
abusive at all, and the ACL-2022 toxic-spans release types every span it marks (insult, profane,
identity attack, threat), which is the only source here for ``insult`` and ``obscene``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.data.sources.base import CLEAN, Rule, SourceFrame, apply_rules, finish
from cleanspeech.labels import LABELS

# --- ConvAbuse: per-annotator is_abuse (1 = not abuse, 0 = ambiguous, -1..-3 = abusive) --------
CONVABUSE = {
    "abusive, identity-based": Rule(1, {"toxic": 1.0, "identity_hate": 1.0},
                                    "most annotators abusive; most of those tick an identity type"),
    "abusive": Rule(1, {"toxic": 1.0}, "most annotators abusive"),
    "not abusive": CLEAN,
    "mixed": Rule(note="no majority or some ambiguous: dropped"),
}
_IDENTITY_TYPES = ("ableist", "homophobic", "racist", "sexist", "transphobic")


def _flag(col: pd.Series) -> np.ndarray:
    """A 0/1 column as float; an annotator who rated twice has ``"1, 0"``: their mean, >= 0.5 is 1."""
    def one(v: object) -> float:
        if isinstance(v, str):
            parts = [float(x) for x in v.split(",") if x.strip()]
            return float(np.mean(parts) >= 0.5) if parts else np.nan
        return float(v)

    return col.map(one).to_numpy(dtype=float)


def _convabuse_keys(df: pd.DataFrame) -> pd.Series:
    annotators = sorted({c.split("_")[0] for c in df.columns if c.startswith("Annotator")})
    n = np.zeros(len(df))
    abusive = np.zeros(len(df))
    clean = np.zeros(len(df))
    identity = np.zeros(len(df))
    for a in annotators:
        not_abuse = _flag(df[f"{a}_is_abuse.1"])
        present = ~np.isnan(not_abuse)
        says_abuse = sum(np.nan_to_num(_flag(df[f"{a}_is_abuse.{v}"])) for v in (-1, -2, -3)) > 0
        says_identity = sum(np.nan_to_num(_flag(df[f"{a}_{t}"])) for t in _IDENTITY_TYPES
                            if f"{a}_{t}" in df) > 0
        n += present
        abusive += present & says_abuse
        clean += present & (not_abuse == 1)
        identity += present & says_abuse & says_identity
    major = abusive > n / 2
    keys = np.select([major & (identity > abusive / 2), major, (n > 0) & (clean == n)],
                     list(CONVABUSE)[:3], "mixed")
    return pd.Series(keys, index=df.index)


def load_convabuse(data_dir: Path) -> SourceFrame:
    d = data_dir / "convabuse"
    frames = []
    for file, split in (("train", "train"), ("valid", "dev"), ("test", "test")):
        df = pd.read_csv(d / f"ConvAbuseEMNLP{file}.csv")
        frames.append(finish("convabuse", df["example_id"], df["user"], pd.Series(split, index=df.index),
                             apply_rules(_convabuse_keys(df), CONVABUSE)))
    return SourceFrame("convabuse", "train", "CC BY 4.0", pd.concat(frames, ignore_index=True), CONVABUSE,
                       "The user's turn in conversations with two chatbots; official splits.")


# --- Reddit counter-speech (Yu et al. 2022): the reply's label -------------------------------
YU = {
    "hate (1)": Rule(1, {"toxic": 1.0}, "hateful reply; often at a person, so identity_hate unknown"),
    "neutral (0)": Rule(0, {"identity_hate": 0.0}, "neither hate nor counter-hate; may swear"),
    "counter-hate (2)": Rule(0, {"identity_hate": 0.0}, "argues against hate; may be rude"),
}
_YU_CLASS = {0: "neutral (0)", 1: "hate (1)", 2: "counter-hate (2)"}


def load_counterspeech_yu(data_dir: Path) -> SourceFrame:
    df = pd.read_csv(data_dir / "counterspeech_reddit_yu" / "yu_et_al_2022.csv")
    frame = finish("counterspeech_yu", "yu-" + df["idx"].astype(str), df["reply"], None,
                   apply_rules(df["label"].map(_YU_CLASS), YU))
    return SourceFrame("counterspeech_yu", "train", "MIT (datasheet)", frame, YU,
                       "Reddit replies (the parent is context only, not scored). Only "
                       "yu_et_al_2022.csv: the 2023 file labels stance, the Hickey file's codes are "
                       "undocumented. Hashed split.")


# --- ACL-2022 toxic spans, read as post-level labels ------------------------------------------
# An annotator who marked no span may have found the post not toxic or "all toxic" (the two flag
# columns of this release do not separate them), so a post counts as toxic only when most of its
# annotators marked a span, and posts no annotator marked are dropped, never called clean.
SPAN_TYPES = {"Insult": "insult", "Profane/Obscene": "obscene",
              "Identity based Attack": "identity_hate", "Threat": "threat"}
ACL2022 = {
    "most annotators mark spans": Rule(1, {"toxic": 1.0}, "plus, per type, 1 if at least half the "
                                       "annotators mark a span of that type, 0 if every annotator "
                                       "marks spans and none of that type, else NaN"),
    "otherwise": Rule(note="dropped"),
}


def _span_label(type_name: str) -> str | None:
    for full, label in SPAN_TYPES.items():
        # A few rows carry a truncated type ("Insu", "Identity based").
        if full.startswith(str(type_name)):
            return label
    return None


def load_toxic_spans_acl2022(data_dir: Path) -> SourceFrame:
    d = data_dir / "toxic_spans"
    comments = pd.read_csv(d / "acl2022_comments.csv")
    ann = pd.read_csv(d / "acl2022_annotations.csv")
    spans = pd.read_csv(d / "acl2022_spans.csv")
    spans["label"] = spans["type"].map(_span_label)
    n_ann = ann.groupby("comment_id")["annotation"].nunique()
    marked = ann[ann["annotation"].isin(spans["annotation"])].groupby("comment_id")["annotation"].nunique()
    typed = spans.dropna(subset=["label"]).merge(ann[["annotation", "comment_id"]], on="annotation")
    per_type = typed.groupby(["comment_id", "label"])["annotation"].nunique().unstack(fill_value=0)

    cid = comments["comment_id"]
    n = cid.map(n_ann).fillna(0).to_numpy()
    m = cid.map(marked).fillna(0).to_numpy()
    toxic = (n > 0) & (m > n / 2)
    keys = pd.Series(np.where(toxic, list(ACL2022)[0], "otherwise"), index=comments.index)
    values = apply_rules(keys, ACL2022)
    for label in SPAN_TYPES.values():
        k = cid.map(per_type[label]).fillna(0).to_numpy() if label in per_type else np.zeros(len(cid))
        col = np.where(k >= n / 2, 1.0, np.where((k == 0) & (m == n), 0.0, np.nan))
        values[label] = np.where(toxic, col, np.nan)
    assert set(values.columns) == {"target", *LABELS}

    # SemEval trial posts stay held out, so span results on the trial set stay clean.
    trial_path = d / "tsd_trial.csv"
    trial = set(pd.read_csv(trial_path)["text"].str.strip()) if trial_path.exists() else set()
    frame = finish("toxic_spans_acl2022", "acl-" + cid.astype(str), comments["comment_text"], None, values)
    frame.loc[frame["text"].isin(trial), "split"] = "heldout"
    return SourceFrame("toxic_spans_acl2022", "train", "CC0", frame, ACL2022,
                       "Civil Comments with typed toxic spans per annotator; hashed split, SemEval "
                       "trial posts forced into held-out.")
