from cleanspeech.rewrite.phrases import copula_wrong, merge_deletions, with_particles
from cleanspeech.rewrite.tokens import tokenize


def test_particle_follows_its_deleted_verb():
    toks = tokenize("shut up , please")
    assert with_particles(toks, [(0, 1, "")], {"shut up"}) == [(0, 2, "")]
    assert with_particles(toks, [(0, 1, "")], set()) == [(0, 1, "")]


def test_deletions_separated_by_function_words_merge():
    toks = tokenize("you worthless piece of garbage .")
    assert merge_deletions(toks, [(1, 2, ""), (2, 3, ""), (4, 5, "")]) == [(1, 5, "")]
    assert merge_deletions(toks, [(1, 2, ""), (4, 5, "")]) == [(1, 2, ""), (4, 5, "")]


def test_insult_after_copula_becomes_wrong():
    toks = tokenize("you are a disgusting idiot .")
    assert copula_wrong(toks, [(3, 4, ""), (4, 5, "person")]) == [(2, 5, "wrong")]
    toks = tokenize("the stupid dems cheered")
    assert copula_wrong(toks, [(1, 2, "")]) == [(1, 2, "")]  # not a predicate: unchanged
