"""Loaders for the hate-speech sources licensed for training (``use = train``).

Conventions shared by every table here (see :mod:`cleanspeech.data.sources.base`):

- hate against a group -> ``toxic = 1, identity_hate = 1``: in Jigsaw an identity_hate row is
  (almost) always toxic too, and every source below defines hate by a protected characteristic;
- a source's "not hate" -> ``identity_hate = 0`` only, ``toxic`` left NaN: not hateful is not
  the same as civil (a "not hate" tweet may still swear at someone);
- only a class that says the post is not offensive at all ("normal", "neither", offensiveYN = 0)
  sets all six labels to 0;
- no source here rates ``severe_toxic``, ``obscene`` or ``insult``: they stay NaN.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.data.sources.base import CLEAN, Rule, SourceFrame, apply_rules, finish

HATE = {"toxic": 1.0, "identity_hate": 1.0}
NOT_HATE = {"identity_hate": 0.0}

# --- HateXplain: majority of three annotators over hatespeech / offensive / normal -------------
HATEXPLAIN = {
    "hatespeech": Rule(1, HATE, "hate speech: targets a community"),
    "offensive": Rule(1, {"toxic": 1.0}, "majority said offensive, not hate; identity_hate unsure"),
    "normal": CLEAN,
    "undecided": Rule(note="no majority: dropped"),
}
_HATEXPLAIN_CATEGORY = {0: "normal", 1: "hatespeech", 2: "offensive", 3: "undecided"}
_SPLIT_NAMES = {"train": "train", "val": "dev", "valid": "dev", "dev": "dev", "test": "test"}


def load_hatexplain(data_dir: Path) -> SourceFrame:
    d = data_dir / "hatexplain"
    df = pd.read_csv(d / "hatexplain_all_20148_postid_text_majority.csv")
    post_id = df.iloc[:, 0].astype(str)  # the unnamed first column is the post id
    divisions = json.loads((d / "post_id_divisions.json").read_text())
    where = {pid: _SPLIT_NAMES[part] for part, ids in divisions.items() for pid in ids}
    keys = df["category"].map(_HATEXPLAIN_CATEGORY)
    frame = finish("hatexplain", post_id, df["text"], post_id.map(where).fillna("train"),
                   apply_rules(keys, HATEXPLAIN))
    return SourceFrame("hatexplain", "train", "MIT (repo), CC BY 4.0 (card)", frame, HATEXPLAIN,
                       "Twitter and Gab; official 8:1:1 split from post_id_divisions.json.")


# --- ToxiGen (human-annotated): toxicity_human, the mean 1-5 rating -----------------------------
TOXIGEN = {
    "toxicity_human >= 4": Rule(1, HATE, "statements about a group rated toxic"),
    "toxicity_human <= 2": Rule(0, CLEAN.labels, "rated benign: all six 0"),
    "2 < toxicity_human < 4": Rule(note="unsure: dropped"),
}
_BYTES_WRAPPER = re.compile(r"^b(['\"])(.*)\1$", re.DOTALL)


def strip_bytes_wrapper(text: str) -> str:
    """``b'it\\'s'`` -> ``it's``: ToxiGen's texts are the ``repr`` of UTF-8 bytes."""
    text = str(text).strip()
    if not _BYTES_WRAPPER.match(text):
        return text
    try:
        return ast.literal_eval(text).decode("utf-8", errors="replace")
    except (ValueError, SyntaxError):
        return _BYTES_WRAPPER.sub(r"\2", text)


def load_toxigen(data_dir: Path) -> SourceFrame:
    df = pd.read_csv(data_dir / "toxigen_annotated" / "toxigen_annotated_train_8960.csv")
    score = df["toxicity_human"].astype(float)
    keys = pd.Series(np.select([score >= 4, score <= 2], list(TOXIGEN)[:2], list(TOXIGEN)[2]),
                     index=df.index)
    texts = df["text"].map(strip_bytes_wrapper)
    frame = finish("toxigen", pd.Series([f"toxigen-{i}" for i in df.index]), texts, None,
                   apply_rules(keys, TOXIGEN))
    return SourceFrame("toxigen", "train", "MIT (repo)", frame, TOXIGEN,
                       "Machine-written statements about 13 groups, human-rated; `label` (the "
                       "generation prompt) is ignored. Hashed split.")


# --- Implicit Hate: stage-1 class, stage-2 implicit class for threats ---------------------------
IMPLICIT_HATE = {
    "explicit_hate": Rule(1, HATE),
    "implicit_hate": Rule(1, HATE, "coded hate against a group is still identity hate"),
    "implicit_hate, threatening": Rule(1, {**HATE, "threat": 1.0}, "stage-2 class threatening"),
    "not_hate": Rule(0, NOT_HATE, "not hate; may still be rude, so toxic unknown"),
}


def load_implicit_hate(data_dir: Path) -> SourceFrame:
    d = data_dir / "implicit_hate"
    stg1 = pd.read_csv(d / "implicit_hate_v1_stg1_posts.tsv", sep="\t")
    stg2 = pd.read_csv(d / "implicit_hate_v1_stg2_posts.tsv", sep="\t")
    threatening = set(stg2.loc[stg2["implicit_class"] == "threatening", "post"])
    keys = stg1["class"].where(~((stg1["class"] == "implicit_hate") & stg1["post"].isin(threatening)),
                               "implicit_hate, threatening")
    frame = finish("implicit_hate", pd.Series([f"ih-{i}" for i in stg1.index]), stg1["post"], None,
                   apply_rules(keys, IMPLICIT_HATE))
    return SourceFrame("implicit_hate", "train", "CC BY 4.0", frame, IMPLICIT_HATE,
                       "Twitter. Hashed split.")


