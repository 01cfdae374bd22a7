import json

import numpy as np
import pytest

from cleanspeech.data import read_jigsaw
from cleanspeech.labels import LABELS
from cleanspeech.models import load_model
from cleanspeech.models.linear import LinearConfig, LinearModel


def test_scores_are_n_by_6_probabilities(tiny_linear):
    p = tiny_linear.predict_proba(["you are an idiot", "thanks for the edit", ""])
    assert p.shape == (3, 6) and np.all((p >= 0) & (p <= 1))
    assert p[0, 0] > p[1, 0]


def test_predict_uses_thresholds_parameter(tiny_linear):
    texts = ["you are an idiot"]
    assert tiny_linear.predict(texts, thresholds=np.zeros(6)).tolist() == [[1] * 6]
    assert tiny_linear.predict(texts, thresholds=np.full(6, 1.01)).tolist() == [[0] * 6]


def test_folder_has_no_pickle_and_roundtrips(tiny_linear_dir, tiny_linear, jigsaw_sample_path):
    names = {p.name for p in tiny_linear_dir.iterdir()}
    assert {"cleanspeech.json", "thresholds.json", "metrics.json", "README.md", "linear.safetensors"} <= names
    assert not any(n.endswith((".pkl", ".pickle", ".joblib")) for n in names)
    cfg = json.loads((tiny_linear_dir / "cleanspeech.json").read_text())
    assert cfg["model_type"] == "linear" and cfg["labels"] == list(LABELS)
    ths = json.loads((tiny_linear_dir / "thresholds.json").read_text())
    assert "dev half" in ths["tuned_on"] and set(ths["prevalence"]) == set(LABELS)
    texts = read_jigsaw(jigsaw_sample_path)["comment_text"].tolist()[:50]
    again = load_model(tiny_linear_dir)
    np.testing.assert_allclose(again.predict_proba(texts), tiny_linear.predict_proba(texts), atol=1e-6)


def test_pruning_keeps_requested_feature_count(jigsaw_sample_path):
    df = read_jigsaw(jigsaw_sample_path)
    m = LinearModel(LinearConfig(min_df=1, keep_features=300)).fit(
        df["comment_text"].tolist(), df[list(LABELS)].to_numpy())
    assert m.coef_.shape == (6, 300) and len(m.feature_names) == 300


def test_decision_function_is_features_times_coef(tiny_linear):
    X = tiny_linear.features(["you stupid idiot"])
    logits = tiny_linear.decision_function(["you stupid idiot"])
    np.testing.assert_allclose(logits, X @ tiny_linear.coef_.T + tiny_linear.intercept_, rtol=1e-5)


def test_unfitted_model_says_so():
    with pytest.raises(RuntimeError, match="not fitted"):
        LinearModel().predict_proba(["x"])
