"""One reader for every command: explain and rewrite read JSONL and Parquet like predict, with
errors that name the file and line; outputs keep one row per input row, in order."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanspeech.cli import app

runner = CliRunner()
FRAME = pd.DataFrame({"key": ["07", "b", "c"], "body": ["you stupid idiot", "", "nice edit, thanks"]})


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _write(frame: pd.DataFrame, path):
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in frame.to_dict("records")), encoding="utf-8")


@pytest.mark.parametrize("name", ["in.jsonl", "in.parquet"])
def test_explain_and_rewrite_read_jsonl_and_parquet(tmp_path, tiny_linear_dir, name):
    src = tmp_path / name
    _write(FRAME, src)
    cols = ["--text-column", "body", "--id-column", "key"]
    out = tmp_path / "e.jsonl"
    result = _run("explain", "-m", tiny_linear_dir, src, "-o", out, "--spans", "attribution", *cols)
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == FRAME["key"].tolist()
    out = tmp_path / "r.csv"
    result = _run("rewrite", "-m", tiny_linear_dir, src, "-o", out, *cols)
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out, keep_default_na=False, dtype=str)
    assert df["id"].tolist() == FRAME["key"].tolist() and df["original"].tolist() == FRAME["body"].tolist()


@pytest.mark.parametrize("name", ["r.jsonl", "r.parquet", "r.tsv"])
def test_rewrite_writes_the_format_its_output_name_says(tmp_path, tiny_linear_dir, name):
    src = tmp_path / "in.csv"
    FRAME.rename(columns={"key": "id", "body": "comment_text"}).to_csv(src, index=False)
    out = tmp_path / name
    assert _run("rewrite", "-m", tiny_linear_dir, src, "-o", out).exit_code == 0
    if name.endswith(".parquet"):
        back = pd.read_parquet(out)
    elif name.endswith(".jsonl"):
        back = pd.read_json(out, lines=True, dtype={"id": str})
    else:
        back = pd.read_csv(out, sep="\t", dtype={"id": str}, keep_default_na=False)
    assert back["id"].tolist() == ["07", "b", "c"] and "reason" in back.columns
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["in.csv", name])  # no temporary left


@pytest.mark.parametrize("command,out_name", [("explain", "o.jsonl"), ("rewrite", "o.csv")])
def test_a_bad_jsonl_line_names_file_and_line_and_writes_nothing(tmp_path, tiny_linear_dir, command, out_name):
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": 1, "comment_text": "ok"}\n{"id": 2, "comment_text": "also ok"}\n{oops\n')
    out = tmp_path / out_name
    result = _run(command, "-m", tiny_linear_dir, src, "-o", out)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert "in.jsonl: line 3 is not valid JSON" in message and "field(s)" not in message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


def test_a_missing_text_column_says_which_option_to_pass(tmp_path, tiny_linear_dir):
    src = tmp_path / "in.parquet"
    _write(FRAME, src)
    result = _run("rewrite", "-m", tiny_linear_dir, src, "-o", tmp_path / "o.csv")
    assert result.exit_code == 2 and "--text-column" in result.output and "Traceback" not in result.output


def test_version():
    from cleanspeech import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"cleanspeech {__version__}"
    assert __version__ and __version__[0].isdigit()
