"""Sources behind one interface, read from a few real rows of each (tests/fixtures/sources)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cleanspeech.data.sources import (
    COLUMNS,
    EVAL_SOURCES,
    SOURCES,
    TRAIN_SOURCES,
    build_mixture,
    hashed_split,
    load_source,
    mapping_markdown,
    normalise_text,
)
from cleanspeech.data.sources.hate import strip_bytes_wrapper
from cleanspeech.data.sources.mixture import jigsaw_holdout_texts
from cleanspeech.labels import LABELS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DATA = FIXTURES / "sources"
JIGSAW = FIXTURES / "jigsaw_sample.csv"


@pytest.fixture(scope="module")
def loaded():
    return {name: load_source(name, DATA) for name in SOURCES}


def test_registry_partitions_sources_by_licence():
    assert len(SOURCES) == 15 and len(TRAIN_SOURCES) == 10 and len(EVAL_SOURCES) == 5
    assert set(TRAIN_SOURCES).isdisjoint(EVAL_SOURCES)
    with pytest.raises(KeyError):
        load_source("hatecheck", DATA)


@pytest.mark.parametrize("name", SOURCES)
def test_every_source_follows_the_interface(loaded, name):
    src = loaded[name]
    f = src.frame
    assert list(f.columns) == list(COLUMNS) and len(f) > 0
    assert src.use == ("train" if name in TRAIN_SOURCES else "eval") and src.licence
    assert f.attrs["use"] == src.use and (f["source"] == name).all()
    assert set(f["split"]) <= {"train", "dev", "test", "heldout"}
    values = f[["target", *LABELS]].to_numpy(float)
    assert np.isin(values[~np.isnan(values)], [0.0, 1.0]).all()
    assert (~np.isnan(values)).any(axis=1).all(), "rows that say nothing must be dropped"
    assert (f["text"].str.strip() != "").all()
    assert src.labels().shape == (len(f), 6)
    # identity_hate = 1 implies toxic = 1 in every mapping, as in Jigsaw
    ih = f["identity_hate"] == 1
    assert (f.loc[ih, "toxic"] == 1).all()
    assert mapping_markdown(src.mapping).count("\n") == len(src.mapping) + 1


def test_davidson_mapping(loaded):
    f = load_source("davidson", DATA).frame
    raw = pd.read_csv(DATA / "davidson2017" / "labeled_data.csv").set_index("tweet")
    cls = f["text"].map(raw["class"])
    hate, neither = f[cls == 0], f[cls == 2]
    assert (hate[["toxic", "identity_hate"]] == 1).all().all() and hate["insult"].isna().all()
    assert (neither[list(LABELS)] == 0).all().all()
    offensive = f[cls == 1]
    votes = offensive["text"].map(raw["hate_speech"])
    assert (offensive["toxic"] == 1).all()
    assert (offensive.loc[votes == 0, "identity_hate"] == 0).all()
    assert offensive.loc[votes > 0, "identity_hate"].isna().all()


def test_not_hate_leaves_toxic_unknown(loaded):
    for name in ("implicit_hate", "stormfront", "hateval"):
        f = loaded[name].frame
        neg = f[f["target"] == 0]
        assert len(neg) and (neg["identity_hate"] == 0).all() and neg["toxic"].isna().all(), name


def test_implicit_hate_threatening_is_a_threat(loaded):
    f = loaded["implicit_hate"].frame
    assert (f["threat"] == 1).sum() >= 1
    assert f.loc[f["threat"] == 1, "identity_hate"].eq(1).all()


def test_toxigen_strips_the_bytes_wrapper_and_bins_scores(loaded):
    f = loaded["toxigen"].frame
    assert not f["text"].str.match(r"^b['\"]").any()
    assert strip_bytes_wrapper("b'it\\'s fine'") == "it's fine"
    assert strip_bytes_wrapper('b"a \\xe2\\x80\\x99 b"') == "a \u2019 b"
    assert strip_bytes_wrapper("plain") == "plain"
    raw = pd.read_csv(DATA / "toxigen_annotated" / "toxigen_annotated_train_8960.csv")
    assert len(f) == ((raw["toxicity_human"] >= 4) | (raw["toxicity_human"] <= 2)).sum()


def test_official_splits_are_kept(loaded):
    hx = loaded["hatexplain"].frame
    assert {"train", "dev", "test"} <= set(hx["split"])
    assert set(loaded["sbic"].frame["split"]) == {"train", "test"}
    assert loaded["cad"].eval_rows()["split"].eq("test").all()


def test_acl2022_posts_and_semeval_trial(loaded):
    f = loaded["toxic_spans_acl2022"].frame
    assert (f["toxic"] == 1).all() and f["severe_toxic"].isna().all()
    assert (f["insult"] == 1).any()
    trial = set(pd.read_csv(DATA / "toxic_spans" / "tsd_trial.csv")["text"].str.strip())
    assert trial and f.loc[f["text"].isin(trial), "split"].eq("heldout").all()


def test_normalised_text_and_hashed_split_are_stable():
    a, b = "Go HOME @user  now http://x.co/abc", "go home now"
    assert normalise_text(a) == normalise_text(b) == "go home now"
    texts = pd.Series([a, b, "something else entirely", "another"] * 3)
    first, again = hashed_split(texts), hashed_split(texts)
    assert first.equals(again) and first[0] == first[1]
    many = hashed_split(pd.Series([f"text number {i}" for i in range(2000)]))
    assert 0.07 < (many == "heldout").mean() < 0.13


def test_mixture_is_train_parts_of_train_sources_deduplicated():
    mix = build_mixture(DATA)
    assert set(mix.train["source"]) <= set(TRAIN_SOURCES)
    assert (mix.train.merge(mix.heldout[["source", "id"]], on=["source", "id"]).empty)
    assert not mix.train["key"].duplicated().any()
    held = set(mix.heldout["text"].map(normalise_text))
    assert not set(mix.train["key"]) & held
    assert sum(mix.shares.values()) == pytest.approx(1.0)
    assert set(mix.summary()["source"]) == set(TRAIN_SOURCES)
    with pytest.raises(ValueError):
        build_mixture(DATA, ["davidson", "hateval"])


def test_mixture_drops_jigsaw_holdout_eval_and_cross_source_copies(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    jig = [t for t in jigsaw_holdout_texts(JIGSAW) if hashed_split(pd.Series([t]))[0] == "train"][0]
    gab_texts = pd.read_csv(DATA / "gab_hate_corpus" / "ghc_test.tsv", sep="\t")["text"]
    gab = gab_texts[hashed_split(gab_texts) == "train"].iloc[0]
    stormfront = pd.read_csv(DATA / "stormfront" / "stormfront_sentences.csv")
    dav_path = data / "davidson2017" / "labeled_data.csv"
    dav = pd.read_csv(dav_path, index_col=0)
    shared = stormfront["text"].iloc[0]
    extra = pd.DataFrame({"count": 3, "hate_speech": 0, "offensive_language": 0, "neither": 3, "class": 2,
                          "tweet": [jig, gab, "  " + shared.upper() + " "]}, index=[900001, 900002, 900003])
    pd.concat([dav, extra]).to_csv(dav_path)

    mix = build_mixture(data, ["stormfront", "davidson"], jigsaw_path=JIGSAW)
    keys = set(mix.train["key"])
    assert normalise_text(jig) not in keys and normalise_text(gab) not in keys
    assert mix.dropped["davidson"]["contaminated"] >= 2
    if hashed_split(pd.Series([shared]))[0] == "train":
        assert (mix.train["key"] == normalise_text(shared)).sum() == 1
        assert mix.dropped["davidson"]["duplicate"] >= 1

    capped = build_mixture(data, ["stormfront", "davidson"], max_per_source=2)
    assert capped.train["source"].value_counts().max() <= 2
