"""A cascade: a fast model scores every comment; only comments it cannot settle go to a slow one.

Routes, per comment:

- **fast**: ``fast`` alone (the linear model), mapped by ``calibration.fast`` onto the full
  route's calibrated scale (a per-label linear map of logits fitted, without labels, to the
  full route's scores of the dev comments below the gate: where the full route would have put
  them on average).
- **full**: ``fast`` and ``slow`` (the transformer) combined per label in logit space
  (``w_j · logit(p_fast) + (1 - w_j) · logit(p_slow)``), calibrated with ``calibration.full``.

A comment takes the full route when its highest fast probability reaches ``gate`` (chosen on the
dev split; see :mod:`cleanspeech.training.cascade`) or, with ``route_identity``, when it names an
identity group (:func:`cleanspeech.identity.mentions_identity`: hate about a group is often
written without a word the linear model knows, and only the transformer tells counter-speech
and negation from hate; ~6% of natural traffic names a group), or when it contains one of
``route_words`` (words mined from the training part whose comments are mostly toxic, see
:func:`cleanspeech.training.cascade.mine_route_words`: TF-IDF dilutes one slur in a long,
otherwise polite comment below the gate, while the transformer's windows still see it). Both routes are
calibrated on dev and then expressed at the serving prevalence (``prevalence``), so a 0.3 means
the same on either route: ranking (ROC-AUC) and thresholds hold across routes.

Labels in ``capped_by_toxic`` (``{label: scale}``) are reported as at most ``scale`` times the
comment's ``toxic`` score on either route: in Jigsaw nearly every identity-hate comment is also
labelled toxic, and the linear model (which alone carries ``identity_hate`` when the dev fit
gives it all the weight) fires on a group's name in comments the full route finds non-toxic
("Muslims are welcome here", "People who hate Jews are ignorant"). With the label's threshold at
least ``scale`` times toxic's, a capped label is never flagged on a comment that is not flagged
toxic. The fit caps a label only when that raises its dev ROC-AUC and picks the scale by dev F1
(:func:`cleanspeech.training.cascade.fit_caps`, :func:`~cleanspeech.training.cascade.fit_cap_scales`).

Labels in ``untargeted_scale`` (``{label: scale}``, only ``identity_hate`` in practice) are
multiplied by ``scale`` on comments that name no group (:func:`cleanspeech.identity.names_target`:
no identity term, slur or nationality). The linear model learned identity hate's swear words as
well as its targets, so "Shut up you stupid loser" scored as identity hate; without a group there
is none to hate. Chosen on dev (:func:`cleanspeech.training.cascade.fit_target_scales`).

With a group-hate head (``hate_head/``, :mod:`cleanspeech.models.hate_head`), the full route's
``identity_hate`` is mixed in logit space with the head's reading of the slow member's sentence
features (returned by the same forward pass), before any cap: the encoders learned identity hate
from Wikipedia comments, where it nearly always carries a slur; the head learned it from many
human-labelled hate sources.

``route_all=True`` (``--no-cascade``) sends every comment down the full route.

Folder layout (members copied in, so retraining a shipped model never changes this one)::

    cleanspeech.json   {"model_type": "cascade", "fast": {"path": "linear"},
                        "slow": {"path": "transformer"}, "weights": {...}, "gate": g,
                        "route_identity": true, "route_words": [...], "capped_by_toxic": {...},
                        "untargeted_scale": {...}, "hate_head": {"path": "hate_head"},
                        "calibration": {"fast": {...}, "full": {...}}, "prevalence": {...}}
    linear/  transformer/  hate_head/  thresholds.json  metrics.json  README.md
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.identity import mentions, names_target
from cleanspeech.labels import LABELS, N_LABELS, vector_from_mapping
from cleanspeech.models.base import AttributionMix, ToxicityModel
from cleanspeech.models.calibration import PlattCalibrator, logit, prior_shift, sigmoid
from cleanspeech.models.hate_head import HateHead
from cleanspeech.models.transformer import TransformerModel


HATE_HEAD_DIR = "hate_head"  # the group-hate head's folder inside the cascade folder


def fast_window_scorer(fast: ToxicityModel):
    """The slow model's window scorer in a cascade: the fast model's highest label probability on
    each window's text (see LONG_TEXT_POLICY in models/transformer.py)."""
    return lambda window_texts: fast.predict_proba(list(window_texts)).max(axis=1)


