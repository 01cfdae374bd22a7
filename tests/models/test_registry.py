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
    run ``scripts/build_default.py pin --out src/cleanspeech/shipped_models/default``."""
    import json

    from cleanspeech.models.ensemble import member_folder, check_member

    folder = resolve_model_path("default")
    members = json.loads((folder / "cleanspeech.json").read_text(encoding="utf-8"))["members"]
    assert members and all("fingerprint" in m for m in members)
    for spec in members:
        check_member(folder, spec, member_folder(folder, spec))
