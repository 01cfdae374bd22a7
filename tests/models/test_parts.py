"""A comment is as toxic as its most toxic part: the worst sentence is scored alone too."""

from __future__ import annotations

import numpy as np

from cleanspeech.labels import LABEL2ID, LABELS
from cleanspeech.models.base import ToxicityModel
from cleanspeech.models.parts import heaviest_parts, sentences, worst_parts


def worst_part(text, strong):
    """The heaviest part alone (the screen with a budget of one), or None."""
    found = heaviest_parts(text, strong)
    return found[0] if found else None

POLITE = ("Thanks for taking the time to look at the article yesterday. I hope the rest of your week "
          "goes well. The references in the second section were very helpful. ")
ABUSE = "You are a worthless fucking idiot and I will kill you."


class Diluting(ToxicityModel):
    """A stand-in that dilutes like TF-IDF: threat = share of words that are 'kill'."""

    def predict_proba(self, texts):
        out = np.zeros((len(texts), len(LABELS)))
        for i, t in enumerate(texts):
            words = t.lower().split()
            out[i, LABEL2ID["threat"]] = sum(w.strip(".") == "kill" for w in words) / max(1, len(words)) * 10
        return np.clip(out, 0, 1)

    def strong_terms(self):
        return {"kill": 2.0}


def test_sentences_are_found_with_their_offsets():
    text = "Hello there.  How are you?\nFine!!! ok"
    assert [text[s:e] for s, e in sentences(text)] == ["Hello there.", "How are you?", "Fine!!!", "ok"]
    assert sentences("   ") == []


def test_the_worst_part_is_the_sentence_with_most_strong_terms():
    text = POLITE + ABUSE + " " + POLITE
    s, e = worst_part(text, {"kill": 2.0, "idiot": 1.5})
    assert text[s:e] == ABUSE
    assert worst_part(ABUSE, {"kill": 2.0}) is None  # one sentence: nothing more to score
    assert worst_part(POLITE, {"kill": 2.0}) is None  # no strong term
    # weights, not counts: one threat outweighs two mild words
    mild = "What the hell, what the hell. I will kill you."
    s, e = worst_part(mild, {"hell": 1.0, "kill": 3.0})
    assert mild[s:e] == "I will kill you."


def test_the_worst_part_is_scored_alone_where_there_is_one():
    model = Diluting()
    text = POLITE * 5 + ABUSE + " " + POLITE * 5
    assert model.predict_proba([text])[0, LABEL2ID["threat"]] < 0.2  # diluted whole
    spans, scores = worst_parts(model.strong_terms(), model.predict_proba, [text, ABUSE, POLITE])
    assert text[spans[0][0]:spans[0][1]] == ABUSE and spans[1:] == [None, None]
    np.testing.assert_allclose(scores[0], model.predict_proba([ABUSE])[0])
    assert not scores[1:].any()


def test_no_strong_terms_means_no_part():
    spans, scores = worst_parts({}, Diluting().predict_proba, [POLITE + ABUSE])
    assert spans == [None] and not scores.any()


def test_linear_strong_terms_come_from_its_weights(tiny_linear):
    strong = tiny_linear.strong_terms()
    assert strong and all(" " not in w and weight >= 1.0 for w, weight in strong.items())


def test_a_run_on_sentence_is_read_in_word_windows():
    from cleanspeech.models.parts import MAX_PART_WORDS, parts_of

    run_on = " ".join(f"word{i}" for i in range(70)) + " you are an idiot " + " ".join(f"more{i}" for i in range(70))
    parts = parts_of(run_on + ". Thanks.")
    assert all(len(run_on[s:e].split()) <= MAX_PART_WORDS for s, e in parts[:-1])
    assert [run_on[s:e] for s, e in parts][0].startswith("word0") and parts[-1] != parts[-2]
    s, e = worst_part(run_on, {"idiot": 2.0})
    assert "idiot" in run_on[s:e] and len(run_on[s:e].split()) <= MAX_PART_WORDS
    # one long sentence is several parts now: a slur inside it is scored with 30 words, not 144
    spans, scores = worst_parts({"kill": 2.0}, Diluting().predict_proba, [run_on.replace("idiot", "kill")])
    assert spans[0] is not None and scores[0, LABEL2ID["threat"]] > 0.2


def test_two_heaviest_parts_are_scored_and_the_worst_one_is_reported():
    # the screen ranks "hell" (a mild word with a big weight here) above the threat; both are scored
    text = "What the hell is this hell. I will kill you. Have a nice day."
    spans, scores = worst_parts({"hell": 3.0, "kill": 2.0}, Diluting().predict_proba, [text])
    assert text[spans[0][0]:spans[0][1]] == "I will kill you."
    np.testing.assert_allclose(scores[0], Diluting().predict_proba(["I will kill you."])[0])
    only_one, _ = worst_parts({"hell": 3.0, "kill": 2.0}, Diluting().predict_proba, [text], top=1)
    assert text[only_one[0][0]:only_one[0][1]] == "What the hell is this hell."
