"""The guards (cleanspeech.rewrite.guards) and the plain forms (cleanspeech.rewrite.plain); most
cases were found in ParaDetox dev rewrites once the edit tagger decoded at more thresholds. The
guards are asserted by the kind of rejection they return, never by its wording."""

import pytest

from cleanspeech.rewrite.candidate import Candidate, RejectionKind as K, Source, Tier
from cleanspeech.rewrite.guards import fluency_problem, lost_modals, lost_negations, rejection, screen
from cleanspeech.rewrite.plain import request_templates, say_plainly, templates_for


def kind(original, candidate):
    problem = fluency_problem(original, candidate)
    return problem.kind if problem else None


@pytest.mark.parametrize("original, candidate", [
    ('Calling someone a "faggot" is homophobic and you should stop.', "Calling someone is and you should stop."),
    ("i think he is a complete coward and a disgrace .", "i think he is and a disgrace ."),
    ("you 're a fucking idiot .", "you 're ."),
    ("macfly was the shit ! ! ! lol", "macfly was ! ! ! lol"),
    ("his order is screwed , and his plans fail .", "his order is , and his plans fail ."),  # a comma ends it too
])
def test_a_copula_left_without_its_complement_is_broken(original, candidate):
    assert kind(original, candidate) is K.COPULA_CUT
    assert fluency_problem(original, candidate).broken


@pytest.mark.parametrize("original, candidate", [
    ("you are fucking stupid and lazy", "you are stupid and lazy"),
    ("it is what it is", "it is what it is"),  # ends on "is" in the original too
    ("the firearm was a fucking * musket * .", "the firearm was * musket * ."),  # not a clause end
])
def test_a_copula_before_more_of_the_sentence_is_fine(original, candidate):
    assert fluency_problem(original, candidate) is None


def test_a_contraction_losing_its_apostrophe_is_broken():
    original = "the coworker 's an ass , but serving alcohol is part of the job ."
    assert kind(original, "the coworker s , but serving alcohol is part of the job .") is K.CONTRACTION_CUT
    assert kind("it wasn ' t fucking fair", "it wasn ' fair") is K.CONTRACTION_CUT


@pytest.mark.parametrize("text, first", [
    ("lol shut the fuck up .", "Please stop talking."),
    ("Shut up you stupid fucking loser.", "Please stop talking."),
    ("stfu", "Please stop talking."),
    ("fuck off", "Please go away."),
    ("get the hell out", "Please go away."),
])
def test_a_dismissal_keeps_its_request(text, first):
    assert request_templates(text)[0] == first
    assert templates_for(text, threat=False) == request_templates(text)  # no statement of dislike
    assert templates_for(text, threat=True)[0].startswith("I am very angry")  # a threat stays a threat


def test_other_comments_get_no_request():
    for text in ["you are a fucking idiot", "this shitty edit", "he shut the door", "the show is up next"]:
        assert request_templates(text) == [], text
    assert templates_for("you are a fucking idiot", threat=False) == [
        "I strongly disagree with you.", "I do not like you."]


@pytest.mark.parametrize("original, candidate, why, detail", [
    ("go fuck yourself now", "go yourself now", K.LEFT_WITHOUT_VERB, ("yourself",)),
    ("please and kindly fuck off .", "please and kindly off .", K.LEFT_WITHOUT_VERB, ("off",)),
    ("it would be better for you to go fuck yourself .", "it would be better for you to go .", K.GO_WITHOUT_ACTION, ()),
    ("you 're a god damn fucking idiot .", "you 're a god person .", K.GOD_WITHOUT_DAMN, ()),
    ("you can fuck off or get comfortable", "you can or get comfortable", K.VERB_MISSING_AFTER, ("can",)),
    ("please and kindly fuck off .", "please and kindly .", K.NOTHING_LEFT, ()),
    ("i will curse you to hell .", "i will curse you to .", K.DANGLING_END, ("to",)),
])
def test_a_rude_verb_cut_from_its_phrase_leaves_a_broken_seam(original, candidate, why, detail):
    """Found in ParaDetox dev rewrites: the metric rewarded these (they keep most characters)."""
    problem = fluency_problem(original, candidate)
    assert (problem.kind, problem.detail) == (why, detail) and problem.broken


@pytest.mark.parametrize("original, candidate", [
    ("get the fuck off my facebook ?", "get off my facebook ?"),  # "fuck" was not the verb here
    ("god damn , how does anyone vote for these fuckers ?", "god , how does anyone vote for these people ?"),
    ("yeah he will the fucking bastard .", "yeah he will ."),  # ellipsis, no verb was cut
])
def test_the_same_words_elsewhere_are_fine(original, candidate):
    assert fluency_problem(original, candidate) is None


@pytest.mark.parametrize("text, plain", [
    ("please and kindly fuck off , ricky .", "please and kindly go away , ricky ."),
    ("Go fuck yourself, you know nothing about this.", "Go away, you know nothing about this."),
    ("get the fuck off my facebook ?", "get off my facebook ?"),
    ("shut the fuck up you socialist .", "stop talking you socialist ."),
    ("please shut the fuck up .", None),  # only the request: its template says it better
    ("you are a fucking idiot", None),
])
def test_a_rude_request_inside_a_comment_is_said_plainly(text, plain):
    assert say_plainly(text) == plain


