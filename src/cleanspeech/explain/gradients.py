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
# Windows per batched forward/backward pass (sorted by length, so little of it is padding)
BATCH_WINDOWS = 16


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
    return windows_ig(module, [ids], special, n_steps)[0]


def windows_ig(module: Any, windows: list[list[int]], special: tuple[int, int, int], n_steps: int,
               batch_size: int = BATCH_WINDOWS) -> list[tuple[np.ndarray, np.ndarray]]:
    """:func:`window_ig` for many windows: ``(attributions (t, 6), logits (6,))`` per window, in
    order.

    Windows run shortest first, ``batch_size`` at a time, padded to the batch's longest with the
    padding masked out: a window's attributions are those it gets alone up to float rounding
    (the model mixes no information across a batch), at a fraction of the per-call overhead.
    """
    out: list[tuple[np.ndarray, np.ndarray]] = [(np.zeros((0, 6)), np.zeros(6))] * len(windows)
    order = sorted(range(len(windows)), key=lambda w: len(windows[w]))
    # parameters of a module from torch_module are frozen already; others are frozen for the call
    params = [p for p in module.parameters() if p.requires_grad]
    for p in params:
        p.requires_grad_(False)
    try:
        for b in range(0, len(order), batch_size):
            batch = order[b:b + batch_size]
            for w, res in zip(batch, _batch_ig(module, [windows[w] for w in batch], special, n_steps)):
                out[w] = res
    finally:
        for p in params:
            p.requires_grad_(True)
    return out


def _batch_ig(module: Any, windows: list[list[int]], special: tuple[int, int, int], n_steps: int
              ) -> list[tuple[np.ndarray, np.ndarray]]:
    import torch

    head, tail, pad = special
    width = max(len(ids) for ids in windows) + 2
    full = torch.full((len(windows), width), pad, dtype=torch.long)
    base = torch.full((len(windows), width), pad, dtype=torch.long)
    mask = torch.zeros((len(windows), width), dtype=torch.long)
    for row, ids in enumerate(windows):
        full[row, :len(ids) + 2] = torch.tensor([head, *ids, tail])
        base[row, 0], base[row, len(ids) + 1] = head, tail
        mask[row, :len(ids) + 2] = 1
    emb_layer = module.get_input_embeddings()
    with torch.no_grad():
        e, b = emb_layer(full), emb_layer(base)  # (n, width, d)
    alphas = (torch.arange(n_steps, dtype=e.dtype) + 0.5) / n_steps if n_steps > 1 else torch.ones(1)
    # (n * steps, width, d): window-major, each window's path points together
    path = (b[:, None] + alphas[None, :, None, None] * (e - b)[:, None]).reshape(-1, width, e.shape[-1])
    path = path.detach().requires_grad_(True)
    out = module(inputs_embeds=path, attention_mask=mask.repeat_interleave(len(alphas), dim=0)).logits
    n_labels = out.shape[1]
    grad_out = torch.eye(n_labels, dtype=out.dtype)[:, None, :].expand(n_labels, *out.shape)
    (grads,) = torch.autograd.grad(out, path, grad_outputs=grad_out, is_grads_batched=True)
    grads = grads.reshape(n_labels, len(windows), len(alphas), width, -1).mean(dim=2)
    if n_steps > 1:
        with torch.no_grad():
            logits = module(input_ids=full, attention_mask=mask).logits
    else:
        logits = out
    contrib = ((e - b)[None] * grads).sum(-1)  # (labels, n, width)
    return [(contrib[:, row, 1:len(ids) + 1].T.detach().numpy().astype(float),
             logits[row].detach().float().numpy()) for row, ids in enumerate(windows)]


def transformer_word_attributions(model: Any, text: str, words: list[Word], n_steps: int = DEFAULT_STEPS) -> np.ndarray:
    """Per-word IG attributions ``(n_words, 6)`` in logit units for a :class:`TransformerModel`."""
    return transformer_word_attributions_many(model, [text], [words], n_steps)[0]


def transformer_word_attributions_many(model: Any, texts: list[str], words: list[list[Word]],
                                       n_steps: int = DEFAULT_STEPS) -> list[np.ndarray]:
    """:func:`transformer_word_attributions` of many texts: one tokenizer call, and the windows
    of all texts batched by length (:func:`windows_ig`)."""
    import torch

    tok = model.tokenizer
    encs = encode(tok, texts)
    jobs = [(i, s, e) for i, enc in enumerate(encs)
            for s, e in window_ranges(len(enc.ids), model.max_length, model.overlap)]
    module = torch_module(model)
    configure_torch()
    with torch.enable_grad():
        results = windows_ig(module, [encs[i].ids[s:e] for i, s, e in jobs], special_ids(tok), n_steps)
    best: list[tuple[np.ndarray, np.ndarray] | None] = [None] * len(texts)  # (logits, chars)
    for (i, s, e), (attrs, logits) in zip(jobs, results):
        chars = np.zeros((len(texts[i]) + 1, attrs.shape[1]))
        for (cs, ce), a in zip(encs[i].offsets[s:e], attrs):
            if ce > cs:
                chars[cs:ce] += a / (ce - cs)
        if best[i] is None:
            best[i] = (logits, chars)
        else:  # per label, keep the window that gives the (max-pooled) score
            best_logit, char = best[i]
            better = logits > best_logit
            char[:, better] = chars[:, better]
            best[i] = (np.maximum(best_logit, logits), char)
    return [np.zeros((len(w), 6)) if found is None else sum_chars_to_words(found[1][:len(t)], w)
            for t, w, found in zip(texts, words, best)]
