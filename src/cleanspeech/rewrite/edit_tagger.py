"""A learned edit tagger (LaserTagger style): per token keep / delete / replace-with-phrase.

Training data come from ParaDetox pairs. Each toxic sentence is aligned with a human civil
paraphrase (``difflib`` over lowercased tokens, apostrophes dropped so "dont" meets "don't");
the words of a ``delete`` block are labelled DELETE, the last word of a ``replace`` block (its head
in English noun phrases) gets the replacement phrase and the rest DELETE, everything else KEEP (insertions are not modelled).
Replacement phrases form a closed vocabulary, the ``max_phrases`` most frequent; a pair whose
paraphrase needs a phrase outside it cannot be reproduced by tagging and is left out (as
LaserTagger does), the other references of the sentence are tried first.

The model is the span tagger's machinery (:class:`cleanspeech.models.tagger.TokenTagger`: MiniLM
token classifier, int8 upper layers) with ``2 + len(phrases)`` labels. At inference each token's
label distribution is the mean over its sub-words; a token is edited when ``1 - p(keep)``
reaches a threshold, to its most likely non-keep label. Several thresholds give several
candidates, which :mod:`cleanspeech.rewrite.verify` scores like every other candidate.

Folder: the tagger files plus ``phrases.json``.
"""

from __future__ import annotations

import difflib
import json
import threading
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.rewrite.paradetox import Pair
from cleanspeech.rewrite.tokens import Edit, Token, apply_edits, tokenize

KEEP, DELETE = 0, 1
PHRASES_NAME = "phrases.json"
# Decoded from confident to bold; the chooser then picks the closest civil candidate. The high
# thresholds (edit only what the tagger is sure of) gave most of the gain over (0.5, 0.3, 0.15):
# ParaDetox dev J 0.683 -> 0.687 (bench/results/rewrite_dev_edit_tagger.md).
DEFAULT_THRESHOLDS = (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05)
EDIT_TAGGER_DIR = Path(__file__).resolve().parents[1] / "shipped_models" / "edit-tagger"


def _key(tok: Token) -> str:
    return tok.norm.replace("'", "")


def edit_blocks(toxic: str, ref: str) -> tuple[list[Token], list[tuple[int, int, str]]]:
    """Tokens of ``toxic`` and its ``(i1, i2, replacement)`` delete/replace blocks against ``ref``."""
    src, tgt = tokenize(toxic), tokenize(ref)
    sm = difflib.SequenceMatcher(a=[_key(t) for t in src], b=[_key(t) for t in tgt], autojunk=False)
    blocks = [(i1, i2, " ".join(t.norm for t in tgt[j1:j2] if t.is_word))  # punctuation is not learned
              for op, i1, i2, j1, j2 in sm.get_opcodes() if op in ("delete", "replace")]
    return src, blocks


def mine_phrases(pairs: Sequence[Pair], max_phrases: int = 100, min_count: int = 3, max_words: int = 3) -> list[str]:
    """The most frequent replacement phrases (up to ``max_words`` words) over every reference."""
    counts: Counter[str] = Counter()
    for pair in pairs:
        for ref in pair.references:
            counts.update(r for _, _, r in edit_blocks(pair.toxic, ref)[1] if r and len(r.split()) <= max_words)
    return [p for p, c in counts.most_common(max_phrases) if c >= min_count]


def token_labels(toxic: str, ref: str, phrase_ids: dict[str, int]) -> list[int] | None:
    """Label of each token of ``toxic`` (KEEP, DELETE, 2 + phrase id), or None when a
    replacement is outside the vocabulary."""
    src, blocks = edit_blocks(toxic, ref)
    labels = [KEEP] * len(src)
    for i1, i2, repl in blocks:
        words = [k for k in range(i1, i2) if src[k].is_word]  # punctuation stays as written
        if not words:
            continue
        if repl and repl not in phrase_ids:
            return None
        for k in words:
            labels[k] = DELETE
        if repl:
            labels[words[-1]] = 2 + phrase_ids[repl]  # the head: "a fucking idiot" -> idiot
    return labels


def training_rows(pairs: Sequence[Pair], phrases: Sequence[str]) -> tuple[list[str], list[np.ndarray]]:
    """``(texts, char_labels)``: one row per pair, from its first reproducible reference."""
    ids = {p: i for i, p in enumerate(phrases)}
    texts, char_labels = [], []
    for pair in pairs:
        for ref in pair.references:
            labels = token_labels(pair.toxic, ref, ids)
            if labels is None:
                continue
            lab = np.zeros(len(pair.toxic), dtype=np.int64)
            for tok, label in zip(tokenize(pair.toxic), labels):
                lab[tok.start:tok.end] = label
            texts.append(pair.toxic)
            char_labels.append(lab)
            break
    return texts, char_labels