def cap_scales(capped: Sequence[str] | dict[str, float], what: str = "capped_by_toxic") -> dict[str, float]:
    """``{label: scale}`` in ``LABELS`` order (a list means scale 1); toxic itself and unknown
    labels or scales outside (0, 1] are errors (``what`` names the setting in the message)."""
    scales = dict(capped) if isinstance(capped, dict) else {lab: 1.0 for lab in capped}
    unknown = set(scales) - set(LABELS[1:])
    if unknown:
        raise ValueError(f"{what}: {sorted(unknown)} are not labels other than toxic")
    if not all(0 < float(v) <= 1 for v in scales.values()):
        raise ValueError(f"{what}: scales must be in (0, 1], got {scales}")
    return {lab: float(scales[lab]) for lab in LABELS if lab in scales}


def cap_by_toxic(probs: np.ndarray, scales: dict[str, float]) -> np.ndarray:
    """``probs`` ``(n, 6)`` with each label in ``scales`` capped at ``scale`` × its row's toxic
    score (a copy when anything is capped)."""
    if not scales:
        return probs
    out = np.array(probs, copy=True)
    for lab, scale in scales.items():
        j = LABELS.index(lab)
        out[:, j] = np.minimum(out[:, j], scale * out[:, 0])
    return out


def scale_untargeted(probs: np.ndarray, scales: dict[str, float], targeted: np.ndarray) -> np.ndarray:
    """``probs`` ``(n, 6)`` with each label in ``scales`` multiplied by its scale on the rows where
    ``targeted`` (``(n,)`` bool, :func:`cleanspeech.identity.names_target`) is False."""
    if not scales:
        return probs
    out = np.array(probs, copy=True)
    off = ~np.asarray(targeted, dtype=bool)
    for lab, scale in scales.items():
        out[off, LABELS.index(lab)] *= scale
    return out


def forced_routes(texts: Sequence[str], route_identity: bool, route_words: frozenset[str]) -> np.ndarray:
    """Boolean ``(n,)``: texts naming an identity group (when ``route_identity``) or holding one
    of ``route_words``; :meth:`CascadeModel.forced`, also used to fit the gate on dev."""
    return mentions(texts, route_words, identity=route_identity)


