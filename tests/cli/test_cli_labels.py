"""``predict --labels`` (flag columns in every output format), ``moderate --json`` (flagged,
model, version) and per-request thresholds: ``--threshold LABEL=VALUE`` and ``--sensitivity``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cleanspeech.cli import app
from cleanspeech.data.stream import FLAG_COLUMNS
from cleanspeech.labels import LABELS
from cleanspeech.operating import apply_sensitivity
from cleanspeech.pipeline import Moderator

runner = CliRunner()
TEXTS = ["you are a stupid idiot", "thanks for the edit", "", "shut up you moron, I hate you"]


def _run(*args):
    return runner.invoke(app, [str(a) for a in args])


def _read(path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype={"id": str})
    return pd.read_csv(path, dtype={"id": str})


@pytest.fixture()
def src(tmp_path):
    path = tmp_path / "in.csv"
    pd.DataFrame({"id": ["a", "b", "c", "d"], "comment_text": TEXTS}).to_csv(path, index=False)
    return path


def test_default_predict_output_is_still_a_submission(tmp_path, tiny_linear_dir, src):
    assert _run("predict", "-m", tiny_linear_dir, src, "-o", tmp_path / "o.csv").exit_code == 0
    assert list(pd.read_csv(tmp_path / "o.csv").columns) == ["id", *LABELS]


@pytest.mark.parametrize("name", ["o.csv", "o.tsv", "o.jsonl", "o.parquet"])
def test_predict_labels_adds_flag_columns_at_the_model_thresholds(tmp_path, tiny_linear_dir, src, name):
    out = tmp_path / name
    result = _run("predict", "-m", tiny_linear_dir, src, "-o", out, "--labels")
    assert result.exit_code == 0, result.output
    df = _read(out) if not name.endswith(".tsv") else pd.read_csv(out, sep="\t", dtype={"id": str})
    assert list(df.columns) == ["id", *LABELS, *FLAG_COLUMNS] and df["id"].tolist() == ["a", "b", "c", "d"]
    mod = Moderator.load(tiny_linear_dir)
    expected = mod.scores(TEXTS) >= mod.thresholds[None, :]
    flags = df[[f"{label}_flagged" for label in LABELS]].to_numpy()
    assert flags.dtype == bool and np.array_equal(flags, expected)
    assert df["flagged"].tolist() == expected.any(axis=1).tolist()


def test_predict_threshold_and_sensitivity_move_the_flags(tmp_path, tiny_linear_dir, src):
    out = tmp_path / "o.csv"
    assert _run("predict", "-m", tiny_linear_dir, src, "-o", out, "--labels",
                "--threshold", "insult=0", "--threshold", "toxic=1").exit_code == 0
    df = pd.read_csv(out)
    assert df["insult_flagged"].all() and not df["toxic_flagged"].any()
    assert _run("predict", "-m", tiny_linear_dir, src, "-o", out, "--labels", "--sensitivity", "high").exit_code == 0
    mod = Moderator.load(tiny_linear_dir)
    expected = mod.scores(TEXTS) >= apply_sensitivity(mod.thresholds, "high")[None, :]
    assert np.array_equal(pd.read_csv(out)[[f"{lb}_flagged" for lb in LABELS]].to_numpy(), expected)


@pytest.mark.parametrize("args, message", [
    (["--threshold", "rudeness=0.3"], "unknown label 'rudeness'"),
    (["--threshold", "toxic=1.5"], "between 0 and 1"),
    (["--threshold", "toxic"], "LABEL=VALUE"),
    (["--sensitivity", "extreme"], "low, default, high"),
])
def test_bad_operating_points_are_one_error_line(tiny_linear_dir, args, message):
    result = _run("moderate", "-m", tiny_linear_dir, *args, "hello")
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


def test_predict_thresholds_need_labels(tmp_path, tiny_linear_dir, src):
    result = _run("predict", "-m", tiny_linear_dir, src, "-o", tmp_path / "o.csv", "--threshold", "toxic=0.2")
    assert result.exit_code == 2 and "--labels" in result.output
    assert not (tmp_path / "o.csv").exists()


def test_moderate_json_has_flagged_model_and_version(tiny_linear_dir):
    from cleanspeech import __version__

    result = _run("moderate", "-m", tiny_linear_dir, "--json", *TEXTS[:2])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["text"] for r in rows] == TEXTS[:2]
    for r in rows:
        assert r["flagged"] == bool(r["labels"]) and r["version"] == __version__
        assert r["model"] == str(tiny_linear_dir) and list(r["scores"]) == list(LABELS)
    result = _run("moderate", "-m", tiny_linear_dir, "--json", "--threshold", "threat=0", "thanks")
    assert "threat" in json.loads(result.output)["labels"] and json.loads(result.output)["flagged"]


def test_moderate_table_says_why_labels_differ_from_the_scores(tiny_linear_dir):
    from cleanspeech.pipeline import ModerationResult

    result = _run("moderate", "-m", tiny_linear_dir, "Tu es un connard.", "Gracias por tu ayuda, fue muy útil.")
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.replace("│", " ").split())
    assert "fr: not English, labels from its word list" in out and "es: not English, not judged" in out
    # a label the worst part raised while the whole comment scores under the threshold
    text = "Lovely weather today. You utter moron. See you soon."
    part = (text.index("You"), text.index(" See"))
    th, low = np.full(len(LABELS), 0.5), np.full(len(LABELS), 0.1)
    assert ModerationResult(low, ["toxic", "insult"], part=part).notes(text, th) == [
        'toxic, insult from the part "You utter moron."']
    whole = ModerationResult(np.where(np.arange(len(LABELS)) == 0, 0.9, 0.1), ["toxic"], part=part)
    assert whole.notes(text, th) == [] and ModerationResult(low, []).notes(text, th) == []
    long_part = ModerationResult(low, ["toxic"], part=(0, 2 * len(text)))  # quoted up to 60 characters
    assert long_part.notes(text * 2, th) == ['toxic from the part "' + (text * 2)[:57] + '..."']
