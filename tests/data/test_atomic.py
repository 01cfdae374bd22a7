"""Folders and files written atomically: a failure part-way leaves the previous version intact."""

import json

import numpy as np
import pytest

from cleanspeech.data.atomic import atomic_folder
from cleanspeech.evaluation.thresholds import load_thresholds, save_thresholds


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_new_folder_appears_only_on_success(tmp_path):
    target = tmp_path / "out"
    with atomic_folder(target) as tmp:
        (tmp / "a.txt").write_text("new")
        assert not target.exists()
    assert (target / "a.txt").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_replacing_swaps_the_whole_folder(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "marker.json").write_text("{}")
    (target / "stale.txt").write_text("old")
    with atomic_folder(target, replaceable="marker.json") as tmp:
        (tmp / "marker.json").write_text('{"v": 2}')
    assert _snapshot(target) == {"marker.json": b'{"v": 2}'}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failure_keeps_the_previous_folder(tmp_path):
    target = tmp_path / "out"
    target.mkdir()
    (target / "marker.json").write_text("{}")
    before = _snapshot(target)
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_folder(target, replaceable="marker.json") as tmp:
            (tmp / "marker.json").write_text("half")
            raise RuntimeError("disk full")
    assert _snapshot(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_refuses_to_replace_a_folder_that_is_not_a_model(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="without cleanspeech.json"):
        with atomic_folder(tmp_path, replaceable="cleanspeech.json"):
            pass
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_save_thresholds_failure_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "thresholds.json"
    save_thresholds(path, np.full(6, 0.3), tuned_on="dev")
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("rename failed")

    monkeypatch.setattr("cleanspeech.data.io.os.replace", boom)
    with pytest.raises(OSError, match="rename failed"):
        save_thresholds(path, np.full(6, 0.7), tuned_on="dev")
    assert path.read_bytes() == before and json.loads(before)["tuned_on"] == "dev"
    assert np.allclose(load_thresholds(path), 0.3)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thresholds.json"]
