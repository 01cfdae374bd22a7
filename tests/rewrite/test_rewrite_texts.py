"""rewrite_texts with a real (small) linear classifier: the contract the UI and API rely on."""

from cleanspeech.rewrite import RewriteResult, rewrite_texts

TOXIC = ["you are a fucking idiot .", "this shit is stupid and so are you , moron"]


def test_contract_one_result_per_text_in_order(model):
    texts = TOXIC + ["Thanks for fixing the citation, much appreciated.", "", None]
    res = rewrite_texts(model, texts)
    assert len(res) == 5 and all(isinstance(r, RewriteResult) for r in res)
    assert [r.original for r in res] == [t or "" for t in texts]
    d = res[0].to_dict()
    assert set(d) == {"original", "rewrite", "toxicity_before", "toxicity_after", "method", "civil", "reason"}
    assert isinstance(d["civil"], bool) and isinstance(d["toxicity_after"], float)


def test_never_worse_and_toxic_words_removed(model):
    for r in rewrite_texts(model, TOXIC):
        assert r.toxicity_after <= r.toxicity_before
        assert "fucking" not in r.rewrite and "shit" not in r.rewrite
        assert r.method.startswith(("offline", "template:")) or r.method == "none"
        assert r.civil or r.rejection is not None


def test_non_toxic_input_is_unchanged(model):
    text = "Thanks for fixing the citation, much appreciated."
    r = rewrite_texts(model, [text])[0]
    assert (r.rewrite, r.method, r.civil, r.candidate) == (text, "unchanged", True, None)
    assert r.toxicity_after == r.toxicity_before


def test_empty_batch_and_pipeline_integration(model):
    from cleanspeech.pipeline import Moderator

    assert rewrite_texts(model, []) == []
    res = Moderator(model, name="t").rewrite(["you fucking idiot"])
    assert res[0].rewrite != "you fucking idiot"


def test_unknown_backend_raises(model):
    import pytest

    with pytest.raises(ValueError, match="offline"):
        rewrite_texts(model, TOXIC, backend="telepathy")


def test_long_and_hopeless_inputs_stay_bounded(model):
    import time

    t0 = time.perf_counter()
    res = rewrite_texts(model, ["fuck " * 2000, "you are an idiot " * 200])
    assert time.perf_counter() - t0 < 60
    assert res[0].rewrite.strip()  # never an empty "rewrite": nothing civil left means no rewrite
    assert all(r.toxicity_after <= r.toxicity_before for r in res)
