"""The streaming reader and writer: formats, exact ids, per-row validation, atomic output."""

from __future__ import annotations

import gzip
import io
import json

import numpy as np
import pandas as pd
import pytest

from cleanspeech.data.io import DataError, read_jigsaw
from cleanspeech.data.progress import ProgressLog
from cleanspeech.data.stream import ChunkReader, ScoreWriter, file_format, score_stream
from cleanspeech.labels import LABELS


def _rows(reader: ChunkReader) -> tuple[list[str], list[str]]:
    ids, texts, starts = [], [], []
    for chunk in reader:
        starts.append(chunk.start)
        assert chunk.start == len(ids)  # chunks are consecutive
        ids += chunk.ids
        texts += chunk.texts
    return ids, texts


def test_csv_chunks_match_the_whole_file_reader(jigsaw_sample_path):
    whole = read_jigsaw(jigsaw_sample_path, require_labels=False)
    reader = ChunkReader(jigsaw_sample_path, chunk_rows=37)
    ids, texts = _rows(reader)
    assert ids == whole["id"].tolist() and texts == whole["comment_text"].tolist()
    assert reader.fraction_read() == 1.0


def test_ids_stay_exact_strings_and_missing_ids_are_row_numbers(tmp_path):
    (tmp_path / "a.csv").write_text("id,comment_text\n007,x\n1e3,\n 12 ,z\n")
    assert _rows(ChunkReader(tmp_path / "a.csv")) == (["007", "1e3", " 12 "], ["x", "", "z"])
    (tmp_path / "b.csv").write_text('comment_text\n"multi\nline"\n\nsecond\n')
    assert _rows(ChunkReader(tmp_path / "b.csv")) == (["0", "1"], ["multi\nline", "second"])


def test_tsv_gz_jsonl_and_parquet_read_the_same_rows(tmp_path):
    frame = pd.DataFrame({"id": ["01", "b", "c"], "comment_text": ["tab\there", "", 'q "uote"']})
    frame.to_csv(tmp_path / "in.tsv.gz", sep="\t", index=False, compression="gzip")
    with open(tmp_path / "in.jsonl", "w") as fh:
        for row in frame.to_dict("records"):
            fh.write(json.dumps(row) + "\n")
    frame.to_parquet(tmp_path / "in.parquet", index=False)
    expected = (frame["id"].tolist(), frame["comment_text"].tolist())
    for name in ["in.tsv.gz", "in.jsonl", "in.parquet"]:
        assert _rows(ChunkReader(tmp_path / name, chunk_rows=2)) == expected, name


def test_parquet_total_rows_and_integer_ids(tmp_path):
    pd.DataFrame({"id": [5, 6], "comment_text": ["a", None]}).to_parquet(tmp_path / "p.parquet")
    reader = ChunkReader(tmp_path / "p.parquet")
    assert _rows(reader) == (["5", "6"], ["a", ""]) and reader.total_rows == 2


@pytest.mark.parametrize("content, where", [
    ("id,comment_text\na,ok\nb,too,many\n", "line 3 has 3 field(s)"),
    ('id,comment_text\na,"one\ntwo"\nb\n', "line 4 has 1 field(s)"),
    ('id,comment_text\na,"open quote\n', "malformed CSV"),
])
def test_wrong_field_counts_name_file_and_line(tmp_path, content, where):
    (tmp_path / "bad.csv").write_text(content)
    with pytest.raises(DataError, match="bad.csv") as err:
        _rows(ChunkReader(tmp_path / "bad.csv"))
    assert where in str(err.value)


def test_bad_json_missing_column_and_unknown_type(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"id": "a", "comment_text": "x"}\n{oops\n')
    with pytest.raises(DataError, match="line 2 is not valid JSON"):
        _rows(ChunkReader(tmp_path / "bad.jsonl"))
    (tmp_path / "c.csv").write_text("id,text\na,b\n")
    with pytest.raises(DataError, match="missing column"):
        _rows(ChunkReader(tmp_path / "c.csv"))
    with pytest.raises(DataError, match="unknown file type"):
        file_format(tmp_path / "x.xlsx")


def test_non_utf8_bytes_are_replaced_and_counted(tmp_path):
    (tmp_path / "latin.csv").write_bytes(b"id,comment_text\na,caf\xe9\nb,fine\n")
    reader = ChunkReader(tmp_path / "latin.csv")
    assert _rows(reader)[1] == ["caf\ufffd", "fine"] and reader.bad_utf8_lines == 1


@pytest.mark.parametrize("name", ["o.csv", "o.tsv", "o.csv.gz", "o.jsonl", "o.parquet"])
def test_writer_round_trips_every_format(tmp_path, name):
    scores = np.linspace(0, 1, 18).reshape(3, 6)
    with ScoreWriter(tmp_path / name) as writer:
        writer.write(["007", "b"], scores[:2])
        writer.write(["c"], scores[2:])
    path = tmp_path / name
    if name.endswith(".parquet"):
        back = pd.read_parquet(path)
    elif name.endswith(".jsonl"):
        back = pd.read_json(path, lines=True, dtype={"id": str})
    else:
        back = pd.read_csv(path, sep="\t" if ".tsv" in name else ",", dtype={"id": str})
    assert back["id"].tolist() == ["007", "b", "c"] and list(back.columns) == ["id", *LABELS]
    np.testing.assert_allclose(back[list(LABELS)].to_numpy(), scores, atol=1e-6)
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left


def test_sharded_parquet_is_a_folder_in_row_order(tmp_path):
    scores = np.arange(42, dtype=float).reshape(7, 6)
    with ScoreWriter(tmp_path / "out.parquet", shard_rows=3) as writer:
        writer.write([str(i) for i in range(5)], scores[:5])
        writer.write(["5", "6"], scores[5:])
    parts = sorted(p.name for p in (tmp_path / "out.parquet").iterdir())
    assert parts == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    back = pd.read_parquet(tmp_path / "out.parquet")
    assert back["id"].tolist() == [str(i) for i in range(7)]
    np.testing.assert_array_equal(back[list(LABELS)].to_numpy(), scores)


@pytest.mark.parametrize("error", [DataError("bad row"), KeyboardInterrupt()])
def test_failure_midway_leaves_no_output_and_keeps_the_old_one(tmp_path, error):
    target = tmp_path / "out.csv"
    target.write_text("previous result\n")

    def score(texts):
        if score.calls:
            raise error
        score.calls += 1
        return np.zeros((len(texts), 6))
    score.calls = 0

    (tmp_path / "in.csv").write_text("id,comment_text\n" + "".join(f"{i},t{i}\n" for i in range(10)))
    with pytest.raises(type(error)):
        with ScoreWriter(target) as writer:
            score_stream(ChunkReader(tmp_path / "in.csv", chunk_rows=4), writer, score)
    assert target.read_text() == "previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_progress_lines_give_rate_and_eta():
    stream = io.StringIO()
    log = ProgressLog("predict", every=0.0, stream=stream)
    log.update(50, total=200)
    log.update(100, fraction=0.5)
    log.done(200)
    lines = stream.getvalue().splitlines()
    assert "25% done, ETA" in lines[0] and "50% done, ETA" in lines[1]
    assert lines[2].startswith("predict: 200 rows in") and "rows/s" in lines[2]


def test_gzip_input_detected_by_magic_bytes(tmp_path):
    (tmp_path / "z.csv").write_bytes(gzip.compress(b"id,comment_text\na,hello\n"))
    assert _rows(ChunkReader(tmp_path / "z.csv")) == (["a"], ["hello"])
