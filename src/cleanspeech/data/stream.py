"""Stream comment files of any size: read in chunks, write incrementally and atomically.

Formats come from the file name: ``.csv`` / ``.tsv`` (plain or ``.gz``; ``sep`` overrides the
delimiter), ``.jsonl`` / ``.ndjson`` (plain or ``.gz``) and ``.parquet``. Memory stays bounded by
one chunk whatever the file's size. The rules are those of :mod:`cleanspeech.data.io`: ids are kept
as the exact strings of the file (the 0-based row number when there is no id column), missing text
is ``""``, every row is validated, and errors are :class:`DataError` naming the file and line.

Output goes to a temporary file in the target folder, renamed over the target only when the last
row is written; on any error or Ctrl-C the temporary file is removed and no output appears.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TextIO

import numpy as np

from cleanspeech.data.io import _FILE_MODE, _UMASK, ID_COLUMN, TEXT_COLUMN, DataError
from cleanspeech.data.progress import ProgressLog
from cleanspeech.labels import LABELS

CHUNK_ROWS = 4096
# ``predict --labels``: whether any label is raised, then one column per label.
FLAG_COLUMNS: tuple[str, ...] = ("flagged", *(f"{label}_flagged" for label in LABELS))
# One comment can be a megabyte or more; the csv module's default field limit is 128 KiB.
csv.field_size_limit(2**31 - 1)


@dataclass
class Chunk:
    """``ids`` and ``texts`` of consecutive input rows; ``start`` is the first row's number."""

    start: int
    ids: list[str]
    texts: list[str]


def file_format(path: str | Path) -> str:
    """``csv``, ``jsonl`` or ``parquet``, from the name (a ``.gz`` suffix is looked through)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    last = suffixes[-1] if suffixes else ""
    if last in {".csv", ".tsv", ".txt"}:
        return "csv"
    if last in {".jsonl", ".ndjson", ".json"}:
        return "jsonl"
    if last in {".parquet", ".pq"}:
        return "parquet"
    raise DataError(
        f"{path}: unknown file type {last or '(no suffix)'!r}; use .csv, .tsv, .jsonl or .parquet "
        "(plain or .gz for text formats)"
    )


def delimiter_for(path: str | Path, sep: str | None = None) -> str:
    """The CSV delimiter: ``sep`` when given (``\\t`` accepted), else tab for ``.tsv``, else comma."""
    if sep:
        sep = "\t" if sep in {"\\t", "tab"} else sep
        if len(sep) != 1:
            raise DataError(f"--sep must be one character, got {sep!r}")
        return sep
    return "\t" if ".tsv" in [s.lower() for s in Path(path).suffixes] else ","


class _CountingReader(io.RawIOBase):
    """A raw byte stream that counts what it has handed out, for progress by file position."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh, self.consumed = fh, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        n = self._fh.readinto(buf)
        self.consumed += n or 0
        return n

    def close(self) -> None:
        self._fh.close()
        super().close()


