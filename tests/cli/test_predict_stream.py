"""`cleanspeech predict` on the streaming path: formats, order, ids, progress, atomic errors."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanspeech.cli import app
from cleanspeech.labels import LABELS
from cleanspeech.pipeline import Moderator

runner = CliRunner()


def _predict(*args):
    return runner.invoke(app, ["predict", *[str(a) for a in args]])


@pytest.fixture()
def comments(jigsaw_sample_path) -> pd.DataFrame:
    df = pd.read_csv(jigsaw_sample_path, dtype=str, keep_default_na=False)[["id", "comment_text"]]
    df.loc[3, "comment_text"] = ""  # empty text scores 0
    df.loc[5, "id"] = df.loc[4, "id"]  # a duplicate id is kept
    return df


def test_scores_match_the_moderator_in_every_format(tmp_path, tiny_linear_dir, comments):
    expected = Moderator.load(tiny_linear_dir).scores(comments["comment_text"].tolist())
    comments.to_csv(tmp_path / "in.tsv", sep="\t", index=False)
    comments.to_parquet(tmp_path / "in.parquet", index=False)
    for source, target in [("in.tsv", "out.csv"), ("in.parquet", "out.jsonl"), ("in.tsv", "out.parquet")]:
        result = _predict("--model", tiny_linear_dir, tmp_path / source, "-o", tmp_path / target)
        assert result.exit_code == 0, result.output
        assert f"wrote {len(comments)} rows" in result.output
        out = tmp_path / target
        back = (pd.read_parquet(out) if target.endswith(".parquet")
                else pd.read_json(out, lines=True, dtype={"id": str}) if target.endswith(".jsonl")
                else pd.read_csv(out, dtype={"id": str}))
        assert back["id"].tolist() == comments["id"].tolist(), target
        assert list(back.columns) == ["id", *LABELS]
        np.testing.assert_allclose(back[list(LABELS)].to_numpy(), expected, atol=5e-7)
        assert back.loc[3, list(LABELS)].eq(0).all()


def test_sep_option_progress_on_stderr_and_singular_message(tmp_path, tiny_linear_dir):
    (tmp_path / "in.txt").write_text("id;comment_text\n0042;you idiot\n")
    result = _predict("--model", tiny_linear_dir, tmp_path / "in.txt", "-o", tmp_path / "out.tsv",
                      "--sep", ";", "--progress-every", "0")
    assert result.exit_code == 0, result.output
    assert "wrote 1 row →" in " ".join(result.output.split())
    assert "predict: 1 rows in" in result.stderr and "rows/s" in result.stderr
    lines = (tmp_path / "out.tsv").read_text().splitlines()
    assert lines[0] == "id;" + ";".join(LABELS) and lines[1].startswith("0042;")


def test_wrong_field_count_exits_2_and_writes_nothing(tmp_path, tiny_linear_dir):
    rows = "".join(f"r{i},comment {i}\n" for i in range(5000)) + "r5000,a,b\n"
    (tmp_path / "bad.csv").write_text("id,comment_text\n" + rows)
    result = _predict("--model", tiny_linear_dir, tmp_path / "bad.csv", "-o", tmp_path / "o.csv")
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and "line 5002 has 3 field(s)" in message and "bad.csv" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_unknown_engine_and_missing_file_are_clear(tmp_path, tiny_linear_dir):
    result = _predict("--model", tiny_linear_dir, tmp_path / "none.csv", "-o", tmp_path / "o.csv")
    assert result.exit_code == 2 and "file not found" in result.output
    (tmp_path / "in.csv").write_text("id,comment_text\na,b\n")
    result = _predict("--engine", "spark", tmp_path / "in.csv", "-o", tmp_path / "o.csv")
    assert result.exit_code == 2 and "local or ray" in result.output


def test_jsonl_input_keeps_string_ids(tmp_path, tiny_linear_dir):
    with open(tmp_path / "in.jsonl", "w") as fh:
        fh.write(json.dumps({"id": "000", "comment_text": "hello there"}) + "\n")
        fh.write(json.dumps({"comment_text": "no id here"}) + "\n")
    result = _predict("--model", tiny_linear_dir, tmp_path / "in.jsonl", "-o", tmp_path / "o.csv")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "o.csv", dtype={"id": str})["id"].tolist() == ["000", "1"]
