"""Train the group-hate head (``models/hate_head.py``) and attach it to a cascade folder.

Order of work: rows (the multi-source mixture's train parts, capped per source, plus a sample of
Jigsaw's train part, so the head also sees ordinary comments) -> the slow member's sentence
features through the backend that serves them (ONNX int8 by default) -> a masked multi-label
network -> the cascade folder gains ``hate_head/`` and a pinned entry in ``cleanspeech.json``.

``weight`` and ``prior_logit`` decide how the head joins ``identity_hate``; their defaults were
chosen on dev (Jigsaw dev identity_hate F1 at the shipped threshold, and recall / false-flag rate
on the held-out parts of the train sources): ``bench/bench_hate_head.py``. Eval-only sources are
never read here (``build_mixture`` refuses them).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from cleanspeech.labels import LABELS
from cleanspeech.models.hate_head import HateHead, HateHeadConfig, layer_columns

JIGSAW_SOURCE = "jigsaw"
JIGSAW_LICENCE = "CC0 (comment text from Wikipedia talk pages, CC BY-SA 3.0)"
TEMPLATE_SOURCE = "templates"
OWN_LICENCES = {JIGSAW_SOURCE: JIGSAW_LICENCE,
                TEMPLATE_SOURCE: "written for this project (training-only templates)"}


@dataclass
class HateHeadTraining:
    """Settings of one head fit (all of them recorded in ``head.json``)."""

    max_per_source: int = 2500
    jigsaw_rows: int = 6000
    # add every train-part Jigsaw comment that names a group (cleanspeech.identity.names_target)
    # to the sample, so ordinary mentions teach that a name is not hate. Tried on dev
    # (bench_hate_head on both heads): Jigsaw dev identity_hate ROC-AUC +0.003, held-out sources
    # -0.003 and recall 0.36 -> 0.31 at the chosen setting; not adopted, kept as an option
    jigsaw_group_mentions: bool = False
    # training-only templates (cleanspeech.training.augment: "hard" = hate beside counter-speech,
    # negation, reports and plain mentions; "templates" = the behavioural suite's *train* half),
    # at most augment_max_rows each: contrasts the hate sources rarely hold. Tried: dev held-out
    # recall - false flags 0.310 -> 0.319, identity_hate ROC-AUC 0.821 -> 0.825, our suite's
    # non-hateful passed 0.647 -> 0.695; but "You are a worthless fucking idiot and I will kill
    # you." (no group) then scored identity_hate 0.34, over the threshold. Not shipped
    augment: tuple[str, ...] = ()
    augment_max_rows: int = 1000
    # add every train-part Jigsaw comment labelled insult or threat but not identity_hate: abuse
    # of a person, the negatives that teach "kill" or "idiot" without a group is not group hate.
    # Tried with augment: fixed that insult (0.34 -> 0.06) but lost "Jews control the media."
    # (0.21, under the threshold) and Jigsaw test AUC (0.9854); not shipped
    jigsaw_abuse: bool = False
    # the slow member's layers (1-based) the head reads (models.hate_head.HateHeadConfig.layers;
    # None: the last). Tried (bench/results/hate_head_features.md): layers 3, 4 and 6 raised the
    # head's own held-out identity_hate ROC-AUC 0.831 -> 0.854 and the cascade's 0.821 -> 0.835
    # at no serving cost, but at the operating point dev chose it flagged more non-hateful text
    # (held-out false flags 0.051 -> 0.065; our suite's non-hateful passed 0.647 -> 0.624) and
    # Jigsaw test macro ROC-AUC fell 0.9862 -> 0.9855; not shipped
    layers: tuple[int, ...] | None = None
    hidden: int = 256
    epochs: int = 8
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 1e-3
    seed: int = 0
    weight: float = 0.8
    prior_logit: float = -1.0


def training_rows(data_dir: str | Path, cfg: HateHeadTraining) -> pd.DataFrame:
    """``source, text`` and the six (NaN-masked) labels: the mixture + a Jigsaw train sample."""
    from cleanspeech.data.io import read_jigsaw
    from cleanspeech.data.sources import build_mixture
    from cleanspeech.data.split import split_part

    data_dir = Path(data_dir)
    mix = build_mixture(data_dir, max_per_source=cfg.max_per_source, seed=cfg.seed).train
    from cleanspeech.identity import names_target

    full = split_part(read_jigsaw(data_dir / "jigsaw" / "train.csv.gz", require_labels=True), "train")
    jig = full.sample(n=min(cfg.jigsaw_rows, len(full)), random_state=cfg.seed)
    if cfg.jigsaw_group_mentions:
        named = full[names_target(full["comment_text"].tolist())]
        jig = pd.concat([jig, named[~named.index.isin(jig.index)]])
    if cfg.jigsaw_abuse:
        abuse = full[((full["insult"] == 1) | (full["threat"] == 1)) & (full["identity_hate"] == 0)]
        jig = pd.concat([jig, abuse[~abuse.index.isin(jig.index)]])
    jig = jig.rename(columns={"comment_text": "text"}).assign(source=JIGSAW_SOURCE)
    parts = [mix[["source", "text", *LABELS]], jig[["source", "text", *LABELS]]]
    if cfg.augment:
        from cleanspeech.training.augment import augmentation_rows

        extra = augmentation_rows(tuple(cfg.augment), full, data_dir, seed=cfg.seed, max_rows=cfg.augment_max_rows)
        parts.append(extra.rename(columns={"comment_text": "text"}).assign(source=TEMPLATE_SOURCE)[["source", "text", *LABELS]])
    rows = pd.concat(parts, ignore_index=True)
    rows["text"] = rows["text"].astype(str)
    return rows


def fit_head(features: np.ndarray, y: np.ndarray, cfg: HateHeadTraining,
             say: Callable[[str], None] = lambda m: None) -> dict[str, np.ndarray]:
    """Train Standardise -> Linear -> GELU -> Linear on ``features`` ``(n, d)`` against ``y``
    ``(n, 6)`` (NaN = unknown, masked out of the loss); the weights :class:`HateHead` reads."""
    import torch

    from cleanspeech.training.masked import masked_bce_with_logits

    torch.manual_seed(cfg.seed)
    mean = features.mean(0)
    scale = features.std(0) + 1e-6
    z = torch.tensor((features - mean) / scale, dtype=torch.float32)
    targets = torch.tensor(y, dtype=torch.float32)
    first, second = torch.nn.Linear(z.shape[1], cfg.hidden), torch.nn.Linear(cfg.hidden, len(LABELS))
    net = torch.nn.Sequential(torch.nn.Dropout(0.1), first, torch.nn.GELU(approximate="tanh"),
                              torch.nn.Dropout(0.2), second)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    order = np.arange(len(z))
    rng = np.random.default_rng(cfg.seed)
    for epoch in range(cfg.epochs):
        rng.shuffle(order)
        net.train()
        total = 0.0
        for s in range(0, len(order), cfg.batch_size):
            b = torch.from_numpy(order[s:s + cfg.batch_size])
            loss = masked_bce_with_logits(net(z[b]), targets[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(b)
        say(f"epoch {epoch + 1}/{cfg.epochs}: loss {total / len(order):.4f}")
    net.eval()
    with torch.no_grad():
        return {"mean": mean.astype(np.float32), "scale": scale.astype(np.float32),
                "w1": first.weight.numpy().copy(), "b1": first.bias.numpy().copy(),
                "w2": second.weight.numpy().copy(), "b2": second.bias.numpy().copy()}


def _key(text: str) -> bytes:
    import hashlib

    return hashlib.sha1(text.encode("utf-8")).hexdigest().encode("ascii")


def member_features(member, texts: list[str], cache: str | Path | None = None,
                    say: Callable[[str], None] = lambda m: None) -> np.ndarray:
    """The member's sentence features of ``texts`` ``(n, d)``; with ``cache`` (an ``.npz`` of SHA-1
    keys and features, no pickle), texts seen before are not scored again and new ones are added."""
    known: dict[bytes, np.ndarray] = {}
    cache = Path(cache) if cache else None
    if cache is not None and cache.exists():
        with np.load(cache, allow_pickle=False) as z:
            known = dict(zip(z["keys"].tolist(), z["features"]))
    keys = [_key(t) for t in texts]
    todo = sorted({k: i for i, k in enumerate(keys) if k not in known}.values())
    say(f"member features: {len(texts) - len(todo)} cached, {len(todo)} to score")
    if todo:
        _, new = member.predict_proba_pooled([texts[i] for i in todo])
        known.update({keys[i]: f for i, f in zip(todo, new)})
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_name(cache.name + ".tmp.npz")
            np.savez(tmp, keys=np.array(list(known), dtype="S40"), features=np.stack(list(known.values())))
            tmp.replace(cache)
    return np.stack([known[k] for k in keys])


def member_layers(cascade_dir: Path, cascade) -> int:
    """How many transformer layers the cascade's slow member has (its folder's ``config.json``)."""
    import json

    from cleanspeech.models.ensemble import member_folder

    config = json.loads((member_folder(cascade_dir, cascade.specs["slow"]) / "config.json").read_text(encoding="utf-8"))
    return int(config["num_hidden_layers"])


def build_hate_head(cascade_dir: str | Path, data_dir: str | Path, cfg: HateHeadTraining | None = None,
                    say: Callable[[str], None] = lambda m: None,
                    features_cache: str | Path | None = None, retire_cap: bool = False) -> HateHead:
    """Fit a head on ``cascade_dir``'s slow member and save it into the cascade folder
    (``retire_cap``: and drop the folder's ``identity_hate`` cap by toxic; see
    :meth:`~cleanspeech.models.cascade.CascadeModel.attach_hate_head`)."""
    from cleanspeech.models.cascade import CascadeModel
    from cleanspeech.models.registry import load_model

    cfg = cfg or HateHeadTraining()
    cascade = load_model(cascade_dir)
    if not isinstance(cascade, CascadeModel):
        raise ValueError(f"{cascade_dir}: a hate head attaches to a cascade, got {cascade.model_type}")
    rows = training_rows(data_dir, cfg)
    say(f"{len(rows)} rows: " + ", ".join(f"{k} {v}" for k, v in rows["source"].value_counts().items()))
    features = member_features(cascade.slow, rows["text"].tolist(), features_cache, say)
    if cfg.layers:
        features = layer_columns(features, cfg.layers, features.shape[1] // member_layers(Path(cascade_dir), cascade))
    weights = fit_head(features, rows[list(LABELS)].to_numpy(dtype=float), cfg, say)
    shares = rows["source"].value_counts(normalize=True).round(4).to_dict()
    counts = rows["source"].value_counts().to_dict()
    from cleanspeech.data.sources.registry import source_licence

    licences = {name: OWN_LICENCES.get(name) or source_licence(name, data_dir) for name in shares}
    sources = [{"name": name, "rows": int(counts[name]), "share": float(shares[name]), "licence": licences[name]}
               for name in shares]
    head = HateHead(weights, HateHeadConfig(
        layers=list(cfg.layers) if cfg.layers else None, hidden=cfg.hidden, prior_logit=cfg.prior_logit, weight=cfg.weight,
        trained={"date": _dt.date.today().isoformat(), "rows": int(len(rows)), "shares": shares,
                 "sources": sources,
                 "settings": {k: getattr(cfg, k) for k in cfg.__dataclass_fields__},
                 "command": "cleanspeech build-hate-head"}))
    cascade.attach_hate_head(Path(cascade_dir), head, retire_cap=retire_cap)
    record_test_effect(cascade, Path(cascade_dir), data_dir, say)
    return head


def record_test_effect(cascade, cascade_dir: Path, data_dir: str | Path,
                       say: Callable[[str], None] = lambda m: None) -> dict:
    """Jigsaw test-split ROC-AUC at natural prevalence with and without the head, into the
    folder's ``metrics.json`` (``hate_head``) and its card: the figures ``build-cascade`` wrote
    were measured before the head existed."""
    import json

    from cleanspeech.data.io import read_jigsaw
    from cleanspeech.data.split import split_part
    from cleanspeech.evaluation.bootstrap import weighted_macro_auc
    from cleanspeech.evaluation.calibration import NATURAL_PREVALENCE, prevalence_weights
    from cleanspeech.models.base import METRICS_FILE, write_json
    from cleanspeech.data.io import write_text_atomic
    from cleanspeech.models.cascade_card import cascade_card
    from sklearn.metrics import roc_auc_score

    test = split_part(read_jigsaw(Path(data_dir) / "jigsaw" / "train.csv.gz", require_labels=True), "test")
    y = test[list(LABELS)].to_numpy()
    w = prevalence_weights(y, dict(NATURAL_PREVALENCE))
    texts = test["comment_text"].tolist()
    head, out = cascade.hate_head, {}
    for name, h in (("without", None), ("with", head)):
        cascade.hate_head = h
        p = cascade.predict_proba(texts)
        out[name] = {"macro_roc_auc": weighted_macro_auc(y, p, w),
                     "identity_hate_roc_auc": float(roc_auc_score(y[:, -1], p[:, -1], sample_weight=w))}
    cascade.hate_head = head
    out["n"] = int(len(test))
    say(f"Jigsaw test at natural prevalence: macro ROC-AUC {out['without']['macro_roc_auc']:.4f} -> "
        f"{out['with']['macro_roc_auc']:.4f}, identity_hate {out['without']['identity_hate_roc_auc']:.4f} -> "
        f"{out['with']['identity_hate_roc_auc']:.4f}")
    metrics_file = cascade_dir / METRICS_FILE
    metrics = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.exists() else {}
    metrics["hate_head"] = {"test": out, "config": {"weight": head.config.weight,
                                                     "prior_logit": head.config.prior_logit,
                                                     "trained": head.config.trained}}
    write_json(metrics_file, metrics)
    write_text_atomic(cascade_card(cascade, metrics), cascade_dir / "README.md")
    return out
