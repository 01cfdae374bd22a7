import gzip

import numpy as np
import pandas as pd
import pytest

from cleanspeech.data.io import DataError, read_jigsaw, read_label_file, read_texts, write_csv_atomic
from cleanspeech.labels import LABELS

HEADER = "id,comment_text," + ",".join(LABELS) + "\n"


def test_reads_fixture_with_labels(jigsaw_sample_path):
    df = read_jigsaw(jigsaw_sample_path, require_labels=True)
    assert len(df) == 400
    assert list(df.columns) == ["id", "comment_text", *LABELS]
    assert set(np.unique(df[list(LABELS)].to_numpy())) <= {0, 1}


def test_reads_gzip(tmp_path, jigsaw_sample_path):
    gz = tmp_path / "train.csv.gz"
    gz.write_bytes(gzip.compress(jigsaw_sample_path.read_bytes()))
    assert len(read_jigsaw(gz)) == 400


def test_missing_and_empty_text_become_empty_strings(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text('id,comment_text\na,\nb,""\nc,hello\n', encoding="utf-8")
    ids, texts = read_texts(p)
    assert ids == ["a", "b", "c"] and texts == ["", "", "hello"]


def test_bad_label_names_file_column_and_row(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(HEADER + "a,x,0,0,0,0,0,0\nb,y,0,0,2,0,0,0\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.csv.*'obscene'.*row 3"):
        read_jigsaw(p, require_labels=True)


def test_minus_one_only_allowed_in_label_files(tmp_path):
    p = tmp_path / "test_labels.csv"
    p.write_text("id," + ",".join(LABELS) + "\na,-1,-1,-1,-1,-1,-1\nb,1,0,0,0,1,0\n")
    assert read_label_file(p)["toxic"].tolist() == [-1, 1]
    q = tmp_path / "train.csv"
    q.write_text(HEADER + "a,x,-1,-1,-1,-1,-1,-1\n")
    with pytest.raises(DataError, match="must be one of"):
        read_jigsaw(q, require_labels=True)


def test_missing_text_column_says_what_to_do(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,body\na,hi\n")
    with pytest.raises(DataError, match="--text-column"):
        read_texts(p)
    assert read_texts(p, text_column="body") == (["a"], ["hi"])


def test_non_utf8_bytes_are_replaced_with_warning(tmp_path):
    p = tmp_path / "t.csv"
    p.write_bytes(b"id,comment_text\na,caf\xe9 ok\nb,fine\n")
    with pytest.warns(UserWarning, match="non-UTF-8"):
        ids, texts = read_texts(p)
    assert ids == ["a", "b"] and texts[0] == "caf\ufffd ok"


def test_malformed_csv_is_a_data_error(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text('id,comment_text\na,"unterminated\n')
    with pytest.raises(DataError, match="malformed CSV"):
        read_texts(p)


def test_duplicate_ids_are_kept_in_order(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("id,comment_text\na,one\na,two\n")
    assert read_texts(p) == (["a", "a"], ["one", "two"])


def test_write_csv_atomic_leaves_no_temp_files(tmp_path):
    out = tmp_path / "sub" / "out.csv"
    write_csv_atomic(pd.DataFrame({"id": ["a"], "x": [1]}), out)
    assert out.read_text().splitlines() == ["id,x", "a,1"]
    assert [p.name for p in out.parent.iterdir()] == ["out.csv"]


@pytest.mark.parametrize("body,line,fields", [
    ("1,ok,extra,more\n2,fine\n", 2, 4),  # pandas made the surplus fields an index: ids shifted
    ("1,ok\n2\n", 3, 1),                  # a short row was padded with NaN
])
def test_wrong_field_count_names_file_and_line(tmp_path, body, line, fields):
    p = tmp_path / "x.csv"
    p.write_text("id,comment_text\n" + body, encoding="utf-8")
    with pytest.raises(DataError, match=rf"x\.csv: line {line} has {fields} field\(s\) but the header has 2"):
        read_texts(p)


def test_tsv_and_in_memory_bytes(tmp_path):
    p = tmp_path / "t.tsv"
    p.write_text('id\tcomment_text\na\tsay "hi", ok\n', encoding="utf-8")
    assert read_texts(p) == (["a"], ['say "hi", ok'])
    data = gzip.compress(b"id,comment_text\nb,hello\n")
    df = read_jigsaw("upload.csv.gz", data=data)  # no file on disk: messages name the upload
    assert df["id"].tolist() == ["b"]
    with pytest.raises(DataError, match=r"^upload\.csv: line 2"):
        read_jigsaw("upload.csv", data=b"id,comment_text\n1,a,b\n")
