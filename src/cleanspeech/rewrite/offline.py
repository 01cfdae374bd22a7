"""The offline rewriter: edits mined from ParaDetox applied to the comment, at a few levels of
aggressiveness, as candidates for the verification loop. No network, no hub, no model weights.

A phrase (1–3 words) is edited when annotators dropped it in at least ``rate`` of its
occurrences (see :class:`~cleanspeech.rewrite.lexicon.LexEntry`). An edited phrase becomes its
most frequent civil replacement when annotators replaced it often enough ("give a shit" →
"care", "idiots" → "people"), and is deleted otherwise. A replacement that only re-spells the
word ("youre" → "you're") is applied as such, never as a deletion.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from cleanspeech.rewrite.base import Proposal, Rewriter, RewriteRequest
from cleanspeech.identity import IDENTITY_TERMS
from cleanspeech.rewrite.guards import FUNCTION_WORDS, fold
from cleanspeech.rewrite.lexicon import RESOURCE, EditLexicon
from cleanspeech.rewrite.phrases import Span, copula_wrong, merge_deletions, with_particles
from cleanspeech.rewrite.tokens import Edit, Token, apply_edits, mining_tokens, tokenize
from cleanspeech.rewrite.wordlist import WordRates, load_word_rates

# Masked or stretched profanity the lexicon cannot list exhaustively ("f***", "fuuuck", "sh1t").
_PROFANITY_RE = re.compile(
    r"^(?:f+[\W_]*[u*@#v]+[\W_]*[c*]+[\W_]*k+\w*|f\*+\w*|s+h+[i1!*]+t+\w*|b+[i1!*]+t+c+h+\w*"
    r"|a+s+s+h+o+l+e+s?|c+u+n+t+s?|d+[i1]+c+k+s?|w+t+f+|stfu|gtfo|mf+)$"
)

_MENTION_RE = re.compile(r"(\b(?:an?|the)\s+)?[\"“']([^\s\"”']+)[\"”']")


@dataclass(frozen=True)
class Level:
    """One candidate's settings: edit rate threshold, and whether replacements are allowed."""

    name: str
    rate: float
    replace: bool = True


# Chosen on the dev split (bench_rewrite.py --dev; variants with --rewriter '{"levels": ...}'):
# the 0.7 level first scored J 0.6493 vs 0.6488 without it, a difference within noise.
DEFAULT_LEVELS: tuple[Level, ...] = (
    Level("lexicon-strict", 0.7),
    Level("lexicon-strict-delete", 0.7, replace=False),
    Level("lexicon", 0.6),
    Level("lexicon-delete", 0.6, replace=False),
    Level("lexicon-wide", 0.4),
    Level("lexicon-wide-delete", 0.4, replace=False),
)


@lru_cache(maxsize=4)
def load_lexicon(path: str | None = None) -> EditLexicon:
    """The shipped mined lexicon (``resources/edits.json``) or one at ``path``; cached."""
    return EditLexicon.load(path or RESOURCE)


def _letters(s: str) -> str:
    return re.sub(r"[^a-z0-9]", "", s.lower())


def _key(text: str) -> str:
    """Lexicon key of a token or phrase, leet folded ("m0r0n" -> "moron")."""
    return " ".join(fold(w) for w in mining_tokens(text))


def _obfuscated(text: str) -> bool:
    return any(fold(w) != w for w in mining_tokens(text))


def _render(replacement: str) -> str:
    """Mining tokens back to text: ``don ' t`` → ``don't``, ``people ,`` → ``people,``."""
    s = re.sub(r"\s*'\s*", "'", replacement)
    return re.sub(r"\s+([,.!?;:])", r"\1", s)


def is_content_word(tok: Token) -> bool:
    """A word that carries content of its own (not a function word, three letters or more)."""
    return tok.norm not in FUNCTION_WORDS and len(tok.norm) >= 3


