"""Augmentation rows: right rows, right labels, nothing from evaluation splits."""

import json

import numpy as np
import pandas as pd
import pytest

from cleanspeech.evaluation.behaviour import build_suite
from cleanspeech.labels import LABELS
from cleanspeech.models.linear import LinearConfig, LinearModel
from cleanspeech.training.augment import (
    augmentation_rows, counterfactual_rows, paradetox_rows, swap_identity, template_rows,
    toxic_span_rows,
)


def _frame(texts, toxic):
    return pd.DataFrame({"comment_text": texts, **{lab: toxic if lab == "toxic" else [0] * len(texts)
                                                   for lab in LABELS}})


def test_swap_identity_changes_only_group_terms_and_keeps_case():
    rng = np.random.default_rng(0)
    out = swap_identity("Muslims and muslims visited the muslim museum.", rng)
    words = out.split()
    assert words[0][0].isupper() and words[0].lower() != "muslims"
    assert words[0].lower() == words[2]  # one mapping per text
    assert words[1] == "and" and words[-1] == "museum." and words[-2] != "muslim"


def test_counterfactual_rows_come_from_clean_identity_rows_only():
    train = _frame(["I met gay people", "gay people are idiots", "nice edit"], [0, 1, 0])
    rows = counterfactual_rows(train, seed=1)
    assert len(rows) == 1 and "gay" not in rows["comment_text"][0].lower()
    assert (rows[list(LABELS)] == 0).all(axis=None)


def test_paradetox_rows_skip_the_rewriters_heldout_pairs(tmp_path):
    from cleanspeech.rewrite.paradetox import read_pairs, split_pairs

    lines = ["toxic\tneutral1\tneutral2\tneutral3"] + [f"bad {i}\tgood {i}\tfine {i}\t" for i in range(30)]
    path = tmp_path / "p.tsv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = paradetox_rows(path)
    _, held = split_pairs(read_pairs(path))
    held_texts = {p.toxic for p in held} | {r for p in held for r in p.references}
    assert len(rows) == 2 * (30 - len(held)) and not set(rows["comment_text"]) & held_texts
    civil, toxic = rows[rows["comment_text"].str.startswith("good")], rows[rows["comment_text"].str.startswith("bad")]
    assert (civil[list(LABELS)] == 0).all(axis=None)
    assert (toxic["toxic"] == 1).all() and toxic[[lab for lab in LABELS if lab != "toxic"]].isna().all(axis=None)


def test_toxic_span_rows_keep_posts_with_spans_as_toxic_only(tmp_path):
    path = tmp_path / "tsd.csv"
    pd.DataFrame({"spans": ["[0, 1, 2]", "[]"], "text": ["you idiot", "fine post"]}).to_csv(path, index=False)
    rows = toxic_span_rows(path)
    assert rows["comment_text"].tolist() == ["you idiot"]
    assert rows["toxic"].tolist() == [1.0] and rows[list(LABELS[1:])].isna().all(axis=None)


def test_template_rows_share_no_text_with_the_eval_suite():
    rows = template_rows()
    eval_texts = {c.text for c in build_suite("eval")}
    assert len(rows) == len(build_suite("train")) and not set(rows["comment_text"]) & eval_texts
    hateful = rows[rows["identity_hate"] == 1]
    assert len(hateful) and (hateful["toxic"] == 1).all()


def test_unknown_augmentation_is_an_error():
    with pytest.raises(ValueError, match="unknown augmentation"):
        augmentation_rows(["nope"], _frame(["x"], [0]), ".")


def test_linear_fit_leaves_unknown_labels_out(jigsaw_sample_path):
    from cleanspeech.data import read_jigsaw

    df = read_jigsaw(jigsaw_sample_path).head(200)
    model = LinearModel(LinearConfig(min_df=1, keep_features=None))
    model.fit(df["comment_text"].tolist(), df[list(LABELS)].to_numpy())
    X = model.features(df["comment_text"].tolist())
    y = df[list(LABELS)].to_numpy(dtype=float)
    y_nan = y.copy()
    y_nan[:50, 1:] = np.nan  # rows 0-49: only `toxic` known
    model._fit_heads(X, y_nan)
    with_nan = model.coef_.copy()
    model._fit_heads(X[50:], y[50:])
    np.testing.assert_allclose(with_nan[1:], model.coef_[1:], atol=1e-6)
    assert not np.allclose(with_nan[0], model.coef_[0])


def test_train_linear_with_augmentation_and_normalisation(jigsaw_sample_path, tmp_path):
    from cleanspeech.models import load_model
    from cleanspeech.training.linear import train_linear

    model, metrics = train_linear(jigsaw_sample_path, tmp_path / "m", val_fraction=0.25,
                                  config=LinearConfig(min_df=1, keep_features=2000, cleaning="normalize-v1"),
                                  augment=("templates",))
    assert metrics["data"]["augment"] == ["templates"]
    again = load_model(tmp_path / "m")
    assert again.cleaning == "normalize-v1"
    # the same cleaning at inference: an obfuscated text scores as its plain form
    np.testing.assert_allclose(again.predict_proba(["ｉｄｉｏｔ"]), again.predict_proba(["idiot"]), atol=1e-6)


