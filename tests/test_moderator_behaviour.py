"""What a moderator expects of the shipped ``default`` model, end to end through ``Moderator``:
abuse does not hide in length, and text the English classifier cannot judge is not flagged for
being unfamiliar."""

from __future__ import annotations

import itertools

import pytest

POLITE = [
    "Thanks for taking the time to look at the article yesterday.",
    "I hope the rest of your week goes well.",
    "The references in the second section were very helpful.",
    "Let me know if you want me to check the formatting too.",
    "I appreciate all the work the editors put into this page.",
]
ABUSE = "You are a worthless fucking idiot and I will kill you."


def polite(n: int) -> str:
    return " ".join(itertools.islice(itertools.cycle(POLITE), n))


@pytest.fixture(scope="module")
def moderator():
    from cleanspeech.pipeline import Moderator

    try:
        return Moderator.load("default")
    except (FileNotFoundError, ImportError) as exc:
        pytest.skip(f"shipped default model unavailable: {exc}")


@pytest.mark.parametrize("k", [1, 25])
def test_a_toxic_sentence_between_polite_ones_keeps_its_labels(moderator, k):
    alone = moderator.moderate(ABUSE)
    assert {"toxic", "threat", "insult"} <= set(alone.labels)
    hidden = moderator.moderate(f"{polite(k)} {ABUSE} {polite(k)}")
    assert set(alone.labels) <= set(hidden.labels)


def test_abuse_in_unpunctuated_run_on_text_is_still_flagged(moderator):
    # no sentence ends: the worst part is a 30-word window (models/parts.py), not the whole text;
    # read as one sentence, only toxic was raised
    run_on = " ".join(s.rstrip(".").lower() for s in itertools.islice(itertools.cycle(POLITE), 12))
    text = f"{run_on} {ABUSE.rstrip('.').lower()} {run_on}"
    res = moderator.moderate(text)
    assert {"toxic", "insult"} <= set(res.labels)
    assert "idiot" in text[res.part[0]:res.part[1]]
    assert moderator.moderate(f"{run_on} {run_on} {run_on}").labels == []


def test_polite_text_of_the_same_length_is_not_flagged(moderator):
    assert moderator.moderate(polite(51)).labels == []


def test_a_toxic_sentence_in_a_long_comment_is_explained_with_its_span(moderator):
    text = f"{polite(25)} {ABUSE} {polite(25)}"
    exp = moderator.explain(text)
    start = text.index(ABUSE)
    assert "threat" in exp.labels
    assert any(start <= s and e <= start + len(ABUSE) for s, e in exp.spans)


@pytest.mark.parametrize("text", [
    "Gracias por tu ayuda, fue muy útil.",
    "Obrigado pela ajuda, foi muito útil.",
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 70,
])
def test_unfamiliar_text_is_reported_not_flagged(moderator, text):
    res = moderator.moderate(text)
    assert res.supported is False and res.labels == []


def test_an_insult_in_another_language_is_flagged(moderator):
    res = moderator.moderate("Tu es un connard.")
    assert res.language == "fr" and res.supported is False
    assert {"toxic", "insult"} <= set(res.labels)


# The examples a moderator tried by hand (the judgement issue). Those the model now gets right
# are asserted; those it still gets wrong are strict xfails: they document the limitation and
# fail loudly the day the model gets them right, so the list stays true.
HATE_WITHOUT_SLURS = ["Jews control the media.", "Women should not be allowed to vote."]


@pytest.mark.parametrize("text", HATE_WITHOUT_SLURS)
def test_hate_without_a_slur_is_flagged_as_identity_hate(moderator, text):
    assert "identity_hate" in moderator.moderate(text).labels


def test_an_insult_that_names_no_group_is_not_identity_hate(moderator):
    result = moderator.moderate("Shut up you stupid fucking loser.")
    assert "insult" in result.labels and "identity_hate" not in result.labels


@pytest.mark.xfail(strict=True, reason="known limitation: a plain statement naming a group is flagged")
def test_a_plain_statement_about_a_group_is_not_flagged(moderator):
    assert not moderator.moderate("Gay marriage should be legal.").flagged


@pytest.mark.xfail(strict=True, reason="known limitation: counter-speech and reports that quote abuse are flagged")
@pytest.mark.parametrize("text", ["Calling someone a f****t is homophobic and wrong.",
                                  "He called me a bitch and I reported him."])
def test_counter_speech_and_reports_are_not_flagged(moderator, text):
    assert not moderator.moderate(text).flagged


@pytest.mark.xfail(strict=True, reason="known limitation: veiled threats and abbreviations are missed")
@pytest.mark.parametrize("text", ["I know where your kids go to school.", "kys"])
def test_veiled_threats_are_flagged(moderator, text):
    assert moderator.moderate(text).flagged
