"""The language guess and the short insult lists of other languages."""

import pytest

from cleanspeech.language import Support, assess, guess_language, has_offensive_words, offensive_word_spans


def test_guess_language_names_european_languages_and_defaults_to_english():
    assert guess_language("Tu es un connard et un imbécile.") == "fr"
    assert guess_language("Danke für die hilfreiche Bearbeitung.") == "de"
    assert guess_language("you are an idiot") == "en"
    assert guess_language("") == "en"


def test_offensive_word_spans_are_whole_words_in_any_case():
    text = "Du bist ein IDIOT, kein Idiotenhut."
    assert [text[a:b] for a, b in offensive_word_spans(text, "de")] == ["IDIOT"]
    assert has_offensive_words(text, "de") and not has_offensive_words("Danke schön", "de")
    assert offensive_word_spans("connard", "xx") == []  # no list for that language


def test_phrase_entries_match_only_as_consecutive_words():
    text = "Ferme ta gueule, connard."
    assert [text[a:b] for a, b in offensive_word_spans(text, "fr")] == ["ta gueule", "connard"]
    # "ta" and "gueule" alone are everyday French
    assert not has_offensive_words("C'est ta voiture ? J'ai la gueule de bois.", "fr")
    assert not has_offensive_words("Mijn vader heeft kanker gehad.", "nl")  # "kanker" alone: cancer
    assert has_offensive_words("Kanker op, klootzak!", "nl")


@pytest.mark.parametrize("text,language", [
    ("Gracias por tu ayuda, fue muy útil.", "es"),
    ("Tu es un connard.", "fr"),
    ("Danke für die hilfreiche Bearbeitung.", "de"),
    ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 20, "la"),
    ("def f(x):\n    return x * 2\n\nimport os\nfor i in range(3):\n    print(f(i))\n", "code"),
    ("这是一个测试", "other"),
])
def test_what_the_classifier_did_not_learn_is_unsupported(text, language):
    got = assess(text)
    assert got == Support(language, False)


@pytest.mark.parametrize("text", [
    "You are a worthless idiot.", "kys", "Gay marriage should be legal.", "",
    "I agree :) see https://en.wikipedia.org/wiki/Foo_(bar) for (more) details",
    # English chants and spelled-out words that once read as German / Portuguese
    "DIE FAG DIE FAG DIE FAG DIE FAG DIE FAG", "GO\nF\nU\nC\nK\nY\nO\nU\nR\nS\nE\nL\nF",
    "Requested move: British invasions of the Río de la Plata, English-language name",
])
def test_english_stays_supported(text):
    assert assess(text) == Support("en", True)
