"""Civil rewriting, verified by the classifier.

    >>> from cleanspeech.models import load_model
    >>> from cleanspeech.rewrite import rewrite_texts
    >>> [r.rewrite for r in rewrite_texts(load_model("default"), ["you are a fucking idiot ."])]

``backend``: ``"offline"`` (default; the lexicon mined from ParaDetox, no network), ``"gemini"``,
``"openai"`` (any OpenAI-compatible endpoint), or ``"auto"`` (``$CLEANSPEECH_LLM_BACKEND`` if
set, else offline). See :mod:`cleanspeech.rewrite.pipeline` for the steps (propose, score,
screen, choose), :mod:`cleanspeech.rewrite.result` for "toxicity" and "civil",
:mod:`cleanspeech.rewrite.verify` for how the result is chosen, and
:mod:`cleanspeech.rewrite.candidate` for the typed state a result's ``method`` and ``reason`` are
rendered from (``RewriteResult.candidate``, ``RewriteResult.rejection``).
"""

from __future__ import annotations

from cleanspeech.rewrite.base import Proposal, Rewriter, RewriteRequest
from cleanspeech.rewrite.candidate import Candidate, CandidateSource, Rejection, RejectionKind, Source, Tier
from cleanspeech.rewrite.pipeline import BACKENDS, make_rewriter, rewrite_texts
from cleanspeech.rewrite.result import RewriteResult, civil_mask, toxicity

__all__ = [
    "BACKENDS", "Candidate", "CandidateSource", "Proposal", "Rejection", "RejectionKind", "RewriteRequest",
    "RewriteResult", "Rewriter", "Source", "Tier", "civil_mask", "make_rewriter", "rewrite_texts", "toxicity",
]