# --- SBIC: aggregated offensiveYN (share of annotators) and whoTarget ---------------------------
SBIC = {
    "offensive, group target": Rule(1, HATE, "offensiveYN >= 0.5, whoTarget >= 0.5, a target minority"),
    "offensive, other": Rule(1, {"toxic": 1.0}, "offensiveYN >= 0.5, individual or unknown target"),
    "not offensive": CLEAN,
    "unsure": Rule(note="0 < offensiveYN < 0.5: dropped"),
}


def _sbic_keys(df: pd.DataFrame) -> pd.Series:
    off = df["offensiveYN"].astype(float)
    group = (df["whoTarget"].astype(float) >= 0.5) & (df["targetMinority"].fillna("[]") != "[]")
    return pd.Series(np.select([(off >= 0.5) & group, off >= 0.5, off == 0],
                               list(SBIC)[:3], "unsure"), index=df.index)


def load_sbic(data_dir: Path) -> SourceFrame:
    d = data_dir / "sbic"
    # Only the aggregated dev and test files are here; dev serves as our train part, test is held out.
    parts = [(pd.read_csv(d / "SBIC.v2.agg.dev.csv"), "train"), (pd.read_csv(d / "SBIC.v2.agg.tst.csv"), "test")]
    frames = []
    for df, split in parts:
        ids = pd.Series([f"sbic-{split}-{i}" for i in df.index])
        frames.append(finish("sbic", ids, df["post"], pd.Series(split, index=df.index),
                             apply_rules(_sbic_keys(df), SBIC)))
    frame = pd.concat(frames, ignore_index=True)
    return SourceFrame("sbic", "train", "CC BY 4.0", frame, SBIC,
                       "Social Bias Frames, aggregated; its dev file is our train part, its test "
                       "file our held-out part (the train file is not in this copy).")


# --- Davidson et al. 2017: majority class and the vote counts ----------------------------------
DAVIDSON = {
    "hate_speech": Rule(1, HATE, "class 0"),
    "offensive_language, no hate votes": Rule(1, {"toxic": 1.0, "identity_hate": 0.0},
                                              "class 1 and every annotator said not hate"),
    "offensive_language, some hate votes": Rule(1, {"toxic": 1.0},
                                                "class 1 but some annotator said hate: unsure"),
    "neither": CLEAN,
}


def load_davidson(data_dir: Path) -> SourceFrame:
    df = pd.read_csv(data_dir / "davidson2017" / "labeled_data.csv")
    keys = pd.Series(np.select(
        [df["class"] == 0, (df["class"] == 1) & (df["hate_speech"] == 0), df["class"] == 1, df["class"] == 2],
        list(DAVIDSON), ""), index=df.index)
    frame = finish("davidson", df.iloc[:, 0].astype(str), df["tweet"], None, apply_rules(keys, DAVIDSON))
    return SourceFrame("davidson", "train", "MIT", frame, DAVIDSON,
                       "Tweets; the offensive class is mostly misogynistic slang, so identity_hate = 0 "
                       "only where no annotator voted hate. Hashed split.")


# --- ETHOS: isHate share, and violence from the multi-label subset -----------------------------
ETHOS = {
    "hate, violence": Rule(1, {**HATE, "threat": 1.0}, "isHate >= 0.5, violence >= 0.5"),
    "hate, no violence": Rule(1, {**HATE, "threat": 0.0}, "isHate >= 0.5, violence = 0"),
    "hate": Rule(1, HATE, "isHate >= 0.5, violence not rated or unsure"),
    "not hate": Rule(0, NOT_HATE, "isHate <= 0.2"),
    "unsure": Rule(note="0.2 < isHate < 0.5: dropped"),
}


def load_ethos(data_dir: Path) -> SourceFrame:
    d = data_dir / "ethos"
    df = pd.read_csv(d / "Ethos_Dataset_Binary.csv", sep=";")
    multi = pd.read_csv(d / "Ethos_Dataset_Multi_Label.csv", sep=";").drop_duplicates("comment")
    violence = df["comment"].map(multi.set_index("comment")["violence"]).astype(float)
    hate = df["isHate"].astype(float) >= 0.5
    keys = pd.Series(np.select(
        [hate & (violence >= 0.5), hate & (violence == 0), hate, df["isHate"] <= 0.2],
        list(ETHOS)[:4], "unsure"), index=df.index)
    frame = finish("ethos", pd.Series([f"ethos-{i}" for i in df.index]), df["comment"], None,
                   apply_rules(keys, ETHOS))
    return SourceFrame("ethos", "train", "GPL-3.0", frame, ETHOS,
                       "YouTube and Reddit comments. Hashed split.")


# --- Stormfront (de Gibert et al. 2018): sentence-level hate / noHate ---------------------------
STORMFRONT = {
    "hate": Rule(1, HATE, "a deliberate attack on a group"),
    "noHate": Rule(0, NOT_HATE),
    "relation": Rule(note="hate only with neighbouring sentences: dropped"),
    "idk/skip": Rule(note="dropped"),
}


def load_stormfront(data_dir: Path) -> SourceFrame:
    df = pd.read_csv(data_dir / "stormfront" / "stormfront_sentences.csv")
    frame = finish("stormfront", df["file_id"], df["text"], None, apply_rules(df["label"], STORMFRONT))
    return SourceFrame("stormfront", "train", "CC BY-SA 3.0", frame, STORMFRONT,
                       "White-supremacist forum sentences. Hashed split.")
