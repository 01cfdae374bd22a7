"""A comment is as toxic as its most toxic part: no laundering abuse by length.

Scored whole, "You are a worthless fucking idiot and I will kill you." raises threat at 0.99;
with one polite sentence before and after it, threat fell to 0.02, and with 25 on each side
nothing was flagged: the linear model's TF-IDF vector is length-normalised and the transformer's
attention spreads over the polite text, so both routes of the cascade dilute it.

So the moderation decision (:func:`cleanspeech.decision.raised`) also reads the comment's
sentence most likely to be abusive, scored alone: a label is raised when the whole comment
reaches its threshold or that sentence a stricter one (``decision.PART_ODDS``). The probabilities stay the whole comment's: they estimate
what annotators said of whole comments, and raising them to a sentence's cost 0.002 to 0.005
Jigsaw dev ROC-AUC (annotators often leave a comment with one rude sentence unlabelled), where
the decision costs no ranking at all (``bench/bench_parts.py``).

Scoring every sentence would multiply the cost by the number of sentences; instead a cheap screen
picks at most :data:`TOP_PARTS` parts per comment (sentences; long ones cut into windows of
:data:`MAX_PART_WORDS` words): those whose *strong terms* weigh the most (words that alone push a
label up, :meth:`~cleanspeech.models.base.ToxicityModel.strong_terms`). A comment of one part, or
with no strong term, costs nothing more; the others cost one or two more short texts through the
same scorer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from cleanspeech.labels import LABELS

# A sentence ends at ., ! or ? (runs of them, closing quotes/brackets included) or a line break.
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+[\"')\]]*|\n|$)")
_WORD = re.compile(r"\w+")


def sentences(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each non-blank sentence of ``text``, in order."""
    out = []
    for m in _SENTENCE.finditer(text):
        s, e = m.span()
        chunk = text[s:e]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            out.append((s + lead, s + len(chunk.rstrip())))
    return out


# A "sentence" longer than this many words is read in windows of that many words, half
# overlapping: text without end punctuation (chat, lists, pasted fragments) runs many sentences
# into one, and a slur inside it stayed as diluted as in the whole comment.
MAX_PART_WORDS = 30


def parts_of(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each part of ``text``: its sentences, a sentence of more than
    :data:`MAX_PART_WORDS` words cut into windows of that many words (half overlapping)."""
    out = []
    for s, e in sentences(text):
        words = [m.span() for m in _WORD.finditer(text, s, e)]
        if len(words) <= MAX_PART_WORDS:
            out.append((s, e))
            continue
        starts = sorted(set(range(0, len(words) - MAX_PART_WORDS, MAX_PART_WORDS // 2))
                        | {len(words) - MAX_PART_WORDS})
        out.extend((words[k][0], words[k + MAX_PART_WORDS - 1][1]) for k in starts)
    return out


# How many of the heaviest parts are scored: the screen weighs strong terms, and a clean sentence
# that names a group ("... decided to become gay") can outweigh a short insult. Chosen on dev
# (bench/bench_parts.py, rule written first: labels kept +0.05, verdict precision -0.005 at most):
# a flagged one-sentence comment between 25 clean ones kept 0.343 of its labels with one sentence
# scored, 0.343 with these windows alone, 0.394 with the windows and 2 parts (precision 0.827 ->
# 0.823), 0.414 with 3 (precision 0.819, over the limit).
TOP_PARTS = 2


def heaviest_parts(text: str, strong: Mapping[str, float], top: int = 1) -> list[tuple[int, int]]:
    """Up to ``top`` parts of ``text`` (:func:`parts_of`) whose strong terms weigh the most,
    heaviest first (the earlier on a tie); none when ``text`` has one part or no strong term.
    Weights, not counts: in a long comment a polite sentence that says "hell" must not win over
    the one that threatens."""
    parts = parts_of(text)
    if len(parts) < 2:
        return []
    weights = [sum(strong.get(w.lower(), 0.0) for w in _WORD.findall(text[s:e])) for s, e in parts]
    order = sorted(range(len(parts)), key=lambda j: -weights[j])
    return [parts[j] for j in order[:top] if weights[j] > 0]


def worst_parts(strong: Mapping[str, float], score: Callable[[list[str]], np.ndarray],
                texts: Sequence[str], top: int = TOP_PARTS) -> tuple[list[tuple[int, int] | None], np.ndarray]:
    """Per text, its worst part ``[start, end)`` (None where there is none) and the scores
    ``(n, 6)`` of its parts (0 where there is none): the ``top`` heaviest parts are scored by
    ``score`` (texts -> ``(n, 6)``) in one call; a text's scores are their per-label maximum and
    its worst part the one with the highest score."""
    found = [heaviest_parts(t, strong, top) if strong and isinstance(t, str) else [] for t in texts]
    flat = [(i, sp) for i, spans in enumerate(found) for sp in spans]
    out = np.zeros((len(texts), len(LABELS)))
    worst: list[tuple[int, int] | None] = [None] * len(texts)
    if flat:
        best = np.full(len(texts), -1.0)
        for (i, sp), row in zip(flat, np.asarray(score([texts[i][s:e] for i, (s, e) in flat]))):
            out[i] = np.maximum(out[i], row)
            if row.max() > best[i]:
                best[i], worst[i] = row.max(), sp
    return worst, out