@pytest.mark.parametrize("original, candidate, why, detail", [
    ("this is a really stupid bill .", "this is a really bill .", K.MODIFIER_CUT, ("really",)),
    ("are you so stupid that you cant see this ?", "are you so that you cant see this ?", K.MODIFIER_CUT, ("so",)),
    ("sounds like this guy is nosy as fuck too .", "sounds like this guy is nosy as too .", K.COMPARISON_CUT, ("as",)),
    ("my leg hurts like a bitch .", "my leg hurts like .", K.COMPARISON_CUT, ("like",)),
    ("i dont give a shit about your rules .", "i dont about your rules .", K.IDIOM_CUT, ()),
    ("i clearly don 't give a shit", "i clearly don 't give", K.IDIOM_CUT, ()),
    ("this job is starting to fuck with my ability", "this job is starting to with my ability",
     K.VERB_GONE_BEFORE, ("with",)),
])
def test_a_modifier_or_idiom_cut_from_its_word_is_broken(original, candidate, why, detail):
    """Found in ParaDetox dev rewrites ("this is a really bill ." kept the most characters)."""
    problem = fluency_problem(original, candidate)
    assert (problem.kind, problem.detail) == (why, detail)


@pytest.mark.parametrize("original, candidate", [
    ("that was so fucking good", "that was so good"),  # the cut word only intensified
    ("lol i didn 't start with yo pretty ass eyes", "lol i didn 't start with yo pretty eyes"),
    ("me too bitch .", "me too ."),  # "too" ends a clause
    ("in a way i dont like and ill kick your butt .", "in a way i dont like ."),  # "like" the verb
    ("i dont give a shit about your rules .", "i dont care about your rules ."),
])
def test_modifiers_that_keep_their_word_are_fine(original, candidate):
    assert fluency_problem(original, candidate) is None


@pytest.mark.parametrize("text, plain", [
    ("i dont give a shit about your rules .", "i dont care about your rules ."),
    ("even when he 's right , who gives a fuck ?", "even when he 's right , who cares ?"),
    ("0bama doesn 't give a flying fuck what anyone thinks .", "0bama doesn 't care what anyone thinks ."),
    ("relationships be boring as fuck sometimes smh !", "relationships be boring sometimes smh !"),
    ("my leg hurts like a bitch .", "my leg hurts a lot ."),
    ("i don 't want to fuck up .", "i don 't want to mess up ."),
    ("ptsd can really fuck with a person !", "ptsd can really mess with a person !"),
    ("i will fuck you up", None),  # a threat is not an idiom to soften
])
def test_a_rude_idiom_is_said_plainly(text, plain):
    assert say_plainly(text) == plain


def test_a_dropped_negation_is_reported():
    assert lost_negations("dont be a partisan coward .", "be partisan .") == ["dont"]
    assert lost_negations("i don 't care", "i don't care") == []  # one negation, spelt two ways
    assert lost_negations("i will never forgive that idiot", "i will never forgive that person") == []
    r = rejection("dont be a partisan coward .", "be partisan .")
    assert (r.kind, r.detail) == (K.LOST_NEGATION, ("dont",)) and not r.broken


def test_a_dropped_modal_verb_is_reported():
    """A generator's beam for a sentence the classifier wrongly flagged stated the wish as fact."""
    r = rejection("Gay marriage should be legal.", "Gay marriage is legal.")
    assert (r.kind, r.detail) == (K.LOST_MODALITY, ("should",)) and not r.broken
    assert lost_modals("you should shut the fuck up", "you should be quiet") == []
    assert lost_modals("you could have asked , idiot", "You could have asked.") == []
    assert lost_modals("i think you might be a moron", "I think you are wrong.") == ["might"]


def test_rejections_in_order_identity_negation_fluency_threat():
    r = rejection("The Nazis killed Jews.", "The killed.")
    assert (r.kind, r.detail) == (K.LOST_IDENTITY, ("jews", "nazis"))  # before the broken seam
    assert rejection("i dont hate you", "i hate you").kind is K.LOST_NEGATION
    assert rejection("I will kill you , idiot", "I will kill you", threat=True).kind is K.KEEPS_THREAT
    assert rejection("I will find you and kill you", "I will find you", threat=True).kind is K.THREAT_FRAME
    assert rejection("I will find you and kill you", "I will find you") is None  # not a threat: no guard
    assert rejection("you are a fucking idiot .", "you are wrong .") is None


def test_screen_keeps_order_and_marks_what_it_rejects():
    cands = [Candidate(t, Source.LEXICON, Tier.EDITS) for t in ["you 're .", "you are wrong .", "you 're a ."]]
    kept, rejected = screen("you 're a fucking idiot .", cands)
    assert [c.text for c in kept] == ["you are wrong ."] and kept[0].rejection is None
    assert [c.rejection.kind for c in rejected] == [K.COPULA_CUT, K.DANGLING_DETERMINER]
