"""Cross-validated span-tagger data: TSD posts beside clean comments with empty spans, in folds."""

import json

import numpy as np
import pandas as pd
import pytest

from cleanspeech.explain.tagger_cv import SOURCE_CLEAN, SOURCE_TSD, assign_folds, clean_posts, tsd_posts


def _tsd_file(path, rows):
    pd.DataFrame({"spans": [json.dumps(s) for s, _ in rows], "text": [t for _, t in rows]}).to_csv(path, index=False)
    return path


def test_tsd_posts_join_files_and_drop_repeated_texts(tmp_path):
    a = _tsd_file(tmp_path / "a.csv", [([4, 5, 6, 7, 8], "you idiot"), ([], "fine")])
    b = _tsd_file(tmp_path / "b.csv", [([], "fine"), ([0, 1, 2], "bad take")])
    df = tsd_posts([a, b])
    assert df["text"].tolist() == ["you idiot", "fine", "bad take"]
    assert list(df["offsets"][0]) == [4, 5, 6, 7, 8] and set(df["source"]) == {SOURCE_TSD}


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


def test_folds_are_stratified_on_source_and_spans():
    df = pd.DataFrame({
        "text": [f"t{i}" for i in range(60)],
        "offsets": [[1] if i % 3 else [] for i in range(40)] + [[] for _ in range(20)],
        "source": [SOURCE_TSD] * 40 + [SOURCE_CLEAN] * 20,
    })
    folds = assign_folds(df, 4)
    assert sorted(set(folds.tolist())) == [0, 1, 2, 3]
    for f in range(4):
        part = df[folds == f]
        assert (part["source"] == SOURCE_CLEAN).sum() == 5
        assert part["offsets"].map(len).eq(0).sum() in (8, 9)  # 5 clean + 3 or 4 unmarked TSD posts
    assert np.array_equal(folds, assign_folds(df, 4))  # deterministic


@pytest.mark.slow
def test_run_folds_resumes_from_finished_fold_files(tmp_path, monkeypatch):
    from cleanspeech.explain import tagger_cv

    df = pd.DataFrame({"text": ["you idiot", "nice edit", "shut up moron", "thanks"],
                       "offsets": [[4, 5, 6, 7, 8], [], [9, 10, 11, 12, 13], []], "source": SOURCE_TSD})
    folds = np.array([0, 1, 0, 1])
    (tmp_path / "fold0.json").write_text(json.dumps({"probs": {"0": [0.1, 0.9], "2": [0.2, 0.3, 0.8]}}))

    class Fake:
        def word_probs(self, texts):
            return [(None, np.full(len(t.split()), 0.5)) for t in texts]

    calls = []
    monkeypatch.setattr("cleanspeech.explain.tagger_train.train_one",
                        lambda base, train, val, **kw: calls.append(train["text"].tolist()) or (Fake(), [], None))
    oof = tagger_cv.run_folds(df, folds, tmp_path, "base", log=lambda m: None)
    assert calls == [["you idiot", "shut up moron"]]  # only fold 1 was trained, on fold 0's posts
    assert oof == [[0.1, 0.9], [0.5, 0.5], [0.2, 0.3, 0.8], [0.5]]
    assert (tmp_path / "fold1.json").exists()
