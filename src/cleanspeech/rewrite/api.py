"""``rewrite_texts``: propose candidates with the chosen backend and the offline rewriter, then
verify them with the classifier (see :mod:`cleanspeech.rewrite.verify`).

An input is rewritten when the classifier flags it (not civil) or when it holds a phrase that
ParaDetox annotators almost always remove (``lexicon_trigger``; e.g. "fucking", masked
profanity). Every other input comes back unchanged with ``method="unchanged"``.

Inputs the rewriter cannot serve come back unedited with ``civil=False`` and a ``reason``:
non-English text the classifier flags (the lexicon is English), and flagged generalisations
about a protected group ("Gay people are ..."). Flagged threats and comments with nothing left
to keep get a template statement of the feeling ("I am very angry with you.") when no edit
passes the guards (:mod:`cleanspeech.rewrite.guards`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from cleanspeech.labels import LABELS, labels_over
from cleanspeech.rewrite.base import Rewriter, RewriteRequest
from cleanspeech.rewrite.edit_tagger import EditTagger, load_edit_tagger
from cleanspeech.rewrite.guards import (
    COPULAS, generalises_about_group, identity_terms, say_plainly, request_templates, templates_for,
    threatens_reader,
)
from cleanspeech.language import guess_language, has_offensive_words
from cleanspeech.rewrite.offline import OfflineRewriter, is_content_word
from cleanspeech.rewrite.result import RewriteResult, civil_mask, toxicity
from cleanspeech.rewrite.meaning import load_meaning
from cleanspeech.rewrite.verify import (Candidate, attach_meaning, choose, guided_removals, score_candidates,
                                       screen)

BACKENDS = ("offline", "gemini", "openai", "auto")


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


def _model_scorer(model: Any):
    def score(texts: Sequence[str]) -> np.ndarray:
        return np.asarray(model.predict_proba([t if isinstance(t, str) else "" for t in texts]), dtype=float)

    return score


def rewrite_texts(model: Any, texts: list[str], backend: str = "offline", *,
                  rewriter: Rewriter | None = None, offline: OfflineRewriter | None = None,
                  lexicon_trigger: bool = True, guided_steps: int = 3,
                  scorer: Callable[[Sequence[str]], np.ndarray] | None = None,
                  edit_tagger: Any = "auto", meaning: Any = "auto", **kw: Any) -> list[RewriteResult]:
    """One verified :class:`RewriteResult` per text, in order.

    ``model``: anything with ``predict_proba(texts) -> (n, 6)`` and ``thresholds (6,)``.
    ``rewriter`` overrides the backend; ``kw`` go to the LLM config (``base_url``, ``api_key``,
    ``llm_model``, ``timeout``, ``max_retries``, ``backoff``, ``max_workers``).
    ``guided_steps``: at most this many extra words removed by classifier occlusion when no
    lexicon/LLM candidate is civil (0 disables).
    ``scorer``: ``texts -> (n, 6)`` used for every score (the Moderator passes its own, which
    holds the empty-text policy), else ``model.predict_proba``.
    ``edit_tagger``: an :class:`EditTagger` whose candidates join the offline rewriter's,
    ``"auto"`` for the shipped one (skipped where it or torch is missing), None for none.
    ``meaning``: a :class:`~cleanspeech.rewrite.meaning.Meaning` whose embedding cosine joins
    character similarity in choosing among civil candidates, ``"auto"`` for the packaged
    MiniLM (skipped where it or torch is missing), None for characters alone.
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    if not texts:
        return []
    score = scorer or _model_scorer(model)
    thresholds = np.asarray(model.thresholds, dtype=float)
    before = score(texts)
    tox_before, civil_before = toxicity(before), civil_mask(before, thresholds)
    offline = offline or OfflineRewriter()
    results = {i: _unserved(t, float(tox_before[i]), bool(civil_before[i])) for i, t in enumerate(texts)}
    results = {i: r for i, r in results.items() if r is not None}
    todo = [i for i, t in enumerate(texts) if i not in results and t.strip() and (
        not civil_before[i] or (lexicon_trigger and offline.has_known_toxic_terms(t)))]
    todo_set = set(todo)
    results.update({i: RewriteResult(t, t, float(tox_before[i]), float(tox_before[i]), "unchanged", True)
                    for i, t in enumerate(texts) if i not in todo_set and i not in results})
    if todo:
        primary = rewriter or make_rewriter(backend, **kw)
        labels = labels_over(before[todo], thresholds)
        requests = [RewriteRequest(texts[i], tuple(lab), tuple(offline.spans(texts[i])))
                    for i, lab in zip(todo, labels)]
        tagger = load_edit_tagger() if isinstance(edit_tagger, str) and edit_tagger == "auto" else edit_tagger
        cand_lists = _candidates(primary, offline, requests, tagger)
        flat = [c for cl in cand_lists for c in cl]
        score_candidates(score, thresholds, flat)
        threat = before[:, LABELS.index("threat")] >= thresholds[LABELS.index("threat")]
        screened = [_screen_one(texts[i], float(tox_before[i]), cands, score, thresholds, offline,
                                guided_steps, bool(threat[i]) or _threatens_you(texts[i], civil_before[i]))
                    for i, cands in zip(todo, cand_lists)]
        enc = load_meaning() if isinstance(meaning, str) and meaning == "auto" else meaning
        if enc is not None:
            attach_meaning(enc, [(texts[i], float(tox_before[i]), kept) for i, (kept, _) in zip(todo, screened)])
        for i, cands, (kept, rejected) in zip(todo, cand_lists, screened):
            res = choose(texts[i], float(tox_before[i]), kept, rejected)
            if civil_before[i] and not res.civil:  # triggered by the lexicon only: keep the input
                res = RewriteResult(texts[i], texts[i], res.toxicity_before, res.toxicity_before, "unchanged", True)
            res.method = _with_fallback_note(res.method, cands)
            results[i] = res
    return [results[i] for i in range(len(texts))]


