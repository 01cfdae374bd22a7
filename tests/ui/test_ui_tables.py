"""Pure data helpers of the Streamlit page (:mod:`cleanspeech.ui.tables`)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from cleanspeech.labels import LABELS
from cleanspeech.ui.tables import (
    filter_by_labels, headline_metrics, label_rates, metrics_table, predictions_frame, report_plots,
    score_bars_frame, to_csv_bytes,
)

THRESHOLDS = np.array([0.5, 0.3, 0.5, 0.2, 0.5, 0.4])
SCORES = np.array([
    [0.9, 0.1, 0.1, 0.1, 0.8, 0.1],   # toxic, insult
    [0.1, 0.1, 0.1, 0.1, 0.1, 0.1],   # none
    [0.6, 0.35, 0.7, 0.1, 0.1, 0.1],  # toxic, severe_toxic, obscene
])


def test_score_bars_frame_marks_labels_at_or_over_threshold() -> None:
    frame = score_bars_frame(np.array([0.5, 0.29, 0.9, 0.2, 0.0, 0.41]), THRESHOLDS)
    assert frame["label"].tolist() == list(LABELS)
    assert frame["raised"].tolist() == [True, False, True, True, False, True]


def test_predictions_frame_one_row_per_input_in_order() -> None:
    frame = predictions_frame(["a", "b", "c"], SCORES, THRESHOLDS)
    assert frame.columns.tolist() == ["id", "flagged", "labels", *LABELS]
    assert frame["flagged"].tolist() == [True, False, True]
    assert frame["id"].tolist() == ["a", "b", "c"]
    assert frame["labels"].tolist() == ["toxic insult", "", "toxic severe_toxic obscene"]
    with pytest.raises(ValueError, match="2 ids but 3"):
        predictions_frame(["a", "b"], SCORES, THRESHOLDS)


def test_predictions_frame_empty() -> None:
    frame = predictions_frame([], np.zeros((0, 6)), THRESHOLDS)
    assert len(frame) == 0 and "labels" in frame


def test_filter_by_labels_any_all_none() -> None:
    frame = predictions_frame(["a", "b", "c"], SCORES, THRESHOLDS)
    assert filter_by_labels(frame, [])["id"].tolist() == ["a", "b", "c"]
    assert filter_by_labels(frame, ["toxic"])["id"].tolist() == ["a", "c"]
    assert filter_by_labels(frame, ["insult", "obscene"])["id"].tolist() == ["a", "c"]
    assert filter_by_labels(frame, ["toxic", "insult"], mode="all")["id"].tolist() == ["a"]
    assert filter_by_labels(frame, ["none"])["id"].tolist() == ["b"]
    with pytest.raises(ValueError, match="unknown label"):
        filter_by_labels(frame, ["rude"])


def test_label_rates() -> None:
    rates = label_rates(predictions_frame(["a", "b", "c"], SCORES, THRESHOLDS))
    assert rates.set_index("label")["count"].to_dict() == {
        "toxic": 2, "severe_toxic": 1, "obscene": 1, "threat": 0, "insult": 1, "identity_hate": 0}
    assert rates["rate"].iloc[0] == pytest.approx(2 / 3)


def test_csv_bytes_is_the_predict_contract_and_labels_are_optional() -> None:
    frame = predictions_frame(["a", "b"], SCORES[:2], THRESHOLDS)
    plain = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), dtype={"id": str})
    assert plain.columns.tolist() == ["id", *LABELS]
    assert np.allclose(plain[list(LABELS)].to_numpy(), SCORES[:2])
    labelled = pd.read_csv(io.BytesIO(to_csv_bytes(frame, with_labels=True)), dtype={"id": str},
                           keep_default_na=False)
    assert labelled["labels"].tolist() == ["toxic insult", ""]
    assert labelled.columns.tolist() == ["id", *LABELS, "flagged", "labels"]


def test_download_matches_cleanspeech_predict_byte_for_byte(ui_model, fixture_csv, tmp_path) -> None:
    from typer.testing import CliRunner

    from cleanspeech.cli import app
    from cleanspeech.data.io import read_jigsaw
    from cleanspeech.pipeline import Moderator

    sample = tmp_path / "sample.csv"  # 40 rows keep it quick with the shipped model too
    pd.read_csv(fixture_csv, dtype=str, keep_default_na=False).head(40).to_csv(sample, index=False)
    out = tmp_path / "predict.csv"
    run = CliRunner().invoke(app, ["predict", str(sample), "-o", str(out), "--model", ui_model])
    assert run.exit_code == 0, run.output
    frame = read_jigsaw(sample, require_labels=False)
    moderator = Moderator.load(ui_model)
    ui_frame = predictions_frame(frame["id"].tolist(), moderator.scores(frame["comment_text"].tolist()),
                                 moderator.thresholds)
    assert to_csv_bytes(ui_frame) == out.read_bytes()


def test_report_plots_found_in_model_report_folder(tmp_path) -> None:
    assert report_plots(None) == [] and report_plots(tmp_path) == []
    (tmp_path / "report").mkdir()
    for name in ("roc_toxic.png", "pr_toxic.png", "notes.txt"):
        (tmp_path / "report" / name).write_bytes(b"x")
    assert [p.name for p in report_plots(tmp_path)] == ["pr_toxic.png", "roc_toxic.png"]


def test_metrics_table_shapes() -> None:
    per_label = {label: {"roc_auc": 0.9, "f1": 0.5} for label in LABELS}
    assert metrics_table({"per_label": per_label}).shape == (6, 2)
    assert metrics_table(per_label).index.tolist() == list(LABELS)
    assert metrics_table({"macro_auc": 0.9}) is None
    report_style = {"n": 400, "roc_auc": {label: 0.9 for label in LABELS},
                    "f1": {label: 0.5 for label in LABELS}, "macro_f1": 0.5,
                    "notes": {"toxic": "text"}}
    table = metrics_table(report_style)
    assert table.columns.tolist() == ["roc_auc", "f1"] and table.index.tolist() == list(LABELS)
    assert headline_metrics(report_style) == {"macro_f1": 0.5}


def test_predictions_frame_carries_the_comment_and_the_full_download_too() -> None:
    frame = predictions_frame(["a", "b", "c"], SCORES, THRESHOLDS, texts=["x, y", "y", "z"])
    assert frame.columns.tolist() == ["id", "comment", "flagged", "labels", *LABELS]
    plain = pd.read_csv(io.BytesIO(to_csv_bytes(frame)))
    assert plain.columns.tolist() == ["id", *LABELS]  # the predict contract
    full = pd.read_csv(io.BytesIO(to_csv_bytes(frame, with_labels=True, with_text=True)),
                       keep_default_na=False)
    assert full.columns.tolist() == ["id", "comment", *LABELS, "flagged", "labels"]
    assert full["comment"].tolist() == ["x, y", "y", "z"]
    assert full["flagged"].tolist() == [True, False, True]


def test_score_bars_write_the_numbers() -> None:
    from cleanspeech.ui.charts import score_bars

    spec = score_bars(score_bars_frame(SCORES[0], THRESHOLDS)).to_dict()
    texts = [layer for layer in spec["layer"] if layer["mark"]["type"] == "text"]
    assert texts and texts[0]["encoding"]["text"]["field"] == "score"


def test_metric_sections_find_the_ensembles_nested_validation() -> None:
    from cleanspeech.ui.model_metrics import metric_sections, other_numbers, per_label_table, record_tables

    section = {"n": 10, "macro_roc_auc": 0.9, "roc_auc": {lab: 0.9 for lab in LABELS},
               "at_thresholds": {lab: {"precision": 0.5, "recall": 0.4, "f1": 0.45, "support": 3}
                                 for lab in LABELS}}
    metrics = {"validation": section, "members": {"linear": 0.97, "transformer": 0.96},
               "weight_search": [{"w": 0.1, "auc": 0.9}, {"w": 0.2, "auc": 0.91}],
               "transformer": {"validation": section}}
    assert list(metric_sections(metrics)) == ["validation", "transformer.validation"]
    assert per_label_table(section).columns.tolist() == ["roc_auc", "precision", "recall", "f1"]
    assert other_numbers(metrics)["name"].tolist() == ["members.linear", "members.transformer"]
    assert record_tables(metrics)["weight_search"].shape == (2, 2)
