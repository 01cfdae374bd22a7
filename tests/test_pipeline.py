import numpy as np

from cleanspeech.labels import LABELS
from cleanspeech.pipeline import Moderator


def test_moderate_returns_one_result_per_text_in_order(tiny_linear):
    mod = Moderator(tiny_linear)
    texts = ["you stupid idiot", "thank you for the edit", "   "]
    results = mod.moderate(texts)
    assert len(results) == 3
    assert results[0].scores[0] > results[1].scores[0]
    d = results[0].to_dict()
    assert list(d["scores"]) == list(LABELS) and isinstance(d["labels"], list)


def test_blank_text_scores_zero_and_gets_no_label(tiny_linear):
    res = Moderator(tiny_linear).moderate(["", "  \n"])
    assert all(np.all(r.scores == 0) and r.labels == [] for r in res)


def test_info_names_model_and_thresholds(tiny_linear):
    info = Moderator(tiny_linear, name="tiny").info()
    assert info["name"] == "tiny" and info["labels"] == list(LABELS)
    assert set(info["thresholds"]) == set(LABELS) and "macro_roc_auc" in info["metrics"]["test"]