class OfflineRewriter(Rewriter):
    """Candidates from the mined lexicon; ``min_count`` ignores phrases seen too rarely."""

    name = "offline"

    def __init__(self, lexicon: EditLexicon | None = None, levels: tuple[Level, ...] = DEFAULT_LEVELS,
                 word_rates: WordRates | None = None,
                 min_count: int = 3, replace_share: float = 0.3, trigger_rate: float = 0.85,
                 trigger_count: int = 5, must_rate: float = 0.95, max_partial: int = 6) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.word_rates = word_rates if word_rates is not None else load_word_rates()
        self.levels = levels
        self.min_count = min_count
        self.replace_share = replace_share
        self.trigger_rate = trigger_rate
        self.trigger_count = trigger_count
        self.must_rate = must_rate
        self.max_partial = max_partial
        self._banned = self.lexicon.toxic_words(0.5, min_count)

    # --- look-ups --------------------------------------------------------------------------
    def _rate(self, key: str) -> float:
        """ParaDetox edit rate; for single words ParaDetox saw < 5 times, at least the Jigsaw
        toxic rate (see :mod:`cleanspeech.rewrite.wordlist`)."""
        e = self.lexicon.get(key)
        rate = e.edit_rate() if e is not None and e.count >= self.min_count else 0.0
        if " " not in key and (e is None or e.count < 5):
            rate = max(rate, self.word_rates.rate(key))
        return rate

    def _token_rate(self, token: str) -> float:
        """:meth:`_rate` of one token; a leet-spelled word ("m0r0n") whose folded form is
        toxic is a deliberate disguise, so it is edited as surely as masked profanity."""
        rate = self._rate(_key(token))
        return 1.0 if rate >= 0.5 and _obfuscated(token) else rate

    def _choice(self, key: str, allow_replace: bool) -> str | None:
        """The text that replaces phrase ``key`` (``""`` deletes); ``None`` keeps it."""
        e = self.lexicon.get(key)
        best = e.best_replacement(self._banned) if e is not None else None
        if best is None:
            return ""
        target, n = best
        if _letters(target) == _letters(key):
            return _render(target)  # a re-spelling, not a toxic word: never delete it
        if allow_replace and n >= 3 and n >= self.replace_share * max(e.deleted, 1):
            return _render(target)
        return ""

    def is_protected(self, word: str) -> bool:
        """Words annotators usually keep (seen ≥ 5 times, edit rate < 0.3: "you", "women",
        "want"): classifier-guided removal must not delete them, however the classifier weighs
        them."""
        if word.lower() in IDENTITY_TERMS:
            return True
        e = self.lexicon.get(_key(word))
        return e is not None and e.count >= 5 and e.edit_rate() < 0.3 and not _PROFANITY_RE.match(word.lower())

    def words_removed(self, original: str, candidate: str, rate: float = 0.3) -> list[Token]:
        """Words of ``original`` that ``candidate`` drops although annotators rarely edit them
        (edit rate under ``rate``, or never seen): what a rewrite loses beyond the insult."""
        have = Counter(t.norm for t in tokenize(candidate) if t.is_word)
        lost = []
        for tok in tokenize(original):
            if not tok.is_word:
                continue
            if have[tok.norm] > 0:
                have[tok.norm] -= 1
            elif self._token_rate(tok.text) < rate and not _PROFANITY_RE.match(tok.norm):
                lost.append(tok)
        return lost

    def kept_words_removed(self, original: str, candidate: str, rate: float = 0.3) -> list[str]:
        """The content words among :meth:`words_removed`."""
        return [t.text for t in self.words_removed(original, candidate, rate) if is_content_word(t)]

    def has_known_toxic_terms(self, text: str) -> bool:
        """Whether ``text`` holds a phrase annotators almost always remove (or masked profanity)."""
        for tok in tokenize(text):
            key = _key(tok.text)
            e = self.lexicon.get(key)
            if _PROFANITY_RE.match(tok.norm) or self.word_rates.rate(key) >= self.trigger_rate or (
                _obfuscated(tok.text) and self._token_rate(tok.text) >= 1.0) or (
                e is not None and e.count >= self.trigger_count and e.edit_rate() >= self.trigger_rate
            ):
                return True
        return False

    # --- edits -----------------------------------------------------------------------------
    def edits(self, text: str, level: Level) -> list[Edit]:
        """Greedy left-to-right, longest phrase first, edits at ``level``."""
        toks = tokenize(text)
        keys = [_key(t.text) for t in toks]
        spans: list[Span] = []
        i = 0
        while i < len(toks):
            i += self._edit_at(toks, keys, i, level, spans)
        spans = merge_deletions(toks, with_particles(toks, spans, self._known_pairs(keys)))
        if level.replace:
            spans = copula_wrong(toks, spans)
        return [Edit(toks[a].start, toks[b - 1].end, repl) for a, b, repl in spans]

    def _known_pairs(self, keys: list[str]) -> set[str]:
        pairs = (f"{a} {b}" for a, b in zip(keys, keys[1:]))
        return {p for p in pairs if p in self.lexicon}

    def _edit_at(self, toks: list[Token], keys: list[str], i: int, level: Level, out: list[Span]) -> int:
        for n in (3, 2):
            if i + n <= len(toks):
                key = " ".join(keys[i:i + n])
                if self._rate(key) >= max(level.rate, 0.5):
                    repl = self._choice(key, level.replace)
                    if repl is not None:
                        out.append((i, i + n, repl))
                        return n
        tok = toks[i]
        if tok.is_word and (self._token_rate(tok.text) >= level.rate or _PROFANITY_RE.match(tok.norm)):
            repl = self._choice(keys[i], level.replace) if keys[i] in self.lexicon else ""
            if repl is not None and repl != tok.norm:
                out.append((i, i + 1, repl))
        return 1

    def strength(self, text: str, edit: Edit) -> float:
        """How surely an edit removes toxicity: the highest rate of the phrase or its words
        (1.0 for masked/stretched profanity)."""
        toks = tokenize(text[edit.start:edit.end])
        keys = [_key(t.text) for t in toks]
        if any(_PROFANITY_RE.match(t.norm) for t in toks):
            return 1.0
        return max([self._rate(" ".join(keys))] + [self._token_rate(t.text) for t in toks])

    def partial(self, text: str, edits: list[Edit]) -> list[list[Edit]]:
        """Subsets of a level's edits, smallest first: the sure ones (strength ≥ ``must_rate``)
        plus the k strongest others, k = 0, 1, ... The verification loop keeps the civil one
        closest to the input, so words annotators only sometimes touch ("give" in "give a
        fuck", names, "lmao") stay unless removing them is what makes the text civil."""
        ranked = sorted(((self.strength(text, e), e) for e in edits), key=lambda se: -se[0])
        sure = [e for st, e in ranked if st >= self.must_rate]
        rest = [e for st, e in ranked if st < self.must_rate][:self.max_partial]
        return [sure + rest[:k] for k in range(len(rest)) if sure or k]

    def candidates(self, text: str) -> list[tuple[str, str]]:
        """``(method, candidate)``: quoted mentions first, then per level, in order of increasing
        aggressiveness, each level's partial edit sets before its full one; deduplicated."""
        out = self.mentions(text)
        seen = {text} | {c for _, c in out}
        for level in self.levels:
            edits = self.edits(text, level)
            subsets = [(f"offline:{level.name}-partial", sub) for sub in self.partial(text, edits)]
            for method, sub in subsets + [(f"offline:{level.name}", edits)]:
                cand = apply_edits(text, sub)
                if cand not in seen:
                    seen.add(cand)
                    out.append((method, cand))
        return out

    def mentions(self, text: str) -> list[tuple[str, str]]:
        """A slur quoted to talk about it ('calling someone a "faggot" is homophobic') becomes
        "a slur": counter-speech keeps its point, the word goes."""
        def repl(m: re.Match[str]) -> str:
            word = m.group(2)
            toxic = self._token_rate(word) >= 0.5 or _PROFANITY_RE.match(word.lower())
            return "a slur" if toxic else m.group(0)

        cand = _MENTION_RE.sub(repl, text)
        return [("offline:mention", cand)] if cand != text else []

    def propose(self, requests: list[RewriteRequest]) -> list[Proposal]:
        return [Proposal(self.candidates(r.text)) for r in requests]

    def spans(self, text: str) -> list[str]:
        """The words/phrases the widest level would edit (for LLM prompts)."""
        level = self.levels[-1] if self.levels else Level("any", 0.4)
        return [text[e.start:e.end] for e in self.edits(text, level)]
