"""Loaders for the sources with no licence in our copy (``use = eval``): measure, never train.

Same conventions as :mod:`cleanspeech.data.sources.hate`. Evaluation scores each set's ``test``
split where the source ships one (CAD, OLID, HatEval, Gab Hate Corpus), else all its rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.data.sources.base import CLEAN, Rule, SourceFrame, apply_rules, finish
from cleanspeech.data.sources.hate import HATE, NOT_HATE

NO_LICENCE = "none found with this copy: evaluation only"

# --- CAD (Vidgen et al. 2021): comma-separated primary categories ----------------------------
CAD = {
    "IdentityDirectedAbuse": Rule(1, HATE, "abuse against an identity group (any row carrying it)"),
    "Person/AffiliationDirectedAbuse": Rule(1, {"toxic": 1.0}, "abuse at a person or an affiliation"),
    "CounterSpeech": Rule(0, NOT_HATE, "argues against abuse"),
    "Neutral": Rule(0, NOT_HATE, "not abusive; may still swear, so toxic unknown"),
}


def _cad_key(labels: str) -> str:
    parts = set(str(labels).split(","))
    if "IdentityDirectedAbuse" in parts:
        return "IdentityDirectedAbuse"
    if parts & {"PersonDirectedAbuse", "AffiliationDirectedAbuse"}:
        return "Person/AffiliationDirectedAbuse"
    return "CounterSpeech" if "CounterSpeech" in parts else ("Neutral" if "Neutral" in parts else "")


def load_cad(data_dir: Path) -> SourceFrame:
    frames = []
    for split in ("train", "dev", "test"):
        df = pd.read_csv(data_dir / "cad" / f"cad_v1_1_{split}.tsv", sep="\t", quoting=csv.QUOTE_NONE)
        text = df["text"].str.replace("[linebreak]", "\n", regex=False)
        frames.append(finish("cad", df["id"], text, pd.Series(split, index=df.index),
                             apply_rules(df["labels"].map(_cad_key), CAD)))
    return SourceFrame("cad", "eval", NO_LICENCE, pd.concat(frames, ignore_index=True), CAD,
                       "Reddit Contextual Abuse Dataset; official splits.")


# --- OLID / OffensEval 2019: levels A (OFF/NOT), B (TIN/UNT), C (IND/GRP/OTH) -------------------
OLID = {
    "NOT": CLEAN,
    "OFF, UNT": Rule(1, {"toxic": 1.0, "insult": 0.0, "threat": 0.0, "identity_hate": 0.0},
                     "untargeted profanity: no insult, threat or identity attack"),
    "OFF, TIN": Rule(1, {"toxic": 1.0}, "targeted (a group here may be political, not identity)"),
}


def _olid_key(a: str, b: str) -> str:
    if a == "NOT":
        return "NOT"
    return "OFF, UNT" if b == "UNT" else "OFF, TIN"


def load_olid(data_dir: Path) -> SourceFrame:
    d = data_dir / "olid"
    train = pd.read_csv(d / "olid-training-v1.0.tsv", sep="\t", quoting=csv.QUOTE_NONE)
    test = pd.read_csv(d / "testset-levela.tsv", sep="\t", quoting=csv.QUOTE_NONE)
    level_a = pd.read_csv(d / "labels-levela.csv", header=None, names=["id", "a"])
    level_b = pd.read_csv(d / "olid_test_subtask_b_with_labels.tsv", sep="\t", quoting=csv.QUOTE_NONE)
    test["subtask_a"] = test["id"].map(level_a.set_index("id")["a"])
    test["subtask_b"] = test["id"].map(level_b.set_index("id")["label"])
    frames = []
    for df, split in ((train, "train"), (test, "test")):
        keys = pd.Series([_olid_key(a, b) for a, b in zip(df["subtask_a"], df["subtask_b"])], index=df.index)
        frames.append(finish("olid", df["id"], df["tweet"], pd.Series(split, index=df.index),
                             apply_rules(keys, OLID)))
    return SourceFrame("olid", "eval", NO_LICENCE, pd.concat(frames, ignore_index=True), OLID,
                       "Tweets; official train / test.")


# --- HatEval 2019 (English): HS = hate against women or immigrants ---------------------------
HATEVAL = {"HS = 1": Rule(1, HATE), "HS = 0": Rule(0, NOT_HATE, "not hate; may be rude")}


def load_hateval(data_dir: Path) -> SourceFrame:
    frames = []
    for split in ("train", "dev", "test"):
        df = pd.read_csv(data_dir / "hateval2019_en" / f"hateval2019_en_{split}.csv")
        keys = df["HS"].map({1: "HS = 1", 0: "HS = 0"})
        frames.append(finish("hateval", df["id"], df["text"], pd.Series(split, index=df.index),
                             apply_rules(keys, HATEVAL)))
    return SourceFrame("hateval", "eval", NO_LICENCE, pd.concat(frames, ignore_index=True), HATEVAL,
                       "Tweets; official splits.")


# --- Gab Hate Corpus: hd (human-degrading), cv (call for violence), vo (vulgar/offensive) -----
GHC = {
    "cv": Rule(1, {**HATE, "threat": 1.0}, "a hate-based call for violence"),
    "hd": Rule(1, {**HATE, "threat": 0.0}, "degrading hate, no call for violence"),
    "vo only": Rule(1, {"toxic": 1.0, "identity_hate": 0.0, "threat": 0.0}, "vulgar, not hate-based"),
    "none": Rule(0, {"identity_hate": 0.0, "threat": 0.0}, "not hate-based and not vulgar; toxic unknown"),
}


def load_gab_hate(data_dir: Path) -> SourceFrame:
    frames = []
    for split in ("train", "test"):
        df = pd.read_csv(data_dir / "gab_hate_corpus" / f"ghc_{split}.tsv", sep="\t", quoting=csv.QUOTE_NONE)
        keys = pd.Series(np.select([df["cv"] == 1, df["hd"] == 1, df["vo"] == 1], ["cv", "hd", "vo only"], "none"),
                         index=df.index)
        ids = pd.Series([f"ghc-{split}-{i}" for i in df.index])
        frames.append(finish("gab_hate", ids, df["text"], pd.Series(split, index=df.index),
                             apply_rules(keys, GHC)))
    return SourceFrame("gab_hate", "eval", NO_LICENCE, pd.concat(frames, ignore_index=True), GHC,
                       "Gab posts; official train / test.")


# --- DynaCounter: adversarial counter-speech replies ----------------------------------------
DYNACOUNTER = {
    "counterspeech": Rule(0, NOT_HATE, "a reply arguing against hate; must not be flagged as hate"),
    "not_counterspeech": Rule(note="says nothing about toxicity: dropped"),
}


def load_dynacounter(data_dir: Path) -> SourceFrame:
    df = pd.read_csv(data_dir / "dynacounter" / "DynaCounter.csv").drop_duplicates("response")
    frame = finish("dynacounter", df["id"], df["response"], None, apply_rules(df["gold_label"], DYNACOUNTER))
    return SourceFrame("dynacounter", "eval", NO_LICENCE, frame, DYNACOUNTER,
                       "Only counter-speech replies (all negatives): a false-flag rate, no AUC. The "
                       "abusive contexts carry no human abuse label and are left out, as is PLF.")
