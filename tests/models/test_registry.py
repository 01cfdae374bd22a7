from pathlib import Path

import pytest

from cleanspeech.models import load_model, resolve_model_path
from cleanspeech.models.registry import shipped_model_names


def test_shipped_names_resolve():
    names = shipped_model_names()
    assert "linear" in names and "default" in names
    assert resolve_model_path("default").is_dir()


def test_unknown_model_lists_shipped(tmp_path):
    with pytest.raises(FileNotFoundError, match="shipped: .*linear"):
        resolve_model_path(tmp_path / "nope")


def test_path_loads(tiny_linear_dir):
    assert load_model(tiny_linear_dir).model_type == "linear"


def test_shipped_default_pins_the_shipped_members():
    """Retuning or retraining a shipped member without re-pinning the ensemble fails here:
    rebuild it with ``cleanspeech build-cascade``."""
    import json

    from cleanspeech.models.ensemble import member_folder, check_member

    folder = resolve_model_path("default")
    config = json.loads((folder / "cleanspeech.json").read_text(encoding="utf-8"))
    members = config["members"] if "members" in config else [config["fast"], config["slow"]]
    assert members and all("fingerprint" in m for m in members)
    for spec in members:
        check_member(folder, spec, member_folder(folder, spec))


def test_models_folder_is_package_data_and_env_overrides(tmp_path, monkeypatch):
    import cleanspeech
    from cleanspeech.models.registry import shipped_models_dir

    monkeypatch.delenv("CLEANSPEECH_MODELS", raising=False)
    monkeypatch.delenv("CLEANSPEECH_MODELS_DIR", raising=False)
    package = shipped_models_dir()
    assert package.parent == Path(cleanspeech.__file__).parent and (package / "aliases.json").exists()
    old, new = tmp_path / "old", tmp_path / "new"
    monkeypatch.setenv("CLEANSPEECH_MODELS_DIR", str(old))  # the older name still works
    assert shipped_models_dir() == old
    monkeypatch.setenv("CLEANSPEECH_MODELS", str(new))  # and the new one wins
    assert shipped_models_dir() == new
    with pytest.raises(FileNotFoundError, match=r"shipped: none \(in .*new\)"):
        resolve_model_path("linear")