class EditTagger:
    """Proposes civil rewrites by tagging each token keep / delete / replace."""

    def __init__(self, tagger: Any, phrases: Sequence[str]) -> None:
        if tagger.settings.num_labels != 2 + len(phrases):
            raise ValueError(f"the tagger has {tagger.settings.num_labels} labels, the vocabulary "
                             f"{len(phrases)} phrases (+ keep, delete)")
        self.tagger, self.phrases = tagger, list(phrases)

    def save(self, path: str | Path) -> Path:
        path = self.tagger.save(path)
        (path / PHRASES_NAME).write_text(json.dumps({"phrases": self.phrases}, indent=1) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path, base_path: str | None = None) -> EditTagger:
        from cleanspeech.models.tagger import TokenTagger

        path = Path(path)
        phrases = json.loads((path / PHRASES_NAME).read_text(encoding="utf-8"))["phrases"]
        return cls(TokenTagger.load(path, base_path=base_path), phrases)

    def token_distributions(self, texts: Sequence[str]) -> list[tuple[list[Token], np.ndarray]]:
        """Per text, its tokens and ``(n_tokens, n_labels)``: mean label distribution of each
        token's sub-words (KEEP for a token the encoder did not see)."""
        out = []
        for text, subs in zip(texts, self.tagger.token_distributions([t or " " for t in texts])):
            toks = tokenize(text)
            dist = np.zeros((len(toks), self.tagger.settings.num_labels))
            count = np.zeros(len(toks))
            starts = np.array([t.start for t in toks])
            for s, _, p in subs:
                k = int(np.searchsorted(starts, s, side="right")) - 1
                if k >= 0 and s < toks[k].end:
                    dist[k] += p
                    count[k] += 1
            dist[count == 0, KEEP] = 1.0
            dist[count > 0] /= count[count > 0, None]
            out.append((toks, dist))
        return out

    def edits(self, toks: Sequence[Token], dist: np.ndarray, threshold: float) -> list[Edit]:
        """Edits of the tokens whose probability of being edited reaches ``threshold``."""
        edits = []
        for k, (tok, p) in enumerate(zip(toks, dist)):
            if 1.0 - p[KEEP] < threshold or _clitic_tail(toks, k):
                continue
            label = 1 + int(np.argmax(p[1:]))
            end = tok.end
            if label == DELETE and _clitic_tail(toks, k + 2):  # "can 't" goes whole, never as "'t"
                end = toks[k + 2].end
            edits.append(Edit(tok.start, end, "" if label == DELETE else self.phrases[label - 2]))
        return edits

    def candidates(self, texts: Sequence[str], thresholds: Sequence[float] = DEFAULT_THRESHOLDS
                   ) -> list[list[tuple[str, str]]]:
        """Per text, ``(method, candidate)`` at each threshold (most conservative first), deduplicated."""
        out = []
        for text, (toks, dist) in zip(texts, self.token_distributions(texts)):
            seen, cands = {text}, []
            for th in thresholds:
                cand = apply_edits(text, self.edits(toks, dist, th))
                if cand not in seen and cand.strip():
                    seen.add(cand)
                    cands.append((f"edit-tagger@{th:g}", cand))
            out.append(cands)
        return out


_CLITICS = frozenset("t s ve re ll d m".split())


def _clitic_tail(toks: Sequence[Token], k: int) -> bool:
    """Whether token ``k`` is the tail of a contraction ("ve" of "you 've"): editing it alone
    leaves "you ' never seen", so it is never edited on its own."""
    return (0 < k < len(toks) and toks[k].norm in _CLITICS and toks[k - 1].text in ("'", "’")
            and toks[k - 1].end == toks[k].start)


_LOAD_LOCK = threading.Lock()


def load_edit_tagger(path: str | Path | None = None) -> EditTagger | None:
    """The shipped edit tagger (loaded once per process), or None where it or torch is missing."""
    path = Path(path) if path else EDIT_TAGGER_DIR
    if not (path / PHRASES_NAME).exists():
        return None
    with _LOAD_LOCK:
        return _load_cached(str(path))


@lru_cache(maxsize=2)
def _load_cached(path: str) -> EditTagger | None:
    try:
        return EditTagger.load(path)
    except ImportError:
        return None