class ChunkReader:
    """Iterate over :class:`Chunk` s of a file; ``fraction_read`` tells progress (0..1, or None)."""

    def __init__(self, path: str | Path, *, text_column: str = TEXT_COLUMN,
                 id_column: str = ID_COLUMN, sep: str | None = None,
                 chunk_rows: int = CHUNK_ROWS) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise DataError(f"{self.path}: file not found")
        self.format = file_format(self.path)
        self.text_column, self.id_column, self.chunk_rows = text_column, id_column, chunk_rows
        self.delimiter = delimiter_for(self.path, sep)
        self.total_rows: int | None = None
        self.bad_utf8_lines = 0
        self._counter: _CountingReader | None = None
        self._size = self.path.stat().st_size

    def fraction_read(self) -> float | None:
        if self.format == "parquet" or not self._counter or not self._size:
            return None
        return min(self._counter.consumed / self._size, 1.0)

    def __iter__(self) -> Iterator[Chunk]:
        if self.format == "parquet":
            yield from self._parquet_chunks()
            return
        with self._open_text() as fh:
            rows = self._csv_rows(fh) if self.format == "csv" else self._jsonl_rows(fh)
            yield from _chunked(rows, self.chunk_rows)

    def _open_text(self) -> TextIO:
        self._counter = _CountingReader(open(self.path, "rb"))
        raw: IO[bytes] = io.BufferedReader(self._counter)
        if self.path.suffix.lower() == ".gz" or raw.peek(2)[:2] == b"\x1f\x8b":
            raw = gzip.GzipFile(fileobj=raw)
        # Non-UTF-8 bytes become U+FFFD as in data.io; counted per line and warned about at the end.
        return io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline="")

    def _note_bad_utf8(self, *values: str) -> None:
        if any("\ufffd" in v for v in values):
            self.bad_utf8_lines += 1

    def _csv_rows(self, fh: TextIO) -> Iterator[tuple[str, str]]:
        # strict=True makes an unbalanced quote an error instead of silently swallowing the rest.
        reader = csv.reader(fh, delimiter=self.delimiter, strict=True)
        try:
            header = next(reader, None)
            if not header:
                raise DataError(f"{self.path}: the file is empty (expected a header row)")
            text_at = self._column_index(header, self.text_column, required=True)
            id_at = self._column_index(header, self.id_column, required=False)
            last_line, row_no = reader.line_num, 0
            for fields in reader:
                first_line, last_line = last_line + 1, reader.line_num
                if not fields:  # blank line: skipped, as pandas does
                    continue
                if len(fields) != len(header):
                    raise DataError(
                        f"{self.path}: line {first_line} has {len(fields)} field(s) but the header "
                        f"has {len(header)}; malformed CSV, check quoting and the delimiter "
                        f"({self.delimiter!r}; --sep sets it)"
                    )
                text = fields[text_at]
                self._note_bad_utf8(text)
                yield (fields[id_at] if id_at is not None else str(row_no)), text
                row_no += 1
        except csv.Error as exc:
            raise DataError(
                f"{self.path}: malformed CSV near line {reader.line_num} ({exc}); "
                "check quoting and field counts"
            ) from exc

    def _column_index(self, header: list[str], name: str, *, required: bool) -> int | None:
        if name in header:
            return header.index(name)
        if required:
            raise DataError(
                f"{self.path}: missing column(s) [{name!r}]; found {header}. "
                "Pass --text-column / --id-column if your file names them differently."
            )
        return None

    def _jsonl_rows(self, fh: TextIO) -> Iterator[tuple[str, str]]:
        row_no = 0
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{self.path}: line {line_no} is not valid JSON ({exc.msg})") from exc
            if not isinstance(obj, dict):
                raise DataError(f"{self.path}: line {line_no} is not a JSON object")
            if row_no == 0 and self.text_column not in obj:
                raise DataError(
                    f"{self.path}: line {line_no} has no {self.text_column!r} field; found "
                    f"{sorted(obj)}. Pass --text-column if your file names it differently."
                )
            text = obj.get(self.text_column)
            text = text if isinstance(text, str) else ("" if text is None else str(text))
            self._note_bad_utf8(text)
            raw_id = obj.get(self.id_column)
            yield (str(row_no) if raw_id is None else str(raw_id)), text
            row_no += 1

    def _parquet_chunks(self) -> Iterator[Chunk]:
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(self.path)
        except Exception as exc:  # pyarrow raises several types for a non-Parquet file
            raise DataError(f"{self.path}: not a readable Parquet file ({exc})") from exc
        names = pf.schema_arrow.names
        self._column_index(names, self.text_column, required=True)
        has_id = self.id_column in names
        self.total_rows = pf.metadata.num_rows
        columns = [self.text_column] + ([self.id_column] if has_id else [])
        start = 0
        for batch in pf.iter_batches(batch_size=self.chunk_rows, columns=columns):
            texts = ["" if t is None else str(t) for t in batch.column(self.text_column).to_pylist()]
            ids = ([str(i) for i in batch.column(self.id_column).to_pylist()] if has_id
                   else [str(start + k) for k in range(len(texts))])
            yield Chunk(start, ids, texts)
            start += len(texts)


