"""Distillation targets: the blend rule, the teacher's cached pass, and a run that trains on them."""

from __future__ import annotations

import numpy as np
import pytest

from cleanspeech.training.distill import (CACHE_FILE, blend_targets, cache_file, ensemble_probs, score_texts,
                                         teacher_probs)
from cleanspeech.training.backbone import load_backbone
from cleanspeech.training.trainer import Trainer

from test_trainer import tiny_config

NAN = np.nan


def test_blend_mixes_known_labels_and_fills_unknown_ones():
    labels = np.array([[1, 0, NAN, NAN, 1, NAN], [0, 0, 0, 0, 0, 0]], dtype=float)
    teacher = np.array([[0.6, 0.2, 0.1, 0.3, 0.4, 0.9], [0.2, 0.0, 0.0, 0.0, 0.1, 0.5]])
    out = blend_targets(labels, teacher, alpha=0.5)
    np.testing.assert_allclose(out[0], [0.8, 0.1, 0.1, 0.3, 0.7, 0.9])
    np.testing.assert_allclose(out[1], [0.1, 0.0, 0.0, 0.0, 0.05, 0.25])
    masked = blend_targets(labels, teacher, alpha=0.5, fill_unknown=False)
    assert np.isnan(masked[0, [2, 3, 5]]).all() and masked[0, 0] == pytest.approx(0.8)
    np.testing.assert_allclose(blend_targets(labels, teacher, alpha=0.0, fill_unknown=False),
                               labels)  # alpha 0 without filling = the human labels
    np.testing.assert_allclose(blend_targets(labels, teacher, alpha=1.0), teacher)
    only_second = blend_targets(labels, teacher, alpha=0.5, rows=np.array([False, True]))
    np.testing.assert_array_equal(only_second[0], labels[0])  # NaN kept: still masked
    np.testing.assert_allclose(only_second[1], out[1])


def test_blend_refuses_bad_shapes_alpha_and_probabilities():
    labels = np.zeros((2, 6))
    with pytest.raises(ValueError, match="must both be"):
        blend_targets(labels, np.zeros((2, 5)), 0.5)
    with pytest.raises(ValueError, match="distill_alpha"):
        blend_targets(labels, np.zeros((2, 6)), 1.5)
    with pytest.raises(ValueError, match="boolean"):
        blend_targets(labels, np.zeros((2, 6)), 0.5, rows=np.array([True]))
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        blend_targets(labels, np.full((2, 6), 2.0), 0.5)


def test_scores_keep_text_order_and_the_cache_is_keyed_by_texts(tiny_deberta_dir, tmp_path):
    texts = ["a much longer comment than the others, with many words in it", "hi", "you idiot"]
    tok, model = load_backbone(str(tiny_deberta_dir))
    one_by_one = np.vstack([score_texts(tok, model, [t], 48) for t in texts])
    batched = score_texts(tok, model, texts, 48, batch_size=2)  # length-sorted batches, padded
    np.testing.assert_allclose(batched, one_by_one, atol=1e-5)

    first = teacher_probs(str(tiny_deberta_dir), texts, 48, "none", tmp_path)
    assert (tmp_path / CACHE_FILE).is_file()
    np.testing.assert_allclose(first, batched, atol=1e-5)
    with np.load(tmp_path / CACHE_FILE) as z:  # a stale cache (other rows) is recomputed
        np.savez(tmp_path / CACHE_FILE, key=z["key"], probs=np.zeros_like(z["probs"]))
    np.testing.assert_array_equal(teacher_probs(str(tiny_deberta_dir), texts, 48, "none", tmp_path), 0)
    again = teacher_probs(str(tiny_deberta_dir), texts[::-1], 48, "none", tmp_path)
    np.testing.assert_allclose(again, first[::-1], atol=1e-5)


def test_a_retrained_teacher_in_the_same_folder_is_scored_again(tmp_path):
    from cleanspeech.training.tiny import tiny_deberta

    teacher = tiny_deberta(tmp_path / "teacher", seed=0)
    texts = ["you idiot", "thanks"]
    first = teacher_probs(str(teacher), texts, 32, "none", tmp_path / "run")
    tiny_deberta(teacher, seed=1)  # the teacher's next epoch, written into the same folder
    second = teacher_probs(str(teacher), texts, 32, "none", tmp_path / "run")
    assert not np.allclose(first, second)


