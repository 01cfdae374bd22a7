import json

import numpy as np

from cleanspeech.evaluation.report import write_report


def test_report_folder_has_metrics_summary_and_plots(tmp_path):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, (120, 6))
    s = np.clip(y * 0.5 + rng.random((120, 6)) * 0.6, 0, 1)
    metrics = write_report(y, s, np.full(6, 0.5), tmp_path / "rep")
    files = {p.name for p in (tmp_path / "rep").iterdir()}
    assert {"metrics.json", "summary.md", "roc.png", "pr.png", "f1_threshold.png"} <= files
    saved = json.loads((tmp_path / "rep" / "metrics.json").read_text())
    assert saved["macro_roc_auc"] == metrics["macro_roc_auc"] > 0.7
    assert "| toxic |" in (tmp_path / "rep" / "summary.md").read_text()
    assert (tmp_path / "rep" / "roc.png").read_bytes()[:4] == b"\x89PNG"


def test_label_without_positives_is_null_and_the_summary_says_what_macros_cover(tmp_path):
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, (80, 6))
    y[:, 3] = 0  # no threat positives: ROC-AUC / PR-AUC undefined for threat
    s = np.clip(y * 0.5 + rng.random((80, 6)) * 0.6, 0, 1)
    write_report(y, s, np.full(6, 0.5), tmp_path / "rep")
    text = (tmp_path / "rep" / "metrics.json").read_text()
    assert "NaN" not in text
    saved = json.loads(text)  # strict JSON
    assert saved["roc_auc"]["threat"] is None and saved["pr_auc"]["threat"] is None
    assert "threat" not in saved["macro_labels"]["roc_auc"] and len(saved["macro_labels"]["f1"]) == 6
    summary = (tmp_path / "rep" / "summary.md").read_text()
    assert "average the 5 labels" in summary and "threat: one class only" in summary
    assert "| threat | 0.0000 | n/a | n/a |" in summary


def test_report_at_a_stated_prevalence_has_calibration_and_operating_point(tmp_path):
    import json

    import numpy as np

    from cleanspeech.evaluation.report import write_report

    rng = np.random.default_rng(0)
    y = (rng.random((400, 6)) < 0.25).astype(int)
    s = np.clip(y * 0.6 + rng.random((400, 6)) * 0.4, 0, 1)
    write_report(y, s, np.full(6, 0.5), tmp_path, prevalence="natural")
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    cal = metrics["calibration"]
    assert cal["prevalence_name"] == "natural" and cal["reweighted_on"] == "toxic"
    assert abs(cal["at_thresholds"]["toxic"]["prevalence"] - 0.0958) < 1e-3
    assert set(cal["ece"]) == set(metrics["roc_auc"]) and (tmp_path / "reliability.png").exists()
    assert "At natural prevalence" in (tmp_path / "summary.md").read_text()
