"""The language guess and the short insult lists of other languages."""

from cleanspeech.language import guess_language, has_offensive_words, offensive_word_spans


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
