"""The wheel built from the checkout carries the shipped models: installed non-editable into a
fresh venv, ``cleanspeech moderate`` scores with ``default`` and ``linear``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from cleanspeech.labels import LABELS

REPO = Path(__file__).resolve().parents[1]
TEXT = "you are an idiot"


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH (it would put the checkout's sources first) and no models override."""
    drop = ("PYTHONPATH", "CLEANSPEECH_MODELS", "CLEANSPEECH_MODELS_DIR")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _run(args: list, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("env", _clean_env())
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)


def _build_wheel(tmp: Path) -> Path:
    """Build from a copy of the sources, so stale ``build/`` leftovers cannot leak into it."""
    src = tmp / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    shutil.copytree(REPO / "src", src / "src", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    out = tmp / "dist"
    res = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                "-q", "-w", out, src])
    if res.returncode != 0:
        if "No module named" in res.stderr:  # pip or setuptools missing from this interpreter
            pytest.skip(f"cannot build a wheel here: {res.stderr.strip().splitlines()[-1]}")
        pytest.fail(f"pip wheel failed:\n{res.stderr}")
    return next(out.glob("cleanspeech-*.whl"))


def _fresh_venv(tmp: Path, wheel: Path) -> Path:
    """A venv holding only the wheel; the dependencies come from this interpreter's
    site-packages through a path-only .pth line (its own .pth files, among them the editable
    install's finder, are not processed that way)."""
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    py = venv / "bin" / "python"
    site = Path(_run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     check=True).stdout.strip())
    # install first: with the .pth in place pip would see the editable cleanspeech as installed
    res = _run([sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "-q", wheel])
    assert res.returncode == 0, res.stderr
    (site / "_cleanspeech_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def _shipped_files() -> set[str]:
    root = REPO / "src" / "cleanspeech" / "shipped_models"
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                       for part in p.relative_to(root).parts)}


@pytest.mark.slow
def test_installed_wheel_moderates_with_shipped_models(tmp_path):
    wheel = _build_wheel(tmp_path)
    prefix = "cleanspeech/shipped_models/"
    in_wheel = {n[len(prefix):] for n in zipfile.ZipFile(wheel).namelist() if n.startswith(prefix)}
    assert in_wheel == _shipped_files()  # every file of every model folder, sub-folders included
    assert {"default/transformer/model.int8.safetensors", "linear/report/roc.png"} <= in_wheel
    venv = _fresh_venv(tmp_path, wheel)
    where = _run([venv / "bin" / "python", "-c", "import cleanspeech; print(cleanspeech.__file__)"],
                 cwd=tmp_path, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv), f"imported {where}, not the installed wheel"
    for model in ("default", "linear"):
        res = _run([venv / "bin" / "cleanspeech", "moderate", "--model", model, "--json", TEXT],
                   cwd=tmp_path, timeout=600)
        assert res.returncode == 0, f"--model {model}:\n{res.stderr[-2000:]}"
        row = json.loads(res.stdout.strip().splitlines()[-1])
        assert row["text"] == TEXT and list(row["scores"]) == list(LABELS)
        assert row["scores"]["toxic"] > 0.5 and "insult" in row["labels"]
