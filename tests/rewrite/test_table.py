"""Hand-tried inputs the offline rewriter used to mangle, with the behaviour each must have now.

Where the behaviour is the guards' (identity terms, threats, broken seams, unsupported input),
a keyword stub stands in for the classifier, so each assertion holds whatever a trained model
happens to score; the offline edits alone are used there (``OFFLINE``), so the result does not
depend on whether torch and the shipped edit tagger are installed. Where the point is what the
shipped model does to a comment, the test says so and uses it (``model``).
"""

from __future__ import annotations

import pytest
from stubs import INSULT, KeywordModel

from cleanspeech.language import guess_language
from cleanspeech.rewrite import rewrite_texts
from cleanspeech.rewrite.candidate import Rejection, RejectionKind as K, Source, Template
from cleanspeech.rewrite.guards import fluency_problem, lost_identity_terms
from cleanspeech.rewrite.plain import templates_for

OFFLINE = dict(edit_tagger=None, meaning=None)


def one(model, text, **kw):
    """The result for ``text``, checked against what holds for every result: an edit passes
    the fluency guards (templates are written whole), and a flagged input that comes back
    unedited says why."""
    (res,) = rewrite_texts(model, [text], **kw)
    assert res.original == text
    assert res.rewrite == text or fluency_problem(text, res.rewrite) is None or res.method.startswith("template:")
    assert res.civil or res.rejection is not None
    return res


def stub(*words, labels=INSULT):
    """A classifier that flags exactly ``words`` (as insults unless ``labels`` says otherwise)."""
    return KeywordModel({w: 0.9 for w in words}, labels)


def test_identity_terms_in_a_historical_fact_are_never_erased():
    # the classifier blames "Nazis": every civil edit erases it, so none may be sent
    text = "The Nazis killed millions of Jews in the Holocaust."
    res = one(stub("nazis"), text, **OFFLINE)
    assert (res.rewrite, res.civil) == (text, False)
    assert res.rejection == Rejection(K.LOST_IDENTITY, ("nazis",))


def test_counter_speech_quoting_a_slur_keeps_its_point():
    text = 'Calling someone a "faggot" is homophobic and hurtful.'
    res = one(stub("faggot"), text, **OFFLINE)
    assert (res.rewrite, res.civil) == ("Calling someone a slur is homophobic and hurtful.", True)
    assert (res.candidate.source, res.candidate.label) == (Source.LEXICON, "offline:mention")


def test_no_dangling_possessive(model):
    """The shipped model: the lexicon replaces the insult, the possessive keeps its noun."""
    res = one(model, "Shut up, your mother is a whore.")
    assert (res.rewrite, res.civil) == ("Your mother is wrong.", True)
    assert fluency_problem("Shut up, your mother is a whore.", "You are wrong and your is wrong.").kind \
        is K.DANGLING_DETERMINER


def test_group_generalisation_is_reported_not_rewritten():
    text = "Gay people are disgusting and should not be allowed near children."
    res = one(stub("disgusting"), text)
    assert (res.rewrite, res.civil, res.method) == (text, False, "none")
    assert res.rejection == Rejection(K.GROUP_CLAIM, ("gay",))
    res = one(stub("nothing-here"), text)  # unflagged: the classifier decides, not the rule
    assert (res.rewrite, res.civil, res.method) == (text, True, "unchanged")


@pytest.mark.parametrize("text", ["I will find you and kill you",
                                  "I will find you and kill you, you worthless piece of garbage."])
def test_threat_is_never_sent_as_a_civil_threat(text):
    # flagged as a threat, or only as an insult that names a violent act against the reader
    for model in (stub("kill", labels=("toxic", "threat")), stub("kill", "worthless", "garbage")):
        res = one(model, text, **OFFLINE)
        assert (res.rewrite, res.civil) == ("I am very angry with you.", True)
        assert res.candidate.template is Template.THREAT
    assert fluency_problem(text, "I will find you and you").kind is K.VERB_MISSING_BETWEEN


