"""The typed state of the rewrite pipeline: candidates, where they came from, and why a guard
rejected one.

Decisions read these values, never the text shown to people: the ``method`` label and the
``reason`` of a :class:`~cleanspeech.rewrite.result.RewriteResult` are rendered from them in
:mod:`cleanspeech.rewrite.result`, so rewording a message cannot change what the pipeline does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum, IntEnum
from typing import Protocol

from cleanspeech.rewrite.base import RewriteRequest


class Tier(IntEnum):
    """Candidates compete within the first tier that has a civil one (see
    :func:`cleanspeech.rewrite.verify.choosable`); a lower tier is preferred."""

    BACKEND = 0  # the configured backend's own rewrites (an LLM)
    EDITS = 1  # the offline edits: lexicon, plain idioms, edit tagger
    LAST_RESORT = 2  # templates, and classifier-guided removals from an offline edit


class Source(Enum):
    """Which proposer made a candidate."""

    BACKEND = "backend"  # the configured rewriter (an LLM); ``label`` is its name
    LEXICON = "lexicon"  # the offline rewriter's mined edits; ``label`` is its level
    PLAIN = "plain"  # rude idioms and requests said plainly, then maybe the lexicon's edits
    EDIT_TAGGER = "edit-tagger"  # the learned keep/delete/replace tagger
    TEMPLATE = "template"  # a statement of the feeling, for comments with nothing to keep


class Template(Enum):
    """Which statement a template candidate makes."""

    THREAT = "threat"  # the feeling behind a threat
    REQUEST = "request"  # the polite form of a dismissal
    DISAGREE = "disagree"  # disagreement, for a bare insult


class RejectionKind(Enum):
    """Why a candidate (or an input) cannot be sent as civil."""

    # content the classifier ignores
    SAME_WORDS = "same-words"  # only case, spacing or punctuation changed: not a rewrite
    LOST_IDENTITY = "lost-identity"  # detail: the identity terms gone
    LOST_NEGATION = "lost-negation"  # detail: the negations gone
    LOST_MODALITY = "lost-modality"  # detail: the modal verbs gone ("should be legal" -> "is legal")
    MEANING_LOST = "meaning-lost"  # less like the input than 99% of human paraphrases are to theirs
    KEEPS_THREAT = "keeps-threat"  # a violent act is still named
    THREAT_FRAME = "threat-frame"  # the violent words went, the rest of the threat stayed
    # broken sentences (see BROKEN_KINDS); detail: the words at the seam
    NOTHING_LEFT = "nothing-left"  # "you are ."; detail: the remnant when it is "you" and no verb
    LEFT_WITHOUT_VERB = "left-without-verb"  # a particle or reflexive: "go yourself", "please up"
    GO_WITHOUT_ACTION = "go-without-action"  # "for you to go ."
    GOD_WITHOUT_DAMN = "god-without-damn"  # "you 're a god person"
    DANGLING_DETERMINER = "dangling-determiner"  # "your is", "the killed"
    VERB_MISSING_BETWEEN = "verb-missing-between"  # "find you and you"; detail: the words either side
    VERB_MISSING_AFTER = "verb-missing-after"  # "you can or get comfortable"
    VERB_GONE_BEFORE = "verb-gone-before"  # "starting to with my ability"
    MODIFIER_CUT = "modifier-cut"  # "a really bill"
    COMPARISON_CUT = "comparison-cut"  # "nosy as too", "hurts like ."
    COPULA_CUT = "copula-cut"  # "you 're ."
    CONTRACTION_CUT = "contraction-cut"  # "wasn ' fair"
    IDIOM_CUT = "idiom-cut"  # "i dont about your rules"
    DANGLING_END = "dangling-end"  # "i will curse you to ."
    # whole inputs
    NOT_CIVIL = "not-civil"  # no candidate is under every threshold
    GROUP_CLAIM = "group-claim"  # detail: the group a flagged sentence generalises about
    UNSUPPORTED_LANGUAGE = "unsupported-language"  # detail: the language code


BROKEN_KINDS = frozenset({
    RejectionKind.NOTHING_LEFT, RejectionKind.LEFT_WITHOUT_VERB, RejectionKind.GO_WITHOUT_ACTION,
    RejectionKind.GOD_WITHOUT_DAMN, RejectionKind.DANGLING_DETERMINER, RejectionKind.VERB_MISSING_BETWEEN,
    RejectionKind.VERB_MISSING_AFTER, RejectionKind.VERB_GONE_BEFORE, RejectionKind.MODIFIER_CUT,
    RejectionKind.COMPARISON_CUT, RejectionKind.COPULA_CUT, RejectionKind.CONTRACTION_CUT,
    RejectionKind.IDIOM_CUT, RejectionKind.DANGLING_END,
})


@dataclass(frozen=True)
class Rejection:
    """A guard's verdict: its ``kind`` and the words it is about."""

    kind: RejectionKind
    detail: tuple[str, ...] = ()

    @property
    def broken(self) -> bool:
        """Whether the candidate reads as a broken sentence (any fluency guard)."""
        return self.kind in BROKEN_KINDS


@dataclass
class Candidate:
    """A candidate rewrite: its text, who proposed it and how, its tier, and (once scored and
    screened) its scores and the guard it failed.

    ``label``: the proposer's own name for how it made the text ("offline:lexicon-strict",
    "edit-tagger@0.9", "openai"). ``fallback``: why the configured backend failed for this
    row, when this candidate stands in for it. ``guided``: words were then removed by
    classifier occlusion (:func:`cleanspeech.rewrite.verify.guided_removals`).
    """

    text: str
    source: Source
    tier: Tier
    label: str = ""
    fallback: str | None = None
    guided: bool = False
    template: Template | None = None
    tox: float = 1.0
    civil: bool = False
    rejection: Rejection | None = None
    meaning: float | None = None  # embedding cosine with the input, where computed
    likelihood: float | None = None  # the generator's mean log-probability of it as the rewrite, where computed


class CandidateSource(Protocol):
    """Anything that proposes candidates: one list per request, in order."""

    def candidates(self, requests: Sequence[RewriteRequest]) -> list[list[Candidate]]:
        ...
