"""`cleanspeech rewrite` (file and text) and `cleanspeech eval-rewrite`."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanspeech.rewrite.judge import load_judge

cli = pytest.importorskip("cleanspeech.cli")
runner = CliRunner()


def test_rewrite_file_keeps_ids_and_order(model_dir, tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": ["b", "a", "c"], "comment_text": ["you fucking idiot", "nice work", ""]}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    res = runner.invoke(cli.app, ["rewrite", str(src), "-o", str(out), "--model", str(model_dir)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out, keep_default_na=False)
    assert list(df.columns) == ["id", "original", "rewrite", "toxicity_before", "toxicity_after", "method", "civil",
                                "reason"]
    assert df["id"].tolist() == ["b", "a", "c"]
    assert "fucking" not in df["rewrite"][0]


def test_rewrite_text_prints_before_after(model_dir):
    res = runner.invoke(cli.app, ["rewrite", "you are a fucking idiot", "--model", str(model_dir)])
    assert res.exit_code == 0, res.output
    assert "before" in res.output and "after" in res.output and "toxicity" in res.output


def test_rewrite_file_needs_output(model_dir, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,comment_text\n1,hi\n")
    res = runner.invoke(cli.app, ["rewrite", str(src), "--model", str(model_dir)])
    assert res.exit_code != 0 and "-o" in res.output


def test_eval_rewrite_reports_all_numbers_and_baselines(model_dir, tmp_path):
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("toxic\tneutral1\tneutral2\tneutral3\n"
                     "you are a fucking idiot .\tyou are wrong .\t\t\n"
                     "this shit is great\tthis is great\tthis thing is great\t\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    res = runner.invoke(cli.app, ["rewrite", str(pairs), "--text-column", "toxic", "-o", str(out),
                                  "--model", str(model_dir)])
    assert res.exit_code == 0, res.output
    report = tmp_path / "r.json"
    res = runner.invoke(cli.app, ["eval-rewrite", str(pairs), str(out), "--model", str(model_dir),
                                  "--report", str(report)])
    assert res.exit_code == 0, res.output
    scores = json.loads(report.read_text())["scores"]
    assert set(scores) == {"outputs", "Duplicate", "Delete"}
    for s in scores.values():
        assert set(s) - {"STA_judge", "J_judge"} == {"n", "STA", "SIM", "ChrF", "J"} and 0 <= s["J"] <= 1
        assert ("STA_judge" in s) == (load_judge() is not None)
    assert scores["Duplicate"]["SIM"] > 0.99 and scores["outputs"]["ChrF"] > scores["Duplicate"]["ChrF"]
