"""The single-comment page's sentences (:mod:`cleanspeech.ui.verdict`): verdict, rewrite
outcome and human phrases for the rewriter's internal method names."""

from __future__ import annotations

import pandas as pd
import pytest

from cleanspeech.labels import LABELS
from cleanspeech.rewrite.result import RewriteResult
from cleanspeech.ui.model_metrics import limitations, operating_point
from cleanspeech.ui.verdict import method_phrase, rewrite_outcome, verdict_text


@pytest.mark.parametrize("method, phrase", [
    ("edit-tagger@0.3", "suggested edit"), ("offline:lexicon-wide", "rude words removed or softened"),
    ("offline:lexicon-strict+guided", "rude words removed or softened"),
    ("template:request", "rephrased"), ("plain", "said plainly"), ("unchanged", ""),
    ("none", ""), ("openai (fallback: timeout)", "rephrased by a language model"),
    ("something-new", "rephrased"),
])
def test_method_phrases_hide_internal_names(method: str, phrase: str) -> None:
    assert method_phrase(method) == phrase


def test_verdict_text() -> None:
    assert verdict_text(["toxic", "insult"]) == "Flagged: toxic, insult"
    assert verdict_text([]) == "Not flagged"


def _result(original, rewrite, civil, method="offline:lexicon-wide", reason=""):
    return RewriteResult(original, rewrite, 0.9, 0.1 if civil else 0.8, method, civil, reason)


def test_unflagged_comment_needs_no_rewrite() -> None:
    outcome = rewrite_outcome(False, None)
    assert outcome.kind == "not_needed" and "no rewrite needed" in outcome.message


def test_flagged_comment_without_a_civil_rewrite_says_so_with_the_reason() -> None:
    text = "Gay marriage should be legal."
    outcome = rewrite_outcome(True, _result(text, text, False, "none", 'cannot be made civil: '
                                            'it reads as civil only without the identity terms "gay"'))
    assert outcome.kind == "not_found" and outcome.text == ""
    assert outcome.message == ('No civil rewrite found: it reads as civil only without the '
                               'identity terms "gay".')
    bare = rewrite_outcome(True, _result(text, text, False, "none"))
    assert bare.message.startswith("No civil rewrite found: ")


def test_civil_rewrite_is_shown_with_a_human_note() -> None:
    outcome = rewrite_outcome(True, _result("shut up", "Please stop talking.", True,
                                            "template:request",
                                            "the dismissal is replaced by a polite request"))
    assert outcome.kind == "rewritten" and outcome.text == "Please stop talking."
    assert outcome.note == "Rephrased; the dismissal is replaced by a polite request"


def test_operating_point_prefers_the_served_models_test_section_at_prevalence() -> None:
    def section(p):
        return {"at_thresholds": {lab: {"precision": p, "recall": 0.4, "flagged": 0.1,
                                        "prevalence": 0.09} for lab in LABELS}}

    metrics = {"dev": {"cascade": {"at_prevalence": section(0.1)}},
               "test": {"linear": {"at_prevalence": section(0.2)},
                        "cascade": {"at_prevalence": section(0.3), "observed": section(0.4)}}}
    name, table = operating_point(metrics, {lab: 0.5 for lab in LABELS}, "cascade")
    assert name == "test.cascade.at_prevalence"
    assert table.columns.tolist() == ["threshold", "precision", "recall", "flagged", "prevalence"]
    assert table["precision"].tolist() == [0.3] * 6 and table.index.tolist() == list(LABELS)
    assert operating_point({"macro_roc_auc": 0.9}, {}, "linear") is None
    notes = limitations({"notes": ["Bag of n-grams."]}, table)
    assert notes[0].startswith("English only") and "Bag of n-grams." in notes
    assert any("recall" in n and "threat (40%)" in n for n in notes)


def test_operating_point_of_the_shipped_models() -> None:
    from cleanspeech.pipeline import Moderator

    for name in ("linear", "default"):
        try:
            moderator = Moderator.load(name)
        except (FileNotFoundError, ImportError):
            continue
        info = moderator.info()
        found = operating_point(info["metrics"], info["thresholds"], info["model_type"])
        assert found is not None, name
        assert "test" in found[0].split(".") and isinstance(found[1], pd.DataFrame)
        assert {"precision", "recall", "prevalence"} <= set(found[1].columns)
