"""``rewrite_texts``, the rewrite pipeline: for each comment that needs it, **propose** candidates
(the chosen backend and the offline sources, :mod:`cleanspeech.rewrite.sources`), **score** them
with the classifier, **screen** them with the guards (:mod:`cleanspeech.rewrite.guards`), and
**choose** the result (:mod:`cleanspeech.rewrite.verify`).

An input is rewritten when the classifier flags it (not civil) or when it holds a phrase that
ParaDetox annotators almost always remove (``lexicon_trigger``; e.g. "fucking", masked
profanity), and then only into an edit that lowers its toxicity (``LEXICON_DROP``). Every other
input comes back unchanged with ``method="unchanged"``.

Inputs the rewriter cannot serve come back unedited with ``civil=False`` and a ``rejection``:
non-English text the classifier flags (the lexicon is English), and flagged generalisations
about a protected group ("Gay people are ..."). When no edit passes the guards, the last resorts
are classifier-guided removals and, for threats and comments with nothing left to keep, a
template statement of the feeling ("I am very angry with you.").
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from cleanspeech.labels import LABELS, labels_over
from cleanspeech.decision import part_evidence, raised
from cleanspeech.models.base import ToxicityModel
from cleanspeech.models.parts import worst_parts
from cleanspeech.language import guess_language
from cleanspeech.rewrite.base import Rewriter, RewriteRequest
from cleanspeech.rewrite.candidate import (Candidate, CandidateSource, Rejection, RejectionKind, Source,
                                           Template, Tier)
from cleanspeech.rewrite.edit_tagger import load_edit_tagger
from cleanspeech.rewrite.generative import LABEL as GENERATOR_LABEL
from cleanspeech.rewrite.guards import generalises_about_group, identity_terms, screen, threatens_reader
from cleanspeech.rewrite.meaning import load_meaning
from cleanspeech.rewrite.offline import OfflineRewriter
from cleanspeech.rewrite.plain import request_templates, templates_for
from cleanspeech.rewrite.result import RewriteResult, toxicity
from cleanspeech.rewrite.sources import BackendSource, EditTaggerSource, LexiconSource, PlainSource
from cleanspeech.rewrite.verify import (MEANING_FLOOR, TOXICITY_WEIGHT, ScoreFn, attach_likelihood, attach_meaning,
                                        choose, drop_meaning_lost, guided_removals, score_candidates)

BACKENDS = ("offline", "gemini", "openai", "auto")

# A civil comment that only holds a word the lexicon triggers on is rewritten only into a
# candidate at least this much less toxic. ParaDetox annotators edit "gives" (inside "gives a
# fuck") and "F" often enough to make them triggers, and without this "Aston Villa F.C." became
# "Aston Villa.C.". Fixed at 0.05, not tuned: on 300 ParaDetox dev pairs J +0.002 [-0.000,
# +0.006], judge STA unchanged; label-free Jigsaw dev comments changed 12 -> 9 of 300
# (bench/bench_rewrite_civil.py; docs/results.md).
LEXICON_DROP = 0.05


def make_rewriter(backend: str = "offline", **kw: Any) -> Rewriter:
    """The rewriter for ``backend`` (LLM settings from ``kw``, the environment, a config file)."""
    if backend == "auto":
        backend = os.environ.get("CLEANSPEECH_LLM_BACKEND") or "offline"
    if backend == "offline":
        return OfflineRewriter()
    if backend in ("gemini", "openai"):
        from cleanspeech.rewrite.llm import make_llm_rewriter

        if "llm_model" in kw:
            kw["model"] = kw.pop("llm_model")
        return make_llm_rewriter(backend, **kw)
    raise ValueError(f"unknown rewrite backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def _model_scorer(model: Any) -> ScoreFn:
    def score(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(model.predict_proba([t if isinstance(t, str) else "" for t in texts]), dtype=float)

    return score


def rewrite_texts(model: ToxicityModel, texts: list[str], backend: str = "offline", *,
                  rewriter: Rewriter | None = None, offline: OfflineRewriter | None = None,
                  lexicon_trigger: bool = True, guided_steps: int = 3,
                  scorer: Callable[[Sequence[str]], np.ndarray] | None = None,
                  edit_tagger: Any = "auto", meaning: Any = "auto", generator: Any = "auto", rerank: bool = True,
                  toxicity_weight: float = TOXICITY_WEIGHT, lexicon_drop: float = LEXICON_DROP,
                  meaning_floor: float | None = MEANING_FLOOR, **kw: Any) -> list[RewriteResult]:
    """One verified :class:`RewriteResult` per text, in order.

    ``model``: anything with ``predict_proba(texts) -> (n, 6)`` and ``thresholds (6,)``.
    ``rewriter`` overrides the backend; ``kw`` go to the LLM config (``base_url``, ``api_key``,
    ``llm_model``, ``timeout``, ``max_retries``, ``backoff``, ``max_workers``).
    ``guided_steps``: at most this many extra words removed by classifier occlusion when no
    lexicon/LLM candidate is civil (0 disables).
    ``scorer``: ``texts -> (n, 6)`` used for every score (the Moderator passes its own, which
    holds the empty-text policy), else ``model.predict_proba``.
    ``edit_tagger``: an :class:`~cleanspeech.rewrite.edit_tagger.EditTagger` whose candidates join
    the offline rewriter's, ``"auto"`` for the shipped one (skipped where it or torch is missing),
    None for none.
    ``meaning``: a :class:`~cleanspeech.rewrite.meaning.Meaning` whose embedding cosine joins
    character similarity in choosing among civil candidates, ``"auto"`` for the packaged
    MiniLM (skipped where it or torch is missing), None for characters alone.
    ``generator``: a candidate source of generated rewrites
    (:class:`~cleanspeech.rewrite.generative.GenerativeSource`), ``"auto"`` (the default) for the
    shipped fine-tuned SmolLM2 (skipped where its wheel, ``gguf`` or torch is missing), None for
    none. ``rerank``: where the generator can rate rewrites (``likelihood``), it chooses among
    the civil candidates (:func:`~cleanspeech.rewrite.verify.attach_likelihood`);
    ``toxicity_weight``: how much a civil candidate's remaining toxicity counts against it there.
    ``lexicon_drop``: an input only the lexicon triggers is rewritten only into a candidate at
    least this much less toxic (:data:`LEXICON_DROP`; 0 lets any civil edit through).
    ``meaning_floor``: with ``meaning``, civil written candidates (the generator's, a backend's)
    whose cosine to the input is under this are rejected
    (:data:`~cleanspeech.rewrite.verify.MEANING_FLOOR`; None: no floor).
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    if not texts:
        return []
    whole = scorer or _model_scorer(model)
    strong = model.strong_terms()

    def score(batch: list[str]) -> np.ndarray:
        # a text is as toxic as its worst sentence (models/parts.py), read as the moderation
        # decision reads it, for the input and every candidate alike: a rewrite that keeps an
        # abusive sentence inside polite ones is not civil
        return np.maximum(whole(batch), part_evidence(worst_parts(strong, whole, batch)[1]))

    thresholds = np.asarray(model.thresholds, dtype=float)
    before = score(texts)
    # civil = the moderation step raises nothing (language support included: a Spanish thank-you
    # the classifier scores 0.43 is not flagged, so it is not "rewritten")
    tox_before, civil_before = toxicity(before), ~raised(texts, before, thresholds)[0].any(axis=1)
    offline = offline or OfflineRewriter()
    results = {i: _unserved(t, float(tox_before[i]), bool(civil_before[i])) for i, t in enumerate(texts)}
    results = {i: r for i, r in results.items() if r is not None}
    # civil inputs rewritten only for a lexicon phrase (served inputs and blanks are not looked up)
    lexical = {i for i, t in enumerate(texts) if lexicon_trigger and civil_before[i] and i not in results
               and t.strip() and offline.has_known_toxic_terms(t)}
    todo = [i for i, t in enumerate(texts) if i not in results and t.strip() and (not civil_before[i] or i in lexical)]
    todo_set = set(todo)
    results.update({i: RewriteResult.unchanged(t, float(tox_before[i]))
                    for i, t in enumerate(texts) if i not in todo_set and i not in results})
    if not todo:
        return [results[i] for i in range(len(texts))]

    # propose
    primary = rewriter or make_rewriter(backend, **kw)
    labels = labels_over(before[todo], thresholds)
    requests = [RewriteRequest(texts[i], tuple(lab), tuple(offline.spans(texts[i])))
                for i, lab in zip(todo, labels)]
    tagger = load_edit_tagger() if isinstance(edit_tagger, str) and edit_tagger == "auto" else edit_tagger
    sources: list[CandidateSource] = [LexiconSource(offline), PlainSource(offline)]
    if tagger is not None:
        sources.append(EditTaggerSource(tagger, offline))
    if isinstance(generator, str) and generator == "auto":
        from cleanspeech.rewrite.generative import load_generator

        generator = load_generator()
    if generator is not None:
        sources.append(generator)
    # the offline rewriter is one of the sources already, never a backend of its own
    backend_source = None if isinstance(primary, OfflineRewriter) else BackendSource(primary)
    rows = propose(requests, backend_source, sources)
    # score
    score_candidates(score, thresholds, [c for row in rows for c in row])
    # screen, with the last resorts where nothing civil passed
    threat = before[:, LABELS.index("threat")] >= thresholds[LABELS.index("threat")]
    threats = [bool(threat[i]) or _threatens_you(texts[i], civil_before[i]) for i in todo]
    if generator is not None and hasattr(generator, "wider"):
        _widen(generator, requests, rows, threats, score, thresholds)
    screened = [_screen_one(texts[i], float(tox_before[i]), row, score, thresholds, offline, guided_steps, t)
                for i, row, t in zip(todo, rows, threats)]
    # choose
    enc = load_meaning() if isinstance(meaning, str) and meaning == "auto" else meaning
    if enc is not None and meaning_floor is not None:
        drop_meaning_lost(enc, [(texts[i], kept, rejected) for i, (kept, rejected) in zip(todo, screened)],
                          meaning_floor)
    if enc is not None:
        attach_meaning(enc, [(texts[i], float(tox_before[i]), kept) for i, (kept, _) in zip(todo, screened)])
    if rerank and generator is not None and hasattr(generator, "likelihood"):
        attach_likelihood(generator, [(texts[i], float(tox_before[i]), kept) for i, (kept, _) in zip(todo, screened)])
    for i, row, (kept, rejected) in zip(todo, rows, screened):
        # rows whose backend call failed say so, whichever candidate wins
        fallback = next((c.fallback for c in row if c.fallback), None)
        if i in lexical:  # a civil input: only an edit that makes it clearly less toxic is worth sending
            kept = [c for c in kept if c.tox <= tox_before[i] - lexicon_drop]
        res = choose(texts[i], float(tox_before[i]), kept, rejected, fallback, toxicity_weight=toxicity_weight)
        if civil_before[i] and not res.civil:  # triggered by the lexicon only: keep the input
            res = RewriteResult.unchanged(texts[i], res.toxicity_before, fallback)
        results[i] = res
    return [results[i] for i in range(len(texts))]


