"""``mentions_identity``: whole words, any case, the same answers as the alternation regex."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.identity import _TERMS_RE, mentions_identity

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "jigsaw_sample.csv"


def test_whole_words_any_case():
    texts = ["The Nazis killed millions.", "JEWS", "jews_", "jews2", "gay-friendly", "Muslim's",
             "stop being a Nazı", "", "nothing here", "womanhood", "men"]
    assert mentions_identity(texts).tolist() == [True, True, False, False, True, True, True, False,
                                                 False, False, True]


def test_agrees_with_the_regex_on_real_comments():
    texts = pd.read_csv(FIXTURE)["comment_text"].astype(str).tolist()
    expected = np.array([bool(_TERMS_RE.search(t)) for t in texts])
    assert (mentions_identity(texts) == expected).all() and expected.any()
