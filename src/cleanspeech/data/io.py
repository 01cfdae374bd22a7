"""Read and validate Jigsaw-format CSV files (plain or ``.gz``) and write outputs atomically.

Documented behaviour for awkward input (also in the README):

* **Missing / NaN / empty text** becomes the empty string ``""``; the row is kept and scored.
* **Non-UTF-8 bytes** are decoded with U+FFFD replacement characters; a warning says how many
  rows were affected. No row is dropped.
* **Duplicate ids** are kept as they are when reading (every input row gets one output row);
  :func:`cleanspeech.data.split.deduplicate` removes duplicate training rows before a split.
* **Labels** must be 0 or 1 in training files; ``-1`` is allowed only in ``test_labels`` files and
  marks a row that is not scored. Anything else raises :class:`DataError` naming file, column, row.
* **Malformed CSV** (unbalanced quotes, a row with more or fewer fields than the header) raises
  :class:`DataError` naming the file and the line; nothing is written.
* **Separators**: ``.tsv`` files (or a tab-separated header without commas) are read as TSV
  with unquoted fields; anything else as CSV; ``sep=`` overrides.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.labels import LABELS

TEXT_COLUMN = "comment_text"
_UMASK = os.umask(0)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK
ID_COLUMN = "id"


class DataError(ValueError):
    """Input data that cannot be used as given; the message says where and what to do."""


def _read_text(path: Path, raw: bytes | None = None) -> tuple[str, int]:
    """The file's text and how many lines needed U+FFFD replacement (non-UTF-8 bytes)."""
    raw = path.read_bytes() if raw is None else raw
    if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataError(f"{path}: not a readable gzip file ({exc})") from exc
    try:
        return raw.decode("utf-8"), 0
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
        bad_lines = sum("\ufffd" in line for line in text.splitlines())
        return text, bad_lines


def sniff_sep(path: Path, text: str) -> str:
    """The field separator: tab for ``.tsv`` / ``.tsv.gz`` files or a header with tabs and no
    commas (a TSV saved as ``.csv``), else a comma."""
    if ".tsv" in path.suffixes[-2:]:
        return "\t"
    header = text.split("\n", 1)[0]
    return "\t" if "\t" in header and "," not in header else ","


def _check_field_counts(text: str, path: Path, sep: str) -> None:
    """Every record must have as many fields as the header. Pandas would otherwise turn the
    surplus fields of the first row into an index (shifting every id) or pad short rows."""
    quoting = csv.QUOTE_NONE if sep == "\t" else csv.QUOTE_MINIMAL
    # The csv module refuses fields over 128 KiB by default; 1 MB comments are documented input.
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))
    reader = csv.reader(io.StringIO(text), delimiter=sep, quoting=quoting, strict=True)
    try:
        width = None
        for row in reader:
            if not row:
                continue  # blank lines are skipped (pandas does the same)
            if width is None:
                width = len(row)
            elif len(row) != width:
                raise DataError(
                    f"{path}: line {reader.line_num} has {len(row)} field(s) but the header has "
                    f"{width}; quote fields that contain the separator {sep!r} (or pass --sep)"
                )
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV near line {reader.line_num} ({exc}); "
                        "check quoting and field counts") from exc


def read_csv(path: str | Path, sep: str | None = None, *, data: bytes | None = None) -> pd.DataFrame:
    """Read a CSV / TSV (plain or gzip) with every column as text; errors name the file and line.

    ``sep``: the field separator; ``None`` sniffs it (:func:`sniff_sep`). TSV fields are not
    quoted (ParaDetox texts hold bare quotes). A record whose field count differs from the
    header's is a :class:`DataError`. ``data``: the file's bytes when they are already in memory
    (an upload); ``path`` then only names the file in messages and picks the format.
    """
    path = Path(path)
    if data is None and not path.exists():
        raise DataError(f"{path}: file not found")
    text, bad_lines = _read_text(path, data)
    if bad_lines:
        warnings.warn(
            f"{path}: {bad_lines} line(s) held non-UTF-8 bytes; they were replaced with U+FFFD",
            stacklevel=2,
        )
    if not text.strip():
        raise DataError(f"{path}: the file is empty (expected a header row)")
    sep = sep or sniff_sep(path, text)
    _check_field_counts(text, path, sep)
    quoting = csv.QUOTE_NONE if sep == "\t" else csv.QUOTE_MINIMAL
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, quoting=quoting, dtype=str,
                           keep_default_na=False, na_values=[], index_col=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        raise DataError(f"{path}: malformed CSV ({exc}); check quoting and field counts") from exc


