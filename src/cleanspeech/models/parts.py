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
picks at most one sentence per comment: the one whose *strong terms* weigh the most (words that
alone push a label up, :meth:`~cleanspeech.models.base.ToxicityModel.strong_terms`).
A comment of one sentence, or with no strong term, costs nothing more; the others cost one more
short text through the same scorer.
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


def worst_part(text: str, strong: Mapping[str, float]) -> tuple[int, int] | None:
    """The sentence of ``text`` whose strong terms weigh the most (the first on a tie), or None
    when ``text`` has one sentence or no strong term. Weights, not counts: in a long comment a
    polite sentence that says "hell" must not win over the one that threatens."""
    parts = sentences(text)
    if len(parts) < 2:
        return None
    weights = [sum(strong.get(w.lower(), 0.0) for w in _WORD.findall(text[s:e])) for s, e in parts]
    best = int(np.argmax(weights))
    return parts[best] if weights[best] > 0 else None


def worst_parts(strong: Mapping[str, float], score: Callable[[list[str]], np.ndarray],
                texts: Sequence[str]) -> tuple[list[tuple[int, int] | None], np.ndarray]:
    """Per text, its worst part ``[start, end)`` (None where there is none) and that part's scores
    ``(n, 6)`` (0 where there is none), scored by ``score`` (texts -> ``(n, 6)``)."""
    spans = [worst_part(t, strong) if strong and isinstance(t, str) else None for t in texts]
    out = np.zeros((len(spans), len(LABELS)))
    idx = [i for i, sp in enumerate(spans) if sp is not None]
    if idx:
        out[idx] = score([texts[i][spans[i][0]:spans[i][1]] for i in idx])
    return spans, out
