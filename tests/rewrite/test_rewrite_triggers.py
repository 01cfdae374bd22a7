"""Which inputs the rewriter touches: a civil comment that only holds a word the lexicon triggers
on keeps its words unless an edit makes it clearly less toxic (``lexicon_drop``)."""

from stubs import KeywordModel

from cleanspeech.rewrite import rewrite_texts

NO_EXTRAS = dict(edit_tagger=None, meaning=None, generator=None)
# "gives" is a lexicon trigger (ParaDetox annotators edit it inside "gives a fuck", 127 times);
# in a civil comment nothing about it is toxic to the classifier.
CIVIL_WITH_TRIGGER = "When Obi-Wan gives Luke the lightsaber, at first it is blue."


def test_shipped_default_keeps_a_civil_comment_whose_trigger_word_is_harmless():
    model = KeywordModel({})
    r = rewrite_texts(model, [CIVIL_WITH_TRIGGER], **NO_EXTRAS)[0]
    assert (r.rewrite, r.method, r.civil) == (CIVIL_WITH_TRIGGER, "unchanged", True)


def test_without_the_drop_rule_the_lexicon_edits_it():
    model = KeywordModel({})
    r = rewrite_texts(model, [CIVIL_WITH_TRIGGER], lexicon_drop=0.0, **NO_EXTRAS)[0]
    assert r.rewrite != CIVIL_WITH_TRIGGER  # the behaviour the rule exists to stop
    assert "gives" not in r.rewrite


def test_a_trigger_that_carries_toxicity_is_still_edited():
    # "silly" (a lexicon trigger) scored 0.3: civil at 0.5, yet removing it lowers toxicity
    model = KeywordModel({"silly": 0.3})
    text = "at least read the article before making silly comments"
    r = rewrite_texts(model, [text], **NO_EXTRAS)[0]
    assert r.civil and "silly" not in r.rewrite and r.toxicity_after <= r.toxicity_before - 0.05