class CascadeModel(ToxicityModel):
    """A fast model on every comment, a slow one on those it cannot settle (see the module
    docstring); :meth:`predict_proba_routed` says which comments took the slow route."""

    model_type = "cascade"
    routes = True

    def __init__(self, fast: ToxicityModel, slow: ToxicityModel, weights: np.ndarray,
                 gate: float, calib_fast: PlattCalibrator, calib_full: PlattCalibrator,
                 prevalence: dict[str, float] | None = None, route_all: bool = False,
                 specs: dict[str, dict[str, Any]] | None = None,
                 thresholds: np.ndarray | None = None, route_identity: bool = False,
                 route_words: Sequence[str] = (),
                 capped_by_toxic: Sequence[str] | dict[str, float] = (),
                 untargeted_scale: dict[str, float] | None = None,
                 hate_head: HateHead | None = None) -> None:
        super().__init__(thresholds=thresholds, cleaning="none")
        self.hate_head = hate_head
        self.fast, self.slow = fast, slow
        self.weights = np.asarray(weights, dtype=np.float64)  # fast model's share, per label
        self.gate, self.route_all = float(gate), bool(route_all)
        self.route_identity = bool(route_identity)
        self.route_words = frozenset(w.lower() for w in route_words)
        self.capped_by_toxic = cap_scales(capped_by_toxic)
        self.untargeted_scale = cap_scales(untargeted_scale or {}, "untargeted_scale")
        self.calib_fast, self.calib_full = calib_fast, calib_full
        self.prevalence = dict(prevalence or calib_full.prevalence)
        self.specs = specs or {"fast": {"path": "linear"}, "slow": {"path": "transformer"}}
        if isinstance(slow, TransformerModel) and slow.window_scorer is None:
            # long comments: the transformer's window budget goes to the windows the fast
            # model finds most toxic (see LONG_TEXT_POLICY in models/transformer.py)
            slow.window_scorer = fast_window_scorer(fast)

    # --- routes --------------------------------------------------------------------------------
    @property
    def members(self) -> list[ToxicityModel]:
        return [self.fast, self.slow]

    def _serve(self, calibrated: np.ndarray, calibrator: PlattCalibrator,
               features: np.ndarray | None = None) -> np.ndarray:
        """Calibrated probabilities moved from the calibration prevalence to the serving one,
        ``identity_hate`` mixed with the group-hate head where the slow member's ``features``
        are at hand, then ``capped_by_toxic`` labels capped."""
        out = calibrated
        if calibrator.prevalence and self.prevalence:
            out = prior_shift(calibrated, calibrator.prevalence, self.prevalence)
        if features is not None and self.hate_head is not None:
            out = self.hate_head.apply(out, features)
        return cap_by_toxic(out, self.capped_by_toxic)

    def fast_route(self, p_fast: np.ndarray) -> np.ndarray:
        return self._serve(self.calib_fast.transform(p_fast), self.calib_fast)

    def combine(self, p_fast: np.ndarray, p_slow: np.ndarray) -> np.ndarray:
        """Uncalibrated full-route probabilities: per-label weighted mean of logits."""
        w = self.weights[None, :]
        return sigmoid(w * logit(p_fast) + (1 - w) * logit(p_slow))

    def full_route(self, p_fast: np.ndarray, p_slow: np.ndarray,
                   features: np.ndarray | None = None) -> np.ndarray:
        return self._serve(self.calib_full.transform(self.combine(p_fast, p_slow)), self.calib_full, features)

    def forced(self, texts: Sequence[str]) -> np.ndarray:
        """Boolean ``(n,)``: comments that take the full route whatever their fast score."""
        return forced_routes(texts, self.route_identity, self.route_words)

    def route(self, p_fast: np.ndarray, forced: np.ndarray | None = None) -> np.ndarray:
        """Boolean ``(n,)``: which comments take the full route (``forced``: see :meth:`forced`)."""
        if self.route_all:
            return np.ones(len(p_fast), dtype=bool)
        routed = np.asarray(p_fast).max(axis=1) >= self.gate
        return routed if forced is None else routed | forced

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities ``(n, 6)`` on the serving scale, whichever route each comment took."""
        return self.predict_proba_routed(texts)[0]

    def predict_proba_routed(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities ``(n, 6)`` and which comments took the full route ``(n,)``."""
        texts = list(texts)
        p_fast = self.fast.predict_proba(texts)
        routed = self.route(p_fast, self.forced(texts))
        out = self.fast_route(p_fast).astype(np.float32)
        idx = np.nonzero(routed)[0]
        if len(idx):
            p_slow, features = self.slow_proba_pooled([texts[i] for i in idx])
            out[idx] = self.full_route(p_fast[idx], p_slow, features)
        if self.untargeted_scale:
            out = scale_untargeted(out, self.untargeted_scale, names_target(texts))
        return out, routed

    def strong_terms(self) -> Mapping[str, float]:
        """The fast model's: the screen must cost no more than the fast route."""
        return self.fast.strong_terms()

    def slow_proba(self, texts: list[str]) -> np.ndarray:
        """The slow model's probabilities; long comments' windows ranked by the fast model."""
        return self.slow.predict_proba(texts)

    def slow_proba_pooled(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray | None]:
        """:meth:`slow_proba` and, when a group-hate head reads them, the slow member's sentence
        features from the same forward passes (None otherwise)."""
        pooled = getattr(self.slow, "predict_proba_pooled", None)
        if self.hate_head is None or pooled is None:
            return self.slow_proba(texts), None
        return pooled(texts)

    def explanation_plan(self, text: str) -> list[tuple[ToxicityModel, np.ndarray]]:
        """``(member, (6,) weight)`` pairs: the output logit (up to a constant) is
        ``Σ weight · member logit`` on the route ``text`` takes."""
        p_fast = self.fast.predict_proba([text])
        if not self.route(p_fast, self.forced([text]))[0]:
            return [(self.fast, self.calib_fast.a.copy())]
        a = self.calib_full.a
        return [(self.fast, a * self.weights), (self.slow, a * (1 - self.weights))]

    def attribution_method(self) -> str:
        return "cascade"

    def attribution_mix(self, text: str, scores: np.ndarray | None = None) -> AttributionMix:
        """The members of the route ``text`` takes, weighted per label as the cascade mixes their
        logits (:meth:`explanation_plan`; exact for logit mixes). A label capped by ``toxic``
        follows ``toxic``'s attributions when the cap decides its score, since those are the
        words that drive the reported number (``scores``: ``(6,)``, computed when not given)."""
        follow: list[int] = []
        if self.capped_by_toxic:
            p = np.asarray(self.predict_proba([text]) if scores is None else [scores], dtype=float)[0]
            for lab, scale in self.capped_by_toxic.items():
                j = LABELS.index(lab)
                if p[j] >= scale * p[0]:  # min(p_j, scale * p_toxic) took toxic's side
                    follow.append(j)
        return AttributionMix(self.explanation_plan(text), follow_toxic=follow)

    # --- persistence ---------------------------------------------------------------------------
    def config_dict(self) -> dict[str, Any]:
        return {
            **super().config_dict(),
            "fast": {**self.specs["fast"], "model_type": self.fast.model_type},
            "slow": {**self.specs["slow"], "model_type": self.slow.model_type},
            "weights": {lab: float(w) for lab, w in zip(LABELS, self.weights)},
            "gate": self.gate,
            "route_identity": self.route_identity,
            "route_words": sorted(self.route_words),
            "capped_by_toxic": dict(self.capped_by_toxic),
            "untargeted_scale": dict(self.untargeted_scale),
            "calibration": {"fast": self.calib_fast.to_dict(), "full": self.calib_full.to_dict()},
            "prevalence": self.prevalence,
            **({"hate_head": dict(self._head_spec())} if self.hate_head is not None else {}),
        }

    def _save_weights(self, path: Path) -> None:
        for role in ("fast", "slow"):
            spec = self.specs[role]
            if "path" in spec:
                getattr(self, role).save_pretrained(path / spec["path"])
        if self.hate_head is not None:
            self.hate_head.save(path / self._head_spec()["path"])
        self.pin_members(path)

    def _head_spec(self) -> dict[str, Any]:
        """The head's entry in ``cleanspeech.json``: its folder in the cascade folder (+ fingerprint)."""
        return self.specs.setdefault("hate_head", {"path": HATE_HEAD_DIR})

    def attach_hate_head(self, path: Path, head: HateHead, retire_cap: bool = False) -> None:
        """Make ``head`` this cascade's and write it into the cascade folder ``path``, pinned.
        ``retire_cap``: also drop ``identity_hate``'s cap by toxic (``capped_by_toxic``), as
        ``bench/bench_hate_head.py``'s rule may choose: the head's reading is then served uncapped."""
        self.hate_head = head
        if retire_cap:
            self.capped_by_toxic = {k: v for k, v in self.capped_by_toxic.items() if k != "identity_hate"}
        head.save(path / self._head_spec()["path"])
        self.pin_members(path)

    def pin_members(self, path: Path) -> None:
        """Record each member folder's fingerprint in ``cleanspeech.json``."""
        from cleanspeech.models.base import CONFIG_FILE, write_json
        from cleanspeech.models.ensemble import member_folder
        from cleanspeech.models.fingerprint import folder_fingerprint

        for role in ("fast", "slow"):
            self.specs[role]["fingerprint"] = folder_fingerprint(member_folder(path, self.specs[role]))
        if self.hate_head is not None:
            head = self._head_spec()
            head["fingerprint"] = folder_fingerprint(path / head["path"])
        write_json(path / CONFIG_FILE, self.config_dict())

    @classmethod
    def _load(cls, path: Path, config: dict[str, Any], backend: str = "onnx",
              route_all: bool = False, verify_members: bool = True, **kwargs: Any) -> CascadeModel:
        from cleanspeech.models.ensemble import ALLOW_CHANGED_ENV, check_member, member_folder
        from cleanspeech.models.registry import load_model

        members, specs = {}, {}
        for role in ("fast", "slow"):
            spec = config[role]
            folder = member_folder(path, spec)
            if verify_members and os.environ.get(ALLOW_CHANGED_ENV) != "1":
                check_member(path, spec, folder)  # sealed: a changed member invalidates the fit
            members[role] = load_model(folder, backend=backend, **kwargs)
            specs[role] = {k: v for k, v in spec.items() if k in ("path", "ref", "fingerprint")}
        hate_head = None
        if "hate_head" in config:
            spec = config["hate_head"]
            folder = path / spec["path"]
            if verify_members and os.environ.get(ALLOW_CHANGED_ENV) != "1":
                check_member(path, spec, folder)  # the head reads this slow member's features
            hate_head = HateHead.load(folder)
            specs["hate_head"] = {k: v for k, v in spec.items() if k in ("path", "fingerprint")}
        calib = config["calibration"]
        weights = vector_from_mapping(config["weights"], what=str(path))
        if len(weights) != N_LABELS:
            raise ValueError(f"{path}: cascade weights must cover {list(LABELS)}")
        return cls(members["fast"], members["slow"], weights, float(config["gate"]),
                   PlattCalibrator.from_dict(calib["fast"]), PlattCalibrator.from_dict(calib["full"]),
                   prevalence=config.get("prevalence"), route_all=route_all, specs=specs,
                   route_identity=bool(config.get("route_identity", False)),
                   route_words=config.get("route_words", ()),
                   capped_by_toxic=config.get("capped_by_toxic", ()),
                   untargeted_scale=config.get("untargeted_scale"), hate_head=hate_head)
