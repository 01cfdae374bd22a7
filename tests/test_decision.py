"""The moderation decision: thresholds for English, more caution where the English classifier
cannot judge the text (other languages, placeholder Latin, code)."""

from __future__ import annotations

import numpy as np

from cleanspeech.decision import UNFAMILIAR_MIN, raised
from cleanspeech.labels import LABEL2ID, LABELS
from cleanspeech.language import Support

THRESHOLDS = np.full(len(LABELS), 0.39)


def scores(toxic: float) -> np.ndarray:
    row = np.zeros(len(LABELS))
    row[LABEL2ID["toxic"]] = toxic
    return row


def test_english_is_judged_at_the_thresholds():
    flags, support = raised(["You are wrong, sir."], scores(0.43)[None, :], THRESHOLDS)
    assert flags[0, LABEL2ID["toxic"]] and flags[0].sum() == 1
    assert support == [Support("en", True)]


def test_a_middling_score_on_foreign_text_is_unfamiliarity_not_toxicity():
    texts = ["Gracias por tu ayuda, fue muy útil.", "Lorem ipsum dolor sit amet, consectetur adipiscing elit."]
    flags, support = raised(texts, np.vstack([scores(0.43), scores(0.45)]), THRESHOLDS)
    assert not flags.any()
    assert [s.supported for s in support] == [False, False]


def test_a_confident_score_on_foreign_text_still_flags():
    flags, _ = raised(["Sei un idiota."], scores(UNFAMILIAR_MIN + 0.1)[None, :], THRESHOLDS)
    assert flags[0, LABEL2ID["toxic"]]


def test_the_language_s_insult_list_flags_what_the_classifier_missed():
    flags, support = raised(["Tu es un connard."], scores(0.0)[None, :], THRESHOLDS)
    assert {LABELS[j] for j in np.flatnonzero(flags[0])} == {"toxic", "insult"}
    assert support == [Support("fr", False)]


def test_a_worst_sentence_raises_a_label_only_at_the_stricter_bar():
    from cleanspeech.decision import PART_ODDS
    from cleanspeech.operating import scale_odds

    strict = scale_odds(THRESHOLDS, PART_ODDS)[LABEL2ID["toxic"]]
    text = ["Thanks for the edit. You are an idiot."]
    whole = scores(0.1)[None, :]
    below, _ = raised(text, whole, THRESHOLDS, scores(strict - 0.01)[None, :])
    above, _ = raised(text, whole, THRESHOLDS, scores(strict)[None, :])
    assert not below.any() and above[0, LABEL2ID["toxic"]]