def _threatens_you(text: str, civil: bool) -> bool:
    """A flagged comment naming a violent act against the reader counts as a threat even when
    the threat label stays under its threshold (the classifier reads "kill you" as an insult)."""
    return not civil and threatens_reader(text)


def _unserved(text: str, tox: float, civil: bool) -> RewriteResult | None:
    """The result for an input the rewriter must not edit, or None: non-English text (clean
    text comes back as it is; text the classifier flags or that holds a word of the language's
    short insult list comes back unedited with ``civil=False`` and a reason) and flagged
    generalisations about a protected group."""
    lang = guess_language(text) if text.strip() else "en"
    if lang != "en":
        if civil and not has_offensive_words(text, lang):
            return RewriteResult(text, text, tox, tox, "unchanged", True)
        return RewriteResult(text, text, tox, tox, "none", False,
                             f"language not supported ({lang}): the rewriter only edits English")
    group = None if civil else generalises_about_group(text)
    if group:
        return RewriteResult(text, text, tox, tox, "none", False,
                             f'cannot be made civil: it makes a claim about "{group}" as a group; '
                             "removing words would either erase the group or keep the claim")
    return None


def _screen_one(text: str, tox: float, cands: list[Candidate], score, thresholds: np.ndarray,
                offline: OfflineRewriter, guided_steps: int, threat: bool
                ) -> tuple[list[Candidate], list[Candidate]]:
    """Screen the scored candidates, add classifier-guided removals and, for threats or nothing
    left to keep, a template: ``(kept, rejected)`` for :func:`choose`."""
    kept, rejected = screen(text, cands, threat)
    # Occlusion on a sentence about a group mostly finds the group's name or its verbs.
    if guided_steps and not any(c.civil for c in kept) and not identity_terms(text):
        start = min(kept, key=lambda c: c.tox) if kept else Candidate(text, "offline", 1, tox)
        more, bad = screen(text, guided_removals(score, thresholds, start, guided_steps,
                                                 protected=offline.is_protected), threat)
        kept, rejected = kept + more, rejected + bad
    asks = [] if threat else request_templates(text)
    if not any(c.civil for c in kept) and (threat or asks or any("nothing civil" in c.reason for c in rejected)
                                           or _short_and_broken(text, rejected)):
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
            and any(c.civil and "broken" in c.reason for c in rejected))


def _template(text: str, threat: bool, request: bool) -> Candidate:
    if threat:
        return Candidate(text, "template:threat", 2,
                         reason="the threat is replaced by a statement of the feeling behind it")
    if request:
        return Candidate(text, "template:request", 2, reason="the dismissal is replaced by a polite request")
    return Candidate(text, "template:disagree", 2,
                     reason="nothing but the insult to remove; replaced by a statement of disagreement")


MAX_KEPT_WORDS_REMOVED = 2  # an edit-tagger candidate dropping this many is discarded
MAX_WORDS_REMOVED = 5  # ... or this many words of any kind annotators keep ("Calling someone you stop.")


def _candidates(primary: Rewriter, offline: OfflineRewriter, requests: list[RewriteRequest],
                edit_tagger: EditTagger | None = None) -> list[list[Candidate]]:
    """Tier 0: the primary backend's candidates; tier 1: the offline rewriter's and the edit
    tagger's (always)."""
    out: list[list[Candidate]] = []
    prim = primary.propose(requests) if not isinstance(primary, OfflineRewriter) else None
    tagged = edit_tagger.candidates([r.text for r in requests]) if edit_tagger is not None else None
    for k, req in enumerate(requests):
        cands: list[Candidate] = []
        note = None
        if prim is not None:
            if prim[k].error:
                note = prim[k].error
            cands += [Candidate(t, m, 0) for m, t in prim[k].candidates if t.strip()]
        # rude idioms and requests said plainly ("don 't give a shit" -> "don 't care", "fuck
        # off" -> "go away") are a candidate too, and so are the offline edits of the rest
        plain = say_plainly(req.text)
        for text, prefix in [(req.text, "")] + ([(plain, "plain+")] if plain else []):
            if prefix:
                cands.append(Candidate(text, "plain", 1))
            for m, t in offline.candidates(text):
                if not re.search(r"\w", t):
                    continue  # nothing left to say is not a rewrite
                m = prefix + m
                cands.append(Candidate(t, f"{m} (fallback: {note})" if note else m, 1))
        for m, t in (tagged[k] if tagged is not None else []):
            # the tagger may learn to cut a whole clause; two content words annotators keep, gone,
            # is a changed meaning ("Calling someone a '...' is homophobic" -> "Calling someone.")
            cut = offline.words_removed(req.text, t)
            lost = [w for w in cut if is_content_word(w)]
            # a copula gone with a kept word is a whole claim gone ("... is homophobic")
            claim = lost and any(w.norm in COPULAS for w in cut)
            if re.search(r"\w", t) and len(lost) < MAX_KEPT_WORDS_REMOVED and len(cut) < MAX_WORDS_REMOVED \
                    and not claim:
                cands.append(Candidate(t, f"{m} (fallback: {note})" if note else m, 1))
        out.append(cands)
    return out


def _with_fallback_note(method: str, cands: list[Candidate]) -> str:
    """Rows whose LLM call failed say so even when the result is ``none``."""
    if "(fallback:" in method:
        return method
    notes = {c.method.split("(fallback:", 1)[1] for c in cands if "(fallback:" in c.method}
    return f"{method} (fallback:{notes.pop()}" if notes else method
