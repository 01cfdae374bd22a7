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
TEXT_COLUMN_HELP = "Column holding the comment text."
ID_COLUMN_HELP = "Column holding the id (the 0-based row number if absent)."
SEP_HELP = "Field separator (default: tab for .tsv files, else comma)."
# An argument ending like this names a file: if it is missing, that is a typo, not a comment.
FILE_SUFFIXES = (".csv", ".tsv", ".gz", ".jsonl")


class CliError(Exception):
    """A usage mistake the CLI reports as one ``error:`` line with exit status 2."""


@contextmanager
def friendly_errors(
    errors: tuple[type[BaseException], ...] = (DataError, CliError, FileNotFoundError, ValueError),
) -> Iterator[None]:
    """Turn expected failures (bad data, missing model) into one red line and exit code 2.

    ``errors``: the exception types treated as expected; anything else keeps its traceback.
    """
    try:
        yield
    except errors as exc:
        # markup=False: messages quote user input (paths, texts) that may hold [brackets].
        err_console.print("[bold red]error:[/] ", end="", soft_wrap=True)
        err_console.print(str(exc), markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from None


def load_moderator(model: str, backend: str | None = None, route_all: bool = False) -> Any:
    """``route_all`` (``--no-cascade``): a cascade sends every comment down its full route."""
    from cleanspeech.pipeline import Moderator

    kwargs: dict[str, Any] = {"backend": backend} if backend else {}
    if route_all:
        kwargs["route_all"] = True
    return Moderator.load(model, **kwargs)


def texts_from_args(texts: Sequence[str] | None) -> list[str]:
    """The texts given on the command line, or one per line from stdin when none are given."""
    if texts:
        return list(texts)
    if sys.stdin.isatty():
        raise typer.BadParameter("give one or more TEXT arguments or pipe texts on stdin")
    return [line.rstrip("\n") for line in sys.stdin if line.strip()]


def input_file(arg: str, output: Path | None, as_text: bool = False) -> Path | None:
    """The file that ``arg`` names, or ``None`` when ``arg`` is a comment text.

    ``arg`` is a file when it exists. It must be one (else :class:`DataError`) when an output
    file was asked for or it ends in a file suffix (:data:`FILE_SUFFIXES`): scoring a mistyped
    path as a comment would "succeed" with nonsense. ``as_text`` (``--text``) forces text.
    """
    if as_text:
        return None
    path = Path(arg)
    if path.is_file():
        return path
    if output is not None or path.name.lower().endswith(FILE_SUFFIXES):
        why = "-o was given" if output is not None else f"it ends in {path.suffix}"
        raise DataError(f"{arg}: file not found ({why}, so INPUT must be a file; "
                        "pass --text to treat it as a comment)")
    return None


def batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
