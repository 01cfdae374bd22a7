"""The interface every model kind follows, and the model folder it persists to.

Callers (the pipeline, explanations) use only the methods declared on :class:`ToxicityModel`;
a kind overrides the ones whose default does not fit it instead of callers probing for
attributes.

A model folder holds ``cleanspeech.json`` (model type, labels, cleaning, kind-specific settings),
``thresholds.json``, ``metrics.json`` and a model card ``README.md`` beside the weights.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from cleanspeech.data.atomic import atomic_folder
from cleanspeech.data.io import write_text_atomic
from cleanspeech.labels import LABELS, N_LABELS
from cleanspeech.models.thresholds import load_thresholds, save_thresholds

CONFIG_FILE = "cleanspeech.json"
THRESHOLDS_FILE = "thresholds.json"
METRICS_FILE = "metrics.json"
CARD_FILE = "README.md"


@dataclass
class AttributionMix:
    """How a model built from members turns its members' word attributions into its own.

    With ``a_m`` the ``(n_words, 6)`` logit attributions of member ``m`` (each explained by its
    own method), the model's are ``Σ_m weight_m ⊙ a_m`` over ``terms`` (``(member, (6,)
    weight)`` pairs), divided per label by ``divisor`` ``(6,)`` when given; then every label
    index in ``follow_toxic`` takes the ``toxic`` column (a label whose reported score is decided
    by the toxic score).
    """

    terms: list[tuple[ToxicityModel, np.ndarray]]
    divisor: np.ndarray | None = None
    follow_toxic: list[int] = field(default_factory=list)


class ToxicityModel:
    """Base class: subclasses implement ``predict_proba`` and the weights' save/load, and
    override the routing and attribution hooks where their defaults do not fit."""

    model_type: ClassVar[str] = "base"
    # True when predict_proba_routed returns a routed mask (a cascade), so callers know the
    # answer's shape even for a batch they never send to the model (all comments empty)
    routes: ClassVar[bool] = False

    def __init__(self, thresholds: np.ndarray | None = None, cleaning: str = "none") -> None:
        self.thresholds = (
            np.asarray(thresholds, dtype=float) if thresholds is not None
            else np.full(N_LABELS, 0.5)
        )
        self.cleaning = cleaning
        self.path: Path | None = None  # folder the model was loaded from, if any

    @property
    def labels(self) -> tuple[str, ...]:
        """The six label names, in the column order of every ``(n, 6)`` array."""
        return LABELS

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities ``(n, 6)`` in ``LABELS`` order."""
        raise NotImplementedError

    def predict_proba_routed(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """Probabilities ``(n, 6)`` and, for models that route comments (:attr:`routes`), which
        comments took the expensive route ``(n,)`` bool; ``None`` for the others.

        The mask is returned, never kept on the model: one model serves many threads at once.
        """
        return self.predict_proba(texts), None

    def strong_terms(self) -> Mapping[str, float]:
        """Lower-cased words that alone push some label's score up strongly, with their weight:
        the cheap screen that picks the one sentence of a comment worth scoring alone
        (:mod:`cleanspeech.models.parts`). Empty by default: no part is scored."""
        return {}

    def attribution_method(self) -> str:
        """The faithful default way to attribute this model's scores to words: ``"exact"``,
        ``"integrated-gradients"``, ``"occlusion"``, or a composite (``"ensemble"``,
        ``"cascade"``) whose :meth:`attribution_mix` says how members combine. Occlusion (deleting
        words) needs nothing from the model, so it is the default."""
        return "occlusion"

    def attribution_mix(self, text: str, scores: np.ndarray | None = None) -> AttributionMix | None:
        """For a model built from members: how their word attributions combine into this model's
        on ``text`` (``scores``: this model's ``(6,)`` probabilities for it, when the caller has
        them). ``None`` for a model explained on its own."""
        return None

    def predict(self, texts: Sequence[str], thresholds: np.ndarray | None = None) -> np.ndarray:
        """0/1 decisions ``(n, 6)``; ``thresholds`` defaults to the model's tuned ones."""
        ths = self.thresholds if thresholds is None else np.asarray(thresholds, dtype=float)
        return (self.predict_proba(texts) >= ths[None, :]).astype(np.int8)

    # --- persistence -----------------------------------------------------------------------
    def config_dict(self) -> dict[str, Any]:
        """Kind-specific settings written to ``cleanspeech.json`` (subclasses extend)."""
        return {"model_type": self.model_type, "labels": list(LABELS), "cleaning": self.cleaning}

    def save_pretrained(
        self, path: str | Path, *, tuned_on: str = "unknown", prevalence: dict[str, float] | None = None,
        extras: Callable[[Path], None] | None = None,
    ) -> Path:
        """Write the model folder atomically: everything goes into a temporary folder beside
        ``path`` that then replaces it, so a failed save leaves the previous folder intact.

        ``tuned_on`` / ``prevalence`` say where the thresholds were tuned; ``extras(folder)``
        writes further files (metrics, report, model card) into the folder before it goes live.
        An existing ``path`` is replaced only if it is empty or a model folder.
        """
        path = Path(path)
        with atomic_folder(path, replaceable=CONFIG_FILE) as tmp:
            self._save_weights(tmp)
            save_thresholds(tmp / THRESHOLDS_FILE, self.thresholds, tuned_on=tuned_on,
                            prevalence=prevalence)
            write_json(tmp / CONFIG_FILE, self.config_dict_for(tmp))
            if extras is not None:
                extras(tmp)
        return path

    def config_dict_for(self, folder: Path) -> dict[str, Any]:
        """``cleanspeech.json`` for a folder whose weights are written (ensembles pin members)."""
        return self.config_dict()

    def _save_weights(self, path: Path) -> None:
        raise NotImplementedError

    @classmethod
    def from_pretrained(cls, path: str | Path, **kwargs: Any) -> ToxicityModel:
        """Load a model folder of this kind; ``kwargs`` go to the kind's loader (e.g. backend)."""
        path = Path(path)
        config = read_model_config(path)
        model = cls._load(path, config, **kwargs)
        model.thresholds = load_thresholds(path / THRESHOLDS_FILE)
        model.path = path
        return model

    @classmethod
    def _load(cls, path: Path, config: dict[str, Any], **kwargs: Any) -> ToxicityModel:
        raise NotImplementedError

    def metrics(self) -> dict[str, Any]:
        """The ``metrics.json`` stored beside the weights (empty if none)."""
        if self.path is None or not (self.path / METRICS_FILE).exists():
            return {}
        return json.loads((self.path / METRICS_FILE).read_text(encoding="utf-8"))

    def model_card(self) -> str:
        """The model card ``README.md`` stored beside the weights (empty if none)."""
        if self.path is None or not (self.path / CARD_FILE).exists():
            return ""
        return (self.path / CARD_FILE).read_text(encoding="utf-8")


def write_json(path: str | Path, data: Any) -> None:
    write_text_atomic(json.dumps(data, indent=2, sort_keys=False) + "\n", path)


def read_model_config(path: str | Path) -> dict[str, Any]:
    """Read and check ``cleanspeech.json``; the labels must match ``LABELS`` exactly."""
    path = Path(path)
    cfg_file = path / CONFIG_FILE
    if not cfg_file.exists():
        raise FileNotFoundError(f"{path}: not a CleanSpeech model folder (no {CONFIG_FILE})")
    config = json.loads(cfg_file.read_text(encoding="utf-8"))
    if tuple(config.get("labels", ())) != LABELS:
        raise ValueError(f"{cfg_file}: labels {config.get('labels')} differ from {list(LABELS)}")
    return config
