"""Word tokens with character offsets, edits applied to the original text, and the clean-up of
artefacts that deleting words leaves behind (double spaces, dangling punctuation, "a" vs "an").

Editing by character offsets keeps everything the rewriter does not touch exactly as written
(casing, spacing, tokenised or natural punctuation).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words may carry inner/trailing masking characters ("f***ing", "a$$", "don't"); any other
# non-space character is a token of its own.
_TOKEN_RE = re.compile(r"\w+(?:[*$@'’]+\w+)*\**|[^\w\s]")
_VOWEL_SOUND_RE = re.compile(r"^(?:[aeiAEI]|[oO](?!ne)|[uU](?![nN][iI]|[sS][eE]|[sS][uU])|hour|honest|honou?r)")


@dataclass(frozen=True)
class Token:
    """One token: its text and ``[start, end)`` character offsets in the source string."""

    text: str
    start: int
    end: int

    @property
    def norm(self) -> str:
        """Lowercased form used for lexicon look-ups (curly apostrophes straightened)."""
        return self.text.lower().replace("’", "'")

    @property
    def is_word(self) -> bool:
        return bool(re.match(r"\w", self.text))


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text`` in order, with offsets into ``text``."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def norm_tokens(text: str) -> list[str]:
    """Lowercased token strings (the keys the rewriter looks up)."""
    return [t.norm for t in tokenize(text)]


_CONTRACTION_RE = re.compile(r"(\w)\s*['’]\s*(t|s|m|re|ve|ll|d)\b")


def mining_tokens(text: str) -> list[str]:
    """Lowercased tokens for aligning pairs and looking words up: contractions lose their
    apostrophe ("don't", "don ' t" and "dont" are all ``dont``) so that ParaDetox's tokenised
    sources align with natural references; masked words stay whole."""
    return norm_tokens(_CONTRACTION_RE.sub(r"\1\2", text.lower()))


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``replacement`` (``""`` deletes)."""

    start: int
    end: int
    replacement: str


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (overlaps keep the earlier edit) and clean the result."""
    out, pos = [], 0
    for e in sorted(edits, key=lambda e: (e.start, e.end)):
        if e.start < pos:
            continue
        out.append(text[pos:e.start])
        out.append(e.replacement)
        pos = e.end
    out.append(text[pos:])
    return cleanup("".join(out), like=text)


_OPEN_CLOSE = [("(", ")"), ("[", "]"), ("\"", "\""), ("'", "'")]


def cleanup(text: str, like: str | None = None) -> str:
    """Remove the artefacts of deleted words; ``like`` (the source) decides initial capitals."""
    s = re.sub(r"[ \t]{2,}", " ", text)
    s = re.sub(r"^\s*[,;:.!?]+\s*(?=\w)", "", s)  # punctuation stranded at the start
    s = re.sub(r"([,;:])(\s*[,;:])+", r"\1", s)  # ", ," -> ","
    s = re.sub(r"[,;:]\s*(?=[.!?]|$)", "", s)  # ", ." -> "."
    s = re.sub(r"\(\s*\)|\[\s*\]|\"\s*\"", "", s)
    s = re.sub(r"([.!?])(\s+[.!?])+", r"\1", s) if " . ." in s else s
    s = re.sub(r"(?:^|\s)(?:[Aa]n?|[Tt]he)\s*(?=[,;:.!?]|$)", "", s)  # "an ." -> "."
    s = re.sub(r"\b([Aa]n?)\s+(?=(?:of|to|and|or|in|for)\b)", "", s)  # "make an of" -> "make of"
    s = re.sub(r",\s*you\s*(?=[.!?]|$)", "", s)  # vocative left behind: "..., you ." -> "... ."
    s = _fix_articles(s)
    s = re.sub(r"[ \t]{2,}", " ", s).strip()
    if like is not None and not re.search(r"\w [,;:.!?]", like):  # untokenised source: "you ," -> "you,"
        s = re.sub(r"[ \t]+([,;:.!?])", r"\1", s)
    if like and like[:1].isupper() and s[:1].islower():
        s = s[:1].upper() + s[1:]
    return s


def _fix_articles(s: str) -> str:
    """``a`` before a vowel sound becomes ``an`` and ``an`` before a consonant becomes ``a``."""

    def repl(m: re.Match[str]) -> str:
        art, space, word = m.group(1), m.group(2), m.group(3)
        want_an = bool(_VOWEL_SOUND_RE.match(word))
        lower = "an" if want_an else "a"
        new = lower.capitalize() if art[:1].isupper() else lower
        return f"{new}{space}{word}"

    return re.sub(r"\b([Aa]n?)(\s+)([A-Za-z]+)", repl, s)
