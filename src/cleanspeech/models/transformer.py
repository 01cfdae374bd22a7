"""A fine-tuned transformer encoder with a six-label head, run by ONNX Runtime or PyTorch.

``predict_proba`` tokenises without truncation, cuts comments longer than ``max_length`` into
overlapping windows (each with the special tokens; :mod:`cleanspeech.models.windows`), scores
the windows in length-sorted batches, and gives each comment the maximum probability over its
windows. A comment with more than ``max_windows`` windows is scored on a budget
(:data:`LONG_TEXT_POLICY`).

Weights are stored either as a Hugging Face folder (``weights_format: hf``) or as int8 per-row
weights + scales in ``model.int8.safetensors`` (``weights_format: int8``, ~4x smaller), which the
torch backend dequantises and the ONNX backend exports once into a cache (see ``onnx_backend``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.data.clean import clean_texts
from cleanspeech.labels import N_LABELS
from cleanspeech.models.base import ToxicityModel
from cleanspeech.models.torch_loading import INT8_WEIGHTS, load_torch_module
from cleanspeech.models.light_tokenizer import LightTokenizer
from cleanspeech.models.windows import Encoded, encode, window_ranges, window_text, with_specials

__all__ = ["BACKENDS", "DEFAULT_MAX_WINDOWS", "INT8_WEIGHTS", "LONG_TEXT_POLICY", "TransformerModel",
           "load_torch_module", "pick_windows"]

# 16 windows of 256 tokens cover ~3,000 words (a long talk-page post) in full; past that the
# cost of a comment stops growing with its length.
DEFAULT_MAX_WINDOWS = 16
LONG_TEXT_POLICY = (
    "Long comments are cut into overlapping windows of the transformer's maximum length, and a "
    "comment's score is the highest score among the windows scored. A comment with more than "
    "`max_windows` windows (16 unless the model folder sets it; the shipped `default`'s transformer "
    "uses 1, 256 tokens) is scored on a budget of that many windows: always its "
    "first and last windows, plus the windows a cheap window scorer ranks most toxic (in the "
    "cascade, the linear model's highest label probability on each window's text); a budget of 2 "
    "is the first window and the one the scorer ranks most toxic, a budget of 1 the window the "
    "scorer ranks most toxic (the first without a scorer). Without a scorer, windows "
    "spread evenly over the comment. So a 1 MB comment costs the transformer about "
    "as much as a comment of `max_windows` windows; toxic passages the scorer misses between the scored windows can "
    "be missed by the transformer (the linear model still reads the whole text)."
)
WindowScorer = Callable[[list[str]], np.ndarray]


def pick_windows(n: int, budget: int, scores: np.ndarray | None = None) -> list[int]:
    """Indices (ascending) of the ``budget`` windows to score out of ``n`` (all if ``n <= budget``).

    First and last always; the rest are the highest ``scores`` (``(n,)``, ties to the earlier
    window) or, without scores, evenly spread over the middle windows. A budget of 2 with scores
    is the first window and the highest-scored other one (the last included): the toxic passage
    of a long comment is more often in its body than in its closing lines. A budget of 1 is the
    highest-scored window (the first without scores).
    """
    if budget <= 0 or n <= budget:
        return list(range(n))
    if budget == 1:
        return [0] if scores is None else [int(np.argmax(np.asarray(scores, dtype=float)))]
    if budget == 2 and scores is not None:
        rest = np.asarray(scores, dtype=float)[1:]
        return [0, 1 + int(np.argmax(rest))]
    middle = np.arange(1, n - 1)
    k = budget - 2
    if scores is None:
        # k points at equal gaps strictly between the first and the last window
        chosen = np.round(np.arange(1, k + 1) * (n - 1) / (k + 1)).astype(int)
    else:
        order = np.argsort(-np.asarray(scores, dtype=float)[middle], kind="stable")
        chosen = middle[order[:k]]
    return sorted({0, n - 1, *map(int, chosen)})
BACKENDS = ("onnx", "torch")


class TransformerModel(ToxicityModel):
    """A transformer classifier (see the module docstring).

    Long texts: comments are windowed (``max_length`` tokens, ``overlap`` shared); past
    ``max_windows`` windows (0 = no limit) only a budget of windows is scored, as
    :data:`LONG_TEXT_POLICY` states: the first and last plus those ``window_scorer`` ranks
    highest. ``window_scorer`` maps a list of window texts (slices of the cleaned comment, cut
    at token offsets) to ``(k,)`` scores, e.g. a linear model's max probability; None spreads
    the budget evenly.
    """

    model_type = "transformer"

    def __init__(self, tokenizer, module=None, *, runner=None, max_length: int = 256,
                 overlap: int = 64, batch_size: int = 32, cleaning: str = "none",
                 thresholds: np.ndarray | None = None, weights_format: str = "hf",
                 backend: str = "torch", base_model: str = "",
                 max_windows: int = DEFAULT_MAX_WINDOWS, window_scorer: WindowScorer | None = None,
                 onnx_quantization: str = "dynamic") -> None:
        super().__init__(thresholds=thresholds, cleaning=cleaning)
        self.tokenizer, self.module, self.runner = tokenizer, module, runner
        self.max_length, self.overlap, self.batch_size = max_length, overlap, batch_size
        self.weights_format, self.backend, self.base_model = weights_format, backend, base_model
        self.max_windows, self.window_scorer = max_windows, window_scorer
        # how the ONNX backend quantises its export: "dynamic", or "static" (calibrated on the
        # folder's calibration_texts.json, batch-invariant; onnx_backend.static_calibration)
        self.onnx_quantization = onnx_quantization
        self.tokenizer.model_max_length = int(1e9)  # we window long inputs ourselves

    # --- inference -----------------------------------------------------------------------------
    def windows(self, texts: Sequence[str]) -> tuple[list[list[int]], np.ndarray]:
        """Token-id windows to score (special tokens added) and the text index of each window.

        All of a comment's windows, or ``max_windows`` of them chosen by :func:`pick_windows`.
        """
        cleaned = clean_texts(texts, self.cleaning)
        out, owner = [], []
        for i, (text, enc) in enumerate(zip(cleaned, encode(self.tokenizer, cleaned))):
            for s, e in self._budget(text, enc):
                out.append(with_specials(enc.ids[s:e], self.tokenizer))
                owner.append(i)
        return out, np.asarray(owner, dtype=np.int64)

    def _budget(self, text: str, enc: Encoded) -> list[tuple[int, int]]:
        ranges = window_ranges(len(enc.ids), self.max_length, self.overlap)
        if self.max_windows <= 0 or len(ranges) <= self.max_windows:
            return ranges
        scores = None
        if self.window_scorer is not None:
            scores = np.asarray(self.window_scorer([window_text(text, enc, s, e) for s, e in ranges]))
        return [ranges[i] for i in pick_windows(len(ranges), self.max_windows, scores)]

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        """Logits ``(b, 6)`` from the active backend for padded ``(b, t)`` int64 arrays."""
        if self.runner is not None:
            return self.runner(input_ids, attention_mask)
        import torch

        with torch.inference_mode():
            out = self.module(input_ids=torch.from_numpy(input_ids),
                              attention_mask=torch.from_numpy(attention_mask))
        return out.logits.float().numpy()

    def logits_pooled(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`logits` and each layer's mean hidden state over the real tokens, side by side
        ``(b, L·d)`` (:func:`~cleanspeech.models.onnx_backend.layer_means`), from one forward pass."""
        if self.runner is not None:
            return self.runner.with_pooled(input_ids, attention_mask)
        import torch

        from cleanspeech.models.onnx_backend import layer_means

        mask = torch.from_numpy(attention_mask)
        with torch.inference_mode():
            out = self.module(input_ids=torch.from_numpy(input_ids), attention_mask=mask,
                              output_hidden_states=True)
        return out.logits.float().numpy(), layer_means(out.hidden_states, mask).float().numpy()

    def logits_many(self, batches: list[tuple[np.ndarray, np.ndarray]], pooled: bool = False) -> list:
        """:meth:`logits` (with ``pooled``: :meth:`logits_pooled`) of each batch, in order; the
        ONNX runner runs several calls at once."""
        run_many = getattr(self.runner, "map", None)
        if run_many is not None:
            return run_many(batches, pooled=True) if pooled else run_many(batches)
        one = self.logits_pooled if pooled else self.logits
        return [one(ids, mask) for ids, mask in batches]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities ``(n, 6)``: max over each comment's windows; batches sorted by length."""
        return self._score(texts, pooled=False)[0]

    def predict_proba_pooled(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`predict_proba` and, from the same forward passes, each comment's sentence
        features ``(n, L·d)``: the mean over its windows of each layer's mean hidden state."""
        return self._score(texts, pooled=True)

    def _score(self, texts: Sequence[str], pooled: bool) -> tuple[np.ndarray, np.ndarray | None]:
        texts = list(texts)
        if not texts:
            return np.zeros((0, N_LABELS), dtype=np.float32), (np.zeros((0, 0), np.float32) if pooled else None)
        wins, owner = self.windows(texts)
        order = np.argsort([len(w) for w in wins], kind="stable")
        probs = np.zeros((len(wins), N_LABELS), dtype=np.float32)
        pad = self.tokenizer.pad_token_id or 0
        groups, batches = [], []
        for s in range(0, len(order), self.batch_size):
            idx = order[s:s + self.batch_size]
            width = max(len(wins[i]) for i in idx)
            ids = np.full((len(idx), width), pad, dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for r, i in enumerate(idx):
                ids[r, :len(wins[i])] = wins[i]
                mask[r, :len(wins[i])] = 1
            groups.append(idx)
            batches.append((ids, mask))
        feats = None
        for idx, res in zip(groups, self.logits_many(batches, pooled=pooled)):
            logits = res[0] if pooled else res
            probs[idx] = 1.0 / (1.0 + np.exp(-logits))
            if pooled:
                if feats is None:
                    feats = np.zeros((len(wins), res[1].shape[1]), dtype=np.float32)
                feats[idx] = res[1]
        out = np.zeros((len(texts), N_LABELS), dtype=np.float32)
        np.maximum.at(out, owner, probs)
        if not pooled:
            return out, None
        per = np.zeros((len(texts), feats.shape[1]), dtype=np.float32)
        np.add.at(per, owner, feats)
        per /= np.bincount(owner, minlength=len(texts))[:, None]
        return out, per

    def attribution_method(self) -> str:
        """``"integrated-gradients"`` on the embeddings, unless cleaning moves character offsets
        (then sub-word offsets no longer point into the original text and occlusion explains)."""
        return "integrated-gradients" if self.cleaning == "none" else "occlusion"

    # --- persistence ---------------------------------------------------------------------------
    def config_dict(self) -> dict[str, Any]:
        return {**super().config_dict(), "max_length": self.max_length, "overlap": self.overlap,
                "batch_size": self.batch_size, "weights_format": self.weights_format,
                "base_model": self.base_model, "max_windows": self.max_windows,
                "onnx_quantization": self.onnx_quantization}

    def _save_weights(self, path: Path) -> None:
        if self.module is None:
            raise ValueError("this model was loaded for ONNX only; load it with backend='torch' to save")
        self.tokenizer.save_pretrained(path)
        if self.weights_format == "int8":
            from safetensors.torch import save_file

            from cleanspeech.models.quantize import quantize_state_dict

            self.module.config.save_pretrained(path)
            save_file(quantize_state_dict(self.module.state_dict()), str(path / INT8_WEIGHTS))
        else:
            self.module.save_pretrained(path)

    @classmethod
    def _load(cls, path: Path, config: dict[str, Any], backend: str = "onnx",
              batch_size: int | None = None, max_windows: int | None = None, **_: Any) -> TransformerModel:
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")
        if backend == "onnx" and LightTokenizer.fits(path):
            tokenizer = LightTokenizer(path)  # no transformers/torch import: ~2 s less start-up
        else:
            from transformers import AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(path)
        module = runner = None
        default_batch = int(config.get("batch_size", 32))
        if backend == "torch":
            module = load_torch_module(path, config)
        else:
            from cleanspeech.models.onnx_backend import ONNX_BATCH_SIZE, OnnxRunner

            runner = OnnxRunner.for_model_folder(path, config)
            default_batch = int(config.get("onnx_batch_size", ONNX_BATCH_SIZE))
        return cls(tokenizer, module, runner=runner, max_length=int(config.get("max_length", 256)),
                   overlap=int(config.get("overlap", 64)),
                   batch_size=int(batch_size or default_batch),
                   cleaning=config.get("cleaning", "none"),
                   weights_format=config.get("weights_format", "hf"), backend=backend,
                   base_model=config.get("base_model", ""),
                   onnx_quantization=config.get("onnx_quantization", "dynamic"),
                   max_windows=int(config.get("max_windows", DEFAULT_MAX_WINDOWS) if max_windows is None
                                   else max_windows))
