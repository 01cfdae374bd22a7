"""Distributed scoring on Ray Data: read → ``map_batches`` on an actor pool → ordered output.

Each actor loads the model once and scores whole batches. The driver consumes the scored batches
in input order (``preserve_order``) and writes them with the same :class:`ScoreWriter` as the
single-process path, so both engines produce byte-identical CSV/JSONL output; a Parquet output
is a folder of ``part-NNNNN.parquet`` shards that sort in row order.

``ray.init(address=os.environ.get("RAY_ADDRESS"))`` joins an existing cluster when the variable is
set (``ray://head:10001`` or ``auto`` on a cluster node) and starts a local one otherwise. On a
cluster the input path must be readable from every node (shared storage or ``s3://``/``gs://``),
and every node needs ``cleanspeech`` installed (see docs/distributed.md).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanspeech.data.io import ID_COLUMN, TEXT_COLUMN, DataError
from cleanspeech.data.progress import ProgressLog
from cleanspeech.data.stream import ScoreWriter, delimiter_for, file_format
from cleanspeech.labels import LABELS

SHARD_ROWS = 100_000
READ_CPUS = 0.5  # reading and parsing is light next to scoring
RAY_MISSING = ("--engine ray needs Ray: pip install 'cleanspeech[distributed]' "
               "(or pip install 'ray[data]>=2.9')")


class BatchScorer:
    """A Ray actor: loads the model once, then maps text batches to ``id`` + six scores."""

    def __init__(self, model: str, backend: str | None, text_column: str, id_column: str) -> None:
        from cleanspeech.pipeline import Moderator

        kwargs = {"backend": backend} if backend else {}
        self.moderator = Moderator.load(model, **kwargs)
        self.text_column, self.id_column = text_column, id_column

    def __call__(self, batch: pd.DataFrame) -> pd.DataFrame:
        texts = batch[self.text_column].where(batch[self.text_column].notna(), "")
        scores = self.moderator.scores([t if isinstance(t, str) else str(t) for t in texts])
        out = pd.DataFrame(scores, columns=list(LABELS))
        if self.id_column in batch.columns:
            ids = batch[self.id_column]
            # None marks a row without an id; the driver numbers it like the local path does.
            out.insert(0, ID_COLUMN, [None if i is None or i != i else str(i) for i in ids])
        return out


def init_ray(num_cpus: int | None = None) -> Any:
    """Join ``RAY_ADDRESS`` when set, else start a local Ray (``num_cpus`` CPUs); keep order."""
    try:
        import ray
    except ImportError as exc:
        raise DataError(RAY_MISSING) from exc
    if not ray.is_initialized():
        address = os.environ.get("RAY_ADDRESS")
        kwargs: dict[str, Any] = {} if address else {"num_cpus": num_cpus}
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.WARNING, **kwargs)
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # output rows in input order, as the local path
    ctx.enable_progress_bars = False  # ProgressLog prints plain lines instead
    return ray


def _header(path: Path, delimiter: str) -> list[str]:
    import csv
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as fh:
        return next(csv.reader(fh, delimiter=delimiter), [])


def read_dataset(ray: Any, path: Path, *, text_column: str, id_column: str,
                 sep: str | None) -> Any:
    """A Ray Dataset of the input's id (when present) and text columns, ids as strings."""
    fmt = file_format(path)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
        _require_text(path, names, text_column)
        keep = [c for c in (id_column, text_column) if c in names]
        return ray.data.read_parquet(str(path), num_cpus=READ_CPUS).select_columns(keep)
    if fmt == "jsonl":
        return ray.data.read_json(str(path), lines=True, num_cpus=READ_CPUS, **_gzip_args(path))
    import pyarrow as pa
    import pyarrow.csv as pacsv

    delimiter = delimiter_for(path, sep)
    names = _header(path, delimiter)
    _require_text(path, names, text_column)
    keep = [c for c in (id_column, text_column) if c in names]
    return ray.data.read_csv(
        str(path), num_cpus=READ_CPUS,
        # Comments span lines and reach megabytes; ids must stay the file's exact strings.
        read_options=pacsv.ReadOptions(block_size=16 << 20),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(
            include_columns=keep, column_types={c: pa.string() for c in keep},
            strings_can_be_null=False, quoted_strings_can_be_null=False),
        **_gzip_args(path),
    )


def _gzip_args(path: Path) -> dict[str, Any]:
    return {"arrow_open_stream_args": {"compression": "gzip"}} if path.suffix.lower() == ".gz" else {}


def _require_text(path: Path, names: list[str], text_column: str) -> None:
    if text_column not in names:
        raise DataError(
            f"{path}: missing column(s) [{text_column!r}]; found {names}. "
            "Pass --text-column / --id-column if your file names them differently."
        )


def predict_ray(input_path: str | Path, output: str | Path, *, model: str,
                backend: str | None = None, text_column: str = TEXT_COLUMN,
                id_column: str = ID_COLUMN, sep: str | None = None, workers: int = 2,
                batch_size: int = 2048, progress: ProgressLog | None = None) -> int:
    """Score ``input_path`` on Ray with ``workers`` actors into ``output``; the number of rows."""
    input_path, output = Path(input_path), Path(output)
    if not input_path.is_file():
        raise DataError(f"{input_path}: file not found")
    ray = init_ray(num_cpus=workers + 1)  # one CPU per actor plus one for the read tasks
    ds = read_dataset(ray, input_path, text_column=text_column, id_column=id_column, sep=sep)
    scored = ds.map_batches(
        BatchScorer, fn_constructor_kwargs={"model": str(model), "backend": backend,
                                            "text_column": text_column, "id_column": id_column},
        batch_size=batch_size, batch_format="pandas", num_cpus=_actor_cpus(ray, workers),
        compute=ray.data.ActorPoolStrategy(size=workers),
    )
    shard_rows = SHARD_ROWS if file_format(output) == "parquet" else None
    with ScoreWriter(output, sep=sep, shard_rows=shard_rows) as writer:
        try:
            for batch in scored.iter_batches(batch_format="pandas", batch_size=None):
                writer.write(_batch_ids(batch, writer.rows), batch[list(LABELS)].to_numpy(np.float64))
                if progress:
                    progress.update(writer.rows)
        except DataError:
            raise
        except Exception as exc:  # Ray wraps reader errors (malformed CSV/JSON) in its own types
            raise DataError(f"{input_path}: could not be read or scored on Ray ({_root(exc)})") from exc
    if progress:
        progress.done(writer.rows)
    return writer.rows


def _actor_cpus(ray: Any, workers: int) -> float:
    """CPUs to reserve per actor: one, less where the actors would leave none for the readers.

    A pool that reserves every CPU starves the read tasks and the job never progresses (seen with
    2 actors on a 2-CPU Ray); the readers get ``READ_CPUS``.
    """
    total = float(ray.cluster_resources().get("CPU", workers + 1))
    return min(1.0, max(total - READ_CPUS, 0.1) / workers)


def _batch_ids(batch: pd.DataFrame, start: int) -> list[str]:
    if ID_COLUMN not in batch.columns:
        return [str(start + k) for k in range(len(batch))]
    return [str(start + k) if i is None else i for k, i in enumerate(batch[ID_COLUMN].tolist())]


def _root(exc: BaseException) -> str:
    while exc.__cause__ is not None:
        exc = exc.__cause__
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
