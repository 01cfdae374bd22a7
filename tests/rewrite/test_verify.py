import numpy as np

from cleanspeech.rewrite.candidate import Candidate, Rejection, RejectionKind, Source, Tier
from cleanspeech.rewrite.verify import MEANING_MARGIN, attach_meaning, choose, guided_removals, similarity


def edit(text, tox, civil, label="offline:lexicon", tier=Tier.EDITS, source=Source.LEXICON):
    return Candidate(text, source, tier, label=label, tox=tox, civil=civil)


def test_choose_prefers_first_tier_then_similarity():
    cands = [edit("you are wrong", 0.1, True, "openai", Tier.BACKEND, Source.BACKEND),
             edit("you are a person", 0.1, True),
             edit("you are a", 0.2, True, "offline:lexicon-delete")]
    assert choose("you are a idiot", 0.9, cands).candidate is cands[0]
    r = choose("you are a idiot", 0.9, cands[1:])
    assert r.civil and r.rewrite == "you are a" and r.rejection is None  # the most similar civil candidate


def test_choose_least_toxic_when_none_civil_and_never_worse():
    cands = [edit("a", 0.7, False), edit("b", 0.6, False)]
    r = choose("orig", 0.8, cands)
    assert (r.rewrite, r.civil, r.toxicity_after) == ("b", False, 0.6)
    assert r.rejection.kind is RejectionKind.NOT_CIVIL
    r = choose("orig", 0.5, cands)
    assert (r.rewrite, r.candidate, r.toxicity_after) == ("orig", None, 0.5)


def test_a_guard_that_turned_down_a_civil_candidate_is_the_reason():
    broken = edit("you 're .", 0.1, True)
    broken.rejection = Rejection(RejectionKind.COPULA_CUT, ("re",))
    toxic = edit("you 're an idiot", 0.9, False)
    toxic.rejection = Rejection(RejectionKind.LOST_NEGATION, ("not",))
    r = choose("you 're a fucking idiot .", 0.95, [edit("you 're a idiot .", 0.9, False)], [toxic, broken])
    assert not r.civil and r.rejection is broken.rejection
    r = choose("you 're a fucking idiot .", 0.95, [], [toxic])
    assert r.rejection is toxic.rejection


def test_the_fallback_is_the_rows_whichever_candidate_wins():
    r = choose("orig", 0.9, [edit("fine", 0.1, True, "openai", Tier.BACKEND, Source.BACKEND)], fallback="openai HTTP 500")
    assert r.method == "openai (fallback: openai HTTP 500)"


def test_guided_removal_deletes_the_word_the_classifier_blames(keyword_model):
    start = edit("well you moron , go away", 0.9, False)
    start.fallback = "openai timeout"
    chain = guided_removals(keyword_model.predict_proba, np.full(6, 0.5), start)
    assert chain[-1].civil and "moron" not in chain[-1].text and "go away" in chain[-1].text
    last = chain[-1]
    assert last.guided and (last.source, last.label, last.tier) == (Source.LEXICON, "offline:lexicon", Tier.LAST_RESORT)
    assert last.fallback == "openai timeout"  # made in place of the backend, like its start


def test_similarity_bounds():
    assert similarity("abc", "ABC") == 1.0 and similarity("abc", "xyz") == 0.0


class _FakeMeaning:
    """Embedding cosine stand-in: 1.0 for texts holding "mess", else 0.5; records its calls."""

    def __init__(self):
        self.calls = []

    def similarity(self, sources, outputs):
        self.calls.append(list(outputs))
        return np.array([1.0 if "mess" in o else 0.5 for o in outputs])


def test_meaning_breaks_a_near_tie_in_characters():
    src = "the way the shit clings to the air"
    cands = [edit("the way the clings to the air", 0.1, True, "offline:lexicon-delete"),
             edit("the way the mess clings to the air", 0.1, True)]
    assert choose(src, 0.9, cands).rewrite == "the way the clings to the air"  # characters alone
    fake = _FakeMeaning()
    attach_meaning(fake, [(src, 0.9, cands)])
    assert [c.meaning for c in cands] == [0.5, 1.0]
    assert choose(src, 0.9, cands).rewrite == "the way the mess clings to the air"


def test_meaning_skips_inputs_without_a_choice_and_far_candidates():
    fake = _FakeMeaning()
    one = [edit("you are wrong", 0.1, True),
           edit("you are a mess", 0.9, False)]  # not civil: no choice
    src = "well then you are a total idiot"
    far = [edit("well then you are a total", 0.1, True, "offline:lexicon-delete"),
           edit("well then you are a", 0.1, True, "offline:lexicon-delete"),
           edit("a mess", 0.1, True)]  # under MEANING_MARGIN
    attach_meaning(fake, [("you are a idiot", 0.9, one), (src, 0.9, far)])
    assert fake.calls == [["well then you are a total", "well then you are a"]]
    assert one[0].meaning is None and far[2].meaning is None
    assert similarity(far[2].text, src) < MEANING_MARGIN * similarity(far[0].text, src)
    # a candidate without an embedding cannot win on characters alone against ones with it
    assert choose(src, 0.9, far).rewrite == "well then you are a total"


class TableMeaning:
    """A stand-in encoder: the cosine of each (input, output) pair from a table (0.9 otherwise)."""

    def __init__(self, table):
        self.table = table

    def similarity(self, sources, outputs):
        return np.array([self.table.get(o, 0.9) for o in outputs])


def test_a_civil_candidate_that_says_something_else_is_rejected_for_its_meaning():
    from cleanspeech.rewrite.candidate import Template
    from cleanspeech.rewrite.verify import MEANING_FLOOR, drop_meaning_lost

    src = "i luuuhve yooh ... so FRIKKIN much .."
    far = edit("i have loooong time to do it", 0.05, True, "generator:lora", source=Source.BACKEND)
    near = edit("i luuuhve yooh ... so much ..", 0.1, True)
    tmpl = Candidate("I am very angry with you.", Source.TEMPLATE, Tier.LAST_RESORT, tox=0.01, civil=True,
                     template=Template.THREAT)
    kept, rejected = [far, near, tmpl], []
    table = {far.text: MEANING_FLOOR - 0.2, tmpl.text: 0.05, near.text: 0.05}
    drop_meaning_lost(TableMeaning(table), [(src, kept, rejected)])
    # only written answers are read: an edit keeps the input's words, a template says the feeling
    assert kept == [near, tmpl] and rejected == [far]
    assert far.rejection.kind is RejectionKind.MEANING_LOST and near.meaning is None
    r = choose(src, 0.6, [], rejected)
    assert not r.civil and r.rejection.kind is RejectionKind.MEANING_LOST and r.rewrite == src
