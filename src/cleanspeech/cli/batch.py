"""Batch files for ``explain`` and ``rewrite``: the same streaming reader as ``predict``, one
output record per input row (in order, ids kept), written atomically, with progress on stderr.

Rows over a command's length limit are not dropped: they get their record, with the scores
(scoring takes long text) and a ``reason`` saying why they were not explained / rewritten.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from cleanspeech.data.io import _FILE_MODE, DataError
from cleanspeech.data.progress import ProgressLog
from cleanspeech.data.stream import ChunkReader, delimiter_for, file_format
from cleanspeech.limits import MAX_TEXT_BYTES


def cap_bytes(text: str) -> str:
    """``text`` cut to the scoring budget (:data:`MAX_TEXT_BYTES` of UTF-8, whole characters)."""
    if len(text) * 4 <= MAX_TEXT_BYTES:  # cheap: no character is over 4 bytes
        return text
    raw = text.encode("utf-8", "surrogatepass")
    if len(raw) <= MAX_TEXT_BYTES:
        return text
    return raw[:MAX_TEXT_BYTES].decode("utf-8", "ignore")


def cap_texts(texts: Sequence[str]) -> tuple[list[str], int]:
    """Every text within the scoring budget, and how many had to be cut."""
    capped = [cap_bytes(t) for t in texts]
    return capped, sum(c is not t for c, t in zip(capped, texts))


def over_limit_reason(text: str, limit: int, command: str) -> str:
    return (f"not {command}ed: the text is {len(text):,} characters, over the {limit:,}-character "
            f"limit of `cleanspeech {command}`; its scores are those of `cleanspeech moderate`")


class RecordWriter:
    """Write dict records to a temporary file beside ``path``; :meth:`commit` renames it over
    ``path``. The format comes from the name (``.jsonl``, ``.csv`` / ``.tsv`` plain or ``.gz``,
    ``.parquet``); ``jsonl_only`` writes JSON lines whatever the name (nested records). A name
    of no known type is written as CSV."""

    def __init__(self, path: Path, columns: Sequence[str], *, sep: str | None = None,
                 jsonl_only: bool = False) -> None:
        self.path, self.columns, self.rows = Path(path), list(columns), 0
        try:
            self.format = "jsonl" if jsonl_only else file_format(self.path)
        except DataError:
            self.format = "csv"
        if self.path.is_dir():
            raise DataError(f"{self.path}: is a folder; give an output file name")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        os.close(fd)
        self._tmp, self._parquet, self._fh = Path(tmp), None, None
        if self.format != "parquet":
            raw: Any = open(self._tmp, "wb")
            if self.path.suffix.lower() == ".gz":
                raw = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0)
            self._fh = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        if self.format == "csv":
            self._csv = csv.writer(self._fh, delimiter=delimiter_for(self.path, sep), lineterminator="\n")
            self._csv.writerow(self.columns)

    def write(self, records: Iterable[dict[str, Any]]) -> None:
        records = list(records)
        if self.format == "jsonl":
            self._fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        elif self.format == "csv":
            self._csv.writerows([r.get(c, "") for c in self.columns] for r in records)
        elif records:
            self._write_parquet(records)
        self.rows += len(records)

    def _write_parquet(self, records: list[dict[str, Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist([{c: r.get(c) for c in self.columns} for r in records])
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._tmp, table.schema)
        self._parquet.write_table(table.cast(self._parquet.schema))

    def _close(self) -> None:
        for handle in (self._fh, self._parquet):
            if handle is not None:
                handle.close()
        self._fh = self._parquet = None

    def __enter__(self) -> RecordWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._close()
            if exc_type is None:
                if self.format == "parquet" and self.rows == 0:
                    import pandas as pd

                    pd.DataFrame(columns=self.columns).to_parquet(self._tmp, index=False)
                os.chmod(self._tmp, _FILE_MODE)  # mkstemp creates 0600; outputs are ordinary files
                os.replace(self._tmp, self.path)
        finally:
            self._tmp.unlink(missing_ok=True)


def run_batch(reader: ChunkReader, writer: RecordWriter,
              process: Callable[[list[str], list[str]], list[dict[str, Any]]],
              progress: ProgressLog, total: int | None = None) -> int:
    """``process(ids, texts)`` → one record per row, for every chunk of ``reader``, into
    ``writer``; progress (rows, rows/s, share done) goes to ``progress``, the share from
    ``total`` rows when the caller counted them, else from the reader. Returns the rows written."""
    for chunk in reader:
        records = process(chunk.ids, chunk.texts)
        if len(records) != len(chunk.ids):  # a broken invariant, not a user error
            raise RuntimeError(f"{len(records)} records for {len(chunk.ids)} rows")
        writer.write(records)
        progress.update(writer.rows, reader.fraction_read(), total if total is not None else reader.total_rows)
    progress.done(writer.rows)
    return writer.rows
