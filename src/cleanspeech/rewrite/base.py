"""The ``Rewriter`` interface every backend implements, and the request it is given."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RewriteRequest:
    """A comment to rewrite, with what the classifier found: labels over threshold and the
    words/phrases to remove (from the lexicon or the explanations)."""

    text: str
    labels: tuple[str, ...] = ()
    spans: tuple[str, ...] = ()


@dataclass
class Proposal:
    """A backend's answer for one request: ``(method, text)`` candidates, or why it failed."""

    candidates: list[tuple[str, str]] = field(default_factory=list)
    error: str | None = None


class Rewriter(ABC):
    """Proposes civil candidates; the verification loop (``rewrite_texts``) picks among them.

    Implementations must never raise for one bad row: they return ``Proposal(error=...)``.
    """

    name: str = "rewriter"

    @abstractmethod
    def propose(self, requests: list[RewriteRequest]) -> list[Proposal]:
        """One :class:`Proposal` per request, in order."""
