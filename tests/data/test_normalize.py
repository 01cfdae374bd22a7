"""normalize-v1: each obfuscation is undone, and ordinary text, numbers and other scripts survive."""

import pytest

from cleanspeech.data.clean import CLEANERS, clean_texts
from cleanspeech.data.normalize import normalize


@pytest.mark.parametrize(("text", "expected"), [
    ("ｆｕｃｋ you", "fuck you"),                       # fullwidth (NFKC)
    ("sh1t edit, you m0r0n", "shit edit, you moron"),  # leet inside words
    ("h3ll0 w0rld", "hello world"),
    ("id10t", "idiot"),
    ("a$$hole", "asshole"),
    ("sh!t!", "shit!"),                                 # interior ! is a letter, final ! is not
    ("f u c k you", "fuck you"),                        # spaced letters
    ("f.u.c.k off", "fuck off"),
    ("you f u c k i n g idiot", "you fucking idiot"),
    ("f*ck", "fuck"),                                   # masked words
    ("f**k this", "fuck this"),
    ("a**hole", "asshole"),
    ("s**t", "shit"),
    ("F***", "fuck"),                                  # case: the vectorisers lowercase
    ("fuuuuuck you", "fuck you"),                       # repeats to a lexicon word
    ("stuuuupid", "stupid"),
    ("soooo good", "soo good"),                         # otherwise to two
    ("fcuk", "fuck"),                                   # one adjacent swap
    ("рussy", "pussy"),                                 # Cyrillic р inside a Latin word
])
def test_obfuscations_are_undone(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize("text", [
    "I was born in 1984; covid19, win10, 1st place, $5, 5pm, 24/7, 3.14.",
    "Привет мир",               # Cyrillic words stay Cyrillic
    "Καλημέρα",                 # so does Greek
    "@user said hi!",
    "It's fine, e.g. the U.S. policy.",
    "Book a room at the hotel, see you soon.",
    "",
])
def test_ordinary_text_is_unchanged(text):
    assert normalize(text) == text


def test_unknown_mask_is_left_alone():
    assert normalize("p*zzle") == "p*zzle"
    assert normalize("** note **") == "** note **"


def test_registered_as_a_versioned_cleaner():
    assert CLEANERS["normalize-v1"] is normalize
    assert clean_texts(["ｆｕｃｋ", None], "normalize-v1") == ["fuck", ""]


def test_is_idempotent():
    texts = ["sh1t edit, you m0r0n", "f u c k", "fuuuuck", "ｆｕｃｋ", "1984 covid19"]
    assert [normalize(normalize(t)) for t in texts] == [normalize(t) for t in texts]


def test_normalize_with_offsets_gives_the_same_text_and_a_map_into_the_original():
    from cleanspeech.data.normalize import normalize_with_offsets

    texts = ["plain text, nothing to undo", "ｆｕｃｋ you", "f u c k off", "you f*ck sh1t fuuuuck fcuk",
             "ﬁne ﬃ", "e\u0301 ok", "Ηеllо wоrld idiot", "", "a$$ m0r0n!!"]
    for text in texts:
        out, origin = normalize_with_offsets(text)
        assert out == normalize(text)
        assert origin.shape == (len(out) + 1,) and origin[-1] == len(text)
        assert (origin[:-1] >= 0).all() and (origin[:-1] < max(len(text), 1)).all()
        assert (origin[1:] >= origin[:-1]).all()
    out, origin = normalize_with_offsets("you f u c k off")
    assert out == "you fuck off"
    assert [int(origin[i]) for i in range(4, 8)] == [4, 6, 8, 10]  # each letter where it stood
    out, origin = normalize_with_offsets("ok fuuuuck")
    assert out == "ok fuck" and all(3 <= origin[i] < 10 for i in range(3, 7))
