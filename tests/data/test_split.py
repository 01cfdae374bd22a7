import pandas as pd
import pytest

from cleanspeech.data import deduplicate, read_jigsaw, train_val_split


def test_deduplicate_drops_repeated_ids_and_texts():
    df = pd.DataFrame({"id": ["a", "a", "b", "c"], "comment_text": ["x", "y", "x", "z"], "toxic": [0, 0, 0, 1]})
    assert deduplicate(df)["id"].tolist() == ["a", "c"]


def test_split_is_deterministic_stratified_and_disjoint(jigsaw_sample_path):
    df = read_jigsaw(jigsaw_sample_path)
    tr1, va1 = train_val_split(df, 0.25, seed=42)
    tr2, va2 = train_val_split(df, 0.25, seed=42)
    assert va1["id"].tolist() == va2["id"].tolist()
    assert not set(tr1["id"]) & set(va1["id"])
    assert len(va1) == 100
    assert abs(va1["toxic"].mean() - df["toxic"].mean()) < 0.02


def test_split_rejects_bad_fraction(jigsaw_sample_path):
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_split(read_jigsaw(jigsaw_sample_path), 1.5)
