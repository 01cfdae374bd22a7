"""The edge: ``method`` and ``reason`` are rendered from the typed state, and these strings are
the output's contract (CSV columns, the HTTP API, the demo), so they are pinned here, once."""

from __future__ import annotations

import pytest

from cleanspeech.rewrite.candidate import Candidate, Rejection, RejectionKind as K, Source, Template, Tier
from cleanspeech.rewrite.result import RewriteResult, method_text, reason_text


@pytest.mark.parametrize("cand, method", [
    (Candidate("x", Source.LEXICON, Tier.EDITS, label="offline:lexicon-strict"), "offline:lexicon-strict"),
    (Candidate("x", Source.PLAIN, Tier.EDITS), "plain"),
    (Candidate("x", Source.PLAIN, Tier.EDITS, label="offline:lexicon"), "plain+offline:lexicon"),
    (Candidate("x", Source.PLAIN, Tier.LAST_RESORT, label="offline:lexicon", guided=True), "plain+guided"),
    (Candidate("x", Source.EDIT_TAGGER, Tier.LAST_RESORT, label="edit-tagger@0.5", guided=True),
     "edit-tagger@0.5+guided"),
    (Candidate("x", Source.BACKEND, Tier.BACKEND, label="openai"), "openai"),
    (Candidate("x", Source.TEMPLATE, Tier.LAST_RESORT, template=Template.REQUEST), "template:request"),
])
def test_method_labels(cand, method):
    assert method_text(cand) == method


def test_result_methods_carry_the_rows_fallback():
    edit = Candidate("you are wrong", Source.LEXICON, Tier.EDITS, label="offline:lexicon", tox=0.1, civil=True)
    assert RewriteResult.chosen("o", 0.9, edit, True, fallback="openai HTTP 500").method == \
        "offline:lexicon (fallback: openai HTTP 500)"
    assert RewriteResult.chosen("o", 0.9, None, False, Rejection(K.NOT_CIVIL), "openai timeout").method == \
        "none (fallback: openai timeout)"
    assert RewriteResult.unchanged("o", 0.1, "gemini has no API key").method == "unchanged (fallback: gemini has no API key)"
    assert RewriteResult.unchanged("o", 0.1).method == "unchanged"


@pytest.mark.parametrize("why, reason", [
    (Rejection(K.LOST_IDENTITY, ("jews", "nazis")),
     'cannot be made civil: it reads as civil only without the identity terms "jews", "nazis"'),
    (Rejection(K.LOST_NEGATION, ("dont",)), 'cannot be made civil: the candidate drops the negation "dont"'),
    (Rejection(K.LOST_MODALITY, ("should",)), 'cannot be made civil: the candidate drops the modal verb "should"'),
    (Rejection(K.NOTHING_LEFT), "cannot be made civil: the candidate edits read as broken (nothing civil is left "
                                "once the offensive words are removed)"),
    (Rejection(K.NOTHING_LEFT, ("you bad",)), "cannot be made civil: the candidate edits read as broken (nothing "
                                              'civil is left once the offensive words are removed ("you bad" has no verb))'),
    (Rejection(K.VERB_MISSING_BETWEEN, ("and", "you")),
     'cannot be made civil: the candidate edits read as broken (a verb is missing between "and" and "you")'),
    (Rejection(K.KEEPS_THREAT), "cannot be made civil: every edit still carries the threat"),
    (Rejection(K.THREAT_FRAME), "cannot be made civil: removing the violent words leaves the rest of the threat"),
    (Rejection(K.NOT_CIVIL), "cannot be made civil: no candidate is under every threshold"),
    (Rejection(K.GROUP_CLAIM, ("gay",)), 'cannot be made civil: it makes a claim about "gay" as a group; removing '
                                         "words would either erase the group or keep the claim"),
    (Rejection(K.UNSUPPORTED_LANGUAGE, ("fr",)), "language not supported (fr): the rewriter only edits English"),
])
def test_reasons(why, reason):
    assert reason_text(why) == reason


def test_every_kind_renders():
    for kind in K:
        assert reason_text(Rejection(kind, ("w", "v"))).strip()


def test_a_template_says_what_it_did_and_the_typed_state_is_not_serialised():
    tmpl = Candidate("Please go away.", Source.TEMPLATE, Tier.LAST_RESORT, template=Template.REQUEST, tox=0.05,
                     civil=True)
    res = RewriteResult.chosen("fuck off", 0.99, tmpl, True)
    assert (res.reason, res.candidate) == ("the dismissal is replaced by a polite request", tmpl)
    assert res.to_dict() == {"original": "fuck off", "rewrite": "Please go away.", "toxicity_before": 0.99,
                             "toxicity_after": 0.05, "method": "template:request", "civil": True,
                             "reason": "the dismissal is replaced by a polite request"}
