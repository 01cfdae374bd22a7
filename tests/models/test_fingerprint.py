"""Model-folder fingerprints: what changes them, what does not, and sealed ensembles."""

import json
import shutil

import numpy as np
import pytest

from cleanspeech.evaluation.thresholds import save_thresholds
from cleanspeech.models.ensemble import ALLOW_CHANGED_ENV, EnsembleModel, MemberChangedError
from cleanspeech.models.fingerprint import folder_fingerprint
from cleanspeech.models.onnx_backend import weights_hash


@pytest.fixture()
def folder(tmp_path):
    f = tmp_path / "m"
    (f / "report").mkdir(parents=True)
    (f / "cleanspeech.json").write_text(json.dumps({"model_type": "transformer", "max_length": 256}))
    (f / "thresholds.json").write_text('{"thresholds": {"toxic": 0.5}}')
    (f / "model.safetensors").write_bytes(b"\x00\x01weights")
    (f / "tokenizer.json").write_bytes(b'{"vocab": ["a",\n "b"]}')
    (f / "README.md").write_text("card")
    (f / "metrics.json").write_text('{"auc": 0.9}')
    (f / "report" / "roc.png").write_bytes(b"png")
    return f


def _edit_json(path, **changes):
    path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))


def test_same_content_elsewhere_same_fingerprint(folder, tmp_path):
    fp = folder_fingerprint(folder)
    assert fp.startswith("sha256:") and len(fp) == len("sha256:") + 64
    assert folder_fingerprint(shutil.copytree(folder, tmp_path / "copy")) == fp


@pytest.mark.parametrize("change", [
    lambda f: (f / "model.safetensors").write_bytes(b"\x00\x02weights"),
    lambda f: _edit_json(f / "cleanspeech.json", max_length=128),
    lambda f: _edit_json(f / "thresholds.json", thresholds={"toxic": 0.4}),
    lambda f: (f / "tokenizer.json").write_text('{"vocab": ["a", "c"]}'),
    lambda f: (f / "vocabulary.json").write_text("[]"),
    lambda f: (f / "model.safetensors").rename(f / "other.safetensors"),
])
def test_what_the_model_computes_changes_it(folder, change):
    before = folder_fingerprint(folder)
    change(folder)
    assert folder_fingerprint(folder) != before


@pytest.mark.parametrize("change", [
    lambda f: (f / "README.md").write_text("a rewritten card"),
    lambda f: (f / "metrics.json").write_text("{}"),
    lambda f: (f / "report" / "roc.png").write_bytes(b"other plot"),
    lambda f: (f / ".thresholds.json.x.tmp").write_text("half"),
    lambda f: (f / "tokenizer.json").write_bytes(b'{"vocab": ["a",\r\n "b"]}'),
])
def test_records_and_formatting_do_not(folder, change):
    before = folder_fingerprint(folder)
    change(folder)
    assert folder_fingerprint(folder) == before


def test_onnx_cache_key_follows_the_fingerprint(folder):
    before = weights_hash(folder)
    (folder / "README.md").write_text("new card")
    assert weights_hash(folder) == before
    _edit_json(folder / "cleanspeech.json", max_length=128)
    assert weights_hash(folder) != before


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such model folder"):
        folder_fingerprint(tmp_path / "nope")


@pytest.fixture()
def sealed(tiny_linear_dir, tmp_path, monkeypatch):
    """An ensemble referring to a 'shipped' linear model by name, plus a copied member."""
    from cleanspeech.models.registry import load_model

    shipped = tmp_path / "shipped"
    shutil.copytree(tiny_linear_dir, shipped / "lin")
    monkeypatch.setenv("CLEANSPEECH_MODELS", str(shipped))
    monkeypatch.delenv(ALLOW_CHANGED_ENV, raising=False)
    lin = load_model("lin")
    ens = EnsembleModel([lin, lin], [0.5, 0.5], [{"ref": "lin"}, {"path": "copy"}])
    return ens.save_pretrained(tmp_path / "ens"), shipped / "lin"


def test_saved_members_are_pinned(sealed):
    ens_dir, lin_dir = sealed
    members = json.loads((ens_dir / "cleanspeech.json").read_text())["members"]
    assert members[0]["fingerprint"] == folder_fingerprint(lin_dir)
    assert members[1]["fingerprint"] == folder_fingerprint(ens_dir / "copy")


def test_a_retrained_reference_is_refused(sealed, monkeypatch):
    from cleanspeech.models.registry import load_model

    ens_dir, lin_dir = sealed
    texts = ["you idiot", "thanks"]
    before = load_model(ens_dir).predict_proba(texts)
    save_thresholds(lin_dir / "thresholds.json", np.full(6, 0.9), tuned_on="elsewhere")
    with pytest.raises(MemberChangedError, match="member 'lin' .* has changed"):
        load_model(ens_dir)
    assert np.allclose(load_model(ens_dir, verify_members=False).predict_proba(texts), before)
    monkeypatch.setenv(ALLOW_CHANGED_ENV, "1")
    assert load_model(ens_dir).model_type == "ensemble"


def test_a_changed_copied_member_is_refused(sealed):
    from cleanspeech.models.registry import load_model

    ens_dir, _ = sealed
    _edit_json(ens_dir / "copy" / "cleanspeech.json", cleaning="design-v1")
    with pytest.raises(MemberChangedError, match="member 'copy'"):
        load_model(ens_dir)


def test_unpinned_members_still_load(sealed):
    from cleanspeech.models.registry import load_model

    ens_dir, _ = sealed
    config = json.loads((ens_dir / "cleanspeech.json").read_text())
    for member in config["members"]:
        del member["fingerprint"]
    (ens_dir / "cleanspeech.json").write_text(json.dumps(config))
    assert load_model(ens_dir).model_type == "ensemble"


def test_pin_members_records_current_fingerprints(sealed):
    from cleanspeech.models.ensemble import pin_members

    ens_dir, lin_dir = sealed
    save_thresholds(lin_dir / "thresholds.json", np.full(6, 0.9), tuned_on="elsewhere")
    config = pin_members(ens_dir)
    assert config["members"][0]["fingerprint"] == folder_fingerprint(lin_dir)
    from cleanspeech.models.registry import load_model

    assert load_model(ens_dir).model_type == "ensemble"
