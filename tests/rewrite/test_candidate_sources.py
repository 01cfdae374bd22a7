"""Candidate sources and the propose step: a new rewriter plugs in as one more source."""

from __future__ import annotations

from cleanspeech.rewrite.base import Proposal, Rewriter, RewriteRequest
from cleanspeech.rewrite.candidate import Candidate, Source, Tier
from cleanspeech.rewrite.offline import OfflineRewriter
from cleanspeech.rewrite.pipeline import propose
from cleanspeech.rewrite.sources import BackendSource, LexiconSource, PlainSource


class Failing(Rewriter):
    name = "flaky"

    def propose(self, requests):
        return [Proposal(error="flaky HTTP 500") if "fuck" in r.text else Proposal([("flaky", "You are wrong."),
                                                                                    ("flaky", " ")])
                for r in requests]


class Shouty:
    """A stand-in generative source: one candidate per request."""

    def candidates(self, requests):
        return [[Candidate(r.text.upper(), Source.BACKEND, Tier.EDITS, label="shouty")] for r in requests]


def test_rows_hold_the_backend_then_each_source_in_order():
    offline = OfflineRewriter()
    reqs = [RewriteRequest("you idiot"), RewriteRequest("i don 't give a fuck")]
    rows = propose(reqs, BackendSource(Failing()), [LexiconSource(offline), PlainSource(offline), Shouty()])
    first, second = rows
    assert (first[0].text, first[0].tier, first[0].label) == ("You are wrong.", Tier.BACKEND, "flaky")
    assert all(c.text.strip() for c in first)  # the empty reply is not a candidate
    assert first[-1].label == "shouty" and second[-1].label == "shouty"
    assert [c.fallback for c in first] == [None] * len(first)  # the backend answered
    # where it failed, the offline edits stand in for it and say why; the plain form itself does not
    plain = [c for c in second if c.source is Source.PLAIN]
    assert plain[0].label == "" and plain[0].text == "i don 't care" and plain[0].fallback is None
    edits = [c for c in second if c.source is Source.LEXICON]
    assert edits and all(c.fallback == "flaky HTTP 500" for c in edits)
    assert second[-1].fallback is None  # a source of its own, not an offline edit


def test_without_a_backend_only_the_sources_propose():
    rows = propose([RewriteRequest("hello")], None, [Shouty()])
    assert [c.text for c in rows[0]] == ["HELLO"]
