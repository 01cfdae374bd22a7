"""The independent STA judge: fitting, thresholding out of fold, JSON round-trip (synthetic
embeddings, so no encoder is loaded)."""

import numpy as np

from cleanspeech.rewrite.judge import Judge
from cleanspeech.training.rewrite_lexicon import fit_judge


def _data(n=400, d=16, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.25).astype(int)
    x = rng.normal(size=(n, d)) + 1.5 * y[:, None] * np.eye(d)[0]
    return x, y


def test_fit_separates_and_threshold_is_out_of_fold():
    x, y = _data()
    judge = fit_judge(x, y)
    assert judge.meta["oof_roc_auc"] > 0.8 and 0 < judge.threshold < 1
    civil = judge.civil([""] * len(y), embeddings=x)
    assert civil.dtype == bool and civil[y == 0].mean() > civil[y == 1].mean()


def test_json_round_trip(tmp_path):
    x, y = _data()
    judge = fit_judge(x, y)
    path = tmp_path / "judge.json"
    import json

    path.write_text(json.dumps(judge.to_json()))
    back = Judge.load(path)
    assert back.threshold == judge.threshold and back.meta == judge.meta
    np.testing.assert_allclose(back.proba([""] * 5, x[:5]), judge.proba([""] * 5, x[:5]), atol=1e-5)