def _widen(generator: Any, requests: Sequence[RewriteRequest], rows: list[list[Candidate]], threat: list[bool],
           score: ScoreFn, thresholds: np.ndarray) -> None:
    """Where the generator's quick answers for a request changed its words but none is civil and
    passes the guards, add its second, wider try (``generator.wider``, e.g. beams), scored, to
    that row. A generator that left the words as they were read the comment as fine as it is
    (annotators left such comments too); its beams rarely differ, so it is not asked twice."""
    label = f"{GENERATOR_LABEL}:"
    again = []
    for j, (req, row) in enumerate(zip(requests, rows)):
        answers = [c for c in row if c.label.startswith(label)]
        kept, rejected = screen(req.text, answers, threat[j])
        changed = kept or any(c.rejection.kind is not RejectionKind.SAME_WORDS for c in rejected if c.rejection)
        if changed and not any(c.civil for c in kept):
            again.append(j)
    if not again:
        return
    for j, more in zip(again, generator.wider([requests[j] for j in again])):
        seen = {c.text for c in rows[j]}
        more = [c for c in more if c.text not in seen]
        score_candidates(score, thresholds, more)
        rows[j].extend(more)


def propose(requests: Sequence[RewriteRequest], backend: BackendSource | None,
            sources: Sequence[CandidateSource]) -> list[list[Candidate]]:
    """Per request, the backend's candidates then each source's, in order. Where the backend
    failed for a request, the offline edits that stand in for it carry why (``fallback``)."""
    if backend is not None:
        rows, failures = backend.propose(requests)
    else:
        rows, failures = [[] for _ in requests], [None] * len(requests)
    for source in sources:
        for row, cands, failure in zip(rows, source.candidates(requests), failures):
            for c in cands:
                if failure and _stands_in(c):
                    c.fallback = failure
            row.extend(cands)
    return rows


