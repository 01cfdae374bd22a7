"""Issue 14's table: each hand-tried input the offline rewriter used to mangle, with the behaviour
it must have now. Run with the shared real classifier (``model``: the shipped linear model, or
one fitted on the fixture); the assertions hold whatever that classifier scores, because they
test the guards, not the classifier: a result is either a civil rewrite that passes them, or
``civil=False`` with a reason."""

from __future__ import annotations

import re

import numpy as np
import pytest

from cleanspeech.rewrite import rewrite_texts
from cleanspeech.rewrite.guards import fluency_problem, lost_identity_terms
from cleanspeech.rewrite.result import civil_mask
from cleanspeech.language import guess_language


def one(model, text):
    (res,) = rewrite_texts(model, [text])
    assert res.original == text
    if res.rewrite != text:
        assert fluency_problem(text, res.rewrite) is None or res.method.startswith("template:")
    if not res.civil and res.rewrite == text and res.method != "unchanged":
        assert res.reason  # a flagged input that comes back unedited says why
    return res


def test_identity_terms_in_a_historical_fact_are_never_erased(model):
    text = "The Nazis killed millions of Jews in the Holocaust."
    res = one(model, text)
    assert "Nazis" in res.rewrite and "Jews" in res.rewrite and "killed" in res.rewrite
    if res.civil is False:
        assert res.reason


def test_counter_speech_quoting_a_slur_keeps_its_point(model):
    text = 'Calling someone a "faggot" is homophobic and hurtful.'
    res = one(model, text)
    assert "faggot" not in res.rewrite or not res.civil
    assert "homophobic" in res.rewrite and " an is " not in res.rewrite
    from cleanspeech.rewrite.offline import OfflineRewriter

    assert ("offline:mention", "Calling someone a slur is homophobic and hurtful.") in \
        OfflineRewriter().candidates(text)


def test_no_dangling_possessive(model):
    res = one(model, "Shut up, your mother is a whore.")
    assert "whore" not in res.rewrite
    assert not re.search(r"\byour (?:is|are)\b", res.rewrite, re.IGNORECASE)
    assert fluency_problem("Shut up, your mother is a whore.", "You are wrong and your is wrong.")


def test_group_generalisation_is_reported_not_rewritten(model):
    text = "Gay people are disgusting and should not be allowed near children."
    res = one(model, text)
    if res.toxicity_before >= 0 and res.method != "unchanged":  # flagged by the classifier
        assert res.civil is False and res.rewrite == text
        assert "gay" in res.reason and "group" in res.reason
    assert "Gay" in res.rewrite


def test_threat_is_never_sent_as_a_civil_threat(model):
    text = "I will find you and kill you"
    res = one(model, text)
    assert res.rewrite != "I will find you and you"
    assert "kill" not in res.rewrite or not res.civil
    if res.civil:
        assert res.method == "template:threat" and res.reason
    else:
        assert res.reason
    assert fluency_problem(text, "I will find you and you")


@pytest.mark.parametrize("text,gone", [("f*ck you", "f*ck"), ("you are an id1ot", "id1ot")])
def test_nothing_deletable_gives_a_template_or_a_reason(model, text, gone):
    res = one(model, text)
    assert gone not in res.rewrite
    assert res.rewrite.strip() not in ("you", "you are")
    assert res.civil or res.reason
    assert fluency_problem(text, "you") and fluency_problem(text, "you are")


def test_obfuscated_insults_are_matched(model):
    text = "sh1t edit, you m0r0n"
    res = one(model, text)
    assert "m0r0n" not in res.rewrite and "sh1t" not in res.rewrite
    assert "edit" in res.rewrite.lower()


def test_toxic_french_is_not_edited_and_says_why(model):
    text = "Tu es un connard et un imbécile."
    assert guess_language(text) == "fr"
    res = one(model, text)
    assert res.rewrite == text and res.civil is False
    assert "language not supported" in res.reason


def test_clean_german_is_never_edited(model):
    text = "Danke für die hilfreiche Bearbeitung."
    assert guess_language(text) == "de"
    res = one(model, text)
    assert res.rewrite == text
    if not res.civil:  # the English classifier flagged it: unedited, with the reason
        assert "language not supported" in res.reason


def test_clean_french_with_everyday_words_of_an_insult_phrase_is_civil(model):
    text = "Merci, ta correction de la date est juste."  # "ta" alone is not "ta gueule"
    assert guess_language(text) == "fr"
    res = one(model, text)
    assert res.rewrite == text
    flagged = not civil_mask(np.asarray(model.predict_proba([text])), np.asarray(model.thresholds))[0]
    assert res.civil is not flagged  # only the classifier decides, not the insult list


def test_clean_english_is_never_edited(model):
    for text in ["Thanks for fixing the typo.", "The Holocaust is a well documented part of history."]:
        res = one(model, text)
        assert res.rewrite == text


def test_plain_insult_still_rewritten(model):
    res = one(model, "you are a fucking idiot .")
    assert "fucking" not in res.rewrite and "idiot" not in res.rewrite


