"""End to end through the CLI on the real fixture: train → evaluate → predict → score-submission."""

import json

import pandas as pd
from typer.testing import CliRunner

from cleanspeech.cli import app
from cleanspeech.labels import LABELS

runner = CliRunner()


def _ok(args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result.output


def test_train_evaluate_predict_score(tmp_path, jigsaw_sample_path):
    model = tmp_path / "model"
    _ok(["train-linear", "--train", jigsaw_sample_path, "-o", model, "--val-fraction", "0.25",
         "--keep-features", "4000"])
    assert json.loads((model / "metrics.json").read_text())["test"]["macro_roc_auc"] > 0.6

    _ok(["evaluate", "--model", model, "--data", jigsaw_sample_path, "-o", tmp_path / "report"])
    assert (tmp_path / "report" / "roc.png").exists()

    df = pd.read_csv(jigsaw_sample_path, dtype=str, keep_default_na=False)
    df[["id", "comment_text"]].to_csv(tmp_path / "test.csv", index=False)
    _ok(["predict", "--model", model, tmp_path / "test.csv", "-o", tmp_path / "sub.csv"])
    sub = pd.read_csv(tmp_path / "sub.csv", dtype={"id": str})
    assert sub["id"].tolist() == df["id"].tolist()
    assert list(sub.columns) == ["id", *LABELS]

    labels = df[["id", *LABELS]].copy()
    labels.loc[labels.index[:50], list(LABELS)] = "-1"
    labels.to_csv(tmp_path / "labels.csv", index=False)
    out = _ok(["score-submission", tmp_path / "sub.csv", "--labels", tmp_path / "labels.csv"])
    assert "over 350 rows" in out


def test_predict_keeps_every_row_including_empty_and_huge(tmp_path, tiny_linear_dir):
    rows = pd.DataFrame({"id": ["a", "b", "a", "d"],
                         "comment_text": ["you idiot", "", "dup id", "word " * 200_000]})
    rows.to_csv(tmp_path / "in.csv", index=False)
    _ok(["predict", "--model", tiny_linear_dir, tmp_path / "in.csv", "-o", tmp_path / "out.csv"])
    out = pd.read_csv(tmp_path / "out.csv", dtype={"id": str})
    assert out["id"].tolist() == ["a", "b", "a", "d"]
    assert out.loc[1, list(LABELS)].eq(0).all()


def test_bad_input_is_one_clear_error(tmp_path, tiny_linear_dir):
    (tmp_path / "bad.csv").write_text('id,comment_text\na,"open quote\n')
    result = runner.invoke(app, ["predict", "--model", str(tiny_linear_dir), str(tmp_path / "bad.csv"),
                                 "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "malformed CSV" in " ".join(result.output.split())
    assert not (tmp_path / "o.csv").exists()


def test_moderate_prints_labels(tiny_linear_dir):
    out = _ok(["moderate", "--model", tiny_linear_dir, "--json", "you stupid idiot", "thanks a lot"])
    lines = [json.loads(line) for line in out.strip().splitlines()]
    assert [line["text"] for line in lines] == ["you stupid idiot", "thanks a lot"]
    assert set(lines[0]["scores"]) == set(LABELS)
