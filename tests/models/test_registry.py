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