def test_an_ensemble_of_teachers_gives_the_mean_of_their_probabilities(tmp_path):
    from cleanspeech.training.tiny import tiny_deberta

    a = tiny_deberta(tmp_path / "a", seed=0)
    b = tiny_deberta(tmp_path / "b", seed=1)
    texts = ["you idiot", "thanks", "a longer comment about the article"]
    pa = teacher_probs(str(a), texts, 32, "none")
    pb = teacher_probs(str(b), texts, 32, "none")
    assert not np.allclose(pa, pb)
    mean = ensemble_probs([str(a), str(b)], texts, 32, "none", tmp_path / "run")
    np.testing.assert_allclose(mean, (pa + pb) / 2, atol=1e-6)
    # each teacher has its own cache file, so retraining one does not rescore the other
    assert cache_file(0) == CACHE_FILE
    assert (tmp_path / "run" / CACHE_FILE).is_file() and (tmp_path / "run" / cache_file(1)).is_file()
    with pytest.raises(ValueError, match="at least one"):
        ensemble_probs([], texts, 32, "none")
    # distill_labels: the first teacher gives those labels, the others the rest
    split = ensemble_probs([str(a), str(b)], texts, 32, "none", tmp_path / "run", ["toxic", "identity_hate"])
    np.testing.assert_allclose(split[:, [0, 5]], pa[:, [0, 5]], atol=1e-6)
    np.testing.assert_allclose(split[:, 1:5], pb[:, 1:5], atol=1e-6)
    with pytest.raises(ValueError, match="at least two"):
        ensemble_probs([str(a)], texts, 32, "none", first_labels=["toxic"])


def test_a_copied_teacher_is_read_from_the_cache(tmp_path):
    import shutil

    from cleanspeech.training.tiny import tiny_deberta

    teacher = tiny_deberta(tmp_path / "teacher", seed=0)
    texts = ["you idiot", "thanks"]
    first = teacher_probs(str(teacher), texts, 32, "none", tmp_path / "run")
    copy = shutil.copytree(teacher, tmp_path / "kept" / "teacher")
    with np.load(tmp_path / "run" / CACHE_FILE) as z:  # mark the cache: a hit returns the marked values
        np.savez(tmp_path / "run" / CACHE_FILE, key=z["key"], probs=z["probs"] * 0 + 0.25)
    np.testing.assert_array_equal(teacher_probs(str(copy), texts, 32, "none", tmp_path / "run"), 0.25)
    assert first.shape == (2, 6)


def test_a_teacher_list_in_the_config_is_an_ensemble(tiny_deberta_dir, fixture_csv):
    cfg = tiny_config(tiny_deberta_dir, fixture_csv, teacher=["a", "b"])
    assert cfg.teachers() == ["a", "b"]
    assert tiny_config(tiny_deberta_dir, fixture_csv, teacher="a").teachers() == ["a"]
    assert tiny_config(tiny_deberta_dir, fixture_csv).teachers() == []
    with pytest.raises(ValueError, match="teacher must be"):
        tiny_config(tiny_deberta_dir, fixture_csv, teacher=["a", ""])
    assert tiny_config(tiny_deberta_dir, fixture_csv, teacher=["a", "b"],
                       distill_labels=["toxic"]).distill_labels == ["toxic"]
    with pytest.raises(ValueError, match="at least two"):
        tiny_config(tiny_deberta_dir, fixture_csv, teacher="a", distill_labels=["toxic"])
    with pytest.raises(ValueError, match="distill_labels must be"):
        tiny_config(tiny_deberta_dir, fixture_csv, teacher=["a", "b"], distill_labels=["hate"])


