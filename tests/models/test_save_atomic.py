"""``save_pretrained`` replaces a model folder atomically: a failed save leaves the old one."""

import numpy as np
import pytest

from cleanspeech.models import load_model


def _snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_resave_replaces_and_adds_extras(tiny_linear, tmp_path):
    out = tmp_path / "model"
    tiny_linear.save_pretrained(out)
    (out / "stale.txt").write_text("from an older save")
    tiny_linear.save_pretrained(out, extras=lambda folder: (folder / "metrics.json").write_text("{}"))
    assert not (out / "stale.txt").exists() and (out / "metrics.json").read_text() == "{}"
    texts = ["you idiot", "thanks"]
    assert np.allclose(load_model(out).predict_proba(texts), tiny_linear.predict_proba(texts))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


@pytest.mark.parametrize("where", ["weights", "extras"])
def test_failure_mid_save_leaves_the_previous_folder(tiny_linear, tmp_path, monkeypatch, where):
    out = tmp_path / "model"
    tiny_linear.save_pretrained(out)
    before = _snapshot(out)

    def fail(folder):
        (folder / "partial.bin").write_bytes(b"half a file")
        raise OSError("disk full")

    if where == "weights":
        monkeypatch.setattr(type(tiny_linear), "_save_weights", lambda self, folder: fail(folder))
        with pytest.raises(OSError, match="disk full"):
            tiny_linear.save_pretrained(out)
    else:
        with pytest.raises(OSError, match="disk full"):
            tiny_linear.save_pretrained(out, extras=fail)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]
    assert load_model(out).model_type == "linear"


def test_refuses_to_overwrite_a_folder_that_is_not_a_model(tiny_linear, tmp_path):
    (tmp_path / "thesis.tex").write_text("years of work")
    with pytest.raises(FileExistsError, match="not replacing"):
        tiny_linear.save_pretrained(tmp_path)
    assert (tmp_path / "thesis.tex").read_text() == "years of work"
