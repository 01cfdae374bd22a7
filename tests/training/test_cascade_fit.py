"""fit_cascade: weights, gate and thresholds chosen on dev scores; the gate saves work without
losing ranking when the fast model already separates most comments."""

from __future__ import annotations

import numpy as np
import pytest

from cleanspeech.evaluation.bootstrap import weighted_macro_auc
from cleanspeech.evaluation.calibration import NATURAL_PREVALENCE, prevalence_weights
from cleanspeech.training.cascade import (
    CAP_SCALES,
    SHARE_GRID,
    cascade_scores,
    fit_cascade,
    gate_for_share,
    mine_route_words,
)


def _scores(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, 6)) < 0.15).astype(np.int8)
    y[:, 0] = np.maximum(y[:, 0], y[:, 1:].max(axis=1))  # any label implies toxic
    z = np.where(y == 1, 2.0, -2.0)
    fast = 1 / (1 + np.exp(-(z + rng.normal(0, 1.5, z.shape))))
    slow = 1 / (1 + np.exp(-(z + rng.normal(0, 0.8, z.shape))))  # the better model
    return y, fast, slow


def test_fit_routes_a_share_and_stays_close_to_the_full_route():
    y, fast, slow = _scores()
    model, choices = fit_cascade(None, None, fast, slow, y, NATURAL_PREVALENCE, max_auc_loss=0.002)
    w = prevalence_weights(y, NATURAL_PREVALENCE)
    assert 0 < choices.routed_share < 1
    assert choices.routed_share in [c["share"] for c in choices.share_curve]
    auc = weighted_macro_auc(y, cascade_scores(model, fast, slow), w)
    assert auc >= choices.full_auc - 0.002 - 1e-9
    assert (model.weights < 0.5).all()  # the slow model is better: it gets most of the weight
    assert model.thresholds.shape == (6,) and ((model.thresholds > 0) & (model.thresholds < 1)).all()


def test_no_tolerance_routes_everything_it_must():
    y, fast, slow = _scores(seed=1)
    model, choices = fit_cascade(None, None, fast, slow, y, NATURAL_PREVALENCE, max_auc_loss=-1.0)
    assert choices.routed_share == 1.0 and model.route(fast).all()


def test_gate_for_share_routes_that_weighted_share():
    scores = np.linspace(0, 1, 1001)
    w = np.ones_like(scores)
    gate = gate_for_share(scores, w, 0.25)
    assert abs((scores >= gate).mean() - 0.25) < 0.005
    assert gate_for_share(scores, w, 1.0) == 0.0 and SHARE_GRID[-1] == 1.0


def test_tie_break_picks_the_weight_that_separates_behavioural_cases_within_tolerance():
    """Two equally good dev mixes: the behavioural cases decide; a wide gap in dev AUC does not
    let them override dev."""
    from cleanspeech.training.cascade import TieBreak, fit_weights

    rng = np.random.default_rng(3)
    y, fast, slow = _scores(seed=2)
    w = np.ones(len(y))
    slow = fast.copy()  # members equal on dev: every weight ties on dev AUC
    hateful = np.array([1] * 50 + [0] * 50)
    z = np.where(hateful[:, None] == 1, 1.0, -1.0) + rng.normal(0, 0.3, (100, 6))
    suite_slow = 1 / (1 + np.exp(-z))  # the slow member separates the cases ...
    suite_fast = 1 / (1 + np.exp(z))  # ... the fast member ranks them backwards
    tie = TieBreak(suite_fast, suite_slow, hateful, tolerance=1e-9)
    assert np.allclose(fit_weights(fast, slow, y, w, tie), 0.0)
    _, good_fast, good_slow = _scores(seed=4)
    strict = fit_weights(good_fast, good_slow, y, w, TieBreak(suite_fast, suite_slow, hateful, 0.0))
    assert np.array_equal(strict, fit_weights(good_fast, good_slow, y, w))


