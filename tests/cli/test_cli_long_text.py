"""Long text at the command line: a TEXT over a command's limit is refused with exit 2 and a
message; a file's long rows keep their output row; an argument is never asked about as a path
in a way that raises OSError."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanspeech.cli import app
from cleanspeech.cli.common import input_file
from cleanspeech.data.io import DataError
from cleanspeech.labels import LABELS
from cleanspeech.limits import MAX_CHARS_EXPLAIN, MAX_CHARS_REWRITE, MAX_TEXT_BYTES

runner = CliRunner()
LONG = ("you are a rude idiot and this is a long rant. " * 1200)[:54_655]


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command,limit", [("explain", MAX_CHARS_EXPLAIN), ("rewrite", MAX_CHARS_REWRITE)])
def test_a_long_text_argument_is_refused_with_the_limit(tiny_linear_dir, command, limit):
    result = _run(command, "--model", tiny_linear_dir, LONG)
    assert result.exit_code == 2, result.output
    message = " ".join(result.output.split())
    assert f"at most {limit:,}" in message and "54,655 characters" in message
    assert "moderate" in message and "predict" in message
    assert "Traceback" not in result.output and "Errno" not in message


def test_moderate_takes_the_long_text_and_refuses_over_the_byte_budget(tiny_linear_dir):
    result = _run("moderate", "--model", tiny_linear_dir, "--json", LONG)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["text"] == LONG
    result = _run("moderate", "--model", tiny_linear_dir, "x" * (MAX_TEXT_BYTES + 1))
    assert result.exit_code == 2 and "1,000,000 bytes" in " ".join(result.output.split())


@pytest.mark.parametrize("arg", ["a" * 300, "b" * 5000, "nul\x00byte", "two\nlines.csv", "é" * 3000])
def test_arguments_no_file_system_holds_are_text(arg):
    assert input_file(arg, None) is None


def test_a_too_long_file_name_is_still_a_missing_file_not_an_oserror(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        input_file("c" * 300 + ".csv", None)
    with pytest.raises(DataError, match="file not found") as err:
        input_file(LONG, tmp_path / "o.csv")
    assert len(str(err.value)) < 300  # the text is shortened in the message


def test_explain_file_keeps_a_long_row_with_a_reason_and_shows_progress(tmp_path, tiny_linear_dir):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "long", "c"],
                  "comment_text": ["you idiot", "idiot " * 2000, "thanks"]}).to_csv(src, index=False)
    out = tmp_path / "o.jsonl"
    result = runner.invoke(app, ["explain", "-m", str(tiny_linear_dir), str(src), "-o", str(out),
                                 "--spans", "attribution", "--progress-every", "0"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "long", "c"]
    assert "reason" not in rows[0] and rows[0]["tokens"]
    assert rows[1]["spans"] == [] and rows[1]["tokens"] == [] and list(rows[1]["scores"]) == list(LABELS)
    assert "5,000-character limit" in rows[1]["reason"] and "toxic" in rows[1]["labels"]
    assert "explain: 3 rows in" in result.output and "rows/s" in result.output


def test_rewrite_file_keeps_a_200k_row_unchanged_with_a_reason(tmp_path, tiny_linear_dir):
    src = tmp_path / "in.csv"
    huge = "word " * 40_000
    pd.DataFrame({"id": ["x", "big", "z"], "comment_text": ["you idiot", huge, "hello"]}).to_csv(src, index=False)
    out = tmp_path / "o.csv"
    result = _run("rewrite", "-m", tiny_linear_dir, src, "-o", out, "--progress-every", "0")
    assert result.exit_code == 0, result.output
    df = pd.read_csv(out, keep_default_na=False, dtype={"id": str})
    assert df["id"].tolist() == ["x", "big", "z"]
    big = df.iloc[1]
    assert big["rewrite"] == huge and big["method"] == "skipped" and "1,000-character limit" in big["reason"]
    assert "rewrite: 3 rows in" in result.output


def test_an_existing_file_of_unknown_type_says_what_to_do(tmp_path, tiny_linear_dir):
    (tmp_path / "notes").write_text("id,comment_text\n1,hi\n")
    result = _run("explain", "-m", tiny_linear_dir, tmp_path / "notes", "-o", tmp_path / "o.jsonl")
    message = " ".join(result.output.split())
    assert result.exit_code == 2 and "unknown file type" in message and "--text" in message