def test_guards_unit():
    assert lost_identity_terms("The Nazis killed Jews.", "The killed.") == ["jews", "nazis"]
    assert fluency_problem("The Nazis killed millions of Jews.", "The killed millions of.")
    assert fluency_problem("you are a fucking idiot .", "you are wrong .") is None
    assert fluency_problem("i dont give a shit about this article", "i dont care about this article") is None
    # a seam before a preposition dangles; an ending the original has too does not
    assert fluency_problem("i dont give a shit about your rules .", "i dont give an about your rules .")
    assert fluency_problem("yes , it 's fucking depressing is what it is .",
                           "yes , it 's depressing is what it is .") is None
    assert fluency_problem("olly was shit", "olly was")
    assert fluency_problem("they can fuck themselves too .", "they can themselves too .")
    assert fluency_problem("my dad can kick your dad 's ass .", "my dad can your dad 's .")
    assert fluency_problem("you 've never seen my ass !", "you ' never seen !")


def test_guards_reject_remnants_with_no_verb_or_a_lone_particle():
    insult = "Shut up you stupid fucking loser."
    for broken in ["You bad.", "you person", "Up."]:
        assert "nothing civil is left" in fluency_problem(insult, broken), broken
    assert "without its verb" in fluency_problem(insult, "Up you bad.")
    assert fluency_problem("sh1t edit, you m0r0n", "edit, you person") is None  # "edit" is kept
    assert "without its verb" in fluency_problem("please shut the fuck up .", "please up .")
    assert "without its verb" in fluency_problem("shut up, you are a moron", "up, you are wrong")
    for fine in ["please shut up .", "hurry up", "get out", "you are wrong", "you 've never seen !",
                 "why don 't you ? -"]:
        assert fluency_problem("please shut the fuck up , you are a moron who get the fuck out", fine) is None, fine


def test_vocative_insults_and_counter_speech_are_never_sent_broken(model):
    """Found by hand after the table: the lexicon swapped "stupid fucking loser" for "bad"
    ("You bad."); guided removal took "Shut" from "Shut up" ("Up."); the edit tagger cut five
    words annotators keep from counter-speech ("Calling someone you stop.")."""
    res = one(model, "Shut up you stupid fucking loser.")  # one() checks the fluency guards
    assert res.rewrite.lower().strip(" .") not in {"you bad", "up you bad", "up"}
    assert (res.rewrite, res.method) == ("Please stop talking.", "template:request")  # the request, kept
    res = one(model, 'Calling someone a "faggot" is homophobic and you should stop.')
    assert "homophobic" in res.rewrite and "faggot" not in res.rewrite or not res.civil


def test_informal_english_is_english():
    # found on the ParaDetox dev split: a few Romance stopwords ("a", "as", "yo") outvoted English
    for text in ['as if colleges give a dick about a "high school record".',
                 "haha don 't get yo ass whoop out here son ! and watchin anger management"]:
        assert guess_language(text) == "en"


def test_only_violence_aimed_at_the_reader_makes_a_threat():
    from cleanspeech.rewrite.api import _threatens_you

    assert _threatens_you("I will find you and kill you, you worthless piece of garbage.", civil=False)
    assert _threatens_you("i'm gonna beat the crap out of you", civil=False)
    assert not _threatens_you("the truth hurts when you 're constantly trying to spin shit .", civil=False)
    assert not _threatens_you("are you so stupid that you cant see this is about stealing gas ?", civil=False)
    assert not _threatens_you("I will find you and kill you", civil=True)  # unflagged: the classifier decides


@pytest.fixture(scope="module")
def default_model():
    from cleanspeech.models import load_model

    return load_model("default")


def test_a_threat_minus_its_violent_words_is_not_sent(default_model):
    # the demo's showcase: with `default`, the edit tagger deletes "and kill you, you worthless
    # piece of garbage" and leaves "I will find you." -- the frame of the threat, read as civil
    text = "I will find you and kill you, you worthless piece of garbage."
    res = one(default_model, text)
    assert not res.rewrite.startswith("I will find you")
    assert (res.civil and res.method == "template:threat") or (not res.civil and res.reason)


def test_a_rude_idiom_keeps_its_meaning(model):
    """Found on the ParaDetox dev split: "don 't give a shit" lost its verb ("i dont about your
    rules .") because the cut kept the most characters; the plain idiom is a candidate now."""
    res = one(model, "i dont give a shit about your rules .")
    assert "shit" not in res.rewrite or not res.civil
    if res.civil:
        assert "care" in res.rewrite and "dont" in res.rewrite


def test_a_short_insult_whose_edits_read_as_broken_gets_a_template(model):
    """Found by hand: every edit of "you 're a god damn fucking idiot ." left a "god" without
    "damn"; a comment this short has nothing else to keep, so a statement of the feeling serves."""
    res = one(model, "you 're a god damn fucking idiot .")
    assert res.civil is False or res.method.startswith("template:") or fluency_problem(res.original, res.rewrite) is None
    if res.method.startswith("template:"):
        assert res.rewrite in ("I strongly disagree with you.", "I do not like you.")


def test_a_rude_dismissal_becomes_its_request_not_a_dislike(model):
    res = one(model, "shut yo bitch ass up !")
    if res.method.startswith("template:"):
        assert res.rewrite in ("Please stop talking.", "Please be quiet.")
