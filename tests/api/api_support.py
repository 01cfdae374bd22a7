"""Test support for the API tests (imported by name; conftest modules are not importable
reliably when several test folders have one): a tiny deterministic keyword model and checks for
the explain/rewrite modules."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from cleanspeech.labels import LABELS
from cleanspeech.models.base import ToxicityModel

# word -> labels it raises (scores 0.9), everything else scores 0.05
KEYWORDS = {
    "idiot": ("toxic", "insult"),
    "disgusting": ("toxic",),
    "kill": ("toxic", "threat"),
}


class KeywordModel(ToxicityModel):
    """``predict_proba`` -> ``(n, 6)``: 0.9 for labels whose keyword occurs, else 0.05."""

    model_type = "keyword-test"

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.full((len(texts), len(LABELS)), 0.05)
        for i, text in enumerate(texts):
            words = text.lower().replace(".", " ").split()
            for word, labels in KEYWORDS.items():
                if word in words:
                    out[i, [LABELS.index(lab) for lab in labels]] = 0.9
        return out


def served_model_name(tmp_folder) -> str:
    """The shipped ``default`` model when present, else a tiny linear model trained in seconds
    on the committed fixture (all rows, thresholds 0.5) and saved under ``tmp_folder``."""
    from pathlib import Path

    from cleanspeech.data.io import read_jigsaw
    from cleanspeech.models.linear import LinearConfig, LinearModel
    from cleanspeech.models.registry import resolve_model_path

    try:
        resolve_model_path("default")
        return "default"
    except FileNotFoundError:
        pass
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "jigsaw_sample.csv"
    frame = read_jigsaw(fixture, require_labels=True)
    config = LinearConfig(max_word_features=20_000, max_char_features=20_000, keep_features=None,
                          min_df=1)
    model = LinearModel(config).fit(frame["comment_text"].tolist(), frame[list(LABELS)].to_numpy())
    return str(model.save_pretrained(Path(tmp_folder) / "tiny-linear", tuned_on="none (test)"))
