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
FILE_SUFFIXES = (".csv", ".tsv", ".gz", ".jsonl", ".ndjson", ".parquet")
# No file system takes a path this long (Linux: 4096 bytes) or with a NUL / line break in it:
# such an argument is a comment, and asking the OS about it would raise OSError (ENAMETOOLONG).
_MAX_PATH_BYTES = 4096


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


def shorten(text: str, width: int = 60) -> str:
    """``text`` cut for an error message (a comment argument may be megabytes long)."""
    text = " ".join(text.split())
    return text if len(text) <= width else f"{text[:width - 1]}…"


def _could_be_path(arg: str) -> bool:
    return (bool(arg) and "\x00" not in arg and "\n" not in arg
            and len(arg.encode("utf-8", "surrogateescape")) <= _MAX_PATH_BYTES)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long for one folder, a permission problem…
        return False


def input_file(arg: str, output: Path | None, as_text: bool = False) -> Path | None:
    """The file that ``arg`` names, or ``None`` when ``arg`` is a comment text.

    ``arg`` is a file when it exists. It must be one (else :class:`DataError`) when an output
    file was asked for or it ends in a file suffix (:data:`FILE_SUFFIXES`): scoring a mistyped
    path as a comment would "succeed" with nonsense. ``as_text`` (``--text``) forces text. An
    argument no file system could hold (over 4096 bytes, a NUL or a line break) is text without
    asking the OS.
    """
    if as_text:
        return None
    path = Path(arg) if _could_be_path(arg) else None
    if path is not None and _is_file(path):
        from cleanspeech.data.stream import file_format

        try:
            file_format(path)
        except DataError as exc:
            raise DataError(f"{exc}; or pass --text to treat INPUT as a comment") from None
        return path
    looks_like_file = path is not None and path.name.lower().endswith(FILE_SUFFIXES)
    if output is not None or looks_like_file:
        why = "-o was given" if output is not None else f"it ends in {path.suffix}"  # type: ignore[union-attr]
        raise DataError(f"{shorten(arg)}: file not found ({why}, so INPUT must be a file; "
                        "pass --text to treat it as a comment)")
    return None


def check_text_length(text: str, limit: int, command: str) -> None:
    """Refuse a TEXT argument over ``command``'s character limit (the HTTP API's, too)."""
    if len(text) > limit:
        raise CliError(
            f"TEXT is {len(text):,} characters; `cleanspeech {command}` takes at most {limit:,} "
            f"(the same limit as the HTTP API: its cost grows with length). Pass a shorter "
            "passage, or score the whole text with `cleanspeech moderate` (or `cleanspeech "
            "predict` for a file), which take long text.")


def check_text_bytes(text: str, where: str = "TEXT") -> None:
    """Refuse a comment over the scoring budget (:data:`cleanspeech.limits.MAX_TEXT_BYTES`)."""
    from cleanspeech.limits import MAX_TEXT_BYTES

    if len(text) * 4 > MAX_TEXT_BYTES and len(text.encode("utf-8", "replace")) > MAX_TEXT_BYTES:
        raise CliError(f"{where} is over {MAX_TEXT_BYTES:,} bytes of UTF-8, the most one comment "
                       "may be for scoring; split it into parts and score those.")


def parse_operating(thresholds: Sequence[str] | None, sensitivity: str | None) -> tuple[dict[str, float], str | None]:
    """Validate ``--threshold LABEL=VALUE`` and ``--sensitivity`` (as a :class:`CliError`)."""
    from cleanspeech.operating import SENSITIVITIES, parse_threshold_overrides

    if sensitivity is not None and sensitivity.strip().lower() not in SENSITIVITIES:
        raise CliError(f"--sensitivity {sensitivity!r}: choose one of {', '.join(SENSITIVITIES)}")
    try:
        overrides = parse_threshold_overrides(thresholds or [])
    except ValueError as exc:
        raise CliError(str(exc)) from None
    return overrides, sensitivity


THRESHOLD_HELP = ("LABEL=VALUE: flag LABEL at VALUE (0-1) instead of the model's threshold; "
                  "repeatable. Applied after --sensitivity.")
SENSITIVITY_HELP = ("low (flags less), default (the model's thresholds) or high (flags more): "
                    "every threshold's odds times 2, 1 or 0.5.")


def batched(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
