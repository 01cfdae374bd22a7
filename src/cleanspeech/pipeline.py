"""The one Python API the edges (CLI, HTTP API, UI) use: load a model once, then
moderate → explain → rewrite.

    >>> from cleanspeech.pipeline import Moderator
    >>> mod = Moderator.load("default")
    >>> mod.moderate(["You are a disgusting idiot."])[0].labels
    ['toxic', 'obscene', 'insult']

Every stage takes either a list of comments (and returns a list, one result per comment, in
order) or a single ``str``, which is one comment (and returns that comment's result alone):

    >>> result = mod.moderate("You are a disgusting idiot.")
    >>> result.flagged, result.flags["insult"], result.flags["threat"]
    (True, True, False)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from cleanspeech.decision import raised
from cleanspeech.language import Support
from cleanspeech.labels import LABELS, scores_to_dicts
from cleanspeech.models import ToxicityModel, load_model
from cleanspeech.models.parts import worst_parts

if TYPE_CHECKING:  # the stages load on first use: moderating alone never imports them
    from cleanspeech.explain import Explanation
    from cleanspeech.rewrite.result import RewriteResult


@dataclass
class ModerationResult:
    """One comment's verdict: ``scores`` ``(6,)`` in ``LABELS`` order and ``labels``, the labels
    the moderation decision raises (:func:`cleanspeech.decision.raised`).

    Read it by label name: ``result.scores_by_label["insult"]`` (a float),
    ``result.flags["insult"]`` (a bool), ``result.flagged`` (any label flagged).
    ``language`` / ``supported`` say whether the English classifier could judge the text
    (:func:`cleanspeech.language.assess`). ``part``: ``[start, end)`` of the sentence that was
    also scored alone (the comment's worst, :mod:`cleanspeech.models.parts`), or None; a label
    is raised when the whole comment or that sentence reaches its threshold, while ``scores``
    stay the whole comment's.
    """

    scores: np.ndarray
    labels: list[str]
    language: str = "en"
    supported: bool = True
    part: tuple[int, int] | None = None

    @property
    def scores_by_label(self) -> dict[str, float]:
        """``{label: score}`` for the six labels, in ``LABELS`` order."""
        return {lab: float(s) for lab, s in zip(LABELS, self.scores)}

    @property
    def flags(self) -> dict[str, bool]:
        """``{label: raised}`` for the six labels, in ``LABELS`` order."""
        return {lab: lab in self.labels for lab in LABELS}

    @property
    def flagged(self) -> bool:
        """True when any label is raised."""
        return bool(self.labels)

    def notes(self, text: str, thresholds: np.ndarray) -> list[str]:
        """Why ``labels`` do not follow from ``scores`` at ``thresholds``, for a reader who sees
        both (the CLI table, the UI): a text the English model cannot judge, whose labels come
        from its language's word list or are not given, and labels the worst part (``part`` of
        ``text``, quoted) raised while the whole comment scores under the threshold."""
        if not self.supported:
            how = "labels from its word list" if self.labels else "not judged"
            return [f"{self.language}: not English, {how}"]
        from_part = [lab for lab, s, t in zip(LABELS, self.scores, thresholds) if lab in self.labels and s < t]
        if not from_part or self.part is None:
            return []
        start, end = self.part
        quote = text[start:end] if end - start <= 60 else text[start:start + 57] + "..."
        return [f'{", ".join(from_part)} from the part "{quote}"']

    def to_dict(self) -> dict[str, Any]:
        """``{"scores": {label: score rounded to 6 digits}, "labels": [...], "language": ...,
        "supported": ...}`` (plain JSON types)."""
        return {"scores": scores_to_dicts(self.scores[None, :])[0], "labels": list(self.labels),
                "language": self.language, "supported": self.supported,
                "part": list(self.part) if self.part else None}


def as_batch(texts: Any, what: str = "texts") -> tuple[list[Any], bool]:
    """``(comments, single)``: a ``str`` is one comment (``single`` True); a list, tuple, array
    or other ordered iterable is a batch. Elements that are not strings stay as they are (they
    score as empty comments). Anything else is a ``TypeError``: iterating a ``str`` or ``bytes``
    would moderate single characters, and a set or mapping has no order to answer in."""
    if isinstance(texts, str):
        return [texts], True
    if isinstance(texts, (bytes, bytearray, Mapping, Set)) or not isinstance(texts, Iterable):
        raise TypeError(f"{what} must be a str (one comment) or a list of str, "
                        f"got {type(texts).__name__}")
    return list(texts), False


class RoutingTally:
    """Share of non-empty comments that took a cascade's expensive route, summed from the masks
    :meth:`Moderator.scores_routed` returns. Thread-safe: one tally may serve many requests."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.routed = 0
        self.scored = 0

    def add(self, routed: np.ndarray, n_scored: int) -> None:
        """Count one batch: its routed mask ``(n,)`` and how many of its comments were scored."""
        with self._lock:
            self.routed += int(np.sum(routed))
            self.scored += int(n_scored)

    def fraction(self) -> float | None:
        """Routed share of the comments counted so far (None before any)."""
        with self._lock:
            return self.routed / self.scored if self.scored else None


