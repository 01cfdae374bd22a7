"""Build the shipped ``default``: a cascade of the linear model and the fine-tuned MiniLM.

    cleanspeech build-cascade --linear src/cleanspeech/shipped_models/linear \
        --transformer src/cleanspeech/shipped_models/default/transformer --out src/cleanspeech/shipped_models/default

Scores both members on the project split's dev and test parts with the serving backend (onnx),
caching the scores in ``--cache`` (resumable), fits the cascade on dev (weights, calibration,
gate, thresholds; see ``cleanspeech.training.cascade``), then scores test once for the figures
in ``metrics.json`` and the generated model card. Members are copied into the folder.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cleanspeech.data import project_split, read_jigsaw
from cleanspeech.evaluation.calibration import prevalence_weights, resolve_prevalence
from cleanspeech.evaluation.heldout import compare, heldout_figures
from cleanspeech.evaluation.operating import OperatingPoint
from cleanspeech.labels import LABELS
from cleanspeech.models.base import METRICS_FILE, write_json
from cleanspeech.identity import names_target
from cleanspeech.models.cascade import fast_window_scorer, forced_routes, scale_untargeted
from cleanspeech.models.registry import load_model
from cleanspeech.training.cascade import TieBreak, cascade_scores, fit_cascade, mine_route_words
from cleanspeech.training.config import MIXTURE_CACHE

PROTOCOL = ("project_split(train.csv.gz): deduplicated, 90% train / 5% dev / 5% test, stratified "
            "on toxic, seed 42. Choices on dev, figures on test.")
SHIPPED_LINEAR = "src/cleanspeech/shipped_models/linear"
SHIPPED_TRANSFORMER = "src/cleanspeech/shipped_models/default/transformer"
SHIPPED_DEFAULT = "src/cleanspeech/shipped_models/default"
JIGSAW_TRAIN = "../shared/data/jigsaw/train.csv.gz"


@dataclass
class CascadeBuild:
    """The options of :func:`build_cascade` (``cleanspeech build-cascade``)."""

    train: str = JIGSAW_TRAIN
    linear: str = SHIPPED_LINEAR
    transformer: str = SHIPPED_TRANSFORMER
    cache: str = "runs/cascade_scores"  # member scores per part (resumable)
    backend: str = "onnx"
    out: str = SHIPPED_DEFAULT
    prevalence: str = "natural"
    operating_point: str = "f1"
    max_auc_loss: float = 0.0005
    # break per-label weight ties within this dev-AUC tolerance by how well the mix separates
    # hateful from non-hateful cases of the behavioural suite's TRAIN templates (None: off)
    behaviour_tolerance: float | None = None
    # or by the mean per-source ROC-AUC on the cross-source dev pool (training/operating.py
    # dev_pool: rows of the train sources no model trained on; labels a source knows)
    sources_tolerance: float | None = None
    data_dir: str = "../shared/data"
    mixture_cache: str = MIXTURE_CACHE
    route_identity: bool = False  # comments naming an identity group go to the transformer
    # also route comments holding a word whose training-part comments are at least this share
    # toxic (mined from the train part only; None: off)
    route_words_rate: float | None = None
    route_words_min_count: int = 10
    # scale identity_hate down on comments that name no group (factor chosen on dev)
    target_check: bool = False

    def __post_init__(self) -> None:
        if self.behaviour_tolerance is not None and self.sources_tolerance is not None:
            raise ValueError("choose one tie-break: behaviour_tolerance or sources_tolerance")


def member_scores(args: Any, part: str, texts: list[str]) -> dict[str, np.ndarray]:
    """Both members' scores of ``texts`` (``args``: a :class:`CascadeBuild` or the options of
    :func:`member_arguments`), cached per ``part``."""
    cache = Path(args.cache) / f"{part}.npz"
    if cache.exists():
        got = dict(np.load(cache))
        if len(got["linear"]) == len(texts):
            return got
    out = {}
    fast = load_model(args.linear)
    for name, path in (("linear", args.linear), ("transformer", args.transformer)):
        t0 = time.time()
        model = fast if name == "linear" else load_model(path, backend=args.backend)
        if name == "transformer":  # long comments' windows picked as the cascade picks them
            model.window_scorer = fast_window_scorer(fast)
        out[name] = model.predict_proba(texts)
        print(f"{part}: {name} scored {len(texts)} in {time.time() - t0:.0f} s", flush=True)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, **out)
    return out


def member_arguments(ap: argparse.ArgumentParser, linear: str) -> None:
    """The options :func:`member_scores` reads, for a script that scores members as the build
    does (bench/bench_route_words.py)."""
    ap.add_argument("--train", default=JIGSAW_TRAIN)
    ap.add_argument("--linear", default=linear)
    ap.add_argument("--transformer", default=SHIPPED_TRANSFORMER)
    ap.add_argument("--cache", default="runs/cascade_scores")
    ap.add_argument("--backend", default="onnx")


def build_cascade(args: CascadeBuild) -> dict[str, Any]:
    """Fit the cascade on dev, score test once, write ``args.out``; returns a summary."""
    parts = project_split(read_jigsaw(args.train, require_labels=True))
    route_words = frozenset() if args.route_words_rate is None else frozenset(mine_route_words(
        parts.train["comment_text"], parts.train["toxic"], min_count=args.route_words_min_count,
        min_rate=args.route_words_rate))
    routing = args.route_identity or bool(route_words)
    data = {}
    for part in ("dev", "test"):
        df = getattr(parts, part)
        texts = df["comment_text"].tolist()
        forced = forced_routes(texts, args.route_identity, route_words) if routing else None
        targeted = names_target(texts) if args.target_check else None
        data[part] = (member_scores(args, part, texts), df[list(LABELS)].to_numpy().astype(np.int8),
                      forced, targeted)
    prev = resolve_prevalence(args.prevalence)
    point = OperatingPoint.parse(args.operating_point)
    fast = load_model(args.linear)
    slow = load_model(args.transformer, backend=args.backend)
    dev_s, y_dev, forced_dev, targeted_dev = data["dev"]  # test is scored only in figures(), after every choice
    tie = (behaviour_tie_break(args) if args.behaviour_tolerance is not None
           else sources_tie_break(args) if args.sources_tolerance is not None else None)
    model, choices = fit_cascade(fast, slow, dev_s["linear"], dev_s["transformer"], y_dev, prev,
                                 max_auc_loss=args.max_auc_loss, point=point, tie_break=tie,
                                 forced=forced_dev, route_identity=args.route_identity,
                                 route_words=sorted(route_words), targeted=targeted_dev)
    metrics = figures(model, choices, data, prev, point, args)
    if route_words:
        metrics["route_words"] = {"mined_on": "train part of project_split", "n": len(route_words),
                                  "min_rate": args.route_words_rate,
                                  "min_count": args.route_words_min_count}
    save(model, metrics, Path(args.out), args, prev)
    t = metrics["test"]["cascade"]["at_prevalence"]
    return {"dev": choices.to_dict() | {"share_curve": "..."},
            "test_macro_roc_auc": t["macro_roc_auc"], "ci95": t["macro_roc_auc_ci95"],
            "test_routed_share": metrics["test"]["routed_share"]}


def behaviour_tie_break(args: CascadeBuild) -> TieBreak:
    """Both members' scores on the suite's train-template cases (cached like the split's)."""
    from cleanspeech.evaluation.behaviour import build_suite

    cases = build_suite("train")
    scores = member_scores(args, "behaviour_train", [c.text for c in cases])
    hateful = np.array([c.hateful for c in cases], dtype=np.int8)
    return TieBreak(scores["linear"], scores["transformer"], hateful, args.behaviour_tolerance)


def sources_tie_break(args: CascadeBuild) -> TieBreak:
    """Both members' scores on the cross-source dev pool's source rows (Jigsaw dev left out: the
    weights are already chosen on it), per-label targets where a source knows them."""
    from cleanspeech.training.operating import JIGSAW_GROUP, dev_pool

    pool = dev_pool(args.data_dir, args.mixture_cache)
    pool = pool[pool["source"] != JIGSAW_GROUP].reset_index(drop=True)
    scores = member_scores(args, "sources_pool", pool["text"].tolist())
    return TieBreak(scores["linear"], scores["transformer"], pool[list(LABELS)].to_numpy(dtype=float),
                    args.sources_tolerance, groups=pool["source"].to_numpy())


def figures(model: Any, choices: Any, data: dict, prev: Any, point: OperatingPoint, args: CascadeBuild) -> dict:
    out = {"protocol": PROTOCOL, "prevalence": prev,
           "prevalence_name": args.prevalence, "operating_point": point.describe(),
           "backend": args.backend, "dev_choices": choices.to_dict(),
           "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    for part in ("dev", "test"):
        s, y, forced, targeted = data[part]
        casc = cascade_scores(model, s["linear"], s["transformer"], forced, targeted)
        full = model.full_route(s["linear"], s["transformer"])
        if model.untargeted_scale:  # --no-cascade serving scales too
            full = scale_untargeted(full, model.untargeted_scale, targeted)
        caps, model.capped_by_toxic = model.capped_by_toxic, {}  # "linear" = the linear model alone
        fast = model.fast_route(s["linear"])
        model.capped_by_toxic = caps
        routed = model.route(s["linear"], forced)
        w = prevalence_weights(y, prev)
        out[part] = {
            "cascade": heldout_figures(y, casc, model.thresholds, prev),
            "full_route": heldout_figures(y, full, model.thresholds, prev),
            "linear": heldout_figures(y, fast, model.thresholds, prev),
            "cascade_minus_full": compare(y, full, casc, prev),
            "routed_share": float(w[routed].sum() / w.sum()),
            "routed_share_observed": float(routed.mean()),
        }
        if targeted is not None:
            j = LABELS.index("identity_hate")
            out[part]["identity_hate_naming_a_group"] = {
                "positives": float(targeted[y[:, j] == 1].mean()), "negatives": float(targeted[y[:, j] == 0].mean())}
    return out


def save(model: Any, metrics: dict, out: Path, args: CascadeBuild, prev: Any) -> None:
    """Write the folder next to ``out`` and swap it in (members copied byte for byte)."""
    from cleanspeech.evaluation.thresholds import save_thresholds
    from cleanspeech.models.cascade_card import cascade_card

    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=out.parent))
    for role, src in (("fast", args.linear), ("slow", args.transformer)):
        shutil.copytree(src, tmp / model.specs[role]["path"], dirs_exist_ok=True)
    model.pin_members(tmp)
    save_thresholds(tmp / "thresholds.json", model.thresholds,
                    tuned_on="dev part of project_split (seed 42), cascade output, onnx backend",
                    prevalence=prev)
    write_json(tmp / METRICS_FILE, metrics)
    (tmp / "README.md").write_text(cascade_card(model, metrics), encoding="utf-8")
    old = out.with_name(out.name + ".old")
    if out.exists():
        out.rename(old)
    tmp.rename(out)
    shutil.rmtree(old, ignore_errors=True)

