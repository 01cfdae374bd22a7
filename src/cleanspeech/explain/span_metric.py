"""The SemEval-2021 Task 5 (Toxic Spans Detection) metric and its data format.

Per post: F1 between predicted and gold sets of character offsets; when both are empty the
post scores 1, when exactly one is empty it scores 0. The system score is the mean over posts.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.data.io import DataError, read_csv
from cleanspeech.explain.words import spans_to_offsets


def post_f1(pred: Iterable[int], gold: Iterable[int]) -> float:
    """F1 of one post's predicted vs gold character offsets (both empty → 1, one empty → 0)."""
    pred, gold = set(pred), set(gold)
    if not pred and not gold:
        return 1.0
    if not pred or not gold:
        return 0.0
    tp = len(pred & gold)
    if tp == 0:
        return 0.0
    precision, recall = tp / len(pred), tp / len(gold)
    return 2 * precision * recall / (precision + recall)


def span_f1(preds: Sequence[Iterable[int]], golds: Sequence[Iterable[int]]) -> float:
    """Mean per-post F1 over aligned lists of offset collections."""
    if len(preds) != len(golds):
        raise ValueError(f"{len(preds)} predictions for {len(golds)} gold posts")
    if not golds:
        return float("nan")
    return float(np.mean([post_f1(p, g) for p, g in zip(preds, golds)]))


def parse_offsets(cell: str, where: str = "spans") -> list[int]:
    """Parse a ``"[1, 2, 3]"`` cell of a TSD file into a list of ints."""
    try:
        value = ast.literal_eval(cell) if str(cell).strip() else []
    except (ValueError, SyntaxError) as exc:
        raise DataError(f"{where}: cannot parse {cell!r} as a list of offsets") from exc
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, int) for v in value):
        raise DataError(f"{where}: {cell!r} is not a list of integer offsets")
    return list(value)


def read_tsd(path: str | Path) -> pd.DataFrame:
    """Read a TSD CSV (``spans``, ``text``) → frame with ``text`` and ``offsets`` (lists of ints)."""
    path = Path(path)
    df = read_csv(path)
    for col in ("spans", "text"):
        if col not in df.columns:
            raise DataError(f"{path}: missing column {col!r}; a TSD file has 'spans' and 'text'")
    offsets = [parse_offsets(c, f"{path}: row {i + 2}, column 'spans'") for i, c in enumerate(df["spans"])]
    out = pd.DataFrame({"text": df["text"].astype(str), "offsets": offsets})
    if "id" in df.columns:
        out.insert(0, "id", df["id"].astype(str))
    return out


def read_pred_jsonl(path: str | Path) -> list[set[int]]:
    """Predicted offset sets from an ``explain`` JSONL file (``spans`` as ``[[start, end], ...]``)."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    preds = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            preds.append(spans_to_offsets(row["spans"]))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise DataError(f"{path}: line {n} is not an explain record with 'spans' ({exc})") from exc
    return preds


def evaluate_files(gold_path: str | Path, pred_path: str | Path) -> dict[str, float]:
    """Span F1 of a predictions JSONL against a gold TSD CSV (rows aligned in order)."""
    gold = read_tsd(gold_path)
    preds = read_pred_jsonl(pred_path)
    if len(preds) != len(gold):
        raise DataError(
            f"{pred_path}: {len(preds)} predictions but {gold_path} has {len(gold)} posts; "
            "run `cleanspeech explain` on the gold file with --text-column text"
        )
    return {"f1": span_f1(preds, gold["offsets"].tolist()), "posts": float(len(gold))}
