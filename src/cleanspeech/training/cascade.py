"""Fit a :class:`~cleanspeech.models.cascade.CascadeModel` on the dev split.

Every choice is made on dev rows re-weighted to the serving prevalence (natural Jigsaw rates by
default), because both the routed share and precision depend on it:

1. per-label logit weights of the fast model in the full route (grid, max weighted ROC-AUC; with
   a tie-break set, the weight among those within its tolerance of the best dev AUC that best
   separates hateful from non-hateful cases of the suite's *train* templates, or that ranks best
   within each source of the cross-source dev pool: :class:`TieBreak`);
2. Platt calibration of the full route;
3. the gate (on the fast model's highest probability): the smallest routed share whose dev
   macro ROC-AUC is within ``max_auc_loss`` of sending everything down the full route, each
   candidate with its own fast-route map (:func:`fit_fast_map`);
4. which labels to cap by ``toxic`` (:func:`fit_caps`: those whose dev ROC-AUC the cap raises);
5. thresholds for the operating point on the cascade's own output (the serving backend's), and
   for each capped label the cap's scale with the best dev F1 when its threshold is held at
   least ``scale`` times toxic's, so it is never flagged without toxic (:func:`fit_cap_scales`);
6. with ``targeted`` given, for ``identity_hate`` the factor applied on comments naming no group
   (:func:`fit_target_scales`: the one with the best dev ROC-AUC, when it gains at least
   ``min_gain``), before the thresholds are chosen.

The test split is scored only afterwards, for the figures in ``metrics.json`` and the card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from cleanspeech.data.word_counts import toxic_word_counts
from cleanspeech.evaluation.bootstrap import weighted_macro_auc
from cleanspeech.evaluation.calibration import PlattCalibrator, logit, prevalence_weights
from cleanspeech.evaluation.operating import OperatingPoint, choose_thresholds, weighted_prf
from cleanspeech.identity import words_of
from cleanspeech.labels import LABELS, N_LABELS
from cleanspeech.models.base import ToxicityModel
from cleanspeech.models.cascade import CascadeModel, cap_by_toxic, scale_untargeted

WEIGHT_GRID = np.round(np.linspace(0.0, 1.0, 11), 2)
# Steps of 0.01 between 0.2 and 0.4, where the shipped gate lands: each point of routed share
# costs ~2% of the cascade's wall time on natural traffic (the transformer is ~3/4 of it).
SHARE_GRID = (0.05, 0.075, 0.1, 0.125, 0.15, 0.175, *np.round(np.arange(0.2, 0.4, 0.01), 2).tolist(),
              0.4, 0.45, 0.5, 0.55, 0.6, 0.7, 0.8, 1.0)


@dataclass
class CascadeChoices:
    """What the fit chose and why (saved into ``metrics.json``)."""

    weights: list[float] = field(default_factory=list)
    gate: float = 0.0
    routed_share: float = 1.0
    full_auc: float = float("nan")
    cascade_auc: float = float("nan")
    share_curve: list[dict[str, float]] = field(default_factory=list)
    capped_by_toxic: dict[str, float] = field(default_factory=dict)
    cap_gains: dict[str, float] = field(default_factory=dict)
    untargeted_scale: dict[str, float] = field(default_factory=dict)
    target_gains: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TieBreak:
    """Scores of both members on tie-break rows and the dev-AUC tolerance within which they may
    pick the weight.

    ``hateful``: ``(n,)`` one target for every label (the behavioural suite's hateful cases), or
    ``(n, 6)`` per label with ``NaN`` where a row says nothing (the cross-source dev pool);
    ``groups`` ``(n,)``: the rows' sources, so the tie-break reads the mean of per-source
    ROC-AUCs (a pooled AUC would rank the sources' base rates)."""

    p_fast: np.ndarray
    p_slow: np.ndarray
    hateful: np.ndarray
    tolerance: float = 0.0005
    groups: np.ndarray | None = None

    def score(self, j: int, a: float) -> float | None:
        """Label ``j``'s ranking quality on these rows at fast-model weight ``a``; ``None`` when
        no group has both classes among the rows that know the label."""
        y = self.hateful if self.hateful.ndim == 1 else self.hateful[:, j]
        mix = a * logit(self.p_fast[:, j]) + (1 - a) * logit(self.p_slow[:, j])
        groups = np.zeros(len(y), dtype=int) if self.groups is None else self.groups
        aucs = []
        for g in dict.fromkeys(groups.tolist()):
            known = (groups == g) & ~np.isnan(y.astype(float))
            yk = y[known]
            if 0 < yk.sum() < len(yk):
                aucs.append(roc_auc_score(yk, mix[known]))
        return float(np.mean(aucs)) if aucs else None


def fit_weights(p_fast: np.ndarray, p_slow: np.ndarray, y: np.ndarray, w: np.ndarray,
                tie_break: TieBreak | None = None) -> np.ndarray:
    """Per-label fast-model weight maximising weighted ROC-AUC of the logit mix on dev; with
    ``tie_break``, among the weights within its tolerance of the best, the one whose mix best
    ranks the tie-break rows (:meth:`TieBreak.score`; dev AUC breaks remaining ties)."""
    zf, zs = logit(p_fast), logit(p_slow)
    out = np.full(N_LABELS, 0.5)
    for j in range(N_LABELS):
        if not 0 < y[:, j].sum() < len(y):
            continue
        aucs = np.array([roc_auc_score(y[:, j], a * zf[:, j] + (1 - a) * zs[:, j], sample_weight=w)
                         for a in WEIGHT_GRID])
        best = int(np.argmax(aucs))
        if tie_break is not None and tie_break.score(j, WEIGHT_GRID[best]) is not None:
            ok = np.flatnonzero(aucs >= aucs[best] - tie_break.tolerance)
            suite = [tie_break.score(j, WEIGHT_GRID[i]) for i in ok]
            best = int(ok[max(range(len(ok)), key=lambda k: (round(suite[k], 4), aucs[ok[k]]))])
        out[j] = WEIGHT_GRID[best]
    return out


def gate_for_share(gate_scores: np.ndarray, w: np.ndarray, share: float) -> float:
    """The gate value routing ``share`` of the (weighted) rows: those with the highest scores."""
    if share >= 1.0:
        return 0.0
    order = np.argsort(-gate_scores, kind="stable")
    cum = np.cumsum(w[order]) / w.sum()
    k = int(np.searchsorted(cum, share))
    return float(gate_scores[order[min(k, len(order) - 1)]])


def fit_fast_map(p_fast: np.ndarray, full: np.ndarray, calib_full: PlattCalibrator) -> PlattCalibrator:
    """Least-squares map of fast logits onto full-route logits (no labels used).

    Fitted on the comments that stay on the fast route, it puts them where the full route would
    have put them on average, so scores from both routes rank against each other.
    """
    zf, zt = logit(p_fast), logit(full)
    a, b = np.ones(N_LABELS), np.zeros(N_LABELS)
    for j in range(N_LABELS):
        design = np.stack([zf[:, j], np.ones(len(zf))], axis=1)
        a[j], b[j] = np.linalg.lstsq(design, zt[:, j], rcond=None)[0]
    return PlattCalibrator(a, b, fitted_on="full-route scores of dev comments below the gate",
                           prevalence=calib_full.prevalence)


def choose_gate(model: CascadeModel, p_fast: np.ndarray, p_slow: np.ndarray, y: np.ndarray,
                w: np.ndarray, max_auc_loss: float, forced: np.ndarray | None = None) -> CascadeChoices:
    """Smallest routed share on :data:`SHARE_GRID` within ``max_auc_loss`` of the full route;
    sets ``model.gate`` and ``model.calib_fast``. ``forced`` rows (``CascadeModel.forced``) are
    routed whatever the gate; the share reported includes them."""
    full = model.full_route(p_fast, p_slow)
    full_auc = weighted_macro_auc(y, full, w)
    gate_scores = np.asarray(p_fast).max(axis=1)
    choices = CascadeChoices(weights=model.weights.tolist(), full_auc=full_auc)
    for share in SHARE_GRID:
        gate = gate_for_share(gate_scores, w, share)
        model.gate = gate
        routed = model.route(p_fast, forced)
        if routed.all():
            break
        model.calib_fast = fit_fast_map(p_fast[~routed], full[~routed], model.calib_full)
        auc = weighted_macro_auc(y, cascade_scores(model, p_fast, p_slow, forced), w)
        real_share = float(w[routed].sum() / w.sum())
        choices.share_curve.append({"share": real_share, "gate": gate, "macro_roc_auc": auc})
        if auc >= full_auc - max_auc_loss:
            choices.gate, choices.routed_share, choices.cascade_auc = gate, real_share, auc
            return choices
    model.gate, model.calib_fast = 0.0, model.calib_full  # nothing stays on the fast route
    choices.gate, choices.routed_share, choices.cascade_auc = 0.0, 1.0, full_auc
    return choices


def fit_cascade(fast: ToxicityModel, slow: ToxicityModel, p_fast: np.ndarray, p_slow: np.ndarray,
                y: np.ndarray, prevalence: dict[str, float], *, max_auc_loss: float = 0.0005,
                point: OperatingPoint | None = None, fitted_on: str = "dev split",
                tie_break: TieBreak | None = None, forced: np.ndarray | None = None,
                route_identity: bool | None = None, route_words: Sequence[str] = (),
                targeted: np.ndarray | None = None) -> tuple[CascadeModel, CascadeChoices]:
    """A cascade fitted on dev scores ``p_fast``/``p_slow`` (``(n, 6)``) and labels ``y``;
    ``forced`` (``(n,)`` bool: ``CascadeModel.forced`` of the dev texts under the same
    ``route_identity`` / ``route_words``) marks rows routed whatever the gate. ``route_identity``
    defaults to whether ``forced`` is given. ``targeted`` (``(n,)`` bool:
    :func:`cleanspeech.identity.names_target` of the dev texts) turns on step 6."""
    y = np.asarray(y).astype(np.int8)
    w = prevalence_weights(y, prevalence)
    weights = fit_weights(p_fast, p_slow, y, w, tie_break)
    probe = CascadeModel(fast, slow, weights, 0.0, PlattCalibrator(), PlattCalibrator())
    calib_full = PlattCalibrator.fit(probe.combine(p_fast, p_slow), y, w, fitted_on=fitted_on)
    model = CascadeModel(fast, slow, weights, 0.0, calib_full, calib_full, prevalence=prevalence,
                         route_identity=forced is not None if route_identity is None else route_identity,
                         route_words=route_words)
    choices = choose_gate(model, p_fast, p_slow, y, w, max_auc_loss, forced)
    choices.cap_gains = fit_caps(model, p_fast, p_slow, y, w, forced)
    point = point or OperatingPoint("f1")
    fit_cap_scales(model, p_fast, p_slow, y, w, point, forced)
    choices.capped_by_toxic = dict(model.capped_by_toxic)
    if targeted is not None:
        choices.target_gains = fit_target_scales(model, p_fast, p_slow, y, w, targeted, forced)
        choices.untargeted_scale = dict(model.untargeted_scale)
    scores = cascade_scores(model, p_fast, p_slow, forced, targeted)
    if choices.capped_by_toxic or choices.untargeted_scale:
        choices.cascade_auc = weighted_macro_auc(y, scores, w)
    model.thresholds = capped_thresholds(model, choose_thresholds(y, scores, point, w))
    return model, choices


def fit_caps(model: CascadeModel, p_fast: np.ndarray, p_slow: np.ndarray, y: np.ndarray,
             w: np.ndarray, forced: np.ndarray | None = None, min_gain: float = 0.0005) -> dict[str, float]:
    """Set ``model.capped_by_toxic`` to the labels whose dev ROC-AUC (weighted) rises by at least
    ``min_gain`` when capped by the ``toxic`` score; returns every label's gain."""
    model.capped_by_toxic = {}
    base = cascade_scores(model, p_fast, p_slow, forced)
    gains, keep = {}, []
    for j, lab in enumerate(LABELS[1:], start=1):
        if not 0 < y[:, j].sum() < len(y):
            continue
        capped = cap_by_toxic(base, {lab: 1.0})[:, j]
        gains[lab] = float(roc_auc_score(y[:, j], capped, sample_weight=w)
                           - roc_auc_score(y[:, j], base[:, j], sample_weight=w))
        if gains[lab] >= min_gain:
            keep.append(lab)
    model.capped_by_toxic = {lab: 1.0 for lab in keep}
    return gains


CAP_SCALES = (1.0, 0.9, 0.75, 0.5, 0.35, 0.25)


def capped_thresholds(model: CascadeModel, thresholds: np.ndarray) -> np.ndarray:
    """``thresholds`` with each capped label's raised to at least ``scale`` × toxic's: then
    ``min(p_j, scale · p_toxic) >= t_j`` implies ``p_toxic >= t_toxic``."""
    out = np.array(thresholds, dtype=np.float64)
    for lab, scale in model.capped_by_toxic.items():
        j = LABELS.index(lab)
        out[j] = max(out[j], scale * out[0])
    return out


def fit_cap_scales(model: CascadeModel, p_fast: np.ndarray, p_slow: np.ndarray, y: np.ndarray,
                   w: np.ndarray, point: OperatingPoint, forced: np.ndarray | None = None) -> None:
    """For each capped label, the scale on :data:`CAP_SCALES` with the best dev F1 at its
    (implication-respecting) threshold; ties go to the larger scale (the milder cap)."""
    for lab in list(model.capped_by_toxic):
        best = (-1.0, 1.0)
        for scale in CAP_SCALES:
            model.capped_by_toxic[lab] = scale
            s = cascade_scores(model, p_fast, p_slow, forced)
            t = capped_thresholds(model, choose_thresholds(y, s, point, w))
            f1 = weighted_prf(y, s, t, w)[lab]["f1"]
            if f1 > best[0] + 1e-12:
                best = (f1, scale)
        model.capped_by_toxic[lab] = best[1]


TARGET_LABELS = ("identity_hate",)
TARGET_SCALES = (1.0, 0.75, 0.5, 0.35, 0.25)


def fit_target_scales(model: CascadeModel, p_fast: np.ndarray, p_slow: np.ndarray, y: np.ndarray,
                      w: np.ndarray, targeted: np.ndarray, forced: np.ndarray | None = None,
                      min_gain: float = 0.0005) -> dict[str, dict[str, float]]:
    """Set ``model.untargeted_scale``: for each of :data:`TARGET_LABELS`, the factor on
    :data:`TARGET_SCALES` with the best dev ROC-AUC (weighted) on comments naming no group, kept
    when it beats 1.0 by at least ``min_gain`` (ties: the milder factor). Returns each label's
    ROC-AUC gain per factor."""
    model.untargeted_scale = {}
    base = cascade_scores(model, p_fast, p_slow, forced)
    gains: dict[str, dict[str, float]] = {}
    for lab in TARGET_LABELS:
        j = LABELS.index(lab)
        if not 0 < y[:, j].sum() < len(y):
            continue
        auc = {s: roc_auc_score(y[:, j], scale_untargeted(base, {lab: s}, targeted)[:, j], sample_weight=w)
               for s in TARGET_SCALES}
        gains[lab] = {f"{s:g}": float(a - auc[1.0]) for s, a in auc.items()}
        best = max(TARGET_SCALES, key=lambda s: (round(auc[s], 12), s))
        if auc[best] - auc[1.0] >= min_gain:
            model.untargeted_scale[lab] = best
    return gains


def mine_route_words(texts: Iterable[str], toxic: Iterable[int], *, min_count: int = 10,
                     min_rate: float = 0.7) -> list[str]:
    """Words (as :func:`cleanspeech.identity.words_of` splits them) seen in at least
    ``min_count`` training comments of which at least ``min_rate`` are toxic: the slurs and
    swear words whose presence alone says "ask the transformer". ``min_count`` keeps out the
    user names of a few angry threads; the rate is on the split's own (toxic-rich) mix."""
    seen, bad = toxic_word_counts(texts, toxic, lambda t: (w for w in words_of(t) if len(w) > 1 and not w.isdigit()))
    return sorted(w for w, n in seen.items() if n >= min_count and bad[w] / n >= min_rate)


def cascade_scores(model: CascadeModel, p_fast: np.ndarray, p_slow: np.ndarray,
                   forced: np.ndarray | None = None, targeted: np.ndarray | None = None) -> np.ndarray:
    """What ``model.predict_proba`` returns, from already computed member probabilities
    (``forced``: ``model.forced(texts)``, ``targeted``: ``names_target(texts)`` of the same rows;
    the latter is required once ``model.untargeted_scale`` is set)."""
    routed = model.route(p_fast, forced)
    out = np.where(routed[:, None], model.full_route(p_fast, p_slow), model.fast_route(p_fast))
    if model.untargeted_scale:
        if targeted is None:
            raise ValueError("cascade_scores: the model scales untargeted comments; pass targeted=")
        out = scale_untargeted(out, model.untargeted_scale, targeted)
    return out
