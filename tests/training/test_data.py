"""Dynamic padding, length buckets and the project split."""

import numpy as np

from cleanspeech.training.data import BucketBatchSampler, PadCollator, TokenizedDataset, load_split


def test_collator_pads_to_the_longest_row():
    ds = TokenizedDataset([[1, 2, 3], [4]], np.zeros((2, 6)))
    batch = PadCollator(pad_token_id=0)([ds[0], ds[1]])
    assert batch["input_ids"].tolist() == [[1, 2, 3], [4, 0, 0]]
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0]]
    assert batch["labels"].shape == (2, 6) and batch["index"].tolist() == [0, 1]


def test_bucket_sampler_covers_every_row_once_with_similar_lengths():
    lengths = list(np.random.default_rng(0).integers(1, 300, size=1000))
    sampler = BucketBatchSampler(lengths, batch_size=16, seed=42, multiplier=10)
    batches = list(sampler)
    assert sorted(i for b in batches for i in b) == list(range(1000))
    spread = np.mean([np.ptp([lengths[i] for i in b]) for b in batches])
    assert spread < 60  # random batches would spread over ~270 tokens
    assert sampler.batches(0) == BucketBatchSampler(lengths, 16, 42, 10).batches(0)
    assert sampler.batches(1) != sampler.batches(0)  # reshuffled each epoch


def test_load_split_is_the_project_split(fixture_csv):
    from cleanspeech.data import deduplicate, read_jigsaw, train_val_split

    train, val = load_split(str(fixture_csv), val_fraction=0.1, seed=42)
    ref_train, ref_val = train_val_split(deduplicate(read_jigsaw(fixture_csv)), val_fraction=0.1, seed=42)
    assert train["id"].tolist() == ref_train["id"].tolist() and val["id"].tolist() == ref_val["id"].tolist()


def test_training_frames_project_split_never_reads_test_and_appends_augmentations(fixture_csv):
    from cleanspeech.data import read_jigsaw
    from cleanspeech.data.split import project_split
    from cleanspeech.training.config import TrainConfig
    from cleanspeech.training.data import training_frames

    cfg = TrainConfig(train_path=str(fixture_csv), split="project", jigsaw_rows=50, augment=["hard"],
                      augment_max_rows=30)
    train, val = training_frames(cfg)
    parts = project_split(read_jigsaw(fixture_csv))
    assert val["id"].tolist() == parts.dev["id"].tolist()
    jigsaw = train.iloc[:50]
    assert set(jigsaw["comment_text"]) <= set(parts.train["comment_text"])
    assert not set(train["comment_text"]) & set(parts.test["comment_text"])
    assert len(train) == 80 and train.iloc[50:]["comment_text"].notna().all()


def test_civil_group_mentions_are_clean_train_rows_naming_a_group_added_once(fixture_csv):
    from cleanspeech.data import read_jigsaw
    from cleanspeech.data.split import project_split
    from cleanspeech.identity import mentions_identity
    from cleanspeech.labels import LABELS
    from cleanspeech.training.config import TrainConfig
    from cleanspeech.training.data import training_frames

    parts = project_split(read_jigsaw(fixture_csv))
    base, _ = training_frames(TrainConfig(train_path=str(fixture_csv), split="project", jigsaw_rows=50))
    train, _ = training_frames(TrainConfig(train_path=str(fixture_csv), split="project", jigsaw_rows=50,
                                           jigsaw_identity_clean_rows=1000))
    added = train.iloc[50:]
    assert train.iloc[:50]["comment_text"].tolist() == base["comment_text"].tolist()
    assert len(added) > 0 and mentions_identity(added["comment_text"].tolist()).all()
    assert (added[list(LABELS)].to_numpy() == 0).all()
    assert set(added["comment_text"]) <= set(parts.train["comment_text"])
    # every civil mention of the train part, none twice, however the sample above fell
    clean = parts.train[(parts.train[list(LABELS)].to_numpy().max(axis=1) == 0)]
    named = set(clean.loc[mentions_identity(clean["comment_text"].tolist()), "comment_text"])
    assert set(train["comment_text"]) >= named and not train["comment_text"].duplicated().any()


def test_a_jigsaw_sample_can_keep_every_positive_of_rare_labels(fixture_csv):
    import pytest

    from cleanspeech.data import read_jigsaw
    from cleanspeech.data.split import project_split
    from cleanspeech.training.config import TrainConfig
    from cleanspeech.training.data import training_frames

    parts = project_split(read_jigsaw(fixture_csv))
    base, _ = training_frames(TrainConfig(train_path=str(fixture_csv), split="project", jigsaw_rows=20))
    kept, _ = training_frames(TrainConfig(train_path=str(fixture_csv), split="project", jigsaw_rows=20,
                                          jigsaw_keep_labels=["threat", "insult"]))
    assert kept.iloc[:20]["comment_text"].tolist() == base["comment_text"].tolist()  # the sample, then the rest
    rare = parts.train[(parts.train[["threat", "insult"]].to_numpy() > 0).any(axis=1)]
    assert len(rare) and set(rare["comment_text"]) <= set(kept["comment_text"])
    assert not kept["comment_text"].duplicated().any()
    assert len(kept) == 20 + len(set(rare["comment_text"]) - set(base["comment_text"]))
    with pytest.raises(ValueError, match="jigsaw_rows"):
        TrainConfig(jigsaw_keep_labels=["threat"])
    with pytest.raises(ValueError):
        TrainConfig(jigsaw_rows=5, jigsaw_keep_labels=["threats"])