class Moderator:
    """A loaded model plus the stages built on it. Construct once; reuse for every request
    (it is safe to share between threads)."""

    def __init__(self, model: ToxicityModel, name: str | None = None) -> None:
        self.model = model
        self.name = name or (model.path.name if model.path else model.model_type)
        # every comment this moderator scored; a caller wanting the share of one job keeps its
        # own RoutingTally from the masks scores_routed returns
        self.routing = RoutingTally()

    @classmethod
    def load(cls, name_or_path: str | Path = "default", **kwargs: Any) -> Moderator:
        """A moderator for a shipped model name (``default``, ``linear``) or a model folder;
        ``kwargs`` go to the model's loader (e.g. ``backend="torch"``, ``route_all=True``)."""
        return cls(load_model(name_or_path, **kwargs), name=str(name_or_path))

    @property
    def thresholds(self) -> np.ndarray:
        """The model's per-label decision thresholds ``(6,)``, in ``LABELS`` order."""
        return self.model.thresholds

    @overload
    def scores(self, texts: str) -> np.ndarray: ...
    @overload
    def scores(self, texts: Iterable[str]) -> np.ndarray: ...

    def scores(self, texts):
        """Probabilities ``(n, 6)`` in ``LABELS`` order; ``(6,)`` for a single ``str``.

        Empty or whitespace-only comments (and non-strings) score 0 for every label without
        calling the model: there is nothing to moderate, and a model's bias term alone is not
        evidence of toxicity.
        """
        return self.scores_routed(texts)[0]

    def scores_routed(self, texts: str | Iterable[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """:meth:`scores` plus, for models that route (cascades), which comments reached the
        expensive model: ``(n,)`` bool (a bool for a single ``str``), ``None`` for other kinds;
        empty comments never do."""
        batch, single = as_batch(texts)
        batch = [t if isinstance(t, str) else "" for t in batch]
        out = np.zeros((len(batch), len(LABELS)))
        routed = np.zeros(len(batch), dtype=bool) if self.model.routes else None
        keep = [i for i, t in enumerate(batch) if t.strip()]
        if keep:
            probs, mask = self.model.predict_proba_routed([batch[i] for i in keep])
            out[keep] = probs
            if routed is not None and mask is not None:
                routed[keep] = mask
        if routed is not None:
            self.routing.add(routed, len(keep))
        if single:
            return out[0], (bool(routed[0]) if routed is not None else None)
        return out, routed

    @overload
    def moderate(self, texts: str, thresholds: np.ndarray | None = ...) -> ModerationResult: ...
    @overload
    def moderate(self, texts: Iterable[str], thresholds: np.ndarray | None = ...) -> list[ModerationResult]: ...

    def moderate(self, texts, thresholds: np.ndarray | None = None):
        """Scores and flagged labels: one :class:`ModerationResult` per comment, in order; a
        single ``str`` gives its result alone. ``thresholds`` ``(6,)`` replaces the model's
        (see :mod:`cleanspeech.operating` for sensitivity levels and per-label overrides)."""
        batch, single = as_batch(texts)
        results = self.judge(batch, self.scores(batch), thresholds)
        return results[0] if single else results

    def judge(self, texts: list[str], scores: np.ndarray,
              thresholds: np.ndarray | None = None) -> list[ModerationResult]:
        """:class:`ModerationResult` s for ``texts`` already scored (``scores`` ``(n, 6)``), at
        ``thresholds`` (the model's by default): the one moderation decision, :func:`raised`."""
        flags, support, parts = self._decide(texts, scores, thresholds)
        return [ModerationResult(s, [lab for lab, on in zip(LABELS, f) if on], sup.language, sup.supported, part)
                for s, f, sup, part in zip(np.asarray(scores), flags, support, parts)]

    def flags(self, texts: list[str], scores: np.ndarray, thresholds: np.ndarray | None = None) -> np.ndarray:
        """``(n, 6)`` bool: the labels :meth:`judge` raises, for writers that want a matrix."""
        return self._decide(texts, scores, thresholds)[0]

    def _decide(self, texts: list[str], scores: np.ndarray, thresholds: np.ndarray | None
                ) -> tuple[np.ndarray, list[Support], list[tuple[int, int] | None]]:
        thresholds = self.thresholds if thresholds is None else thresholds
        texts = [t if isinstance(t, str) else "" for t in texts]
        parts, part_scores = self.worst_parts(texts)
        flags, support = raised(texts, scores, thresholds, part_scores)
        return flags, support, parts

    def worst_parts(self, texts: list[str]) -> tuple[list[tuple[int, int] | None], np.ndarray]:
        """Each comment's worst sentence ``[start, end)`` (None where there is none) and its
        scores ``(n, 6)``, scored alone (models/parts.py: no laundering by length). What the
        decision reads beside the whole-comment scores, independent of the thresholds, so a caller
        trying many thresholds computes it once (:func:`cleanspeech.decision.raised`)."""
        # scored by the model directly: parts are never empty, and they are not comments of
        # their own for the routing tally
        return worst_parts(self.model.strong_terms(), self.model.predict_proba, texts)

    @overload
    def explain(self, texts: str, **kwargs: Any) -> Explanation: ...
    @overload
    def explain(self, texts: Iterable[str], **kwargs: Any) -> list[Explanation]: ...

    def explain(self, texts, **kwargs):
        """Word-level, per-label explanations (:class:`cleanspeech.explain.Explanation`), one per
        comment in order, or one for a single ``str``. Scores come from :meth:`scores`, so empty
        texts score 0 here too. ``kwargs``: the options of
        :func:`cleanspeech.explain.explain_texts` (``method``, ``spans``, ``tagger``,
        ``n_steps``, ``gate_spans``); an unknown one is a ``TypeError``."""
        from cleanspeech.explain import explain_texts

        batch, single = as_batch(texts)
        out = explain_texts(self.model, batch, scorer=self.scores, **kwargs)
        for exp, res in zip(out, self.judge(batch, np.array([e.scores for e in out]))):
            exp.labels = res.labels  # the moderation decision, language support included
        return out[0] if single else out

    @overload
    def rewrite(self, texts: str, backend: str = ..., **kwargs: Any) -> RewriteResult: ...
    @overload
    def rewrite(self, texts: Iterable[str], backend: str = ..., **kwargs: Any) -> list[RewriteResult]: ...

    def rewrite(self, texts, backend: str = "offline", **kwargs):
        """Verified civil rewrites (:mod:`cleanspeech.rewrite`), one per comment in order, or one
        for a single ``str``. Inputs and candidates are scored by :meth:`scores`, so an empty
        text scores 0 and stays as it is. ``kwargs`` go to
        :func:`cleanspeech.rewrite.rewrite_texts`."""
        from cleanspeech.rewrite import rewrite_texts

        batch, single = as_batch(texts)
        out = rewrite_texts(self.model, batch, backend=backend, scorer=self.scores, **kwargs)
        return out[0] if single else out

    def warm_up(self) -> None:
        """Run explain and rewrite once, so their lazy loads (the span tagger imports torch and
        loads a transformer: ~20 s on a busy 2-core machine) happen before the first request or
        click. The HTTP server and the Streamlit page call it at start-up in a background
        thread; a failure is logged, not raised (requests will say why)."""
        try:
            self.explain(["warm up"])
            self.rewrite(["warm up"])
            # a civil text never reaches the generator: load it here, not on the first rewrite
            from cleanspeech.rewrite.generative import load_generator

            gen = load_generator()
            if gen is not None:
                gen.warm()
        except Exception as exc:
            logging.getLogger("cleanspeech").warning("warm-up failed: %s", exc)

    def routed_fraction(self) -> float | None:
        """Models that route (cascades): share of the non-empty comments this moderator scored
        so far that reached the expensive model; None for other kinds or before any."""
        return self.routing.fraction() if self.model.routes else None

    def info(self) -> dict[str, Any]:
        """Name, labels, thresholds, metrics and model card of the loaded model, and the routed
        share so far (:meth:`routed_fraction`)."""
        return {
            "name": self.name,
            "model_type": self.model.model_type,
            "path": str(self.model.path) if self.model.path else None,
            "labels": list(LABELS),
            "thresholds": scores_to_dicts(self.thresholds[None, :])[0],
            "metrics": self.model.metrics(),
            "model_card": self.model.model_card(),
            "routed_fraction": self.routed_fraction(),
        }