@pytest.mark.parametrize("text, word, rewrite", [
    ("f*ck you", "f*ck", "I do not like you."),  # nothing but the insult: a template
    ("you are an id1ot", "id1ot", "you are wrong"),  # the lexicon replaces the folded word
])
def test_nothing_deletable_gives_a_template_or_a_replacement(text, word, rewrite):
    res = one(stub(word), text, **OFFLINE)
    assert (res.rewrite, res.civil) == (rewrite, True)
    assert fluency_problem(text, "you").kind is K.NOTHING_LEFT
    assert fluency_problem(text, "you are").kind is K.NOTHING_LEFT


def test_obfuscated_insults_are_matched(model):
    text = "sh1t edit, you m0r0n"
    res = one(model, text)
    assert "m0r0n" not in res.rewrite and "sh1t" not in res.rewrite
    assert "edit" in res.rewrite.lower()


def test_toxic_french_is_not_edited_and_says_why(model):
    # the shipped model does not flag it: the language's insult list does
    text = "Tu es un connard et un imbécile."
    assert guess_language(text) == "fr"
    res = one(model, text)
    assert (res.rewrite, res.civil) == (text, False)
    assert res.rejection == Rejection(K.UNSUPPORTED_LANGUAGE, ("fr",))


def test_clean_german_is_never_edited():
    text = "Danke für die hilfreiche Bearbeitung."
    assert guess_language(text) == "de"
    res = one(stub("nothing-here"), text)
    assert (res.rewrite, res.civil, res.method) == (text, True, "unchanged")
    res = one(stub("danke"), text)  # the English classifier flags it: unedited, and why
    assert (res.rewrite, res.civil) == (text, False)
    assert res.rejection == Rejection(K.UNSUPPORTED_LANGUAGE, ("de",))


def test_clean_french_with_everyday_words_of_an_insult_phrase_is_civil():
    text = "Merci, ta correction de la date est juste."  # "ta" alone is not "ta gueule"
    assert guess_language(text) == "fr"
    res = one(stub("nothing-here"), text)  # only the classifier decides, not the insult list
    assert (res.rewrite, res.civil, res.method) == (text, True, "unchanged")


def test_clean_english_is_never_edited(model):
    for text in ["Thanks for fixing the typo.", "The Holocaust is a well documented part of history."]:
        res = one(model, text)
        assert (res.rewrite, res.method) == (text, "unchanged")


def test_plain_insult_still_rewritten(model):
    res = one(model, "you are a fucking idiot .")
    assert "fucking" not in res.rewrite and "idiot" not in res.rewrite and res.civil


def test_guards_unit():
    assert lost_identity_terms("The Nazis killed Jews.", "The killed.") == ["jews", "nazis"]
    assert fluency_problem("The Nazis killed millions of Jews.", "The killed millions of.").kind is K.DANGLING_DETERMINER
    assert fluency_problem("you are a fucking idiot .", "you are wrong .") is None
    assert fluency_problem("i dont give a shit about this article", "i dont care about this article") is None
    # a seam before a preposition dangles; an ending the original has too does not
    assert fluency_problem("Get the hell out of my thread, loser.", "Get the out of my thread.").kind \
        is K.DANGLING_DETERMINER  # tried by hand: "out" was missing from the closed class
    assert fluency_problem("Get the hell out of my thread, loser.", "Get out of my thread.") is None
    assert fluency_problem("i dont give a shit about your rules .", "i dont give an about your rules .").broken
    assert fluency_problem("yes , it 's fucking depressing is what it is .",
                           "yes , it 's depressing is what it is .") is None
    assert fluency_problem("olly was shit", "olly was").kind is K.COPULA_CUT
    assert fluency_problem("they can fuck themselves too .", "they can themselves too .").kind is K.LEFT_WITHOUT_VERB
    assert fluency_problem("my dad can kick your dad 's ass .", "my dad can your dad 's .").kind \
        is K.VERB_MISSING_BETWEEN
    assert fluency_problem("you 've never seen my ass !", "you ' never seen !").kind is K.CONTRACTION_CUT


