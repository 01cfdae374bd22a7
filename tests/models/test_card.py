"""Model cards rendered from a folder's recorded JSON files."""

import json

import pytest

from cleanspeech.labels import LABELS
from cleanspeech.models.card import render_card, write_card


def _block(auc: float, n: int) -> dict:
    return {"n": n, "macro_roc_auc": auc, "macro_pr_auc": 0.5,
            "roc_auc": {lab: auc - i / 1000 for i, lab in enumerate(LABELS)},
            "pr_auc": {lab: 0.5 for lab in LABELS},
            "at_thresholds": {lab: {"precision": 0.7, "recall": 0.8, "f1": 0.746, "support": 9 + i}
                              for i, lab in enumerate(LABELS)}}


@pytest.fixture()
def folder(tmp_path):
    f = tmp_path / "ens"
    f.mkdir()
    (f / "cleanspeech.json").write_text(json.dumps({
        "model_type": "ensemble", "labels": list(LABELS), "cleaning": "none", "combine": "logit",
        "members": [{"ref": "linear", "weight": 0.6, "model_type": "linear", "fingerprint": "sha256:" + "ab" * 32},
                    {"path": "transformer", "weight": 0.4, "model_type": "transformer"}]}))
    (f / "thresholds.json").write_text(json.dumps({
        "thresholds": {lab: 0.25 for lab in LABELS}, "tuned_on": "dev split (5%, seed 42)",
        "objective": "max F1 per label", "prevalence": {lab: 0.0123 for lab in LABELS}}))
    test = {**_block(0.9871, 2000), "ci": {"macro_roc_auc": [0.9812, 0.9913]}}
    (f / "metrics.json").write_text(json.dumps({
        "title": "Tiny ensemble", "dev": _block(0.9902, 1000), "test": test,
        "data": {"n_train": 36000}, "training": {"recipe": "configs/minilm-l6-shipped.yaml"},
        "comparisons": {"linear alone (test)": 0.9801}, "notes": ["Built for a test."]}))
    return f


def test_card_shows_recorded_numbers(folder):
    card = render_card(folder)
    assert card.startswith("# Tiny ensemble\n")
    assert card.index("test split (2000 rows)") < card.index("dev split (1000 rows)")  # test first
    assert "Macro ROC-AUC **0.9871** [0.9812, 0.9913]" in card and "**0.9902**" in card
    assert "| toxic | 0.9871 | 0.5000 | 0.700 | 0.800 | 0.746 | 9 |" in card
    assert "| identity_hate | 0.9821 |" in card  # per-label values, not copies of the macro
    assert "| linear | linear | shipped `linear` (referenced) | 0.60 | `sha256:abababababab…` |" in card
    assert "| transformer | transformer | `transformer/` (in this folder) | 0.40 | not pinned |" in card
    assert "Tuned on: dev split (5%, seed 42)" in card and "| toxic | 0.250 | 0.0123 |" in card
    assert "| recipe | configs/minilm-l6-shipped.yaml |" in card
    assert "| linear alone (test) | 0.9801 |" in card and "- Built for a test." in card


def test_card_from_a_report_style_metrics_file(tiny_linear_dir):
    card = render_card(tiny_linear_dir)  # written by train_linear through write_card
    metrics = json.loads((tiny_linear_dir / "metrics.json").read_text())
    assert f"**{metrics['test']['macro_roc_auc']:.4f}**" in card and "test" in card
    assert (tiny_linear_dir / "README.md").read_text() == card
    assert "| min_df | `1` |" in card and "make linear-model" in card


def test_missing_metrics_and_thresholds_say_so(folder):
    (folder / "metrics.json").unlink()
    (folder / "thresholds.json").unlink()
    card = render_card(folder)
    assert "No evaluation recorded" in card and "0.5 for every label" in card


def test_write_card_and_not_a_model_folder(folder, tmp_path):
    assert write_card(folder).read_text() == render_card(folder)
    with pytest.raises(FileNotFoundError, match="no cleanspeech.json"):
        render_card(tmp_path)