def _stands_in(c: Candidate) -> bool:
    """Whether ``c`` is an edit made in place of the backend's: the lexicon's and the tagger's,
    of the input or of its plain form (the plain form itself is not marked)."""
    return c.source in (Source.LEXICON, Source.EDIT_TAGGER) or (c.source is Source.PLAIN and bool(c.label))


def _threatens_you(text: str, civil: bool) -> bool:
    """A flagged comment naming a violent act against the reader counts as a threat even when
    the threat label stays under its threshold (the classifier reads "kill you" as an insult)."""
    return not civil and threatens_reader(text)


def _unserved(text: str, tox: float, civil: bool) -> RewriteResult | None:
    """The result for an input the rewriter must not edit, or None: non-English text (civil
    text comes back as it is; flagged text, e.g. by a word of the language's short insult list,
    comes back unedited with ``civil=False``) and flagged generalisations about a protected
    group."""
    lang = guess_language(text) if text.strip() else "en"
    if lang != "en":
        if civil:
            return RewriteResult.unchanged(text, tox)
        return RewriteResult.refused(text, tox, Rejection(RejectionKind.UNSUPPORTED_LANGUAGE, (lang,)))
    group = None if civil else generalises_about_group(text)
    if group:
        return RewriteResult.refused(text, tox, Rejection(RejectionKind.GROUP_CLAIM, (group,)))
    return None


