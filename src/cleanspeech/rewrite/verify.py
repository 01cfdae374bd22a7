"""The verification loop: score every candidate with the classifier and keep the best one.

Rules (for each input):
1. Candidates come in tiers (:class:`~cleanspeech.rewrite.candidate.Tier`: the configured
   backend's first, then the offline edits, then templates and classifier-guided removals). Within the first tier that has a civil candidate, the civil
   candidate most similar to the input wins (small edits keep meaning: J rewards them): the
   product of character similarity and, where the candidates carry it (``meaning``), the cosine
   of sentence embeddings (:mod:`cleanspeech.rewrite.meaning`). Characters alone cannot tell
   "the way the clings to the air" from "the way that thing clings to the air".
2. If no candidate is civil, the least toxic one wins with ``civil=False``, but only if it is
   less toxic than the input; otherwise the input comes back unchanged (``method="none"``).
3. A result is never more toxic than its input.
4. Candidates that fail a guard (:mod:`cleanspeech.rewrite.guards`: an identity term or a
   negation lost, a broken sentence, a threat kept or only its violent words removed) are never
   chosen; when one of them was the only civil candidate the result's ``rejection`` is its.
5. With a meaning encoder, a written candidate (the generator's, an LLM backend's) whose cosine
   to the input is under :data:`MEANING_FLOOR` says something else and is turned down the same
   way (:func:`drop_meaning_lost`).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from cleanspeech.rewrite.candidate import Candidate, Rejection, RejectionKind, Source, Tier
from cleanspeech.rewrite.result import RewriteResult, civil_mask, toxicity
from cleanspeech.rewrite.tokens import Edit, apply_edits, tokenize

ScoreFn = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, 6) probabilities


def similarity(a: str, b: str) -> float:
    """Cheap similarity in [0, 1]: difflib ratio on lowercased characters; for long texts
    (character matching is quadratic) the Dice overlap of their word counts."""
    a, b = a.lower(), b.lower()
    if max(len(a), len(b)) > 1000:  # linear-time Dice overlap of word counts
        ca, cb = Counter(a.split()), Counter(b.split())
        total = sum(ca.values()) + sum(cb.values())
        return 2 * sum((ca & cb).values()) / total if total else 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def closeness(cand: Candidate, original: str) -> float:
    """How much of ``original`` the candidate keeps: character similarity, times the meaning
    cosine where it was computed."""
    sim = similarity(cand.text, original)
    return sim * cand.meaning if cand.meaning is not None else sim


def score_candidates(score: ScoreFn, thresholds: np.ndarray, cands: list[Candidate]) -> None:
    """Fill ``tox`` and ``civil`` of every candidate with one batched model call."""
    if not cands:
        return
    probs = score([c.text for c in cands])
    for c, t, ok in zip(cands, toxicity(probs), civil_mask(probs, thresholds)):
        c.tox, c.civil = float(t), bool(ok)


def guided_removals(score: ScoreFn, thresholds: np.ndarray, start: Candidate, max_steps: int = 3,
                    max_words: int = 60, protected: Callable[[str], bool] | None = None) -> list[Candidate]:
    """Delete, one word at a time, the word whose removal lowers toxicity most (occlusion with
    the classifier), up to ``max_steps`` words or until civil; words for which ``protected``
    is true are never removed. Returns the chain of candidates, one tier after ``start`` and
    made the way it was (its source, label and fallback)."""
    chain: list[Candidate] = []
    current = start
    for _ in range(max_steps):
        words = [t for t in tokenize(current.text)
                 if t.is_word and not (protected and protected(t.text))][:max_words]
        if not words or len(tokenize(current.text)) < 2:
            break
        texts = [apply_edits(current.text, [Edit(w.start, w.end, "")]) for w in words]
        probs = score(texts)
        tox, ok = toxicity(probs), civil_mask(probs, thresholds)
        best = int(np.argmin(tox - ok.astype(float)))  # civil first, then least toxic
        if tox[best] >= current.tox or not any(t.is_word for t in tokenize(texts[best])):
            break
        current = replace(start, text=texts[best], tier=Tier(start.tier + 1), guided=True,
                          tox=float(tox[best]), civil=bool(ok[best]), rejection=None, meaning=None)
        chain.append(current)
        if current.civil:
            break
    return chain


def choosable(tox_before: float, cands: Sequence[Candidate]) -> list[Candidate]:
    """The civil candidates (no more toxic than the input) of the first tier that has one."""
    civil = [c for c in cands if c.civil and c.tox <= tox_before]
    tier = min((c.tier for c in civil), default=0)
    return [c for c in civil if c.tier == tier]


# A candidate this far behind the closest one in characters never won on the ParaDetox dev split
# (bench_rewrite.py --dev: none won from under 0.9), so its embedding is not worth computing.
MEANING_MARGIN = 0.85


def _contenders(original: str, group: list[Candidate]) -> list[Candidate]:
    """The candidates within :data:`MEANING_MARGIN` of the closest in characters; none when
    there is no choice to make."""
    if len({c.text for c in group}) < 2:
        return []
    sims = [similarity(c.text, original) for c in group]
    top = max(sims)
    pool = [c for c, s in zip(group, sims) if s >= MEANING_MARGIN * top]
    return pool if len({c.text for c in pool}) > 1 else []


def attach_meaning(meaning: Any, rows: Sequence[tuple[str, float, list[Candidate]]]) -> None:
    """Fill ``meaning`` of the candidates :func:`choose` picks among, for the inputs
    ``(original, tox_before, candidates)`` where there is a choice, in one batched pass of
    ``meaning`` (a :class:`~cleanspeech.rewrite.meaning.Meaning`)."""
    todo = [(orig, c) for orig, tox, cands in rows for c in _contenders(orig, choosable(tox, cands))]
    if not todo:
        return
    sims = meaning.similarity([o for o, _ in todo], [c.text for _, c in todo])
    for (_, c), s in zip(todo, sims):
        c.meaning = float(s)


# The MiniLM cosine under which a candidate no longer says what its input said: the 1st
# percentile of the cosine between 2,000 ParaDetox fit inputs and their first human paraphrase
# (seed 0; the 0.5th is 0.22, the 5th 0.43). On 300 dev pairs it turned down one winner, the
# generator's "You are not good" for "shaking my head youre pathetic ." (0.21). It misses what
# MiniLM reads as close by its sub-words: "i luuuhve yooh ... so FRIKKIN much .." -> "i have
# loooong time to do it" stays over it.
MEANING_FLOOR = 0.27


def drop_meaning_lost(meaning: Any, rows: Sequence[tuple[str, list[Candidate], list[Candidate]]],
                      floor: float = MEANING_FLOOR) -> None:
    """Move the civil written candidates whose meaning cosine to their input is under ``floor`` from
    ``kept`` to ``rejected`` (``MEANING_LOST``), for the rows ``(original, kept, rejected)``, in
    one batched pass of ``meaning``. The cosine is not kept on the candidates: which ones carry
    it decides how :func:`choose` compares them (:func:`attach_meaning`)."""
    # only written answers (the generator's, an LLM backend's) can drift: edits keep the input's
    # words by construction, and templates state the feeling instead by design
    todo = [(orig, c) for orig, kept, _ in rows for c in kept if c.civil and c.source is Source.BACKEND]
    if not todo:
        return
    sims = meaning.similarity([o for o, _ in todo], [c.text for _, c in todo])
    lost = {id(c) for (_, c), s in zip(todo, sims) if s < floor}
    for _, kept, rejected in rows:
        for c in [c for c in kept if id(c) in lost]:
            c.rejection = Rejection(RejectionKind.MEANING_LOST)
            kept.remove(c)
            rejected.append(c)


def attach_likelihood(generator: Any, rows: Sequence[tuple[str, float, list[Candidate]]]) -> None:
    """Fill ``likelihood`` of the civil candidates :func:`choose` picks among, for the inputs
    ``(original, tox_before, candidates)`` with a choice to make, from ``generator`` (anything
    with ``likelihood(text, rewrites) -> list[float]``, e.g. the fine-tuned generator)."""
    for orig, tox, cands in rows:
        pool = choosable(tox, cands)
        if len({c.text for c in pool}) < 2:
            continue
        for c, ll in zip(pool, generator.likelihood(orig, [c.text for c in pool])):
            c.likelihood = ll


# choose(): with likelihoods, the key is likelihood + LIKELIHOOD_CLOSENESS * log(closeness)
# - toxicity_weight * toxicity (the classifier's max probability, of a candidate already under
# every threshold): on 300 ParaDetox dev pairs, weight 5 raised the independent judge's STA
# 0.710 -> 0.730 at equal J; weight 2 moved it less than the rule asked (docs/results.md)
LIKELIHOOD_CLOSENESS = 1.0
TOXICITY_WEIGHT = 5.0


def _key(c: Candidate, original: str, toxicity_weight: float) -> tuple[float, float]:
    close = closeness(c, original)
    if c.likelihood is not None:
        return (c.likelihood + LIKELIHOOD_CLOSENESS * float(np.log(max(close, 1e-6))) - toxicity_weight * c.tox,
                -c.tox)
    return close, -c.tox


def choose(original: str, tox_before: float, cands: list[Candidate],
           rejected: Sequence[Candidate] = (), fallback: str | None = None, *,
           toxicity_weight: float = TOXICITY_WEIGHT) -> RewriteResult:
    """The verified result for one input from its scored, screened candidates (rules in the
    module doc); ``rejected`` only feeds the ``rejection`` of a result that is not civil;
    ``fallback``: why the backend failed for this input, if it did; ``toxicity_weight``: how
    much a civil candidate's remaining toxicity counts against it where the generator rates."""
    civil = choosable(tox_before, cands)
    if civil:
        # where the generator rated them, it chooses (its likelihood, tempered by closeness);
        # else where meaning was computed, only its contenders compete (closeness mixes no scales)
        pool = ([c for c in civil if c.likelihood is not None] or [c for c in civil if c.meaning is not None]
                or civil)
        best = max(pool, key=lambda c: _key(c, original, toxicity_weight))
        return RewriteResult.chosen(original, tox_before, best, True, fallback=fallback)
    # a guard that turned down a civil candidate explains the failure better than the scores
    why = (next((c.rejection for c in rejected if c.civil), None) or next((c.rejection for c in rejected), None)
           or Rejection(RejectionKind.NOT_CIVIL))
    less = [c for c in cands if c.tox < tox_before]
    best = min(less, key=lambda c: (c.tox, -similarity(c.text, original))) if less else None
    return RewriteResult.chosen(original, tox_before, best, False, why, fallback)
