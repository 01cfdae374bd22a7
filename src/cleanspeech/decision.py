"""The moderation decision every edge shares: which labels a text raises.

A label is raised when its score is at or over its threshold, for text the English classifier
can judge (:func:`cleanspeech.language.assess`). Outside that domain the scores are kept as they
are but read with more caution, below.
"""

from __future__ import annotations

import numpy as np

from cleanspeech.labels import LABEL2ID, LABELS
from cleanspeech.language import Support, assess, has_offensive_words
from cleanspeech.operating import scale_odds

__all__ = ["PART_ODDS", "UNFAMILIAR_MIN", "part_evidence", "raised"]

# A comment's worst sentence, scored alone, raises a label only at PART_ODDS times the threshold's
# odds: a short sentence scores more extremely than the comment around it, and Jigsaw annotators
# left many comments with one rude sentence unlabelled. Chosen on the project split's dev part
# (bench/bench_parts.py, natural prevalence): at 1x the verdict's precision fell 0.857 -> 0.731;
# at 4x 0.857 -> 0.833 while recall rose 0.829 -> 0.846 and a flagged sentence between 25 clean
# ones kept 38% of its labels (4% scored whole).
PART_ODDS = 4.0

# Out of the classifier's domain a middling score means "unfamiliar", not "toxic": Spanish and
# Portuguese thanks, German praise and placeholder Latin all scored 0.42-0.45 toxic, over the
# 0.39 threshold. There a label is raised only when its score also reaches UNFAMILIAR_MIN (an
# English insult inside foreign text still scores 0.96-0.99), or when the language's own short
# insult list names a word of the text ("Tu es un connard." scores 0.00): then toxic and insult.
UNFAMILIAR_MIN = 0.8
_LIST_LABELS = (LABEL2ID["toxic"], LABEL2ID["insult"])


def part_evidence(part_scores: np.ndarray) -> np.ndarray:
    """A worst sentence's scores as evidence about its comment: their odds divided by
    ``PART_ODDS``, so comparing them with the thresholds is comparing the sentence with
    thresholds at ``PART_ODDS`` times the odds. The rewriter reads candidates this way too."""
    return scale_odds(np.asarray(part_scores, dtype=float), 1.0 / PART_ODDS)


def raised(texts: list[str], scores: np.ndarray, thresholds: np.ndarray,
           part_scores: np.ndarray | None = None) -> tuple[np.ndarray, list[Support]]:
    """The moderation decision: ``(n, 6)`` bool, which labels each text raises at
    ``thresholds`` ``(6,)``, and each text's :class:`~cleanspeech.language.Support`. Every edge
    (moderate, predict ``--labels``, the HTTP API, the UI) decides here.

    ``part_scores`` ``(n, 6)``: each text's worst sentence scored alone
    (:mod:`cleanspeech.models.parts`; zeros where there is none): it raises a label at
    ``PART_ODDS`` times the threshold's odds, so abuse cannot hide in a long polite comment."""
    scores = np.asarray(scores, dtype=float).reshape(len(texts), len(LABELS))
    thresholds = np.asarray(thresholds, dtype=float)
    over = scores >= thresholds[None, :]
    if part_scores is not None:
        part = np.asarray(part_scores, dtype=float).reshape(scores.shape)
        over |= part_evidence(part) >= thresholds[None, :]
        scores = np.maximum(scores, part)  # the unfamiliar-text bar below reads either
    support = [assess(t) if isinstance(t, str) else Support("en", True) for t in texts]
    for i, (text, sup) in enumerate(zip(texts, support)):
        if sup.supported:
            continue
        over[i] &= scores[i] >= UNFAMILIAR_MIN
        if has_offensive_words(text, sup.language):
            over[i, list(_LIST_LABELS)] = True
    return over, support