def _screen_one(text: str, tox: float, cands: list[Candidate], score: ScoreFn, thresholds: np.ndarray,
                offline: OfflineRewriter, guided_steps: int, threat: bool
                ) -> tuple[list[Candidate], list[Candidate]]:
    """Screen the scored candidates, add classifier-guided removals and, for threats or nothing
    left to keep, a template: ``(kept, rejected)`` for :func:`choose`."""
    kept, rejected = screen(text, cands, threat)
    # Occlusion on a sentence about a group mostly finds the group's name or its verbs.
    if guided_steps and not any(c.civil for c in kept) and not identity_terms(text):
        # with no edit left, occlusion starts from the input itself
        start = min(kept, key=lambda c: c.tox) if kept else Candidate(text, Source.LEXICON, Tier.EDITS,
                                                                      label="offline", tox=tox)
        more, bad = screen(text, guided_removals(score, thresholds, start, guided_steps,
                                                 protected=offline.is_protected), threat)
        kept, rejected = kept + more, rejected + bad
    asks = [] if threat else request_templates(text)
    nothing_left = any(c.rejection is not None and c.rejection.kind is RejectionKind.NOTHING_LEFT for c in rejected)
    if not any(c.civil for c in kept) and (threat or asks or nothing_left or _short_and_broken(text, rejected)):
        tmpls = [_template(t, threat, t in asks) for t in templates_for(text, threat)]
        score_candidates(score, thresholds, tmpls)
        kept += tmpls
    return kept, rejected


SHORT_INSULT_WORDS = 8  # a broken edit of a comment this short leaves nothing worth keeping
_AT_READER = re.compile(r"\b(?:you|u|ur|your|you're|youre)\b", re.IGNORECASE)


def _short_and_broken(text: str, rejected: list[Candidate]) -> bool:
    """A short insult at the reader whose only civil edits read as broken ("you 're a god damn ."):
    a statement of disagreement says what it meant. A longer comment, or one about a group
    (counter-speech quoting a slur), keeps ``civil=False`` and its words."""
    return (len(text.split()) <= SHORT_INSULT_WORDS and bool(_AT_READER.search(text)) and not identity_terms(text)
            and any(c.civil and c.rejection is not None and c.rejection.broken for c in rejected))


def _template(text: str, threat: bool, request: bool) -> Candidate:
    kind = Template.THREAT if threat else Template.REQUEST if request else Template.DISAGREE
    return Candidate(text, Source.TEMPLATE, Tier.LAST_RESORT, template=kind)
