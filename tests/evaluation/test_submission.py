import pytest

from cleanspeech.data.io import DataError
from cleanspeech.evaluation.submission import score_submission
from cleanspeech.labels import LABELS

HEAD = "id," + ",".join(LABELS) + "\n"


def test_unscored_rows_are_ignored(tmp_path):
    (tmp_path / "labels.csv").write_text(HEAD + "a,1,1,1,1,1,1\nb,0,0,0,0,0,0\nc,-1,-1,-1,-1,-1,-1\n")
    (tmp_path / "sub.csv").write_text(HEAD + "a,.9,.9,.9,.9,.9,.9\nb,.1,.1,.1,.1,.1,.1\nc,1,0,1,0,1,0\n")
    out = score_submission(tmp_path / "sub.csv", tmp_path / "labels.csv")
    assert out["score"] == 1.0 and out["n_scored"] == 2


def test_missing_ids_and_bad_numbers_are_reported(tmp_path):
    (tmp_path / "labels.csv").write_text(HEAD + "a,1,1,1,1,1,1\nb,0,0,0,0,0,0\n")
    (tmp_path / "sub.csv").write_text(HEAD + "a,.9,.9,.9,.9,.9,.9\n")
    with pytest.raises(DataError, match="missing"):
        score_submission(tmp_path / "sub.csv", tmp_path / "labels.csv")
    (tmp_path / "sub2.csv").write_text(HEAD + "a,x,.9,.9,.9,.9,.9\nb,.1,.1,.1,.1,.1,.1\n")
    with pytest.raises(DataError, match="'toxic', line 2"):
        score_submission(tmp_path / "sub2.csv", tmp_path / "labels.csv")


def test_duplicate_ids_are_refused(tmp_path):
    (tmp_path / "labels.csv").write_text(HEAD + "a,1,1,1,1,1,1\nb,0,0,0,0,0,0\n")
    (tmp_path / "sub.csv").write_text(HEAD + "a,.9,.9,.9,.9,.9,.9\nb,.1,.1,.1,.1,.1,.1\n"
                                      "a,.1,.1,.1,.1,.1,.1\n")
    with pytest.raises(DataError, match=r"sub\.csv: id 'a' appears twice \(lines 2 and 4\)"):
        score_submission(tmp_path / "sub.csv", tmp_path / "labels.csv")


def test_unknown_ids_are_refused(tmp_path):
    (tmp_path / "labels.csv").write_text(HEAD + "a,1,1,1,1,1,1\nb,0,0,0,0,0,0\n")
    (tmp_path / "sub.csv").write_text(HEAD + "a,.9,.9,.9,.9,.9,.9\nb,.1,.1,.1,.1,.1,.1\n"
                                      "zz,.1,.1,.1,.1,.1,.1\n")
    with pytest.raises(DataError, match=r"1 id\(s\) are not in .*'zz'"):
        score_submission(tmp_path / "sub.csv", tmp_path / "labels.csv")
