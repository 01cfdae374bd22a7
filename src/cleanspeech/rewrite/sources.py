"""Candidate sources: each proposes rewrites for a batch of requests
(:class:`~cleanspeech.rewrite.candidate.CandidateSource`); the pipeline scores, screens and
chooses among what they all propose. A new rewriter plugs in as one more source."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cleanspeech.rewrite.base import Rewriter, RewriteRequest
from cleanspeech.rewrite.candidate import Candidate, Source, Tier
from cleanspeech.rewrite.edit_tagger import EditTagger
from cleanspeech.rewrite.guards import COPULAS
from cleanspeech.rewrite.offline import OfflineRewriter, is_content_word
from cleanspeech.rewrite.plain import say_plainly

MAX_KEPT_WORDS_REMOVED = 2  # an edit-tagger candidate dropping this many is discarded
MAX_WORDS_REMOVED = 5  # ... or this many words of any kind annotators keep ("Calling someone you stop.")


def _says_something(text: str) -> bool:
    return bool(re.search(r"\w", text))  # nothing left to say is not a rewrite


class BackendSource:
    """The configured rewriter (an LLM): its candidates are tier :attr:`Tier.BACKEND`."""

    def __init__(self, rewriter: Rewriter) -> None:
        self.rewriter = rewriter

    def propose(self, requests: Sequence[RewriteRequest]) -> tuple[list[list[Candidate]], list[str | None]]:
        """Per request, the candidates and why the backend failed for it (None when it did not)."""
        proposals = self.rewriter.propose(list(requests))
        rows = [[Candidate(t, Source.BACKEND, Tier.BACKEND, label=m) for m, t in p.candidates if t.strip()]
                for p in proposals]
        return rows, [p.error for p in proposals]

    def candidates(self, requests: Sequence[RewriteRequest]) -> list[list[Candidate]]:
        return self.propose(requests)[0]


def lexicon_edits(offline: OfflineRewriter, text: str, source: Source = Source.LEXICON) -> list[Candidate]:
    """The offline rewriter's edits of ``text``, most conservative first."""
    return [Candidate(t, source, Tier.EDITS, label=m) for m, t in offline.candidates(text) if _says_something(t)]


class LexiconSource:
    """The offline rewriter's mined edits of each comment."""

    def __init__(self, offline: OfflineRewriter) -> None:
        self.offline = offline

    def candidates(self, requests: Sequence[RewriteRequest]) -> list[list[Candidate]]:
        return [lexicon_edits(self.offline, r.text) for r in requests]


class PlainSource:
    """Each comment with its rude idioms and requests said plainly ("don 't give a shit" ->
    "don 't care", "fuck off" -> "go away"), then the offline edits of the rest of it."""

    def __init__(self, offline: OfflineRewriter) -> None:
        self.offline = offline

    def candidates(self, requests: Sequence[RewriteRequest]) -> list[list[Candidate]]:
        out = []
        for r in requests:
            plain = say_plainly(r.text)
            out.append([] if plain is None else
                       [Candidate(plain, Source.PLAIN, Tier.EDITS)] + lexicon_edits(self.offline, plain, Source.PLAIN))
        return out


class EditTaggerSource:
    """The learned edit tagger's candidates, less those that cut what annotators keep."""

    def __init__(self, tagger: EditTagger, offline: OfflineRewriter) -> None:
        self.tagger, self.offline = tagger, offline

    def candidates(self, requests: Sequence[RewriteRequest]) -> list[list[Candidate]]:
        tagged = self.tagger.candidates([r.text for r in requests])
        return [[Candidate(t, Source.EDIT_TAGGER, Tier.EDITS, label=m) for m, t in row if self._keeps_meaning(r.text, t)]
                for r, row in zip(requests, tagged)]

    def _keeps_meaning(self, text: str, cand: str) -> bool:
        # the tagger may learn to cut a whole clause; two content words annotators keep, gone,
        # is a changed meaning ("Calling someone a '...' is homophobic" -> "Calling someone.")
        cut = self.offline.words_removed(text, cand)
        lost = [w for w in cut if is_content_word(w)]
        # a copula gone with a kept word is a whole claim gone ("... is homophobic")
        claim = lost and any(w.norm in COPULAS for w in cut)
        return _says_something(cand) and len(lost) < MAX_KEPT_WORDS_REMOVED and len(cut) < MAX_WORDS_REMOVED \
            and not claim
