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
