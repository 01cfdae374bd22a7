"""Helpers shared by the CLI modules: model loading, input reading, error reporting."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from cleanspeech.data.io import DataError

# Piped output (CI logs, `make demo | less`) would default to 80 columns and fold the tables.
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True)

MODEL_HELP = "Model folder or shipped model name ('default', 'linear')."
BACKEND_HELP = "Transformer inference backend: onnx (fast, default) or torch."


@contextmanager
def friendly_errors() -> Iterator[None]:
    """Turn expected failures (bad data, missing model) into one red line and exit code 2."""
    try:
        yield
    except (DataError, FileNotFoundError, ValueError) as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        raise typer.Exit(code=2) from None


def load_moderator(model: str, backend: str | None = None) -> Any:
    from cleanspeech.pipeline import Moderator

    kwargs = {"backend": backend} if backend else {}
    return Moderator.load(model, **kwargs)


def texts_from_args(texts: Sequence[str] | None) -> list[str]:
    """The texts given on the command line, or one per line from stdin when none are given."""
    if texts:
        return list(texts)
    if sys.stdin.isatty():
        raise typer.BadParameter("give one or more TEXT arguments or pipe texts on stdin")
    return [line.rstrip("\n") for line in sys.stdin if line.strip()]


def is_csv_path(arg: str) -> bool:
    """True when ``arg`` names an existing CSV-like file rather than a comment text."""
    p = Path(arg)
    return p.suffix.lower() in {".csv", ".gz", ".tsv"} and p.exists()


def batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
