"""What a rewrite returns, and the one definition of "toxicity" and "civil" the rewriter uses.

* **toxicity** of a text = the maximum over the six labels of the model's probability, in [0, 1].
* **civil** = the moderation step would flag nothing (:func:`cleanspeech.decision.raised`):
  no label's probability at or over its tuned threshold (``model.thresholds``), read with the
  caution that decision applies to text the English classifier cannot judge.

The ``method`` and ``reason`` strings are rendered here, and only here, from the typed state of
:mod:`cleanspeech.rewrite.candidate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cleanspeech.rewrite.candidate import Candidate, Rejection, RejectionKind, Source, Template

K = RejectionKind
_GUARD_TEXT = {
    K.KEEPS_THREAT: "every edit still carries the threat",
    K.THREAT_FRAME: "removing the violent words leaves the rest of the threat",
    K.NOT_CIVIL: "no candidate is under every threshold",
    K.SAME_WORDS: "the only civil candidate has the same words (only punctuation or case changed)",
    K.MEANING_LOST: "the only civil candidates say something else (their meaning is too far from the input's)",
    K.GROUP_CLAIM: 'it makes a claim about "{0}" as a group; removing words would either erase the group '
                   "or keep the claim",
}
_BROKEN_TEXT = {
    K.LEFT_WITHOUT_VERB: '"{0}" is left without its verb',
    K.GO_WITHOUT_ACTION: '"go" is left without what it told the reader to do',
    K.GOD_WITHOUT_DAMN: '"god" is left without "damn"',
    K.DANGLING_DETERMINER: 'a dangling "{0}" where words were removed',
    K.VERB_MISSING_BETWEEN: 'a verb is missing between "{0}" and "{1}"',
    K.VERB_MISSING_AFTER: 'a verb is missing after "{0}"',
    K.VERB_GONE_BEFORE: 'the verb before "{0}" is gone',
    K.MODIFIER_CUT: '"{0}" is left without the word it modified',
    K.COMPARISON_CUT: '"{0}" is left without what it compared',
    K.COPULA_CUT: '"{0}" is left without what it said',
    K.CONTRACTION_CUT: "a contraction is cut in two",
    K.IDIOM_CUT: 'the idiom "give a ..." lost its verb',
    K.DANGLING_END: 'the rewrite ends on "{0}"',
}
_TEMPLATE_NOTE = {
    Template.THREAT: "the threat is replaced by a statement of the feeling behind it",
    Template.REQUEST: "the dismissal is replaced by a polite request",
    Template.DISAGREE: "nothing but the insult to remove; replaced by a statement of disagreement",
}


def _quoted(words: tuple[str, ...]) -> str:
    return ", ".join(f'"{w}"' for w in words)


def fluency_text(r: Rejection) -> str:
    """What a broken candidate lacks, in words."""
    if r.kind is K.NOTHING_LEFT:
        tail = f' ("{r.detail[0]}" has no verb)' if r.detail else ""
        return "nothing civil is left once the offensive words are removed" + tail
    return _BROKEN_TEXT[r.kind].format(*r.detail)


def describe(r: Rejection) -> str:
    """A guard's verdict in words ("the candidate drops the negation "dont"")."""
    if r.kind is K.LOST_IDENTITY:
        return "it reads as civil only without the identity terms " + _quoted(r.detail)
    if r.kind is K.LOST_NEGATION:
        return "the candidate drops the negation " + _quoted(r.detail)
    if r.kind is K.LOST_MODALITY:
        return "the candidate drops the modal verb " + _quoted(r.detail)
    if r.broken:
        return f"the candidate edits read as broken ({fluency_text(r)})"
    return _GUARD_TEXT[r.kind].format(*r.detail)


def reason_text(r: Rejection) -> str:
    """The ``reason`` of a result that is not civil because of ``r``."""
    if r.kind is K.UNSUPPORTED_LANGUAGE:
        return f"language not supported ({r.detail[0]}): the rewriter only edits English"
    return f"cannot be made civil: {describe(r)}"


