"""Thread budget from the CPUs this process may use; scoring stays correct beside a busy process."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import numpy as np
import pytest

from cleanspeech import runtime

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def test_cgroup_v2_quota_is_rounded_up(tmp_path):
    (tmp_path / "cpu.max").write_text("150000 100000\n")
    assert runtime.cgroup_cpu_limit(tmp_path) == 2
    (tmp_path / "cpu.max").write_text("max 100000\n")
    assert runtime.cgroup_cpu_limit(tmp_path) is None


def test_cgroup_v1_quota(tmp_path):
    (tmp_path / "cpu").mkdir()
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("50000\n")
    (tmp_path / "cpu" / "cpu.cfs_period_us").write_text("100000\n")
    assert runtime.cgroup_cpu_limit(tmp_path) == 1
    (tmp_path / "cpu" / "cpu.cfs_quota_us").write_text("-1\n")
    assert runtime.cgroup_cpu_limit(tmp_path) is None
    assert runtime.cgroup_cpu_limit(tmp_path / "missing") is None


def test_budget_follows_affinity_and_quota(monkeypatch):
    monkeypatch.delenv("CLEANSPEECH_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda _: {0, 1, 2, 3}, raising=False)
    monkeypatch.setattr(runtime, "cgroup_cpu_limit", lambda root=None: None)
    assert runtime.available_cpus() == 4
    monkeypatch.setattr(runtime, "cgroup_cpu_limit", lambda root=None: 2)
    assert runtime.available_cpus() == runtime.thread_budget() == 2
    monkeypatch.setenv("CLEANSPEECH_THREADS", "3")
    assert runtime.thread_budget() == 3 and runtime.torch_threads() == 3
    monkeypatch.setenv("CLEANSPEECH_ORT_THREADS", "1")
    assert runtime.ort_threads() == 1
    monkeypatch.setenv("CLEANSPEECH_ORT_THREADS", "many")
    with pytest.raises(ValueError, match="CLEANSPEECH_ORT_THREADS"):
        runtime.ort_threads()


def test_ort_workers_split_the_budget_unless_threads_are_pinned(monkeypatch):
    for name in ("CLEANSPEECH_ORT_WORKERS", "CLEANSPEECH_ORT_THREADS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLEANSPEECH_THREADS", "2")
    assert runtime.ort_workers() == 2  # two single-threaded calls side by side
    monkeypatch.setenv("CLEANSPEECH_ORT_THREADS", "2")
    assert runtime.ort_workers() == 1  # the old mode: one call on the pinned threads
    monkeypatch.setenv("CLEANSPEECH_ORT_WORKERS", "3")
    assert runtime.ort_workers() == 3


def test_no_spinning_unless_asked(monkeypatch):
    monkeypatch.delenv("CLEANSPEECH_ORT_SPIN", raising=False)
    assert runtime.ort_spinning() == "0"
    monkeypatch.setenv("CLEANSPEECH_ORT_SPIN", "1")
    assert runtime.ort_spinning() == "1"


@pytest.fixture(scope="module")
def tiny_onnx_model(tmp_path_factory):
    from cleanspeech.models.registry import load_model
    from cleanspeech.models.transformer import TransformerModel, load_torch_module
    from cleanspeech.training.tiny import tiny_deberta

    root = tmp_path_factory.mktemp("rt")
    hf = tiny_deberta(root / "hf", seed=3)
    from transformers import AutoTokenizer

    model = TransformerModel(AutoTokenizer.from_pretrained(hf), load_torch_module(hf, {"weights_format": "hf"}),
                             max_length=32, overlap=8)
    folder = model.save_pretrained(root / "m")
    os.environ["CLEANSPEECH_CACHE"] = str(root / "cache")
    try:
        return load_model(folder, backend="onnx")
    finally:
        os.environ.pop("CLEANSPEECH_CACHE")


@pytest.mark.slow
def test_scoring_beside_a_busy_process_finishes_with_the_same_scores(tiny_onnx_model, jigsaw_sample_path):
    import pandas as pd

    texts = pd.read_csv(jigsaw_sample_path)["comment_text"].head(40).tolist()
    idle = tiny_onnx_model.predict_proba(texts)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])  # one core spinning
    try:
        result = {}
        worker = threading.Thread(target=lambda: result.setdefault("p", tiny_onnx_model.predict_proba(texts)))
        worker.start()
        worker.join(timeout=300)  # generous: only a hang (threads starved by spinning) fails it
        assert not worker.is_alive(), "scoring did not finish beside a busy process"
    finally:
        busy.kill()
        busy.wait()
    np.testing.assert_allclose(result["p"], idle, atol=1e-6)
