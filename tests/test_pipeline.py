import threading

import numpy as np
import pytest

from cleanspeech.labels import LABELS
from cleanspeech.models.base import ToxicityModel
from cleanspeech.pipeline import ModerationResult, Moderator, RoutingTally


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


def test_a_str_is_one_comment_in_every_stage(tiny_linear):
    mod = Moderator(tiny_linear)
    text = "You are an idiot"
    batch = mod.moderate([text])[0]
    single = mod.moderate(text)  # one result, not one per character
    assert isinstance(single, ModerationResult)
    np.testing.assert_array_equal(single.scores, batch.scores)
    assert single.labels == batch.labels
    assert mod.scores(text).shape == (6,)
    np.testing.assert_array_equal(mod.scores(text), mod.scores([text])[0])
    scores, routed = mod.scores_routed(text)
    assert scores.shape == (6,) and routed is None  # a linear model does not route
    assert mod.explain(text, spans="attribution").text == text
    assert mod.rewrite(text).original == text


def test_batches_may_be_any_ordered_iterable(tiny_linear):
    mod = Moderator(tiny_linear)
    texts = ("you stupid idiot", "thanks")
    expected = mod.scores(list(texts))
    np.testing.assert_array_equal(mod.scores(texts), expected)
    np.testing.assert_array_equal(mod.scores(np.array(texts)), expected)
    np.testing.assert_array_equal(mod.scores(t for t in texts), expected)
    assert mod.moderate([]) == []


@pytest.mark.parametrize("bad", [42, None, b"you idiot", {"you idiot"}, {"text": "you idiot"}])
def test_other_inputs_are_a_clear_type_error(tiny_linear, bad):
    mod = Moderator(tiny_linear)
    for stage in (mod.moderate, mod.scores, mod.explain, mod.rewrite):
        with pytest.raises(TypeError, match="str .*list of str"):
            stage(bad)


def test_a_result_reads_by_label(tiny_linear):
    mod = Moderator(tiny_linear)
    toxic, civil = mod.moderate(["fuck you, you stupid idiot", "thank you for the edit"])
    assert list(toxic.scores_by_label) == list(LABELS)
    assert toxic.scores_by_label["toxic"] == pytest.approx(float(toxic.scores[0]))
    assert toxic.flagged and toxic.flags["toxic"] and "toxic" in toxic.labels
    assert [lab for lab, on in toxic.flags.items() if on] == toxic.labels
    assert not civil.flagged and not any(civil.flags.values())
    assert toxic.to_dict()["scores"] == pytest.approx(toxic.scores_by_label, abs=1e-6)


class _Router(ToxicityModel):
    """Routes comments holding "slow"; scores 0.5 everywhere."""

    model_type = "router"
    routes = True

    def predict_proba(self, texts):
        return self.predict_proba_routed(texts)[0]

    def predict_proba_routed(self, texts):
        return np.full((len(texts), 6), 0.5), np.array(["slow" in t for t in texts])


def test_routing_comes_back_from_calls_and_the_share_is_summed_from_them():
    mod = Moderator(_Router())
    assert mod.routed_fraction() is None
    scores, routed = mod.scores_routed(["slow one", "", "fast", "slow two"])
    assert routed.tolist() == [True, False, False, True] and (scores[1] == 0).all()
    assert mod.scores_routed("   ")[1] is False  # empty: never sent to the model
    assert mod.routed_fraction() == pytest.approx(2 / 3)  # of the non-empty comments
    assert mod.info()["routed_fraction"] == pytest.approx(2 / 3)
    assert Moderator(_Router()).routed_fraction() is None  # nothing kept on the model


def test_routing_tally_counts_every_thread():
    tally = RoutingTally()

    def work():
        for _ in range(200):
            tally.add(np.array([True, False]), 2)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (tally.routed, tally.scored) == (800, 1600) and tally.fraction() == 0.5