def _chunked(rows: Iterator[tuple[str, str]], size: int) -> Iterator[Chunk]:
    ids: list[str] = []
    texts: list[str] = []
    start = 0
    for row_id, text in rows:
        ids.append(row_id)
        texts.append(text)
        if len(ids) == size:
            yield Chunk(start, ids, texts)
            start, ids, texts = start + size, [], []
    if ids:
        yield Chunk(start, ids, texts)


class ScoreWriter:
    """Write ``id`` + six scores incrementally to a temporary file; :meth:`commit` renames it.

    CSV/TSV (optionally ``.gz``), JSONL or Parquet, chosen from the output name. With
    ``shard_rows`` a Parquet output is a folder of ``part-NNNNN.parquet`` files. With
    ``flags=True`` every row also gets the booleans :data:`FLAG_COLUMNS` (``write(..., flags=)``);
    CSV spells them ``true`` / ``false`` as JSON does.
    Use as a context manager: leaving it by an exception removes the temporary output.
    """

    def __init__(self, path: str | Path, *, sep: str | None = None, float_format: str = "%.6f",
                 shard_rows: int | None = None, flags: bool = False) -> None:
        self.path = Path(path)
        self.flags = flags
        self.format = file_format(self.path)
        self.delimiter = delimiter_for(self.path, sep)
        self.float_format, self.shard_rows = float_format, shard_rows
        self.rows = 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.is_dir() and not (self.format == "parquet" and shard_rows):
            raise DataError(f"{self.path}: is a folder; give an output file name")
        self._fh: Any = None
        self._parquet: Any = None
        self._shard = 0
        prefix, suffix = f".{self.path.name}.", ".tmp"
        if self.format == "parquet" and shard_rows:
            self._tmp = Path(tempfile.mkdtemp(dir=self.path.parent, prefix=prefix, suffix=suffix))
        else:
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=prefix, suffix=suffix)
            os.close(fd)
            self._tmp = Path(tmp)
            self._open_text()

    def _open_text(self) -> None:
        if self.format == "parquet":
            return
        raw = open(self._tmp, "wb")
        if self.path.suffix.lower() == ".gz":
            raw = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
        self._raw = raw
        self._fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        if self.format == "csv":
            self._csv = csv.writer(self._fh, delimiter=self.delimiter, lineterminator="\n")
            self._csv.writerow([ID_COLUMN, *LABELS, *(FLAG_COLUMNS if self.flags else ())])

    def write(self, ids: list[str], scores: np.ndarray, flags: np.ndarray | None = None) -> None:
        """Append rows: ``ids`` (n,) and ``scores`` (n, 6) in ``LABELS`` order; with
        ``flags=True`` at construction, ``flags`` (n, 6) bool says which labels are raised."""
        if len(ids) != len(scores):
            raise ValueError(f"{len(ids)} ids but {len(scores)} score rows")
        if self.flags and (flags is None or len(flags) != len(ids)):
            raise ValueError("this writer has flag columns: give flags (n, 6) with the scores")
        # (n, 7): flagged, then one column per label
        marks = (np.column_stack([np.asarray(flags, bool).any(axis=1), np.asarray(flags, bool)])
                 if self.flags else np.zeros((len(ids), 0), dtype=bool))
        if self.format == "csv":
            fmt = self.float_format
            self._csv.writerows([i, *(fmt % v for v in row), *("true" if m else "false" for m in mk)]
                                for i, row, mk in zip(ids, scores, marks))
        elif self.format == "jsonl":
            for i, row, mk in zip(ids, scores, marks):
                values = {label: float(self.float_format % v) for label, v in zip(LABELS, row)}
                extra = {name: bool(m) for name, m in zip(FLAG_COLUMNS, mk)}
                self._fh.write(json.dumps({ID_COLUMN: i, **values, **extra}) + "\n")
        else:
            self._write_parquet(ids, scores, marks)
        self.rows += len(ids)

    def _write_parquet(self, ids: list[str], scores: np.ndarray, marks: np.ndarray) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {ID_COLUMN: pa.array(ids, type=pa.string())}
        columns.update({label: pa.array(scores[:, j], type=pa.float64())
                        for j, label in enumerate(LABELS)})
        if self.flags:
            columns.update({name: pa.array(marks[:, j], type=pa.bool_())
                            for j, name in enumerate(FLAG_COLUMNS)})
        table = pa.table(columns)
        if not self.shard_rows:
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self._tmp, table.schema)
            self._parquet.write_table(table)
            return
        # Sharded: fill part files of shard_rows rows each; names sort in row order.
        offset = 0
        while offset < len(ids):
            if self._parquet is None:
                name = self._tmp / f"part-{self._shard:05d}.parquet"
                self._parquet, self._shard_left = pq.ParquetWriter(name, table.schema), self.shard_rows
            take = min(self._shard_left, len(ids) - offset)
            self._parquet.write_table(table.slice(offset, take))
            offset, self._shard_left = offset + take, self._shard_left - take
            if self._shard_left == 0:
                self._parquet.close()
                self._parquet, self._shard = None, self._shard + 1

    def _close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None

    def commit(self) -> Path:
        """Finish the output and move it into place (atomic for files)."""
        if self.format == "parquet" and self.rows == 0 and not self.shard_rows:
            empty = np.zeros((0, len(LABELS)))
            self._write_parquet([], empty, np.zeros((0, len(FLAG_COLUMNS)), dtype=bool))
        self._close()
        if self._tmp.is_dir():
            self._tmp.chmod(0o777 & ~_UMASK)  # mkdtemp creates 0700
            for part in self._tmp.iterdir():
                part.chmod(_FILE_MODE)
            self._replace_folder()
        else:
            os.chmod(self._tmp, _FILE_MODE)  # mkstemp creates 0600; outputs are ordinary files
            os.replace(self._tmp, self.path)
        return self.path

    def _replace_folder(self) -> None:
        """Swap the finished temporary folder in; an old output folder is removed afterwards."""
        old = None
        if self.path.exists():
            old = Path(tempfile.mkdtemp(dir=self.path.parent, prefix=f".{self.path.name}.old."))
            os.replace(self.path, old / "x")
        os.replace(self._tmp, self.path)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        """Remove the temporary output; the target is left as it was."""
        try:
            self._close()
        finally:
            if self._tmp.is_dir():
                shutil.rmtree(self._tmp, ignore_errors=True)
            else:
                self._tmp.unlink(missing_ok=True)

    def __enter__(self) -> ScoreWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def score_stream(reader: ChunkReader, writer: ScoreWriter,
                 score: Callable[[list[str]], np.ndarray], progress: ProgressLog | None = None,
                 flags_of: Callable[[list[str], np.ndarray], np.ndarray] | None = None) -> int:
    """Score every chunk of ``reader`` with ``score`` (texts → ``(n, 6)``) into ``writer``;
    ``flags_of`` (texts, scores → ``(n, 6)`` bool) gives the flags of a writer made with
    ``flags=True`` (the pipeline's moderation decision).

    Returns the number of rows written. The caller commits or aborts ``writer``.
    """
    for chunk in reader:
        scores = score(chunk.texts)
        flags = flags_of(chunk.texts, scores) if flags_of is not None else None
        writer.write(chunk.ids, scores, flags)
        if progress:
            progress.update(writer.rows, reader.fraction_read(), reader.total_rows)
    if progress:
        progress.done(writer.rows)
    return writer.rows