def test_cli_train_linear_takes_cleaning_and_augment(jigsaw_sample_path, tmp_path):
    import json

    from typer.testing import CliRunner

    from cleanspeech.cli import app

    out = tmp_path / "cli"
    res = CliRunner().invoke(app, ["train-linear", "--train", str(jigsaw_sample_path), "-o", str(out),
                                   "--val-fraction", "0.25", "--keep-features", "2000",
                                   "--cleaning", "normalize-v1", "--augment", "templates"])
    assert res.exit_code == 0, res.output
    assert json.loads((out / "cleanspeech.json").read_text())["cleaning"] == "normalize-v1"
    bad = CliRunner().invoke(app, ["train-linear", "--train", str(jigsaw_sample_path), "-o",
                                   str(tmp_path / "bad"), "--augment", "nope"])
    assert bad.exit_code == 2 and "unknown augmentation" in bad.output and not (tmp_path / "bad" / "cleanspeech.json").exists()


def test_train_linear_on_the_mixture_adds_capped_source_rows_with_unknown_labels_left_out(jigsaw_sample_path, tmp_path):
    from tests.training.test_mixture_training import mixture_cache

    from cleanspeech.training.linear import train_linear

    config = LinearConfig(min_df=1, keep_features=2000)
    base, base_metrics = train_linear(jigsaw_sample_path, tmp_path / "base", val_fraction=0.25, config=config)
    model, metrics = train_linear(jigsaw_sample_path, tmp_path / "mix", val_fraction=0.25, config=config,
                                  mixture_max_per_source=25, mixture_cache=str(mixture_cache(tmp_path / "mix.parquet")))
    data = metrics["data"]
    assert data["mixture_max_per_source"] == 25
    assert data["n_train"] == base_metrics["data"]["n_train"] + 2 * 25  # two sources, each capped
    saved = json.loads((tmp_path / "mix" / "metrics.json").read_text())  # the card credits each source
    assert [(s["name"], s["rows"]) for s in saved["training_data"]] == [("hate", 25), ("abuse", 25)]
    assert "| hate | 25 | 50.0% |" in (tmp_path / "mix" / "README.md").read_text()
    assert "training_data" not in json.loads((tmp_path / "base" / "metrics.json").read_text())
    # the sources' hate rows teach toxic and identity_hate; obscene never saw the "hate" source's rows
    hate = ["you people are vermin"]
    assert model.predict_proba(hate)[0, 0] > base.predict_proba(hate)[0, 0]
    assert model.predict_proba(hate)[0, -1] > base.predict_proba(hate)[0, -1]


def test_train_linear_mixture_labels_keep_the_other_labels_to_jigsaw(jigsaw_sample_path, tmp_path):
    from tests.training.test_mixture_training import mixture_cache

    from cleanspeech.training.linear import train_linear

    config = LinearConfig(min_df=1, keep_features=2000)
    cache = str(mixture_cache(tmp_path / "mix.parquet"))
    base, _ = train_linear(jigsaw_sample_path, tmp_path / "base", val_fraction=0.25, config=config)
    model, metrics = train_linear(jigsaw_sample_path, tmp_path / "mix", val_fraction=0.25, config=config,
                                  mixture_max_per_source=25, mixture_cache=cache, mixture_labels=("toxic",))
    full, _ = train_linear(jigsaw_sample_path, tmp_path / "full", val_fraction=0.25, config=config,
                           mixture_max_per_source=25, mixture_cache=cache)
    assert metrics["data"]["mixture_labels"] == ["toxic"]
    hate = ["you people are vermin"]
    p_base, p_model, p_full = (m.predict_proba(hate)[0] for m in (base, model, full))
    # toxic learns from the sources' hate rows as before (up to the feature pruning, which reads
    # every label's weights); identity_hate does not (only the shared vocabulary moves it), so it
    # stays nearer Jigsaw's own regression than the full mixture's
    np.testing.assert_allclose(p_model[0], p_full[0], atol=0.01)
    assert p_model[0] > p_base[0]
    assert abs(p_model[-1] - p_base[-1]) < abs(p_full[-1] - p_base[-1]) / 2
    with pytest.raises(ValueError, match="mixture labels"):
        train_linear(jigsaw_sample_path, tmp_path / "bad", val_fraction=0.25, config=config,
                     mixture_max_per_source=25, mixture_cache=cache, mixture_labels=("hate",))
    with pytest.raises(ValueError, match="mixture labels need the mixture"):
        train_linear(jigsaw_sample_path, tmp_path / "bad", val_fraction=0.25, config=config,
                     mixture_labels=("toxic",))