def _require_columns(df: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {missing}; found {list(df.columns)}. "
            "Pass --text-column / --id-column if your file names them differently."
        )


def _parse_labels(df: pd.DataFrame, path: Path, allow_unscored: bool) -> np.ndarray:
    """The ``(n, 6)`` int label matrix, validated cell by cell."""
    allowed = {"0", "1", "-1"} if allow_unscored else {"0", "1"}
    out = np.zeros((len(df), len(LABELS)), dtype=np.int8)
    for j, label in enumerate(LABELS):
        col = df[label].astype(str).str.strip()
        bad = ~col.isin(allowed)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(
                f"{path}: column '{label}', row {i + 2} (line of the file, header = 1) holds "
                f"{df[label].iloc[i]!r}; labels must be one of {sorted(allowed)}"
            )
        out[:, j] = col.astype(int).to_numpy()
    return out


def read_jigsaw(
    path: str | Path,
    *,
    text_column: str = TEXT_COLUMN,
    id_column: str = ID_COLUMN,
    require_labels: bool | None = None,
    sep: str | None = None,
    data: bytes | None = None,
) -> pd.DataFrame:
    """Read a Jigsaw-format file into a frame with columns ``id``, ``comment_text`` and the labels.

    ``require_labels``: ``True`` for training data (labels must be 0/1), ``False`` for text-only
    input, ``None`` to take labels when all six columns are present. Texts are never NaN.
    ``sep`` and ``data`` as in :func:`read_csv`.
    """
    path = Path(path)
    df = read_csv(path, sep=sep, data=data)
    _require_columns(df, [text_column], path)
    has_labels = all(label in df.columns for label in LABELS)
    if require_labels and not has_labels:
        _require_columns(df, list(LABELS), path)
    out = pd.DataFrame({
        ID_COLUMN: df[id_column].astype(str) if id_column in df.columns
        else pd.Series([str(i) for i in range(len(df))], dtype=str),
        TEXT_COLUMN: df[text_column].fillna("").astype(str),
    })
    if has_labels and require_labels is not False:
        out[list(LABELS)] = _parse_labels(df, path, allow_unscored=False)
    return out


def read_label_file(path: str | Path) -> pd.DataFrame:
    """Read ``test_labels.csv``: ``id`` + six columns in {-1, 0, 1}; -1 marks unscored rows."""
    path = Path(path)
    df = read_csv(path)
    _require_columns(df, [ID_COLUMN, *LABELS], path)
    out = pd.DataFrame({ID_COLUMN: df[ID_COLUMN].astype(str)})
    out[list(LABELS)] = _parse_labels(df, path, allow_unscored=True)
    return out


def read_texts(
    path: str | Path, *, text_column: str = TEXT_COLUMN, id_column: str = ID_COLUMN,
    sep: str | None = None,
) -> tuple[list[str], list[str]]:
    """``(ids, texts)`` of a file to score; ids default to the 0-based row number if absent."""
    df = read_jigsaw(path, text_column=text_column, id_column=id_column, require_labels=False,
                     sep=sep)
    return df[ID_COLUMN].tolist(), df[TEXT_COLUMN].tolist()


def write_csv_atomic(df: pd.DataFrame, path: str | Path, **kwargs) -> Path:
    """Write ``df`` to ``path`` via a temporary file and a rename, so readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False, **kwargs)
        os.chmod(tmp, _FILE_MODE)  # mkstemp creates 0600; outputs should be readable like any file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_text_atomic(text: str, path: str | Path) -> Path:
    """Write a text file atomically (temporary file + rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, _FILE_MODE)  # mkstemp creates 0600; outputs should be readable like any file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
