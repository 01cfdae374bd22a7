"""A model folder's fingerprint: sha256 over every file that changes what the model outputs.

That is ``cleanspeech.json`` (cleaning, ``max_length``, ensemble weights and members),
``thresholds.json``, the weights, the tokenizer and HF ``config.json``, and any sub-folder (an
ensemble's own members) — everything except records about the model (card, metrics, report
plots, training config, validation predictions) and hidden temporary files. An ensemble pins its
members with it, and the ONNX export cache is keyed by it.

Text files (JSON, vocabularies) are hashed with ``\r\n`` read as ``\n``, so a checkout that
rewrites line endings does not change the fingerprint; everything else byte for byte. (Parsing
JSON into a canonical form would also forgive re-indenting, but costs seconds on a big
vocabulary at every load.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

PREFIX = "sha256:"
# records about a model, not part of it: rewriting a card must not unseal an ensemble
RECORD_FILES = frozenset({"README.md", "metrics.json", "training_config.yaml", "val_predictions.npz"})
RECORD_DIRS = frozenset({"report", "__pycache__"})
RECORD_SUFFIXES = (".md", ".png")


def fingerprint_files(folder: str | Path) -> Iterator[Path]:
    """The files a fingerprint covers, in a fixed (sorted, POSIX-relative) order."""
    folder = Path(folder)
    for path in sorted(folder.rglob("*"), key=lambda p: p.relative_to(folder).as_posix()):
        rel = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if any(part in RECORD_DIRS for part in rel.parts[:-1]):
            continue
        if path.name in RECORD_FILES or path.suffix in RECORD_SUFFIXES:
            continue
        yield path


TEXT_SUFFIXES = (".json", ".txt", ".yaml")


def _content(path: Path) -> bytes:
    data = path.read_bytes()
    return data.replace(b"\r\n", b"\n") if path.suffix in TEXT_SUFFIXES else data


def folder_fingerprint(folder: str | Path) -> str:
    """``"sha256:<hex>"`` over the names and contents of ``fingerprint_files(folder)``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: no such model folder to fingerprint")
    h = hashlib.sha256()
    for path in fingerprint_files(folder):
        h.update(path.relative_to(folder).as_posix().encode("utf-8") + b"\0")
        h.update(hashlib.sha256(_content(path)).digest())
    return PREFIX + h.hexdigest()
