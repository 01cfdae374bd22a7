"""The learned edit tagger: labels from aligned ParaDetox-style pairs, decoding, and its place
among the verified candidates."""

from __future__ import annotations

import numpy as np
import pytest

from cleanspeech.rewrite import rewrite_texts
from cleanspeech.rewrite.edit_tagger import DELETE, KEEP, EditTagger, mine_phrases, token_labels, training_rows
from cleanspeech.rewrite.paradetox import Pair
from cleanspeech.rewrite.tokens import tokenize

PAIRS = [
    Pair("you are a fucking idiot .", ("you are wrong.",)),
    Pair("the garbage that cnn writes is outrageous .", ("the news that cnn writes is outrageous.",)),
    Pair("this stupid garbage again", ("this news again", "this again")),
    Pair("he had steel balls too !", ("he was brave too!",)),
]


def test_labels_from_alignment_keep_delete_and_phrases():
    ids = {"news": 0, "wrong": 1}
    labels = token_labels("the garbage that cnn writes is outrageous .", "the news that cnn writes is outrageous.", ids)
    assert labels == [KEEP, 2 + 0, KEEP, KEEP, KEEP, KEEP, KEEP, KEEP]  # the missing space before "." is no edit
    labels = token_labels("you are a fucking idiot .", "you are wrong.", ids)
    assert labels == [KEEP, KEEP, DELETE, DELETE, 2 + 1, KEEP]  # "a fucking idiot" -> "wrong"
    assert token_labels("he had steel balls too !", "he was brave too!", ids) is None  # "was brave" unknown
    assert token_labels("im not gonna do it", "I'm not going to do it", {"going to": 0}) is not None


def test_phrases_and_rows_skip_pairs_the_vocabulary_cannot_reproduce():
    phrases = mine_phrases(PAIRS, min_count=1)
    assert "news" in phrases and "." not in phrases
    texts, char_labels = training_rows(PAIRS, ["news", "wrong"])
    assert texts == [p.toxic for p in PAIRS[:3]]  # the steel-balls pair needs an unknown phrase
    lab = char_labels[1]
    start = texts[1].index("garbage")
    assert set(lab[start:start + 7]) == {2} and lab[0] == KEEP and len(lab) == len(texts[1])


class FakeTagger:
    """Stands in for the token classifier: fixed label distributions per sub-word."""

    def __init__(self, n_phrases: int, dist):
        self.settings = type("S", (), {"num_labels": 2 + n_phrases})()
        self.dist = dist

    def token_distributions(self, texts):
        out = []
        for text in texts:
            subs = []
            for tok in tokenize(text):
                mid = tok.start + max(1, (tok.end - tok.start) // 2)
                for s, e in ((tok.start, mid), (mid, tok.end)):  # two sub-words per token
                    if e > s:
                        subs.append((s, e, np.asarray(self.dist(tok.text.lower()), dtype=float)))
            out.append(subs)
        return out


def _dist(word):
    return {"fucking": [0.1, 0.9, 0.0], "idiot": [0.35, 0.05, 0.6], "stupid": [0.75, 0.25, 0.0]}.get(word, [1, 0, 0])


def test_candidates_edit_more_as_the_threshold_falls():
    tagger = EditTagger(FakeTagger(1, _dist), ["wrong"])
    (cands,) = tagger.candidates(["you are a fucking idiot and stupid"], thresholds=(0.8, 0.5, 0.2))
    assert cands == [("edit-tagger@0.8", "you are an idiot and stupid"),  # "a" -> "an" by the clean-up
                     ("edit-tagger@0.5", "you are a wrong and stupid"),
                     ("edit-tagger@0.2", "you are a wrong and")]
    with pytest.raises(ValueError, match="labels"):
        EditTagger(FakeTagger(2, _dist), ["wrong"])


def _contractions(word):
    return {"ve": [0.1, 0.9, 0.0], "can": [0.1, 0.9, 0.0], "ass": [0.1, 0.9, 0.0]}.get(word, [1, 0, 0])


def test_contractions_are_never_cut_in_two():
    # found on ParaDetox dev: deleting "ve" alone left "you ' never seen", deleting "can" left "'t"
    tagger = EditTagger(FakeTagger(1, _contractions), ["wrong"])
    (cands,) = tagger.candidates(["you 've never seen my ass !"], thresholds=(0.5,))
    assert cands == [("edit-tagger@0.5", "you 've never seen my !")]
    (cands,) = tagger.candidates(["you can 't just sit there"], thresholds=(0.5,))
    assert cands == [("edit-tagger@0.5", "you just sit there")]


def test_tagger_candidates_are_verified_like_any_other(keyword_model):
    from cleanspeech.rewrite.offline import OfflineRewriter

    tagger = EditTagger(FakeTagger(1, _dist), ["wrong"])
    text = "you are a fucking idiot"
    assert [c for _, c in tagger.candidates([text])[0]] == ["you are an idiot", "you are a wrong"]
    # the tagger's are the only edits: the classifier turns down the first, the second wins
    (res,) = rewrite_texts(keyword_model, [text], edit_tagger=tagger, offline=OfflineRewriter(levels=()),
                           guided_steps=0, meaning=None)
    assert (res.rewrite, res.civil, res.method) == ("you are a wrong", True, "edit-tagger@0.6")


def _clause_cutter(word):
    """Deletes everything after the first two words: a tagger that learned to cut clauses."""
    keep = {"calling", "someone"}
    return [1, 0, 0] if word in keep else [0.0, 1.0, 0.0]


def test_candidates_that_drop_words_annotators_keep_are_discarded(model):
    from cleanspeech.rewrite.offline import OfflineRewriter

    text = 'Calling someone a "faggot" is homophobic and hurtful.'
    offline = OfflineRewriter()
    assert offline.kept_words_removed(text, "Calling someone.") == ["homophobic", "hurtful"]
    assert offline.kept_words_removed("sh1t edit, you m0r0n", "edit, you") == []  # only the insults went
    tagger = EditTagger(FakeTagger(1, _clause_cutter), ["wrong"])
    assert any(c.startswith("Calling someone") and "homophobic" not in c for _, c in tagger.candidates([text])[0])
    (res,) = rewrite_texts(model, [text], edit_tagger=tagger)
    assert not res.method.startswith("edit-tagger") and "homophobic" in res.rewrite
