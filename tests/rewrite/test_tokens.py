from cleanspeech.rewrite.tokens import Edit, apply_edits, cleanup, mining_tokens, tokenize


def test_tokens_keep_offsets_and_masked_words():
    text = "You f***ing idiot, don't!"
    toks = tokenize(text)
    assert [t.text for t in toks] == ["You", "f***ing", "idiot", ",", "don't", "!"]
    assert all(text[t.start:t.end] == t.text for t in toks)
    assert mining_tokens("I don't care") == mining_tokens("i don ' t care") == ["i", "dont", "care"]


def test_edits_keep_untouched_text_and_clean_artefacts():
    text = "Damn , he was back home and should have stayed there ."
    assert apply_edits(text, [Edit(0, 4, "")]) == "He was back home and should have stayed there ."
    assert apply_edits("you are an idiot .", [Edit(11, 16, "person")]) == "you are a person ."
    assert apply_edits("you are a idiot", [Edit(10, 15, "")]) == "you are"


def test_cleanup_rules():
    assert cleanup("so , , what") == "so , what"
    assert cleanup("make an of himself") == "make of himself"
    assert cleanup("a apple and an pear") == "an apple and a pear"
    assert cleanup("thank you .") == "thank you ."
    assert cleanup("hi  there", like="Hi") == "Hi there"


def test_cleanup_drops_a_stranded_vocative():
    assert cleanup("I will find you and you, you .") == "I will find you and you."


def _drop(text: str, *phrases: str) -> str:
    return apply_edits(text, [Edit(text.index(w), text.index(w) + len(w), "") for w in phrases])


def test_space_before_punctuation_follows_the_source_style():
    untokenised = "Shut up, you stupid moron, nobody cares."
    assert _drop(untokenised, "Shut up", "stupid moron") == "You, nobody cares."  # not "You ,"
    tokenised = "shut up , you stupid moron , nobody cares ."  # ParaDetox style is kept
    assert _drop(tokenised, "shut up", "stupid moron") == "you , nobody cares ."
