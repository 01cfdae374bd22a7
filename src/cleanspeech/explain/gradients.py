"""Integrated Gradients for transformer classifiers, aggregated from sub-words to words.

Layer IG on the word-embedding output (Sundararajan et al., 2017): the path runs from a baseline
where every body token's embedding is the ``[PAD]`` embedding (special tokens kept) to the real
input, with ``n_steps`` midpoint-rule steps in one batch; one batched backward pass for all labels. The
attribution of a token is ``(e - e_baseline) · mean gradient``, so a window's token attributions
sum to ``logit(x) - logit(baseline)`` up to the integration error (completeness; tested).

Long comments are windowed exactly as :meth:`TransformerModel.windows` does; the model scores a
comment by its maximum over windows, so label ``k``'s attributions come from the window that
produced that maximum. Each sub-word's attribution is spread over its characters and summed into
words (:mod:`cleanspeech.explain.words`), giving ``(n_words, 6)`` in logit units.

The ONNX backend cannot give gradients: the PyTorch module is loaded once from the model folder
and cached on the model object.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from cleanspeech.explain.words import Word, sum_chars_to_words
from cleanspeech.runtime import configure_torch
from cleanspeech.models.windows import encode, special_ids, window_ranges


# Deletion faithfulness on real comments vs cost (bench/results/explain.md, IG steps sweep): for
# the shipped transformer alone 2 steps matched 4, 8 and occlusion; inside the shipped ensemble
# 1 step (gradient x input) matched 4, at a third of the cost.
DEFAULT_STEPS = 2
ENSEMBLE_MEMBER_STEPS = 1


_LOAD_LOCK = threading.Lock()


def torch_module(model: Any) -> Any:
    """The model's PyTorch module (loaded from its folder and cached when the backend is ONNX).

    Loaded once under a lock (several threads may explain at once), with its parameters frozen
    once here rather than toggled around each call, which would race between threads.
    """
    with _LOAD_LOCK:
        module = getattr(model, "module", None)
        if module is None:
            module = getattr(model, "_explain_module", None)
        if module is None:
            if model.path is None:
                raise ValueError("this transformer has neither a torch module nor a folder to load one from")
            from cleanspeech.models.base import read_model_config
            from cleanspeech.models.torch_loading import load_torch_module

            module = load_torch_module(model.path, read_model_config(model.path))
            model._explain_module = module
        for p in module.parameters():
            p.requires_grad_(False)  # IG needs gradients for the embeddings path only
        return module


def window_ig(module: Any, ids: list[int], special: tuple[int, int, int], n_steps: int) -> tuple[np.ndarray, np.ndarray]:
    """IG for one window: body-token attributions ``(t, 6)`` and the window's logits ``(6,)``.

    ``n_steps=1`` evaluates the gradient at the input itself (gradient × (input - baseline)).
    All labels' gradients come from one batched backward pass (``is_grads_batched``), and the
    parameters' gradients are never computed.
    """
    import torch

    head, tail, pad = special
    full = torch.tensor([[head, *ids, tail]])
    base = torch.tensor([[head, *([pad] * len(ids)), tail]])
    emb_layer = module.get_input_embeddings()
    with torch.no_grad():
        e, b = emb_layer(full), emb_layer(base)  # (1, t+2, d)
    alphas = (torch.arange(n_steps, dtype=e.dtype) + 0.5) / n_steps if n_steps > 1 else torch.ones(1)
    path = (b + alphas[:, None, None] * (e - b)).detach().requires_grad_(True)  # (steps, t+2, d)
    # parameters of a module from torch_module are frozen already; others are frozen for the call
    params = [p for p in module.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        out = module(inputs_embeds=path).logits  # (steps, 6)
        n_labels = out.shape[1]
        grad_out = torch.eye(n_labels, dtype=out.dtype)[:, None, :].expand(n_labels, *out.shape)
        (grads,) = torch.autograd.grad(out, path, grad_outputs=grad_out, is_grads_batched=True)
        if n_steps > 1:
            with torch.no_grad():
                logits = module(input_ids=full).logits[0]
        else:
            logits = out[0]
    finally:
        for p in params:
            p.requires_grad_(True)
    contrib = ((e - b)[0][None] * grads.mean(dim=1)).sum(-1)  # (labels, t+2)
    return contrib[:, 1:-1].T.detach().numpy().astype(float), logits.detach().float().numpy()


def transformer_word_attributions(model: Any, text: str, words: list[Word], n_steps: int = DEFAULT_STEPS) -> np.ndarray:
    """Per-word IG attributions ``(n_words, 6)`` in logit units for a :class:`TransformerModel`."""
    import torch

    tok = model.tokenizer
    (enc,) = encode(tok, [text])
    ids, offsets = enc.ids, enc.offsets
    module = torch_module(model)
    best_logit, char = None, None
    configure_torch()
    with torch.enable_grad():
        for s, e in window_ranges(len(ids), model.max_length, model.overlap):
            attrs, logits = window_ig(module, ids[s:e], special_ids(tok), n_steps)
            chars = np.zeros((len(text) + 1, attrs.shape[1]))
            for (cs, ce), a in zip(offsets[s:e], attrs):
                if ce > cs:
                    chars[cs:ce] += a / (ce - cs)
            if best_logit is None:
                best_logit, char = logits, chars
            else:  # per label, keep the window that gives the (max-pooled) score
                better = logits > best_logit
                char[:, better] = chars[:, better]
                best_logit = np.maximum(best_logit, logits)
    if char is None:
        return np.zeros((len(words), 6))
    return sum_chars_to_words(char[:len(text)], words)
