"""What the single-comment page says about a verdict and a rewrite, kept free of Streamlit.

A moderator reads these sentences, so they use plain words: the rewriter's internal method
names (``edit-tagger@0.3``, ``offline:lexicon-wide``) are for logs and the HTTP API only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Method name prefix -> what a moderator is told the rewrite did (first match wins).
METHOD_PHRASES: tuple[tuple[str, str], ...] = (
    ("edit-tagger", "suggested edit"),
    ("offline:mention", "the mention is removed"),
    ("offline:lexicon", "rude words removed or softened"),
    ("offline", "rude words removed or softened"),
    ("plain", "said plainly"),
    ("template:threat", "rephrased"),
    ("template:request", "rephrased"),
    ("template", "rephrased"),
    ("openai", "rephrased by a language model"),
    ("gemini", "rephrased by a language model"),
    ("auto", "rephrased by a language model"),
)
NO_PHRASE = ("unchanged", "none", "")


def method_phrase(method: str) -> str:
    """A human phrase for a rewrite method ("" when there is nothing worth saying)."""
    base = (method or "").split(" (fallback")[0].strip()
    if base in NO_PHRASE:
        return ""
    for prefix, phrase in METHOD_PHRASES:
        if base.startswith(prefix):
            return phrase
    return "rephrased"


def verdict_text(labels: list[str]) -> str:
    """The headline: ``Flagged: toxic, insult`` or ``Not flagged``."""
    return f"Flagged: {', '.join(labels)}" if labels else "Not flagged"


@dataclass
class RewriteOutcome:
    """What the rewrite section shows: ``kind`` is ``not_needed``, ``rewritten`` or
    ``not_found``; ``message`` is the sentence; ``text`` the suggestion (``rewritten`` only)."""

    kind: str
    message: str
    text: str = ""
    note: str = ""


def rewrite_outcome(flagged: bool, rewrite: Any | None) -> RewriteOutcome:
    """Decide what to say about a rewrite. ``rewrite`` is a ``RewriteResult`` (or ``None``
    when none was computed, as for a comment that is not flagged).

    A comment shown unchanged under "suggested civil rewrite" reads as if the tool approved it,
    so an unchanged or still-flagged result is said in words instead.
    """
    if not flagged:
        return RewriteOutcome("not_needed", "Not flagged: no rewrite needed.")
    if rewrite is None:
        return RewriteOutcome("not_found", "No civil rewrite found.")
    changed = rewrite.rewrite.strip() != rewrite.original.strip()
    if rewrite.civil and changed:
        phrase = method_phrase(rewrite.method)
        note = "; ".join(p for p in (phrase, _plain_reason(rewrite.reason)) if p)
        return RewriteOutcome("rewritten", "Suggested civil rewrite", rewrite.rewrite,
                              note[:1].upper() + note[1:] if note else "")
    reason = _plain_reason(rewrite.reason) or "no edit of this comment scores under every threshold"
    return RewriteOutcome("not_found", f"No civil rewrite found: {reason}.")


def _plain_reason(reason: str) -> str:
    """The rewriter's reason without its ``cannot be made civil:`` prefix or a final stop."""
    text = (reason or "").strip()
    text = text.removeprefix("cannot be made civil:").strip()
    return text.rstrip(".")