def test_guards_reject_remnants_with_no_verb_or_a_lone_particle():
    insult = "Shut up you stupid fucking loser."
    for broken in ["You bad.", "you person", "Up."]:
        assert fluency_problem(insult, broken).kind is K.NOTHING_LEFT, broken
    assert fluency_problem(insult, "Up you bad.").kind is K.LEFT_WITHOUT_VERB
    assert fluency_problem("sh1t edit, you m0r0n", "edit, you person") is None  # "edit" is kept
    assert fluency_problem("please shut the fuck up .", "please up .").kind is K.LEFT_WITHOUT_VERB
    assert fluency_problem("shut up, you are a moron", "up, you are wrong").kind is K.LEFT_WITHOUT_VERB
    for fine in ["please shut up .", "hurry up", "get out", "you are wrong", "you 've never seen !",
                 "why don 't you ? -"]:
        assert fluency_problem("please shut the fuck up , you are a moron who get the fuck out", fine) is None, fine


def test_vocative_insults_and_counter_speech_are_never_sent_broken(model):
    """Found by hand after the table, with the shipped model: the lexicon swapped "stupid fucking
    loser" for "bad" ("You bad."); guided removal took "Shut" from "Shut up" ("Up."); the edit
    tagger cut five words annotators keep from counter-speech ("Calling someone you stop.")."""
    res = one(model, "Shut up you stupid fucking loser.")
    assert (res.rewrite, res.method) == ("Please stop talking.", "template:request")  # the request, kept
    text = 'Calling someone a "faggot" is homophobic and you should stop.'
    res = one(model, text)
    # the shipped model still flags the mention ("a slur ... homophobic"): sent as the best it has
    assert (res.rewrite, res.civil) == ("Calling someone a slur is homophobic and you should stop.", False)
    assert res.rejection.broken  # a civil edit existed, but it cut the sentence


def test_informal_english_is_english():
    # found on the ParaDetox dev split: a few Romance stopwords ("a", "as", "yo") outvoted English
    for text in ['as if colleges give a dick about a "high school record".',
                 "haha don 't get yo ass whoop out here son ! and watchin anger management"]:
        assert guess_language(text) == "en"


def test_only_violence_aimed_at_the_reader_makes_a_threat():
    from cleanspeech.rewrite.pipeline import _threatens_you

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
    assert (res.rewrite, res.method) == ("I am very angry with you.", "template:threat")


def test_a_rude_idiom_keeps_its_meaning(model):
    """Found on the ParaDetox dev split: "don 't give a shit" lost its verb ("i dont about your
    rules .") because the cut kept the most characters; the plain idiom is a candidate now."""
    res = one(model, "i dont give a shit about your rules .")
    assert (res.rewrite, res.civil) == ("i dont care about your rules .", True)


def test_a_short_insult_whose_edits_read_as_broken_gets_a_template():
    """Found by hand: every edit of "you 're a god damn fucking idiot ." left a "god" without
    "damn"; a comment this short has nothing else to keep, so a statement of the feeling serves."""
    text = "you 're a god damn fucking idiot ."
    res = one(stub("damn", "fucking", "idiot"), text, **OFFLINE)
    assert (res.rewrite, res.civil) == ("I do not like you.", True)
    assert res.candidate.template is Template.DISAGREE


def test_a_rude_dismissal_becomes_its_request_not_a_dislike():
    text = "shut yo bitch ass up !"
    assert templates_for(text, threat=False) == ["Please stop talking.", "Please be quiet."]
    res = one(stub("shut", "bitch", "ass"), text, **OFFLINE)  # "shut" flagged: no edit is civil
    assert (res.rewrite, res.civil) == ("Please stop talking.", True)
    assert res.candidate.template is Template.REQUEST



def test_the_same_words_are_not_a_rewrite():
    """Found with the generator: "Jews control the media." without its full stop scored under
    the thresholds and was sent as its civil rewrite."""
    from cleanspeech.rewrite.guards import rejection, same_words

    assert same_words("Jews control the media.", "jews control the media")
    assert not same_words("Jews control the media.", "Jews control the news.")
    assert rejection("Jews control the media.", "Jews control the media").kind is K.SAME_WORDS
