from cleanspeech.explain.words import offsets_to_spans, spans_to_offsets, split_words, words_to_spans


def test_split_words_keeps_offsets_into_original_text():
    text = "You  f*ck-ing IDIOT, don't!!"
    words = split_words(text)
    assert [w.text for w in words] == ["You", "f*ck", "-", "ing", "IDIOT", ",", "don't", "!!"]
    assert all(text[w.start:w.end] == w.text for w in words)


def test_words_to_spans_joins_whitespace_but_not_punctuation():
    text = "stupid idiot, moron"
    words = split_words(text)
    flags = [w.text in {"stupid", "idiot", "moron"} for w in words]
    assert words_to_spans(text, words, flags) == [(0, 12), (14, 19)]
    assert words_to_spans(text, words, flags, join_gaps=False) == [(0, 6), (7, 12), (14, 19)]


def test_offsets_round_trip():
    spans = [(0, 3), (5, 9)]
    assert offsets_to_spans(spans_to_offsets(spans)) == spans
