"""Explain is thread-safe: several threads at once give what one thread gives, lazy loads run once."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

TEXTS = ["you are a stupid idiot", "thanks for fixing the citation", "shut up, moron " * 30,
         "I will find you", "what a lovely edit"]


def _explain(model, text):
    from cleanspeech.explain.core import explain_texts

    (exp,) = explain_texts(model, [text], method="integrated-gradients", spans="attribution", n_steps=2)
    return exp.scores, exp.attributions()


@pytest.mark.slow
def test_explain_from_several_threads_matches_serial(tiny_transformer):
    serial = [_explain(tiny_transformer, t) for t in TEXTS]
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = list(pool.map(lambda t: _explain(tiny_transformer, t), TEXTS * 2))
    for (s_scores, s_attr), (p_scores, p_attr) in zip(serial * 2, parallel):
        np.testing.assert_allclose(p_scores, s_scores, atol=1e-5)
        np.testing.assert_allclose(p_attr, s_attr, atol=1e-5)


def test_tagger_is_loaded_once_when_threads_ask_at_once(monkeypatch):
    from cleanspeech.explain import tagger_ensemble as tagger

    calls = []

    def slow_load(path):
        calls.append(path)
        time.sleep(0.2)  # long enough that every thread asks while the first load runs
        return object()

    tagger._load_tagger_cached.cache_clear()
    monkeypatch.setattr(tagger.SpanTagger, "load", staticmethod(slow_load))
    try:
        barrier = threading.Barrier(4)

        def load(_):
            barrier.wait()
            return tagger.load_tagger("some/folder")

        with ThreadPoolExecutor(max_workers=4) as pool:
            got = list(pool.map(load, range(4)))
    finally:
        tagger._load_tagger_cached.cache_clear()
    assert calls == ["some/folder"] and all(g is got[0] for g in got)


def test_explain_does_not_change_the_process_thread_count(tiny_transformer):
    import torch

    from cleanspeech import runtime

    runtime.configure_torch()
    before = torch.get_num_threads()
    _explain(tiny_transformer, TEXTS[0])
    assert torch.get_num_threads() == before
