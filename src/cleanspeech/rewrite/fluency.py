"""Whether an edit reads as well as the text it edits, by a causal language model.

Deleting a toxic word can leave a hole that no word list foresees: "kelly , you make me sick ."
-> "kelly , you make me ." or "he just hates muslims ." -> "he just muslims .". The classifier
calls such an edit civil, and a mean over the whole sentence dilutes one bad junction among
many good words. So the check looks at the junctions: after each change the edit and its input
go on with the same token (both end with the end-of-text token, so even a deletion at the end
has one), and the language model says how much less likely that token has become. An edit
whose worst junction lost more than :data:`JUNCTION_MARGIN` nats reads as broken.

The model is the generator's own (:meth:`cleanspeech.rewrite.generative.GenerativeSource.token_logprobs`),
read without its prompt as a plain language model of English: one batched forward pass over an
input and its civil edits. Only edits are checked (the lexicon's, the tagger's, occlusion's): the
generator's own answers are that model's greedy text, and their junctions differ mostly in a
dropped full stop. The bench judges fluency with a model it does not share
(``bench/bench_rewrite.py``: a word trigram model of civil Jigsaw comments).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Protocol

from cleanspeech.rewrite.candidate import Candidate, Source

# Nats the token after a change may lose. On 300 ParaDetox dev rewrites the broken deletions
# ("you make me .", "their teams are all ?", "someone with took charge") lost 3.2-6.5 nats there;
# most clean deletions and word swaps lost under 3.
JUNCTION_MARGIN = 3.0

TokenScores = tuple[Sequence[int], Sequence[float]]  # token ids (end token last), each one's log-probability


class LanguageModel(Protocol):
    def token_logprobs(self, texts: Sequence[str]) -> list[TokenScores]:
        ...


def worst_junction(before: TokenScores, after: TokenScores) -> float:
    """The largest drop (negative: nats) in the log-probability of the token that follows a
    change, edit against input; 0.0 where nothing changed or no junction got worse."""
    (a_ids, a_lp), (b_ids, b_lp) = before, after
    ops = difflib.SequenceMatcher(None, list(a_ids), list(b_ids), autojunk=False).get_opcodes()
    drops = [b_lp[j2] - a_lp[i2] for op, _, i2, _, j2 in ops
             if op != "equal" and i2 < len(a_lp) and j2 < len(b_lp)]
    return min([0.0, *drops])


def fluent_edits(lm: LanguageModel, original: str, texts: Sequence[str],
                 margin: float = JUNCTION_MARGIN) -> list[bool]:
    """For each of ``texts`` (edits of ``original``), whether no junction lost more than
    ``margin`` nats, in one batch of ``lm``."""
    if not texts:
        return []
    scores = lm.token_logprobs([original, *texts])
    return [worst_junction(scores[0], after) >= -margin for after in scores[1:]]


def attach_fluency(lm: LanguageModel, rows: Sequence[tuple[str, Sequence[Candidate]]],
                   margin: float = JUNCTION_MARGIN) -> None:
    """Fill ``fluent`` of the edits among the candidates in ``rows`` (``(original, candidates)``):
    those of the lexicon, the edit tagger and the plain form, occlusion's included; a backend's or
    the generator's answers and templates are not edits and stay unchecked."""
    for original, cands in rows:
        edits = [c for c in cands if c.source in (Source.LEXICON, Source.EDIT_TAGGER, Source.PLAIN)]
        texts = list(dict.fromkeys(c.text for c in edits))
        flags = dict(zip(texts, fluent_edits(lm, original, texts, margin)))
        for c in edits:
            c.fluent = flags[c.text]
