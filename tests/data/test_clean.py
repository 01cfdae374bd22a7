import pytest

from cleanspeech.data.clean import clean_texts, get_cleaner


def test_design_cleaning_matches_the_design():
    out = get_cleaner("design-v1")("Visit  https://x.org/a NOW — café 😀\n ok")
    assert out == "visit now caf ok"


def test_light_cleaning_keeps_scripts_and_emoji():
    assert get_cleaner("light-v1")("Привет 😀  http://a.b") == "Привет 😀 URL"


def test_none_is_identity_and_non_strings_become_empty():
    assert clean_texts(["A  b", None], "none") == ["A  b", ""]


def test_unknown_cleaning_lists_choices():
    with pytest.raises(ValueError, match="design-v1"):
        get_cleaner("nope")
