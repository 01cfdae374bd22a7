"""all-mpnet-base-v2 from its split-zip wheels: joined, unpacked once into the cache, else the hub id."""

import io
import zipfile

from cleanspeech.models import base_models


def _split_zip(tmp_path, parts=3):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("all-mpnet-base-v2/config.json", '{"model_type": "mpnet"}')
        zf.writestr("all-mpnet-base-v2/tokenizer.json", "{}")
        zf.writestr("all-mpnet-base-v2/1_Pooling/config.json", "{}")  # not the model's config
    data = buf.getvalue()
    step = len(data) // parts + 1
    paths = []
    for i in range(parts):
        p = tmp_path / f"all-mpnet-base-v2.zip.{i + 1:03d}"
        p.write_bytes(data[i * step:(i + 1) * step])
        paths.append(p)
    return paths


def test_parts_are_joined_and_unpacked_once(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANSPEECH_CACHE", str(tmp_path / "cache"))
    parts = _split_zip(tmp_path)
    calls = []
    monkeypatch.setattr(base_models, "_part_files", lambda: calls.append(1) or parts)
    path = base_models.mpnet_path()
    assert path == str(tmp_path / "cache" / "all-mpnet-base-v2")
    assert (tmp_path / "cache" / "all-mpnet-base-v2" / "config.json").read_text() == '{"model_type": "mpnet"}'
    assert base_models.mpnet_path() == path and len(calls) == 1  # second call: the cached folder
    assert [p.name for p in (tmp_path / "cache").iterdir()] == ["all-mpnet-base-v2"]  # no temp left


def test_hub_id_when_the_wheels_are_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANSPEECH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(base_models, "_part_files", lambda: None)
    assert base_models.mpnet_path() == base_models.MPNET_HUB_ID
