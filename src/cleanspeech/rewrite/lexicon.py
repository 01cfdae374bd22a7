"""The edit lexicon mined from aligned toxic/civil pairs: which 1–3 word phrases annotators
delete or replace, how often, and with what.

For every pair (toxic, civil) the lowercased token sequences are aligned with ``difflib``; each
``delete`` or ``replace`` block counts as one edit of the toxic phrase it covers. A phrase's
*edit rate* is ``edits / occurrences`` over all toxic sentences (with add-``prior`` smoothing), so
words that are only sometimes touched while paraphrasing ("the", "you") stay low and words that
annotators nearly always remove ("fucking", "idiot") are near 1.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cleanspeech.rewrite.paradetox import Pair
from cleanspeech.rewrite.tokens import mining_tokens

MAX_N = 3
RESOURCE = Path(__file__).resolve().parent / "resources" / "edits.json"


@dataclass
class LexEntry:
    """Statistics of one toxic phrase over all (toxic, reference) observations.

    ``count``: occurrences; ``removed`` (single words only): times the word fell inside any
    delete/replace block, however long; ``deleted`` / ``replaced``: times the phrase was exactly
    one delete block / one replace block (by target text).
    """

    count: int = 0
    removed: int = 0
    deleted: int = 0
    replaced: Counter = field(default_factory=Counter)
    in_refs: int = 0

    def edit_rate(self, prior: float = 1.0) -> float:
        """How reliably annotators drop this phrase, smoothed by ``prior``.

        Phrases: exact delete/replace blocks per occurrence. Words: the smaller of "share of
        occurrences inside an edit block" and "1 - occurrences in the references per occurrence
        in the sources", so words that long rewrites sweep away but that civil text uses as
        often ("the", names) stay low.
        """
        exact = (self.deleted + sum(self.replaced.values())) / (self.count + prior)
        if not self.removed:
            return exact
        removed = self.removed / (self.count + prior)
        kept_in_refs = 1.0 - min(1.0, self.in_refs / (self.count + prior))
        return max(exact, min(removed, kept_in_refs))

    def best_replacement(self, banned: set[str] = frozenset()) -> tuple[str, int] | None:
        """The most frequent replacement whose words are not themselves in ``banned``."""
        for target, n in self.replaced.most_common():
            if not set(target.split()) & banned:
                return target, n
        return None


class EditLexicon:
    """Phrase (space-joined lowercased tokens) → :class:`LexEntry`; JSON round-trip."""

    def __init__(self, entries: dict[str, LexEntry] | None = None, meta: dict | None = None) -> None:
        self.entries = entries or {}
        self.meta = meta or {}

    def __contains__(self, phrase: str) -> bool:
        return phrase in self.entries

    def get(self, phrase: str) -> LexEntry | None:
        return self.entries.get(phrase)

    def rate(self, phrase: str, prior: float = 1.0) -> float:
        e = self.entries.get(phrase)
        return e.edit_rate(prior) if e else 0.0

    def toxic_words(self, min_rate: float = 0.5, min_count: int = 2) -> set[str]:
        """Single words edited at least ``min_rate`` of the time (the Delete baseline's list)."""
        return {p for p, e in self.entries.items()
                if " " not in p and e.count >= min_count and e.edit_rate() >= min_rate}

    # --- persistence -----------------------------------------------------------------------
    def to_json(self) -> dict:
        return {
            "meta": self.meta,
            "entries": {p: [e.count, e.removed, e.in_refs, e.deleted, dict(e.replaced.most_common(5))]
                        for p, e in sorted(self.entries.items())},
        }

    def save(self, path: str | Path) -> Path:
        from cleanspeech.data.io import write_text_atomic

        return write_text_atomic(json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")), path)

    @classmethod
    def load(cls, path: str | Path = RESOURCE) -> EditLexicon:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = {p: LexEntry(c, m, d, Counter(r), f)
                   for p, (c, m, f, d, r) in data["entries"].items()}
        return cls(entries, data.get("meta", {}))


def _ngrams(tokens: list[str], max_n: int = MAX_N) -> Iterable[tuple[int, int]]:
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - n + 1):
            yield i, i + n


def _edit_blocks(src: list[str], tgt: list[str]) -> list[tuple[int, int, str]]:
    """``(i1, i2, replacement)`` for each delete/replace block of ``src`` against ``tgt``."""
    sm = difflib.SequenceMatcher(a=src, b=tgt, autojunk=False)
    return [(i1, i2, " ".join(tgt[j1:j2]))
            for op, i1, i2, j1, j2 in sm.get_opcodes() if op in ("delete", "replace")]


def mine_lexicon(pairs: Iterable[Pair], max_n: int = MAX_N, min_count: int = 2,
                 max_repl_words: int = 3) -> EditLexicon:
    """Count phrase occurrences and their delete/replace edits over all (toxic, reference) pairs.

    Each reference of a pair is one observation, so a phrase in a sentence with three references
    is counted three times. A replace block also teaches its head word's replacement once
    articles and words that are mostly deleted are trimmed ("an idiot" → "a person" and
    "fucking idiot" → "person" both count as "idiot" → "person"). Phrases seen fewer than
    ``min_count`` times are dropped.
    """
    entries: dict[str, LexEntry] = defaultdict(LexEntry)
    replace_blocks: list[tuple[list[str], list[str]]] = []
    n_obs = 0
    for pair in pairs:
        src = mining_tokens(pair.toxic)
        grams = [" ".join(src[i:j]) for i, j in _ngrams(src, max_n)]
        for ref in pair.references:
            n_obs += 1
            tgt = mining_tokens(ref)
            for g in grams:
                entries[g].count += 1
            for w in tgt:
                if w in entries:
                    entries[w].in_refs += 1
            for i1, i2, repl in _edit_blocks(src, tgt):
                for k in range(i1, i2):
                    entries[src[k]].removed += 1
                if repl and 1 < i2 - i1 <= max_n:
                    replace_blocks.append((src[i1:i2], repl.split()))
                if i2 - i1 > max_n:
                    continue
                e = entries[" ".join(src[i1:i2])]
                if repl and len(repl.split()) <= max_repl_words:
                    e.replaced[repl] += 1
                elif not repl:
                    e.deleted += 1
    _attribute_heads(entries, replace_blocks, max_repl_words)
    kept = {p: e for p, e in entries.items()
            if e.count >= min_count and (e.removed or e.deleted or e.replaced)}
    return EditLexicon(kept, {"observations": n_obs, "max_n": max_n, "min_count": min_count})


_ARTICLES = {"a", "an", "the"}


def _attribute_heads(entries: dict[str, LexEntry], blocks: list[tuple[list[str], list[str]]],
                     max_repl_words: int) -> None:
    """Credit multi-word replace blocks to their one remaining word after trimming."""
    droppable = {w for w, e in entries.items()
                 if " " not in w and e.count >= 3 and e.deleted >= 0.5 * e.count}
    for src, tgt in blocks:
        tgt = [w for w in tgt if w not in _ARTICLES]
        core = [w for w in src if w not in _ARTICLES and w not in droppable]
        if len(core) == 1 and 0 < len(tgt) <= max_repl_words:
            entries[core[0]].replaced[" ".join(tgt)] += 1
