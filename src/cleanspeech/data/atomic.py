"""Write a whole folder atomically: build it under a temporary name beside the target, then
rename it into place, so a reader (or a crash mid-save) never sees half a model folder.

Replacing an existing folder takes three renames in the same parent: old aside, new in, old
removed. Between the first two there is a moment with no folder at the path; a crash exactly
there leaves the old one under its ``.<name>.old-*`` name, never a mixture of both.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_DIR_MODE = 0o755  # mkdtemp creates 0700; a model folder should be readable like any folder


@contextmanager
def atomic_folder(path: str | Path, *, replaceable: str | None = None) -> Iterator[Path]:
    """Yield a temporary folder to fill; on success it replaces ``path``, on error it is removed
    and ``path`` is left as it was.

    ``replaceable`` names a file that marks an existing ``path`` as safe to replace (e.g.
    ``cleanspeech.json``); a non-empty folder without it is refused rather than deleted, so
    ``-o ~/`` cannot wipe a home directory.
    """
    path = Path(path)
    _check_replaceable(path, replaceable)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        yield tmp
        os.chmod(tmp, _DIR_MODE)
        replace_folder(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def replace_folder(new: Path, path: Path) -> None:
    """Move folder ``new`` to ``path`` (same parent), replacing a folder already there."""
    if not path.exists():
        os.rename(new, path)
        return
    old = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old-"))
    os.rmdir(old)  # only the unique name is wanted: rename needs the target absent
    os.rename(path, old)
    try:
        os.rename(new, path)
    except BaseException:
        os.rename(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _check_replaceable(path: Path, marker: str | None) -> None:
    if not path.exists():
        return
    if not path.is_dir():
        raise FileExistsError(f"{path} exists and is not a folder; choose another output path")
    if marker and any(path.iterdir()) and not (path / marker).exists():
        raise FileExistsError(
            f"{path} is a non-empty folder without {marker}: not replacing it; "
            "choose a new or empty output folder")
