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
