"""Overlapping token windows over long texts: the one windowing scheme of every transformer stage.

The classifier (:meth:`TransformerModel.windows`), Integrated Gradients
(:mod:`cleanspeech.explain.gradients`) and the span tagger (:mod:`cleanspeech.explain.tagger`)
all cut a text's sub-word tokens the same way: windows of ``max_length - 2`` body tokens (room for
the special tokens), consecutive windows sharing ``overlap`` tokens, the last one ending at the
last token. A text is tokenised once, with character offsets, so a window's text is a slice of the
original string (``window_text``) rather than a decode of its ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Encoded:
    """One text's body tokens (no special tokens) and their ``[start, end)`` character offsets."""

    ids: list[int]
    offsets: list[tuple[int, int]]


def window_ranges(n_tokens: int, max_length: int, overlap: int) -> list[tuple[int, int]]:
    """``[start, end)`` body-token ranges covering ``n_tokens`` tokens (one, maybe empty, if short).

    Same windows as Hugging Face's ``return_overflowing_tokens`` with ``stride=overlap``: starts
    every ``max_length - 2 - overlap`` tokens until a window reaches the end.
    """
    body = max_length - 2
    if n_tokens <= body:
        return [(0, n_tokens)]
    step = max(1, body - overlap)
    return [(s, min(s + body, n_tokens)) for s in range(0, max(1, n_tokens - overlap), step)]


def special_ids(tokenizer: Any) -> tuple[int, int, int]:
    """``(head, tail, pad)`` token ids: CLS/SEP (BERT-like) or BOS/EOS (RoBERTa-like), pad or 0."""
    head = tokenizer.cls_token_id if tokenizer.cls_token_id is not None else tokenizer.bos_token_id
    tail = tokenizer.sep_token_id if tokenizer.sep_token_id is not None else tokenizer.eos_token_id
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    return head, tail, pad


def encode(tokenizer: Any, texts: Sequence[str]) -> list[Encoded]:
    """Tokenise ``texts`` once, without special tokens or truncation, keeping character offsets."""
    if not texts:
        return []
    enc = tokenizer(list(texts), add_special_tokens=False, truncation=False,
                    return_offsets_mapping=True, verbose=False)
    return [Encoded(list(ids), [tuple(o) for o in offs])
            for ids, offs in zip(enc["input_ids"], enc["offset_mapping"])]


def window_text(text: str, enc: Encoded, start: int, end: int) -> str:
    """The slice of ``text`` spanned by body tokens ``[start, end)`` (``""`` for an empty window)."""
    if end <= start:
        return ""
    return text[enc.offsets[start][0]:enc.offsets[end - 1][1]]


def with_specials(ids: Sequence[int], tokenizer: Any) -> list[int]:
    """``[head] + ids + [tail]``."""
    head, tail, _ = special_ids(tokenizer)
    return [head, *ids, tail]
