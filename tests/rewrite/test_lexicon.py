from cleanspeech.rewrite.lexicon import EditLexicon, mine_lexicon
from cleanspeech.rewrite.paradetox import Pair, read_pairs, split_pairs

PAIRS = [
    Pair("you are a fucking idiot .", ("you are wrong .", "you are a person .")),
    Pair("this fucking thing is broken", ("this thing is broken",)),
    Pair("what an idiot", ("what a person",)),
    Pair("i dont give a shit", ("i don't care",)),
    Pair("i dont give a shit about it", ("i don't care about it",)),
]


def test_mining_counts_deletions_and_replacements(tmp_path):
    lex = mine_lexicon(PAIRS, min_count=1)
    f = lex.get("fucking")
    assert (f.count, f.removed, f.deleted) == (3, 3, 1) and f.edit_rate() > 0.7
    assert lex.get("idiot").replaced["person"] == 1  # from "an idiot" -> "a person" (articles trimmed)
    assert lex.get("give a shit").replaced["care"] == 2
    assert lex.rate("this") == 0.0  # never edited: not in the lexicon
    assert lex.rate("dont") == 0.0  # contractions align with their re-spellings
    path = lex.save(tmp_path / "edits.json")
    again = EditLexicon.load(path)
    assert again.get("idiot").replaced == lex.get("idiot").replaced
    assert "fucking" in again.toxic_words(0.5, 1)


def test_read_and_split_pairs(tmp_path):
    p = tmp_path / "pairs.tsv"
    p.write_text("toxic\tneutral1\tneutral2\tneutral3\n" + "".join(
        f"bad {i}\tgood {i}\t\t\n" for i in range(20)), encoding="utf-8")
    pairs = read_pairs(p)
    assert pairs[3] == Pair("bad 3", ("good 3",))
    train, held = split_pairs(pairs)
    assert len(held) == 2 and len(train) == 18 and not set(held) & set(train)
    assert split_pairs(pairs) == (train, held)  # deterministic


def test_shipped_lexicon_loads():
    lex = EditLexicon.load()
    assert lex.rate("fucking") > 0.9 and lex.rate("the") < 0.5
    assert "held out" in lex.meta["split"]


def test_export_pairs_round_trips(tmp_path):
    from cleanspeech.training.rewrite_lexicon import export_pairs

    path = export_pairs(PAIRS, tmp_path / "held.tsv")
    assert read_pairs(path) == PAIRS