def test_a_run_with_a_teacher_trains_on_the_blended_targets(tiny_deberta_dir, fixture_csv, tmp_path):
    cfg = tiny_config(tiny_deberta_dir, fixture_csv, epochs=1, max_train_rows=32, loss="bce",
                      teacher=str(tiny_deberta_dir), distill_alpha=0.25)
    trainer = Trainer(cfg, tmp_path)
    trainer.setup()
    targets = np.vstack([b["labels"].numpy() for b in trainer.train_dl])
    assert (tmp_path / CACHE_FILE).is_file()
    with np.load(tmp_path / CACHE_FILE) as z:
        probs = z["probs"]
    # Jigsaw rows know every label: targets = 0.25 * teacher + 0.75 * label, so none is 0 or 1
    # unless the teacher agrees; the batches are shuffled, so compare the sorted values.
    from cleanspeech.training import data as tdata

    train_df, _ = tdata.training_frames(cfg)
    expected = 0.25 * probs + 0.75 * tdata.label_matrix(train_df)
    np.testing.assert_allclose(np.sort(targets.ravel()), np.sort(expected.ravel()), atol=1e-6)
    assert trainer.train_epoch(0, None)["train_loss"] > 0


def test_distill_origins_leave_the_jigsaw_rows_their_labels(fixture_csv, tmp_path, monkeypatch):
    from test_mixture_training import mixture_cache, mixture_config

    from cleanspeech.training import data as tdata

    cfg = mixture_config(fixture_csv, mixture_cache(tmp_path / "mix.parquet"), teacher="unused",
                         distill_origins=["mixture"])
    train_df, _ = tdata.training_frames(cfg)
    labels = tdata.label_matrix(train_df)
    trainer = Trainer(cfg, tmp_path / "run")
    fake = np.full(labels.shape, 0.5, dtype=np.float32)
    # the teacher's pass is tested above; here only which rows get its targets
    monkeypatch.setattr("cleanspeech.training.distill.teacher_probs", lambda *a, **k: fake)
    targets = trainer.distill_targets(train_df, labels)
    jig = (train_df["origin"] == "jigsaw").to_numpy()
    np.testing.assert_array_equal(targets[jig], labels[jig])
    mix = ~jig
    assert not np.isnan(targets[mix]).any()  # unknown labels filled by the teacher
    known = ~np.isnan(labels[mix])
    np.testing.assert_allclose(targets[mix][known], 0.5 * 0.5 + 0.5 * labels[mix][known])
    with pytest.raises(ValueError, match="distill_origins"):
        mixture_config(fixture_csv, tmp_path / "mix.parquet", distill_origins=["wiki"])


def test_a_jigsaw_teacher_gives_the_jigsaw_rows_its_targets(fixture_csv, tmp_path, monkeypatch):
    from test_mixture_training import mixture_cache, mixture_config

    from cleanspeech.training import data as tdata
    from cleanspeech.training.distill import JIGSAW_CACHE_FILE

    cfg = mixture_config(fixture_csv, mixture_cache(tmp_path / "mix.parquet"), teacher="unused",
                         distill_origins=["mixture"], jigsaw_teacher="start")
    train_df, _ = tdata.training_frames(cfg)
    labels = tdata.label_matrix(train_df)
    jig = (train_df["origin"] == "jigsaw").to_numpy()
    seen = {}

    def fake(teacher, texts, max_length, cleaning, cache_dir=None, cache_name=CACHE_FILE):
        seen[cache_name] = (teacher, list(texts))
        return np.full((len(texts), 6), 0.2 if cache_name == JIGSAW_CACHE_FILE else 0.6, dtype=np.float32)

    monkeypatch.setattr("cleanspeech.training.distill.teacher_probs", fake)
    targets = Trainer(cfg, tmp_path / "run").distill_targets(train_df, labels)
    # the Jigsaw rows' teacher is scored on those rows alone, in order, into its own cache file
    assert seen[JIGSAW_CACHE_FILE] == ("start", train_df.loc[jig, "comment_text"].astype(str).tolist())
    np.testing.assert_allclose(targets[jig], 0.5 * 0.2 + 0.5 * labels[jig])
    known = ~np.isnan(labels[~jig])
    np.testing.assert_allclose(targets[~jig][known], 0.5 * 0.6 + 0.5 * labels[~jig][known])
    with pytest.raises(ValueError, match="jigsaw_teacher"):  # both would distil the Jigsaw rows
        mixture_config(fixture_csv, tmp_path / "mix.parquet", teacher="unused", jigsaw_teacher="start")
