from cleanspeech.rewrite.base import RewriteRequest
from cleanspeech.rewrite.offline import OfflineRewriter


def test_candidates_remove_known_toxic_words_and_keep_the_rest():
    rw = OfflineRewriter()
    cands = dict(rw.candidates("i dont give a shit about this fucking article ."))
    first = cands["offline:lexicon"]
    assert "shit" not in first and "fucking" not in first
    assert "article" in first and first.startswith("i ")
    assert "care" in first  # "give a shit" -> "care" (mined replacement)


def test_masked_profanity_and_triggers():
    rw = OfflineRewriter()
    assert rw.has_known_toxic_terms("what the f***")
    assert rw.has_known_toxic_terms("you fucking liar")
    assert not rw.has_known_toxic_terms("the weather is nice today")
    out = dict(rw.candidates("this is f***ing great"))
    assert all("f***" not in c for c in out.values())


def test_civil_text_gives_no_candidates_and_propose_matches():
    rw = OfflineRewriter()
    assert rw.candidates("thank you for the article .") == []
    props = rw.propose([RewriteRequest("you idiot"), RewriteRequest("hello")])
    assert props[0].candidates and props[1].candidates == [] and props[0].error is None


def test_partial_candidates_keep_words_annotators_only_sometimes_touch():
    from cleanspeech.rewrite.offline import Level

    rw = OfflineRewriter(levels=(Level("lexicon-wide", 0.4),))
    text = "i 'll give you a fucking quarter in a minute ."
    cands = dict((c, m) for m, c in rw.candidates(text))
    assert cands["i 'll you a quarter in a minute ."] == "offline:lexicon-wide"  # "give": rate 0.68
    assert cands["i 'll give you a quarter in a minute ."] == "offline:lexicon-wide-partial"
    assert all("fucking" not in c for c in cands)  # sure edits are in every candidate