def test_a_per_source_tie_break_reads_each_label_where_a_source_knows_it():
    """Pool rows: per-label targets with NaN, two sources. Within tolerance the weight whose mix
    ranks best *within* each source wins; a label no source knows keeps its dev choice."""
    from cleanspeech.training.cascade import TieBreak, fit_weights

    rng = np.random.default_rng(5)
    y, fast, slow = _scores(seed=2)
    w = np.ones(len(y))
    slow = fast.copy()  # every weight ties on dev
    n = 2000
    groups = np.repeat(["a", "b"], n // 2)
    target = np.tile(np.tile([1.0, 0.0], n // 2)[:, None], (1, 6))
    target[:, 2] = np.nan  # nobody knows obscene
    signal = np.where(target == 1, 1.0, 0.0)
    # source b sits far higher for both members: a pooled AUC would read the base rates
    shift = np.where(groups == "b", 3.0, 0.0)[:, None]
    pool_fast = 1 / (1 + np.exp(-(signal + rng.normal(0, 1, (n, 6)) + shift)))  # knows the targets
    pool_slow = 1 / (1 + np.exp(-(rng.normal(0, 1, (n, 6)) + shift)))  # pure noise
    tie = TieBreak(pool_fast, pool_slow, target, tolerance=1e-9, groups=groups)
    got = fit_weights(fast, slow, y, w, tie)
    assert np.allclose(np.delete(got, 2), 1.0)
    assert got[2] == fit_weights(fast, slow, y, w)[2]  # no source knows it: dev decides
    assert tie.score(2, 0.5) is None and tie.score(0, 1.0) > 0.7 > 0.6 > tie.score(0, 0.0)


def test_one_tie_break_at_a_time():
    from cleanspeech.training.cascade_build import CascadeBuild

    with pytest.raises(ValueError, match="one tie-break"):
        CascadeBuild(behaviour_tolerance=0.001, sources_tolerance=0.001)


def test_forced_rows_are_routed_and_counted_in_the_share():
    y, fast, slow = _scores(seed=5)
    forced = np.zeros(len(y), dtype=bool)
    forced[::10] = True
    model, choices = fit_cascade(None, None, fast, slow, y, NATURAL_PREVALENCE, max_auc_loss=0.002,
                                 forced=forced)
    assert model.route_identity
    routed = model.route(fast, forced)
    assert routed[forced].all()
    w = prevalence_weights(y, NATURAL_PREVALENCE)
    assert choices.routed_share == pytest.approx(float(w[routed].sum() / w.sum()))


def test_route_words_are_frequent_words_of_mostly_toxic_comments():
    texts = (["you are a wanker, mate"] * 8 + ["that wanker again"] * 2  # 10 comments, 8 toxic
             + ["the mate of the article"] * 10 + ["a rare slur: zorg"] * 3 + ["2024 2024"] * 12)
    toxic = [1] * 8 + [0] * 2 + [0] * 10 + [1] * 3 + [1] * 12
    words = mine_route_words(texts, toxic, min_count=10, min_rate=0.7)
    assert words == ["wanker"]  # "zorg" too rare, "mate" 8/20 toxic, numbers never
    assert mine_route_words(texts, toxic, min_count=10, min_rate=0.9) == []


def test_route_words_are_kept_on_the_fitted_model():
    y, fast, slow = _scores(seed=6)
    forced = np.zeros(len(y), dtype=bool)
    model, _ = fit_cascade(None, None, fast, slow, y, NATURAL_PREVALENCE, forced=forced,
                           route_identity=False, route_words=["wanker"])
    assert model.route_words == {"wanker"} and not model.route_identity


def test_caps_are_chosen_where_they_raise_dev_auc():
    """identity_hate positives are all toxic; its negatives with a high score are mostly
    non-toxic comments, which the cap pulls down: the fit caps it and nothing else."""
    y, fast, slow = _scores(seed=7)
    rng = np.random.default_rng(7)
    noisy = (y[:, 0] == 0) & (rng.random(len(y)) < 0.3)
    for p in (fast, slow):
        p[noisy, 5] = 0.97
    model, choices = fit_cascade(None, None, fast, slow, y, NATURAL_PREVALENCE, max_auc_loss=0.002)
    assert list(choices.capped_by_toxic) == ["identity_hate"] == list(model.capped_by_toxic)
    assert choices.cap_gains["identity_hate"] >= 0.0005
    scale = model.capped_by_toxic["identity_hate"]
    assert scale in CAP_SCALES
    out = cascade_scores(model, fast, slow)
    assert (out[:, 5] <= scale * out[:, 0] + 1e-9).all()
    flagged = out >= model.thresholds[None, :]
    assert not (flagged[:, 5] & ~flagged[:, 0]).any()  # never identity_hate without toxic


def test_untargeted_scale_is_chosen_where_it_raises_dev_auc():
    """identity_hate positives all name a group; many high-scoring negatives name none (plain
    insults): the fit scales identity_hate down on those, and the scores need ``targeted``."""
    y, fast, slow = _scores(seed=8)
    rng = np.random.default_rng(8)
    targeted = (y[:, 5] == 1) | (rng.random(len(y)) < 0.1)
    insults = ~targeted & (rng.random(len(y)) < 0.3)
    for p in (fast, slow):
        p[insults, 5] = 0.9
    model, choices = fit_cascade(None, None, fast, slow, y, NATURAL_PREVALENCE, max_auc_loss=0.002,
                                 targeted=targeted)
    scale = model.untargeted_scale["identity_hate"]
    assert scale < 1.0 and choices.untargeted_scale == {"identity_hate": scale}
    assert choices.target_gains["identity_hate"][f"{scale:g}"] >= 0.0005
    with pytest.raises(ValueError, match="pass targeted"):
        cascade_scores(model, fast, slow)
    out = cascade_scores(model, fast, slow, targeted=targeted)
    model.untargeted_scale = {}
    plain = cascade_scores(model, fast, slow)
    assert np.allclose(out[~targeted, 5], scale * plain[~targeted, 5])
    assert np.array_equal(out[targeted], plain[targeted]) and np.array_equal(out[:, :5], plain[:, :5])


def test_no_untargeted_scale_without_a_gain():
    y, fast, slow = _scores(seed=9)
    targeted = np.random.default_rng(9).random(len(y)) < 0.5  # unrelated to the labels
    model, choices = fit_cascade(None, None, fast, slow, y, NATURAL_PREVALENCE, targeted=targeted)
    assert model.untargeted_scale == {} and set(choices.target_gains["identity_hate"]) >= {"1", "0.5"}
