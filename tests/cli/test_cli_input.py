"""Issue 10 at the command line: malformed rows refused with nothing written, mistyped paths
refused, TSV input, clean errors for bad backends, and help that reads well."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanspeech.cli import app
from cleanspeech.labels import LABELS

runner = CliRunner()
EXTRA_FIELDS = "id,comment_text\n1,ok,extra,more\n2,fine\n"


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("command,out_name", [
    ("predict", "o.csv"), ("explain", "o.jsonl"), ("rewrite", "o.csv")])
def test_rows_with_extra_fields_are_refused_and_nothing_is_written(
        tmp_path, tiny_linear_dir, command, out_name):
    src = tmp_path / "x.csv"
    src.write_text(EXTRA_FIELDS, encoding="utf-8")
    out = tmp_path / out_name
    result = _run(command, "--model", tiny_linear_dir, src, "-o", out)
    assert result.exit_code == 2, result.output
    assert "x.csv: line 2 has 4 field(s) but the header has 2" in " ".join(result.output.split())
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


@pytest.mark.parametrize("command", ["explain", "rewrite"])
@pytest.mark.parametrize("args", [["nothere.csv"], ["nothere.tsv"], ["notes.txt", "-o", "x.out"]])
def test_a_missing_input_file_is_an_error_not_a_comment(tmp_path, tiny_linear_dir, command, args):
    args = [str(tmp_path / args[0]), *args[1:]]
    result = _run(command, "--model", tiny_linear_dir, *args)
    assert result.exit_code == 2, result.output
    assert "file not found" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.out").exists()


def test_text_that_is_not_a_path_is_still_a_comment(tiny_linear_dir):
    result = _run("rewrite", "--model", tiny_linear_dir, "you are an idiot")
    assert result.exit_code == 0, result.output
    assert "before" in result.output and "after" in result.output


def test_unknown_rewrite_backend_is_one_error_line(tiny_linear_dir):
    result = _run("rewrite", "--model", tiny_linear_dir, "--backend", "bogus", "you idiot")
    assert result.exit_code == 2
    assert result.output.startswith("error: unknown rewrite backend 'bogus'")
    assert "Traceback" not in result.output


def test_tsv_input_for_explain_and_rewrite(tmp_path, tiny_linear_dir):
    src = tmp_path / "in.tsv"
    src.write_text('id\tcomment_text\na\tyou are a "stupid" idiot, really\nb\tthanks, nice edit\n',
                   encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert _run("explain", "-m", tiny_linear_dir, src, "-o", out, "--spans", "attribution").exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert any(t["text"] == "idiot" for t in rows[0]["tokens"])
    csv_out = tmp_path / "o.csv"
    assert _run("rewrite", "-m", tiny_linear_dir, src, "-o", csv_out).exit_code == 0
    df = pd.read_csv(csv_out, keep_default_na=False)
    assert df["id"].tolist() == ["a", "b"]
    assert df["original"].tolist() == ['you are a "stupid" idiot, really', "thanks, nice edit"]


def test_sep_option_reads_other_delimiters(tmp_path, tiny_linear_dir):
    src = tmp_path / "in.txt.csv"
    src.write_text("id;comment_text\na;hello there\nb;you idiot\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    result = _run("rewrite", "-m", tiny_linear_dir, src, "-o", out, "--sep", ";")
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["id"].tolist() == ["a", "b"]


def _commands() -> list[str]:
    return [c.name for c in app.registered_commands]


@pytest.mark.parametrize("command", _commands())
def test_help_has_no_type_placeholders_and_keeps_brackets(command):
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert not re.search(r"<(bool|str|list\[str\]|path|float|int)>", result.output), result.output
    if "--model" in result.output:
        assert re.search(r"--model\s+-m", result.output), "every --model has -m"
    if command == "explain":
        assert "[[start, end], ...]" in result.output
    if command == "predict":
        assert "Column holding the comment text" in result.output


def test_evaluate_defaults_to_the_default_model():
    from typer.main import get_command

    evaluate = get_command(app).commands["evaluate"]
    model = next(p for p in evaluate.params if p.name == "model")
    assert not model.required and model.default == "default"


def test_quoted_separators_still_read_as_one_field(tiny_linear_dir, tmp_path):
    """The extra-fields fix must not break a normal file: one output row per input row."""
    src = tmp_path / "ok.csv"
    src.write_text('id,comment_text\n1,"ok, with a comma"\n2,fine\n', encoding="utf-8")
    out = tmp_path / "o.csv"
    assert _run("predict", "-m", tiny_linear_dir, src, "-o", out).exit_code == 0
    df = pd.read_csv(out, dtype=str)
    assert df["id"].tolist() == ["1", "2"] and list(df.columns) == ["id", *LABELS]
