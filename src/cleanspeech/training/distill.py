"""Distillation targets: a larger fine-tuned teacher's probabilities blended into the training labels.

Issue 32's MiniLM member follows the frame of a sentence ("Jews deserve to be safe." scores like
hate); a larger encoder trained on the same rows is the teacher, and the member keeps its size
(``predict``'s cost) by learning the teacher's probabilities beside the human labels. The targets
stay one ``(n, 6)`` float array, so every loss in :mod:`cleanspeech.training.losses` takes them
unchanged (binary cross-entropy accepts soft targets):

- a label the row's source gives: ``alpha * teacher + (1 - alpha) * label``;
- a label the source says nothing about (``NaN``, masked until now): the teacher's probability,
  or still masked with ``fill_unknown=False``.

The teacher is scored once per run and cached beside the checkpoint (``teacher_probs.npz``, with a
digest of the texts and of the teacher's weights), so a resumed run does not pay the teacher's pass
again and a retrained teacher is never read from a stale cache.

Several teachers (an ensemble) give the mean of their probabilities: a teacher that reads
sentences better but ranks Jigsaw's labels worse than the student (stop 45's all-mpnet-base-v2) is
averaged with one that ranks them well (the student's own starting point). Each is cached in its
own file (``teacher_probs.npz``, ``teacher_probs.1.npz``, ...). ``distill_labels`` splits the
labels instead: the first teacher's probabilities on those labels, the others' mean on the rest.

``jigsaw_teacher`` (learning without forgetting) is a model scored on the Jigsaw rows alone: a
student that starts from a member which saw all of Jigsaw and trains on a few thousand of its rows plus
other sources forgets part of its Jigsaw ranking; its starting point's probabilities on those rows
hold it there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from cleanspeech.labels import LABELS, N_LABELS

CACHE_FILE = "teacher_probs.npz"
JIGSAW_CACHE_FILE = "jigsaw_teacher_probs.npz"  # the jigsaw_teacher's pass, on the Jigsaw rows alone


def texts_digest(texts: Sequence[str]) -> str:
    """A digest of the texts in order: a cache computed on other rows is never reused."""
    h = hashlib.sha256()
    for t in texts:
        h.update(str(t).encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def weights_digest(teacher: str) -> str:
    """A digest of a local teacher folder's weight files (a hub id: empty), so a teacher retrained
    into the same folder (its next epoch, say) is never read from a stale cache."""
    folder = Path(teacher)
    if not folder.is_dir():
        return ""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in {".safetensors", ".bin", ".onnx", ".json"}:
            h.update(path.relative_to(folder).as_posix().encode("utf-8"))
            with path.open("rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
    return h.hexdigest()


def blend_targets(labels: np.ndarray, teacher: np.ndarray, alpha: float,
                  fill_unknown: bool = True, rows: np.ndarray | None = None) -> np.ndarray:
    """The training targets ``(n, 6)`` from human ``labels`` (``NaN`` = unknown) and ``teacher``
    probabilities, both ``(n, 6)``; see the module docstring. ``rows`` (boolean ``(n,)``): only
    these rows are distilled, the others keep their labels (None = every row)."""
    labels = np.asarray(labels, dtype=float)
    teacher = np.asarray(teacher, dtype=float)
    if labels.shape != teacher.shape or labels.ndim != 2 or labels.shape[1] != N_LABELS:
        raise ValueError(f"labels {labels.shape} and teacher {teacher.shape} must both be (n, {N_LABELS})")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"distill_alpha must be in [0, 1], got {alpha}")
    if np.isnan(teacher).any() or (teacher < 0).any() or (teacher > 1).any():
        raise ValueError("teacher probabilities must lie in [0, 1]")
    known = ~np.isnan(labels)
    out = np.where(known, alpha * teacher + (1.0 - alpha) * np.nan_to_num(labels), np.nan)
    if fill_unknown:
        out = np.where(known, out, teacher)
    if rows is not None:
        rows = np.asarray(rows, dtype=bool)
        if rows.shape != (len(labels),):
            raise ValueError(f"rows must be a boolean ({len(labels)},) mask, got {rows.shape}")
        out = np.where(rows[:, None], out, labels)
    return out


@torch.no_grad()
def score_texts(tokenizer, model, texts: Sequence[str], max_length: int, cleaning: str = "none",
                batch_size: int = 64) -> np.ndarray:
    """Sigmoid probabilities ``(n, 6)`` of a six-label sequence classifier, in the order of ``texts``.

    Rows are batched by token length (padding is most of a CPU pass's cost on mixed lengths)."""
    from cleanspeech.training.data import PadCollator, tokenize

    ids = tokenize(tokenizer, list(texts), max_length, cleaning)
    order = np.argsort([len(x) for x in ids], kind="stable")
    collate = PadCollator(tokenizer.pad_token_id or 0)
    out = np.zeros((len(ids), N_LABELS), dtype=np.float32)
    model.eval()
    for start in range(0, len(order), batch_size):
        batch = collate([{"input_ids": ids[i], "index": i} for i in order[start:start + batch_size]])
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        out[batch["index"].numpy()] = torch.sigmoid(logits.float()).numpy()
    return out


def cache_file(index: int) -> str:
    """The cache file of the ``index``-th teacher of an ensemble (the first keeps the old name)."""
    return CACHE_FILE if index == 0 else CACHE_FILE.replace(".npz", f".{index}.npz")


def ensemble_probs(teachers: Sequence[str], texts: Sequence[str], max_length: int, cleaning: str,
                   cache_dir: str | Path | None = None, first_labels: Sequence[str] | None = None) -> np.ndarray:
    """The teachers' probabilities ``(n, 6)``, each scored (or read) by :func:`teacher_probs`: their
    mean, or with ``first_labels`` the first teacher's on those labels and the others' mean on the
    rest (a teacher trusted for some labels only)."""
    if not teachers:
        raise ValueError("at least one teacher is needed")
    if first_labels is not None and len(teachers) < 2:
        raise ValueError("distill_labels splits the labels between teachers: name at least two")
    probs = [teacher_probs(t, texts, max_length, cleaning, cache_dir, cache_file(i))
             for i, t in enumerate(teachers)]
    if first_labels is None:
        return np.mean(probs, axis=0).astype(np.float32)
    first = np.isin(LABELS, list(first_labels))
    return np.where(first[None, :], probs[0], np.mean(probs[1:], axis=0)).astype(np.float32)


def teacher_probs(teacher: str, texts: Sequence[str], max_length: int, cleaning: str,
                  cache_dir: str | Path | None = None, cache_name: str = CACHE_FILE) -> np.ndarray:
    """The teacher's probabilities on ``texts``, read from ``cache_dir / cache_name`` when computed
    on the same texts by the same teacher, else computed (and cached)."""
    from cleanspeech.training.backbone import load_backbone

    # a local folder is known by its weights (a copy elsewhere is the same teacher), a hub id by its name
    key = texts_digest([weights_digest(teacher) or teacher, str(max_length), cleaning, *texts])
    cache = Path(cache_dir) / cache_name if cache_dir is not None else None
    if cache is not None and cache.is_file():
        with np.load(cache, allow_pickle=False) as z:
            if str(z["key"]) == key:
                return z["probs"]
    tokenizer, model = load_backbone(teacher)
    probs = score_texts(tokenizer, model, texts, max_length, cleaning)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp.npz")
        np.savez(tmp, key=np.array(key), probs=probs)
        tmp.replace(cache)
    return probs