def method_text(c: Candidate) -> str:
    """How ``c`` was made ("offline:lexicon", "plain+offline:lexicon-strict", "edit-tagger@0.5+guided",
    "template:threat"), without the fallback note."""
    if c.source is Source.TEMPLATE:
        assert c.template is not None
        return "template:" + c.template.value
    # a guided removal from an edit of the plain form names only the plain form ("plain+guided")
    head = "plain" if c.source is Source.PLAIN else c.label
    if c.guided:
        return head + "+guided"
    return f"{head}+{c.label}" if c.source is Source.PLAIN and c.label else head


def _with_fallback(method: str, fallback: str | None) -> str:
    return f"{method} (fallback: {fallback})" if fallback else method


@dataclass
class RewriteResult:
    """One input's rewrite. ``method`` says which candidate won (``offline:lexicon``,
    ``openai``, ``offline:lexicon+guided``…), ``unchanged`` for input that needed no rewrite,
    ``none`` when no candidate was less toxic than the input, and ``… (fallback: why)`` when an
    LLM backend failed for this row. ``civil`` is False when the output still has a label at or
    over its threshold (it could not be made civil). ``reason`` says why a flagged input could not
    be made civil, or what a template rewrite did ("" when there is nothing to say).

    ``candidate`` (the winner, if any) and ``rejection`` (why it is not civil, if it is not) are
    the typed values ``method`` and ``reason`` were rendered from; they are not serialised."""

    original: str
    rewrite: str
    toxicity_before: float
    toxicity_after: float
    method: str
    civil: bool
    reason: str = ""
    candidate: Candidate | None = field(default=None, repr=False, compare=False)
    rejection: Rejection | None = field(default=None, repr=False, compare=False)

    @classmethod
    def unchanged(cls, text: str, tox: float, fallback: str | None = None) -> RewriteResult:
        """An input that needed no rewrite (or whose only trigger was the lexicon)."""
        return cls(text, text, tox, tox, _with_fallback("unchanged", fallback), True)

    @classmethod
    def refused(cls, text: str, tox: float, why: Rejection) -> RewriteResult:
        """An input the rewriter must not edit, returned as it is with ``civil=False``."""
        return cls(text, text, tox, tox, "none", False, reason_text(why), rejection=why)

    @classmethod
    def chosen(cls, original: str, tox_before: float, best: Candidate | None, civil: bool,
               why: Rejection | None = None, fallback: str | None = None) -> RewriteResult:
        """The verification loop's verdict: ``best`` (None: the input itself, ``method="none"``),
        civil or not because of ``why``; ``fallback`` is why the backend failed for this row."""
        if best is None:
            assert why is not None
            return cls(original, original, tox_before, tox_before, _with_fallback("none", fallback), False,
                       reason_text(why), rejection=why)
        method = _with_fallback(method_text(best), fallback or best.fallback)
        if civil:
            note = _TEMPLATE_NOTE[best.template] if best.template is not None else ""
            return cls(original, best.text, tox_before, best.tox, method, True, note, candidate=best)
        assert why is not None
        return cls(original, best.text, tox_before, best.tox, method, False, reason_text(why),
                   candidate=best, rejection=why)

    def to_dict(self) -> dict[str, Any]:
        return {
            "original": self.original, "rewrite": self.rewrite,
            "toxicity_before": round(float(self.toxicity_before), 6),
            "toxicity_after": round(float(self.toxicity_after), 6),
            "method": self.method, "civil": bool(self.civil), "reason": self.reason,
        }


def toxicity(scores: np.ndarray) -> np.ndarray:
    """``(n,)`` toxicity: the max over labels of an ``(n, 6)`` probability array."""
    scores = np.asarray(scores, dtype=float)
    return scores.max(axis=1) if len(scores) else np.zeros(0)


def civil_mask(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """``(n,)`` bool: no label at or over its threshold."""
    scores = np.asarray(scores, dtype=float)
    if not len(scores):
        return np.zeros(0, dtype=bool)
    return ~(scores >= np.asarray(thresholds, dtype=float)[None, :]).any(axis=1)
